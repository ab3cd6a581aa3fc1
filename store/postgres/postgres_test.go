package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/postgres"
	"github.com/footnote-bot/footnote/store/postgres/pgtest"
	"github.com/footnote-bot/footnote/store/storetest"
)

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), postgres.Options{URL: url})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgtest.URL(t)) })
}

func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || postgres.SchemaVersion() != len(ms) {
		t.Errorf("migrations %v", ms)
	}
}

// TestMigrationsOnceWhenStartedTogether opens stores on one new schema at
// once, as shards starting together do: each migration is applied once.
func TestMigrationsOnceWhenStartedTogether(t *testing.T) {
	url := pgtest.URL(t)
	const n = 6
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(context.Background(), postgres.Options{URL: url})
		}()
	}
	wg.Wait()
	applied := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		applied += stores[i].Applied()
		defer stores[i].Close()
	}
	if applied != postgres.SchemaVersion() {
		t.Errorf("%d migrations applied by %d stores together, want %d", applied, n, postgres.SchemaVersion())
	}
	var rows, versions int
	if err := stores[0].Pool().QueryRow(context.Background(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != postgres.SchemaVersion() || versions != rows {
		t.Errorf("schema_migrations holds %d rows of %d versions", rows, versions)
	}
	// All share one votes key.
	for _, s := range stores[1:] {
		if s.HashUser("u") != stores[0].HashUser("u") {
			t.Fatal("two stores on one database hash users differently")
		}
	}
	// Opening again applies nothing.
	if s := open(t, url); s.Applied() != 0 {
		t.Errorf("a second open applied %d migrations", s.Applied())
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url)
	next := postgres.SchemaVersion() + 1
	if _, err := s.Pool().Exec(context.Background(), `INSERT INTO schema_migrations (version, name, applied_by) VALUES ($1, 'from_the_future', 'test')`, next); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := postgres.Open(context.Background(), postgres.Options{URL: url})
	var newer *postgres.NewerSchemaError
	if !errors.As(err, &newer) || newer.Database != next || !strings.Contains(err.Error(), "newer than this footnote's") {
		t.Errorf("open of a newer database: %v", err)
	}
}

func TestPasswordNeverInErrors(t *testing.T) {
	for _, u := range []string{
		"postgres://footnote:hunter2secret@127.0.0.1:1/db?connect_timeout=1",
		"postgres://footnote@127.0.0.1:1/db?password=hunter2secret&connect_timeout=1",
		"postgres://footnote:hunter2secret@[::1/db",
	} {
		_, err := postgres.Open(context.Background(), postgres.Options{URL: u, RetryFor: -1})
		if err == nil || strings.Contains(err.Error(), "hunter2secret") {
			t.Errorf("open %s: %v", postgres.Redact(u), err)
		}
		if strings.Contains(postgres.Redact(u), "hunter2secret") {
			t.Errorf("Redact left the password in %s", postgres.Redact(u))
		}
	}
	if _, err := postgres.Open(context.Background(), postgres.Options{URL: "/var/lib/footnote"}); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a folder as a URL: %v", err)
	}
}

