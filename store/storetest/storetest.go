// Package storetest is the conformance suite every implementation of
// store.Store passes, and helpers to make additions in tests: Run it from
// the implementation's tests.
package storetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
)

// EmbedderName names the vectors Addition makes.
const EmbedderName = "storetest-words-64"

// Vector is a unit vector of text's words hashed into 64 dimensions: cheap,
// and texts that share words are near.
func Vector(text string) []float32 {
	v := make([]float32, 64)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}) {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%64]++
	}
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss > 0 {
		n := float32(1 / math.Sqrt(ss))
		for i := range v {
			v[i] *= n
		}
	}
	return v
}

// Embedder embeds with Vector under EmbedderName.
func Embedder() embed.Embedder {
	return embed.FromFunc(EmbedderName, func(_ context.Context, text string) ([]float32, error) {
		return Vector(text), nil
	})
}

// Addition returns the addition of a file named name holding text (a .txt or
// .md name), parsed and chunked by package corpus and embedded with Vector.
func Addition(tb testing.TB, l store.List, name, text string) store.Addition {
	tb.Helper()
	doc, err := corpus.Parse(name, []byte(text))
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	doc.Path = name
	passages := corpus.Chunk(doc)
	vectors := make([][]float32, len(passages))
	for i, p := range passages {
		vectors[i] = Vector(p.Text)
	}
	return store.Addition{List: l, FileName: name, Original: []byte(text), AddedBy: "u1",
		Doc: doc, Passages: passages, Vectors: vectors, Embedder: EmbedderName}
}

// Text returns a document of n paragraphs about topic, different for each
// seed.
func Text(topic string, seed, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %d\n\n", topic, seed)
	for i := range n {
		fmt.Fprintf(&b, "Paragraph %d of reading %d says that %s matters for reason %d, and scholars agree on it.\n\n", i+1, seed, topic, i*7+seed)
	}
	return b.String()
}

// Run runs the suite; open returns a new, empty store, which the suite
// closes.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AddAndList", testAddAndList},
		{"LoadList", testLoadList},
		{"LoadListStale", testLoadListStale},
		{"Duplicates", testDuplicates},
		{"Limits", testLimits},
		{"Invalid", testInvalid},
		{"Remove", testRemove},
		{"OtherGuild", testOtherGuild},
		{"ConcurrentAdditions", testConcurrentAdditions},
		{"ConcurrentAdditionsAtLimit", testConcurrentAdditionsAtLimit},
		{"Conversations", testConversations},
		{"Votes", testVotes},
		{"ImportVotes", testImportVotes},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			tt.fn(t, s)
		})
	}
}

var (
	guildWide = store.List{Guild: "g1"}
	channel   = store.List{Guild: "g1", Channel: "c1"}
	otherGld  = store.List{Guild: "g2"}
)

func add(t *testing.T, s store.Store, a store.Addition) store.Reading {
	t.Helper()
	r, err := s.AddReading(context.Background(), a)
	if err != nil {
		t.Fatalf("add %s to %s: %v", a.FileName, a.List, err)
	}
	return r
}

