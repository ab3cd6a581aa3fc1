package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/indexfile"

	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/storetest"
)

func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, t.TempDir()) })
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	g := store.List{Guild: "g1"}
	a := storetest.Addition(t, g, "plato.md", storetest.Text("justice", 1, 6))
	r, err := s.AddReading(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.LoadList(ctx, g, storetest.EmbedderName)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveConversation(ctx, store.Conversation{ID: "t1", Guild: "g1", Parent: "c1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendTurn(ctx, "t1", store.Turn{Question: "what is justice?", Answer: "a virtue"}, 6); err != nil {
		t.Fatal(err)
	}
	if err := s.AddVote(ctx, "alice", store.Vote{AnswerID: "x", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	hash := s.HashUser("alice")
	s.Close()

	s = openTest(t, dir)
	after, err := s.LoadList(ctx, g, storetest.EmbedderName)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Readings) != 1 || after.Readings[0].ID != r.ID || after.Version != before.Version ||
		!reflect.DeepEqual(after.Index.Passages, before.Index.Passages) || !reflect.DeepEqual(after.Index.Vectors, before.Index.Vectors) {
		t.Errorf("the list changed on reopening")
	}
	c, err := s.Conversation(ctx, "t1")
	if err != nil || len(c.Turns) != 1 || c.Turns[0].Question != "what is justice?" || c.Parent != "c1" {
		t.Errorf("conversation after reopening: %+v, %v", c, err)
	}
	if s.HashUser("alice") != hash {
		t.Error("the votes key changed on reopening")
	}
	if v, _ := s.Votes(ctx); len(v) != 1 || v[0].User != hash {
		t.Errorf("votes after reopening: %+v", v)
	}
	orig, err := s.Original(ctx, "g1", r.ID)
	if err != nil || string(orig) != string(a.Original) {
		t.Errorf("original after reopening: %v", err)
	}
}

func TestTwoStoresOnOneFolder(t *testing.T) {
	// The bot and `footnote readings` may use one folder at once.
	ctx := context.Background()
	dir := t.TempDir()
	s1, s2 := openTest(t, dir), openTest(t, dir)
	g := store.List{Guild: "g1"}
	errs := make(chan error, 10)
	for i := range 10 {
		s := []*Store{s1, s2}[i%2]
		go func() {
			_, err := s.AddReading(ctx, storetest.Addition(t, g, fmt.Sprintf("r%d.md", i), storetest.Text("justice", i, 3)))
			errs <- err
		}()
	}
	for range 10 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, s := range []*Store{s1, s2} {
		if rs, err := s.Readings(ctx, "g1"); err != nil || len(rs) != 10 {
			t.Errorf("%d readings, %v", len(rs), err)
		}
	}
}

func TestDamagedReadingLoadsTheRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	g := store.List{Guild: "g1"}
	r1, _ := s.AddReading(ctx, storetest.Addition(t, g, "a.md", storetest.Text("justice", 1, 3)))
	r2, _ := s.AddReading(ctx, storetest.Addition(t, g, "b.md", storetest.Text("virtue", 2, 3)))
	path := filepath.Join(dir, ReadingsDir, r1.ID+".index")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	os.WriteFile(path, data, 0o644)
	s.Close()
	s = openTest(t, dir)
	l, err := s.LoadList(ctx, g, storetest.EmbedderName)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Readings) != 1 || l.Readings[0].ID != r2.ID || len(l.Damaged) != 1 || l.Damaged[0].Reading.ID != r1.ID ||
		!errors.Is(l.Damaged[0].Err, indexfile.ErrIndexDamaged) {
		t.Errorf("loaded %v damaged %v", l.Readings, l.Damaged)
	}
	// The damaged reading can still be removed.
	if _, err := s.RemoveReading(ctx, "g1", r1.ID); err != nil {
		t.Error(err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("open a newer database: %v", err)
	}
}

func TestOrphansRemovedWhenOld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	r, err := s.AddReading(ctx, storetest.Addition(t, store.List{Guild: "g1"}, "a.md", storetest.Text("justice", 1, 3)))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	rd := filepath.Join(dir, ReadingsDir)
	old := time.Now().Add(-2 * DefaultOrphanAge)
	for name, mtime := range map[string]time.Time{
		"0123456789abcdef.index":          old, // a crashed addition
		"0123456789abcdef.original":       old,
		".fedcba9876543210.index.tmp-123": old,        // a crashed write
		"1111111111111111.index":          time.Now(), // another process's addition in flight
		"notes.txt":                       old,        // not the store's
		"." + r.ID + ".original.tmp-5":    old,
	} {
		p := filepath.Join(rd, name)
		os.WriteFile(p, []byte("x"), 0o644)
		os.Chtimes(p, mtime, mtime)
	}
	openTest(t, dir)
	var names []string
	entries, _ := os.ReadDir(rd)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"1111111111111111.index", "notes.txt", r.ID + ".index", r.ID + ".original"}
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Errorf("after open: %v, want %v", names, want)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/srv/data")
	if d, _ := DefaultDir(); d != "/srv/data/footnote" {
		t.Errorf("with XDG_DATA_HOME: %s", d)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/ann")
	if d, _ := DefaultDir(); d != "/home/ann/.local/share/footnote" {
		t.Errorf("without XDG_DATA_HOME: %s", d)
	}
}