// TestTwoStoresShareEverything: what one process writes, another sees, and
// its list version moves for the other.
func TestTwoStoresShareEverything(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	l := store.List{Guild: "g1"}
	v0, _ := b.ListVersion(ctx, l)
	r, err := a.AddReading(ctx, storetest.Addition(t, l, "a.md", storetest.Text("justice", 1, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := b.ListVersion(ctx, l); v <= v0 {
		t.Errorf("the other store's version %d did not move from %d", v, v0)
	}
	loaded, err := b.LoadList(ctx, l, storetest.EmbedderName)
	if err != nil || len(loaded.Readings) != 1 || loaded.Readings[0].ID != r.ID {
		t.Fatalf("the other store loads %+v, %v", loaded, err)
	}
	if err := a.AppendTurn(ctx, "t1", store.Turn{Question: "q", Answer: "a"}, 0); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Conversation(ctx, "t1"); err != nil || len(c.Turns) != 1 {
		t.Errorf("the other store's conversation: %+v, %v", c, err)
	}
}

// TestVotesFromTwoStoresAtOnce: votes cast through two pools at once are
// all kept.
func TestVotesFromTwoStoresAtOnce(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	defer a.Close()
	defer b.Close()
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		for j, s := range []*postgres.Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.AddVote(context.Background(), fmt.Sprintf("user%d-%d", j, i), store.Vote{AnswerID: fmt.Sprint(i % 10), Helpful: i%2 == 0})
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	votes, err := a.Votes(context.Background())
	if err != nil || len(votes) != 2*n {
		t.Errorf("%d votes kept, want %d (%v)", len(votes), 2*n, err)
	}
}

// TestSurvivesRestart restarts PostgreSQL under a store that does not
// retry: the operations in flight fail with store.ErrUnavailable or
// succeed, the pool reconnects, and every vote cast (retried by its caller
// after ErrUnavailable) is there once.
func TestSurvivesRestart(t *testing.T) {
	url, restart := pgtest.Cluster(t)
	// No retries: operations in flight see the restart.
	s, err := postgres.Open(context.Background(), postgres.Options{URL: url, RetryFor: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	l := store.List{Guild: "g1"}
	if _, err := s.AddReading(ctx, storetest.Addition(t, l, "a.md", storetest.Text("justice", 1, 3))); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var mu sync.Mutex
	var ok, unavailable int
	var other []error
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := s.AddVote(ctx, fmt.Sprintf("w%d-%d", w, i), store.Vote{AnswerID: "ans"})
				if err == nil {
					_, err = s.LoadList(ctx, l, storetest.EmbedderName)
				}
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrUnavailable):
					unavailable++
					// The vote may or may not have landed: the retry lands it once.
					for s.AddVote(ctx, fmt.Sprintf("w%d-%d", w, i), store.Vote{AnswerID: "ans"}) != nil {
						time.Sleep(50 * time.Millisecond)
					}
				default:
					other = append(other, err)
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	restart(0)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("%d operations succeeded, %d found the database unavailable", ok, unavailable)
	if unavailable == 0 {
		t.Error("no operation saw the restart")
	}
	if len(other) > 0 {
		t.Errorf("errors other than ErrUnavailable: %v", other)
	}
	// After the restart, everything works, and each vote is there once.
	votes, err := s.Votes(ctx)
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	if len(votes) != ok+unavailable {
		t.Errorf("%d votes kept, %d were cast", len(votes), ok+unavailable)
	}
	if _, err := s.AddReading(ctx, storetest.Addition(t, l, "b.md", storetest.Text("virtue", 2, 3))); err != nil {
		t.Errorf("an addition after the restart: %v", err)
	}
}

// TestQuizzes: a thread's quiz record is replaced whole and read by
// another store (another shard) on the same database.
func TestQuizzes(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	if rec, err := a.LoadQuiz(ctx, "thread-1"); err != nil || rec != nil {
		t.Fatalf("no quiz yet: %q, %v", rec, err)
	}
	for _, rec := range []string{`{"v":1}`, `{"v":2}`} {
		if err := a.SaveQuiz(ctx, "thread-1", []byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	if rec, err := b.LoadQuiz(ctx, "thread-1"); err != nil || string(rec) != `{"v":2}` {
		t.Errorf("the other store loads %q, %v", rec, err)
	}
	if err := a.SaveQuiz(ctx, "", []byte(`{}`)); err == nil {
		t.Error("a quiz without a thread was saved")
	}
	if ths, err := b.QuizThreads(ctx); err != nil || len(ths) != 1 || ths[0] != "thread-1" {
		t.Errorf("QuizThreads = %v, %v", ths, err)
	}
}

// TestRetriedWritesLandOnce: the writes a caller repeats after an
// ErrUnavailable (whose first attempt may have committed) land once.
func TestRetriedWritesLandOnce(t *testing.T) {
	s := open(t, pgtest.URL(t))
	defer s.Close()
	ctx := context.Background()
	l := store.List{Guild: "g1"}
	a := storetest.Addition(t, l, "a.md", storetest.Text("justice", 1, 3))
	a.ID = store.NewID()
	r1, err := s.AddReading(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.AddReading(ctx, a)
	if err != nil || r2.ID != r1.ID {
		t.Errorf("the same addition again: %+v, %v; want it to find itself", r2, err)
	}
	if rs, _ := s.Readings(ctx, "g1"); len(rs) != 1 {
		t.Errorf("%d readings after an addition repeated", len(rs))
	}
	turn := store.Turn{Question: "q", Answer: "a", At: time.Now()}
	for range 2 {
		if err := s.AppendTurn(ctx, "t1", turn, 0); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := s.Conversation(ctx, "t1"); len(c.Turns) != 1 {
		t.Errorf("%d turns after a turn repeated", len(c.Turns))
	}
	for range 2 {
		if err := s.AddVote(ctx, "alice", store.Vote{AnswerID: "ans", Helpful: true}); err != nil {
			t.Fatal(err)
		}
	}
	if vs, _ := s.Votes(ctx); len(vs) != 1 {
		t.Errorf("%d votes after a vote repeated", len(vs))
	}
}