func ids(rs []store.Reading) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func testAddAndList(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := Addition(t, guildWide, "plato.md", Text("justice", 1, 5))
	a.Now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a.Authors, a.Year, a.URL = []string{"Plato"}, -375, "https://example.org/republic"
	r1 := add(t, s, a)
	want := store.Reading{ID: r1.ID, Guild: "g1", Title: "justice 1", Authors: []string{"Plato"}, Year: -375,
		URL: "https://example.org/republic", FileName: "plato.md", SHA256: store.Hash(a.Original),
		Size: int64(len(a.Original)), Format: "md", AddedBy: "u1", AddedAt: a.Now, Passages: len(a.Passages),
		Embedder: EmbedderName, DocPath: r1.ID + "/plato.md"}
	if len(r1.ID) == 0 || !equalReading(r1, want) {
		t.Errorf("added\n%+v, want\n%+v", r1, want)
	}
	b := Addition(t, channel, "notes/aristotle.txt", Text("virtue", 2, 3))
	b.Title = "Aristotle on virtue"
	b.Now = a.Now.Add(time.Minute)
	r2 := add(t, s, b)
	if r2.Channel != "c1" || r2.Title != "Aristotle on virtue" || r2.FileName != "aristotle.txt" || r2.ID == r1.ID {
		t.Errorf("channel reading %+v", r2)
	}
	got, err := s.Readings(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), []string{r1.ID, r2.ID}) {
		t.Fatalf("Readings(g1) = %v, want [%s %s]", ids(got), r1.ID, r2.ID)
	}
	if !equalReading(got[0], r1) || !equalReading(got[1], r2) {
		t.Errorf("listed\n%+v\n%+v\nadded\n%+v\n%+v", got[0], got[1], r1, r2)
	}
	one, err := s.Reading(ctx, "g1", r2.ID)
	if err != nil || !equalReading(one, r2) {
		t.Errorf("Reading = %+v, %v", one, err)
	}
	orig, err := s.Original(ctx, "g1", r1.ID)
	if err != nil || string(orig) != string(a.Original) {
		t.Errorf("Original = %d bytes, %v; want the added %d", len(orig), err, len(a.Original))
	}
	lists, err := s.Lists(ctx)
	if err != nil || !slices.Equal(lists, []store.List{guildWide, channel}) {
		t.Errorf("Lists = %v, %v", lists, err)
	}
	if rs, err := s.Readings(ctx, "nobody"); err != nil || len(rs) != 0 {
		t.Errorf("Readings of an unknown guild = %v, %v", rs, err)
	}
}

func equalReading(a, b store.Reading) bool {
	return a.ID == b.ID && a.Guild == b.Guild && a.Channel == b.Channel && a.Title == b.Title &&
		slices.Equal(a.Authors, b.Authors) && a.Year == b.Year && a.URL == b.URL && a.FileName == b.FileName &&
		a.SHA256 == b.SHA256 && a.Size == b.Size && a.Format == b.Format && a.AddedBy == b.AddedBy &&
		a.AddedAt.Equal(b.AddedAt) && a.Passages == b.Passages && a.Pages == b.Pages &&
		a.Embedder == b.Embedder && a.DocPath == b.DocPath
}

