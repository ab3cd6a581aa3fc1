package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/embedded"
	"github.com/footnote-bot/footnote/store/postgres"
	"github.com/footnote-bot/footnote/store/postgres/pgtest"
	"github.com/footnote-bot/footnote/store/storetest"
)

// fillStore puts in s two guilds' readings (guild-wide, a channel's, one of
// another embedder), conversations with turns, and votes.
func fillStore(t *testing.T, s appStore) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, l := range []store.List{{Guild: "g1"}, {Guild: "g1", Channel: "c1"}, {Guild: "g2"}, {Guild: "g1"}} {
		a := storetest.Addition(t, l, fmt.Sprintf("r%d.md", i), storetest.Text("justice", i, 4+i))
		a.Now = at.Add(time.Duration(i) * time.Minute)
		a.Authors = []string{"Plato", fmt.Sprint("Student ", i)}
		if i == 3 {
			a.Embedder = "another-embedder"
		}
		if _, err := s.AddReading(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveConversation(ctx, store.Conversation{ID: "thread1", Guild: "g1", Parent: "c1"}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.AppendTurn(ctx, "thread1", store.Turn{Question: fmt.Sprint("q", i), Answer: fmt.Sprint("a", i), At: at.Add(time.Duration(i) * time.Second)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AppendTurn(ctx, "dm1", store.Turn{Question: "hi", Answer: "hello", At: at}, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveQuiz(ctx, "thread1", []byte(`{"questions":3}`)); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{"alice", "bob", "alice"} {
		v := store.Vote{Time: at.Add(time.Duration(i) * time.Second), Helpful: i != 1, AnswerID: fmt.Sprint("ans", i%2), Question: "why?",
			Citations: []answer.Citation{{N: 1, Doc: "x/r0.md", Title: "T", Quote: "q"}}}
		if err := s.AddVote(ctx, u, v); err != nil {
			t.Fatal(err)
		}
	}
}

// sameStore fails t when b does not hold what a holds.
func sameStore(t *testing.T, a, b appStore) {
	t.Helper()
	ctx := context.Background()
	la, _ := a.Lists(ctx)
	lb, _ := b.Lists(ctx)
	if !slices.Equal(la, lb) {
		t.Fatalf("lists %v, want %v", lb, la)
	}
	for _, g := range []string{"g1", "g2"} {
		ra, _ := a.Readings(ctx, g)
		rb, err := b.Readings(ctx, g)
		if err != nil || len(ra) != len(rb) {
			t.Fatalf("guild %s: %d readings, want %d (%v)", g, len(rb), len(ra), err)
		}
		for i := range ra {
			x, y := ra[i], rb[i]
			if x.ID != y.ID || x.Title != y.Title || !slices.Equal(x.Authors, y.Authors) || x.SHA256 != y.SHA256 ||
				!x.AddedAt.Equal(y.AddedAt) || x.Passages != y.Passages || x.Embedder != y.Embedder || x.DocPath != y.DocPath || x.Channel != y.Channel {
				t.Errorf("reading\n%+v, want\n%+v", y, x)
			}
			oa, _ := a.Original(ctx, g, x.ID)
			ob, err := b.Original(ctx, g, x.ID)
			if err != nil || string(oa) != string(ob) {
				t.Errorf("original of %s: %d bytes, want %d (%v)", x.ID, len(ob), len(oa), err)
			}
		}
	}
	for _, l := range la {
		for _, emb := range []string{storetest.EmbedderName, "another-embedder"} {
			xa, _ := a.LoadList(ctx, l, emb)
			xb, err := b.LoadList(ctx, l, emb)
			if err != nil || len(xa.Index.Passages) != len(xb.Index.Passages) || len(xb.Damaged) != 0 {
				t.Fatalf("%s %s: %d passages, want %d (%v)", l, emb, len(xb.Index.Passages), len(xa.Index.Passages), err)
			}
			for i, p := range xa.Index.Passages {
				q := xb.Index.Passages[i]
				if p != q || !slices.Equal(xa.Index.Vectors[i], xb.Index.Vectors[i]) {
					t.Fatalf("%s passage %d: %+v, want %+v", l, i, q, p)
				}
			}
			if xa.Index.Docs != nil && (xa.Index.Docs[0].Text != xb.Index.Docs[0].Text || xa.Index.Docs[0].Path != xb.Index.Docs[0].Path) {
				t.Errorf("%s: documents differ", l)
			}
		}
	}
	for _, id := range []string{"thread1", "dm1"} {
		ca, _ := a.Conversation(ctx, id)
		cb, err := b.Conversation(ctx, id)
		if err != nil || ca.Guild != cb.Guild || ca.Parent != cb.Parent || len(ca.Turns) != len(cb.Turns) {
			t.Fatalf("conversation %s: %+v, want %+v (%v)", id, cb, ca, err)
		}
		for i := range ca.Turns {
			if ca.Turns[i].Question != cb.Turns[i].Question || !ca.Turns[i].At.Equal(cb.Turns[i].At) {
				t.Errorf("conversation %s turn %d: %+v, want %+v", id, i, cb.Turns[i], ca.Turns[i])
			}
		}
	}
	va, _ := a.Votes(ctx)
	vb, err := b.Votes(ctx)
	if err != nil || len(va) != len(vb) {
		t.Fatalf("%d votes, want %d (%v)", len(vb), len(va), err)
	}
	for i := range va {
		if va[i].User != vb[i].User || va[i].AnswerID != vb[i].AnswerID || va[i].Helpful != vb[i].Helpful || len(vb[i].Citations) != 1 {
			t.Errorf("vote %d: %+v, want %+v", i, vb[i], va[i])
		}
	}
	if qa, _ := a.LoadQuiz(ctx, "thread1"); qa == nil {
		t.Error("the source has no quiz")
	} else if qb, err := b.LoadQuiz(ctx, "thread1"); string(qa) != string(qb) {
		t.Errorf("quiz %q, want %q (%v)", qb, qa, err)
	}
	if a.HashUser("carol") != b.HashUser("carol") {
		t.Error("the votes' key did not move: later votes would not supersede moved ones")
	}
}

// TestMigrateStore moves a data folder into PostgreSQL and back with
// `footnote migrate-store`, and each time the destination holds all the
// source held; a second run moves nothing twice; the password of the URL
// is never printed.
func TestMigrateStore(t *testing.T) {
	pgURL := pgtest.URL(t)
	ctx := context.Background()
	dir := t.TempDir()
	src, err := embedded.Open(ctx, embedded.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, src)
	src.Close()

	// The test cluster trusts local connections: a password is accepted and ignored.
	u, _ := url.Parse(pgURL)
	u.User = url.UserPassword(u.User.Username(), "s3cret-pw")
	withPassword := u.String()
	for run := 1; run <= 2; run++ {
		code, out, errOut := runCLI(t, nil, "migrate-store", "--from", dir, "--to", withPassword)
		if code != 0 || !strings.Contains(out, "verified: 4 readings") || !strings.Contains(out, "2 conversations (4 turns), 2 votes, 1 quizzes") {
			t.Fatalf("run %d: exit %d\n%s\n%s", run, code, out, errOut)
		}
		if strings.Contains(out+errOut, "s3cret-pw") {
			t.Fatalf("the password was printed:\n%s%s", out, errOut)
		}
	}
	src, _ = embedded.Open(ctx, embedded.Options{Dir: dir})
	defer src.Close()
	pg, err := postgres.Open(ctx, postgres.Options{URL: pgURL})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	sameStore(t, src, pg)

	// And back, into a new folder.
	back := t.TempDir()
	code, out, errOut := runCLI(t, nil, "migrate-store", "--from", pgURL, "--to", back)
	if code != 0 || !strings.Contains(out, "verified: 4 readings") {
		t.Fatalf("back: exit %d\n%s\n%s", code, out, errOut)
	}
	dst, err := embedded.Open(ctx, embedded.Options{Dir: back})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	sameStore(t, pg, dst)
	sameStore(t, src, dst)
}

func TestMigrateStoreUsage(t *testing.T) {
	for _, args := range [][]string{
		{"migrate-store"},
		{"migrate-store", "--from", "a"},
		{"migrate-store", "--from", "a", "--to", "a"},
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "migrate-store", "--from", t.TempDir(), "--to", t.TempDir()); code != 1 || !strings.Contains(errOut, "is not a data folder") {
		t.Errorf("an empty folder as the source: exit %d, %q", code, errOut)
	}
	from := t.TempDir()
	s, err := embedded.Open(context.Background(), embedded.Options{Dir: from})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, _, errOut := runCLI(t, nil, "migrate-store", "--from", from, "--to", "postgres://u:pw-not-shown@127.0.0.1:1/db?connect_timeout=1")
	if code == 0 || strings.Contains(errOut, "pw-not-shown") || !strings.Contains(errOut, "--to") {
		t.Errorf("unreachable database: exit %d, %q", code, errOut)
	}
}