func testLoadList(t *testing.T, s store.Store) {
	ctx := context.Background()
	a1 := Addition(t, guildWide, "one.md", Text("justice", 1, 4))
	a2 := Addition(t, guildWide, "two.md", Text("courage", 2, 6))
	a3 := Addition(t, channel, "three.md", Text("piety", 3, 2))
	r1, r2, r3 := add(t, s, a1), add(t, s, a2), add(t, s, a3)

	l, err := s.LoadList(ctx, guildWide, EmbedderName)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(l.Readings), []string{r1.ID, r2.ID}) || len(l.Stale) != 0 || len(l.Damaged) != 0 {
		t.Fatalf("loaded readings %v stale %v damaged %v", ids(l.Readings), l.Stale, l.Damaged)
	}
	ix := l.Index
	if ix.Embedder != EmbedderName || ix.Dim != 64 || len(ix.Docs) != 2 {
		t.Fatalf("index: embedder %q dim %d docs %d", ix.Embedder, ix.Dim, len(ix.Docs))
	}
	if ix.Docs[0].Path != r1.DocPath || ix.Docs[1].Path != r2.DocPath || ix.Docs[0].Text != a1.Doc.Text {
		t.Errorf("documents %q %q", ix.Docs[0].Path, ix.Docs[1].Path)
	}
	wantPassages := append(slices.Clone(a1.Passages), a2.Passages...)
	wantVectors := append(slices.Clone(a1.Vectors), a2.Vectors...)
	if len(ix.Passages) != len(wantPassages) || len(ix.Vectors) != len(wantPassages) {
		t.Fatalf("%d passages and %d vectors, want %d", len(ix.Passages), len(ix.Vectors), len(wantPassages))
	}
	for i, p := range ix.Passages {
		w := wantPassages[i]
		wantDoc := r1.DocPath
		if i >= len(a1.Passages) {
			wantDoc = r2.DocPath
		}
		if p.Text != w.Text || p.Start != w.Start || p.End != w.End || p.Doc != wantDoc || !slices.Equal(ix.Vectors[i], wantVectors[i]) {
			t.Fatalf("passage %d = %+v, want %+v in %s", i, p, w, wantDoc)
		}
	}
	// What is loaded is what retrieval needs.
	rix, err := indexfile.NewFromSaved(ctx, ix, retrieval.Options{Embedder: Embedder()})
	if err != nil {
		t.Fatalf("NewFromSaved: %v", err)
	}
	hits, err := rix.Search(ctx, "courage matters for reason", 3)
	if err != nil || len(hits) == 0 || hits[0].Passage.Doc != r2.DocPath {
		t.Errorf("search of the loaded list: %v, %v", hits, err)
	}

	l, err = s.LoadList(ctx, channel, EmbedderName)
	if err != nil || !slices.Equal(ids(l.Readings), []string{r3.ID}) || len(l.Index.Passages) != len(a3.Passages) {
		t.Errorf("channel list: %v, %v", l, err)
	}
	l, err = s.LoadList(ctx, otherGld, EmbedderName)
	if err != nil || len(l.Readings) != 0 || len(l.Index.Passages) != 0 {
		t.Errorf("other guild's list: %+v, %v", l, err)
	}
}

func testLoadListStale(t *testing.T, s store.Store) {
	ctx := context.Background()
	r1 := add(t, s, Addition(t, guildWide, "one.md", Text("justice", 1, 4)))
	b := Addition(t, guildWide, "two.md", Text("courage", 2, 4))
	b.Embedder = "another-embedder"
	r2 := add(t, s, b)
	l, err := s.LoadList(ctx, guildWide, EmbedderName)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(l.Readings), []string{r1.ID}) || !slices.Equal(ids(l.Stale), []string{r2.ID}) {
		t.Errorf("loaded %v stale %v; want [%s] [%s]", ids(l.Readings), ids(l.Stale), r1.ID, r2.ID)
	}
	for _, p := range l.Index.Passages {
		if p.Doc != r1.DocPath {
			t.Fatalf("a stale reading's passage is in the index: %+v", p)
		}
	}
}

func testDuplicates(t *testing.T, s store.Store) {
	ctx := context.Background()
	text := Text("justice", 1, 3)
	r := add(t, s, Addition(t, guildWide, "a.md", text))
	for _, l := range []store.List{guildWide, channel} {
		_, err := s.AddReading(ctx, Addition(t, l, "renamed.md", text))
		var dup *store.DuplicateError
		if !errors.As(err, &dup) || !errors.Is(err, store.ErrDuplicate) || dup.Existing.ID != r.ID {
			t.Errorf("same bytes again in %s: %v, want a *DuplicateError naming %s", l, err, r.ID)
		}
	}
	// The same bytes in another guild, or a channel's reading made guild-wide, are not duplicates.
	add(t, s, Addition(t, otherGld, "a.md", text))
	other := Addition(t, channel, "b.md", Text("virtue", 2, 3))
	add(t, s, other)
	add(t, s, Addition(t, guildWide, "b.md", string(other.Original)))
	rs, _ := s.Readings(ctx, "g1")
	if len(rs) != 3 {
		t.Errorf("g1 holds %d readings, want 3", len(rs))
	}
}

func testLimits(t *testing.T, s store.Store) {
	ctx := context.Background()
	lim := store.Limits{MaxReadings: 2, MaxPassages: -1}
	for i := range 2 {
		a := Addition(t, []store.List{guildWide, channel}[i], fmt.Sprintf("r%d.md", i), Text("justice", i, 2))
		a.Limits = lim
		add(t, s, a)
	}
	a := Addition(t, channel, "r2.md", Text("justice", 2, 2))
	a.Limits = lim
	_, err := s.AddReading(ctx, a)
	var le *store.LimitError
	if !errors.As(err, &le) || !errors.Is(err, store.ErrLimit) || le.What != "readings" || le.N != 3 || le.Max != 2 {
		t.Errorf("third reading with max 2: %v, want LimitError{readings 3 2}", err)
	}
	// Another guild has its own count.
	b := Addition(t, otherGld, "r2.md", Text("justice", 2, 2))
	b.Limits = lim
	add(t, s, b)

	rs, _ := s.Readings(ctx, "g1")
	held := 0
	for _, r := range rs {
		held += r.Passages
	}
	c := Addition(t, guildWide, "big.md", Text("courage", 9, 6))
	c.Limits = store.Limits{MaxReadings: -1, MaxPassages: held + len(c.Passages) - 1}
	_, err = s.AddReading(ctx, c)
	if !errors.As(err, &le) || le.What != "passages" || le.N != held+len(c.Passages) || le.Max != held+len(c.Passages)-1 {
		t.Errorf("one passage over the limit: %v", err)
	}
	c.Limits.MaxPassages++
	add(t, s, c)
	if n := len(mustReadings(t, s, "g1")); n != 3 {
		t.Errorf("g1 holds %d readings, want 3", n)
	}
	if d := (store.Limits{}).Effective(); d.MaxReadings != store.DefaultMaxReadings || d.MaxPassages != store.DefaultMaxPassages {
		t.Errorf("default limits %+v", d)
	}
}

func mustReadings(t *testing.T, s store.Store, guild string) []store.Reading {
	t.Helper()
	rs, err := s.Readings(context.Background(), guild)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func testInvalid(t *testing.T, s store.Store) {
	ctx := context.Background()
	good := Addition(t, guildWide, "a.md", Text("justice", 1, 3))
	for name, change := range map[string]func(a *store.Addition){
		"no guild":       func(a *store.Addition) { a.List.Guild = "" },
		"no passages":    func(a *store.Addition) { a.Passages, a.Vectors = nil, nil },
		"missing vector": func(a *store.Addition) { a.Vectors = a.Vectors[1:] },
		"ragged vectors": func(a *store.Addition) { a.Vectors = append(slices.Clone(a.Vectors[:1]), make([]float32, 3)) },
		"no embedder":    func(a *store.Addition) { a.Embedder = "" },
		"no file name":   func(a *store.Addition) { a.FileName, a.Doc.Path = "", "" },
		"passage past end": func(a *store.Addition) {
			a.Passages = slices.Clone(a.Passages)
			a.Passages[0].End = len(a.Doc.Text) + 1
		},
	} {
		a := good
		change(&a)
		if _, err := s.AddReading(ctx, a); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if rs := mustReadings(t, s, "g1"); len(rs) != 0 {
		t.Errorf("refused additions left readings: %v", ids(rs))
	}
}

func testRemove(t *testing.T, s store.Store) {
	ctx := context.Background()
	v0, err := s.ListVersion(ctx, guildWide)
	if err != nil {
		t.Fatal(err)
	}
	a := Addition(t, guildWide, "a.md", Text("justice", 1, 3))
	r := add(t, s, a)
	keep := add(t, s, Addition(t, guildWide, "b.md", Text("virtue", 2, 3)))
	v1, _ := s.ListVersion(ctx, guildWide)
	if v1 <= v0 {
		t.Errorf("version %d after additions, was %d", v1, v0)
	}
	got, err := s.RemoveReading(ctx, "g1", r.ID)
	if err != nil || got.ID != r.ID || got.Title != r.Title {
		t.Fatalf("RemoveReading = %+v, %v", got, err)
	}
	v2, _ := s.ListVersion(ctx, guildWide)
	if v2 <= v1 {
		t.Errorf("version %d after a removal, was %d", v2, v1)
	}
	if _, err := s.RemoveReading(ctx, "g1", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second removal: %v, want ErrNotFound", err)
	}
	if _, err := s.Reading(ctx, "g1", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Reading after removal: %v", err)
	}
	if _, err := s.Original(ctx, "g1", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Original after removal: %v", err)
	}
	l, err := s.LoadList(ctx, guildWide, EmbedderName)
	if err != nil || !slices.Equal(ids(l.Readings), []string{keep.ID}) {
		t.Errorf("list after removal: %v, %v", ids(l.Readings), err)
	}
	// The same file may be added again once removed.
	add(t, s, a)
	// Removing the last reading of a list still moves its version.
	if _, err := s.RemoveReading(ctx, "g1", keep.ID); err != nil {
		t.Fatal(err)
	}
	c := add(t, s, Addition(t, channel, "c.md", Text("piety", 3, 2)))
	vc, _ := s.ListVersion(ctx, channel)
	if _, err := s.RemoveReading(ctx, "g1", c.ID); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.ListVersion(ctx, channel); v <= vc {
		t.Errorf("channel list version %d after removing its last reading, was %d", v, vc)
	}
	lists, _ := s.Lists(ctx)
	if !slices.Equal(lists, []store.List{guildWide}) {
		t.Errorf("Lists after emptying the channel's = %v", lists)
	}
}

func testOtherGuild(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := add(t, s, Addition(t, guildWide, "a.md", Text("justice", 1, 3)))
	if _, err := s.Reading(ctx, "g2", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Reading from another guild: %v", err)
	}
	if _, err := s.Original(ctx, "g2", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Original from another guild: %v", err)
	}
	if _, err := s.RemoveReading(ctx, "g2", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveReading from another guild: %v", err)
	}
	for _, id := range []string{"", "'", "../" + r.ID, r.ID + "' OR '1'='1"} {
		if _, err := s.Reading(ctx, "g1", id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Reading(%q): %v", id, err)
		}
	}
	if rs := mustReadings(t, s, "g1"); len(rs) != 1 {
		t.Errorf("g1 lost its reading: %v", rs)
	}
	if rs := mustReadings(t, s, "g2"); len(rs) != 0 {
		t.Errorf("g2 sees %v", ids(rs))
	}
}

func testConcurrentAdditions(t *testing.T, s store.Store) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := guildWide
			if i%2 == 1 {
				l = channel
			}
			_, errs[i] = s.AddReading(context.Background(), Addition(t, l, fmt.Sprintf("r%d.md", i), Text("justice", i, 3)))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("addition %d: %v", i, err)
		}
	}
	if rs := mustReadings(t, s, "g1"); len(rs) != n {
		t.Errorf("%d readings landed, want %d", len(rs), n)
	}
}

func testConcurrentAdditionsAtLimit(t *testing.T, s store.Store) {
	const n, max = 6, 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := Addition(t, guildWide, fmt.Sprintf("r%d.md", i), Text("justice", i, 3))
			a.Limits = store.Limits{MaxReadings: max}
			_, errs[i] = s.AddReading(context.Background(), a)
		}()
	}
	wg.Wait()
	landed := 0
	for i, err := range errs {
		var le *store.LimitError
		switch {
		case err == nil:
			landed++
		case errors.As(err, &le):
			if le.Max != max || le.What != "readings" {
				t.Errorf("addition %d: %v", i, err)
			}
		default:
			t.Errorf("addition %d: %v, want success or a *LimitError", i, err)
		}
	}
	if rs := mustReadings(t, s, "g1"); landed != max || len(rs) != max {
		t.Errorf("%d additions said they landed, %d readings are held; want %d", landed, len(rs), max)
	}
}

func testConversations(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Conversation(ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
	if err := s.SaveConversation(ctx, store.Conversation{ID: "t1", Guild: "g1", Parent: "c1"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		if err := s.AppendTurn(ctx, "t1", store.Turn{Question: fmt.Sprintf("q%d", i), Answer: fmt.Sprintf("a%d", i), At: at.Add(time.Duration(i) * time.Second)}, 3); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Conversation(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, tu := range c.Turns {
		qs = append(qs, tu.Question+"/"+tu.Answer)
	}
	if c.Guild != "g1" || c.Parent != "c1" || !slices.Equal(qs, []string{"q2/a2", "q3/a3", "q4/a4"}) || !c.Turns[0].At.Equal(at.Add(2*time.Second)) {
		t.Errorf("conversation %+v", c)
	}
	// Saving again keeps the turns.
	if err := s.SaveConversation(ctx, store.Conversation{ID: "t1", Guild: "g1", Parent: "c9"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Conversation(ctx, "t1"); c.Parent != "c9" || len(c.Turns) != 3 {
		t.Errorf("after SaveConversation: %+v", c)
	}
	// A turn creates its conversation; conversations do not mix.
	if err := s.AppendTurn(ctx, "dm1", store.Turn{Question: "hi", Answer: "hello"}, 0); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Conversation(ctx, "dm1"); err != nil || len(c.Turns) != 1 || c.Turns[0].Question != "hi" || c.Turns[0].At.IsZero() {
		t.Errorf("dm1 = %+v, %v", c, err)
	}
	for i := range store.DefaultKeepTurns + 2 {
		s.AppendTurn(ctx, "dm2", store.Turn{Question: fmt.Sprint(i)}, 0)
	}
	if c, _ := s.Conversation(ctx, "dm2"); len(c.Turns) != store.DefaultKeepTurns {
		t.Errorf("keep 0 kept %d turns, want %d", len(c.Turns), store.DefaultKeepTurns)
	}
	// Pruning removes what was not updated since.
	time.Sleep(5 * time.Millisecond)
	cut := time.Now()
	time.Sleep(5 * time.Millisecond)
	if err := s.AppendTurn(ctx, "t1", store.Turn{Question: "again"}, 3); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneConversations(ctx, cut); n != 2 || err != nil {
		t.Errorf("PruneConversations = %d, %v; want dm1 and dm2", n, err)
	}
	for id, want := range map[string]bool{"t1": true, "dm1": false, "dm2": false} {
		c, err := s.Conversation(ctx, id)
		if got := err == nil; got != want || (!want && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("after pruning, %s: %+v, %v", id, c, err)
		}
	}
	// A pruned conversation starts again empty.
	s.AppendTurn(ctx, "dm1", store.Turn{Question: "new"}, 0)
	if c, _ := s.Conversation(ctx, "dm1"); len(c.Turns) != 1 || c.Turns[0].Question != "new" {
		t.Errorf("dm1 after pruning and a turn: %+v", c)
	}
}

func testVotes(t *testing.T, s store.Store) {
	ctx := context.Background()
	if s.HashUser("alice") == s.HashUser("bob") || s.HashUser("alice") != s.HashUser("alice") || strings.Contains(s.HashUser("alice"), "alice") {
		t.Errorf("HashUser: alice %s bob %s", s.HashUser("alice"), s.HashUser("bob"))
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	cite := []answer.Citation{{N: 1, Doc: "a.md", Title: "A", Quote: "q", Authors: []string{"X"}}}
	votes := []struct {
		user string
		v    store.Vote
	}{
		{"alice", store.Vote{Time: at, Helpful: true, AnswerID: "ans1", Question: "why?", Answer: "because", Citations: cite}},
		{"bob", store.Vote{Time: at.Add(time.Second), Helpful: true, AnswerID: "ans1"}},
		{"alice", store.Vote{Time: at.Add(2 * time.Second), Helpful: false, AnswerID: "ans2"}},
		{"alice", store.Vote{Time: at.Add(3 * time.Second), Helpful: false, AnswerID: "ans1", Question: "why?", Citations: cite}},
	}
	for _, v := range votes {
		if err := s.AddVote(ctx, v.user, v.v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Votes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, v := range got {
		desc = append(desc, fmt.Sprintf("%s %s %v %s", v.AnswerID, v.User[:8], v.Helpful, v.Time.Format(time.TimeOnly)))
	}
	h := func(u string) string { return s.HashUser(u)[:8] }
	want := []string{"ans1 " + h("bob") + " true 10:00:01", "ans2 " + h("alice") + " false 10:00:02", "ans1 " + h("alice") + " false 10:00:03"}
	if !slices.Equal(desc, want) {
		t.Errorf("votes\n%q, want\n%q", desc, want)
	}
	if len(got) == 3 && (len(got[2].Citations) != 1 || got[2].Citations[0].Authors[0] != "X" || got[2].Question != "why?") {
		t.Errorf("vote lost its citations: %+v", got[2])
	}
}

func testImportVotes(t *testing.T, s store.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "footnote-votes.jsonl")
	if n, err := s.ImportVotes(ctx, path); n != 0 || err != nil {
		t.Errorf("import of a missing file: %d, %v", n, err)
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	hash := func(u string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(u))
		return hex.EncodeToString(m.Sum(nil))
	}
	lines := []string{
		`{"time":"2026-01-01T10:00:00Z","helpful":true,"answer_id":"a1","question":"q1","answer":"x","citations":[{"n":1,"doc":"d.md","title":"D","section":"","paragraph":2,"start":0,"end":5,"quote":"hello"}],"user":"` + hash("alice") + `"}`,
		``,
		`{"time":"2026-01-01T10:01:00Z","helpful":false,"answer_id":"a1","question":"q1","answer":"x","citations":null,"user":"` + hash("bob") + `"}`,
		`{"time":"2026-01-01T10:02:00Z","helpful":false,"answer_id":"a1","question":"q1","answer":"x","citations":null,"user":"` + hash("alice") + `"}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".key", []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := s.ImportVotes(ctx, path)
	if err != nil || n != 3 {
		t.Fatalf("import = %d, %v; want 3 votes", n, err)
	}
	if n, err := s.ImportVotes(ctx, path); n != 0 || err != nil {
		t.Errorf("second import = %d, %v; want nothing", n, err)
	}
	votes, _ := s.Votes(ctx)
	if len(votes) != 2 || votes[0].User != hash("bob") || votes[1].User != hash("alice") || votes[1].Helpful {
		t.Fatalf("imported votes %+v", votes)
	}
	// The store took the file's key: alice's next vote supersedes her imported one.
	if s.HashUser("alice") != hash("alice") {
		t.Errorf("the store did not take the votes file's key")
	}
	if err := s.AddVote(ctx, "alice", store.Vote{AnswerID: "a1", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	votes, _ = s.Votes(ctx)
	if len(votes) != 2 || votes[1].User != hash("alice") || !votes[1].Helpful {
		t.Errorf("after alice voted again: %+v", votes)
	}
	// A damaged file is refused and can be imported once fixed.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{not json\n"), 0o644)
	if _, err := s.ImportVotes(ctx, bad); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("damaged votes file: %v", err)
	}
	os.WriteFile(bad, []byte(lines[0]+"\n"), 0o644)
	if n, err := s.ImportVotes(ctx, bad); n != 1 || err != nil {
		t.Errorf("fixed votes file: %d, %v", n, err)
	}
}

func testClosed(t *testing.T, s store.Store) {
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Readings(ctx, "g1"); err == nil {
		t.Error("Readings after Close succeeded")
	}
	if _, err := s.AddReading(ctx, Addition(t, guildWide, "a.md", Text("x", 1, 1))); err == nil {
		t.Error("AddReading after Close succeeded")
	}
	if err := s.AppendTurn(ctx, "t", store.Turn{}, 0); err == nil {
		t.Error("AppendTurn after Close succeeded")
	}
}
