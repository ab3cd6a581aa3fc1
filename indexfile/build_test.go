package indexfile

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
)

// readCounter is an fs.FS that counts, per file, how many times its bytes
// were read (opened and read from).
type readCounter struct {
	fsys  fs.FS
	mu    sync.Mutex
	reads map[string]int
}

func newReadCounter(fsys fs.FS) *readCounter {
	return &readCounter{fsys: fsys, reads: map[string]int{}}
}

func (c *readCounter) Open(name string) (fs.File, error) {
	f, err := c.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return &countedFile{File: f, name: name, c: c}, nil
}

func (c *readCounter) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }
func (c *readCounter) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(c.fsys, name) }

// take returns the files read since the last call, sorted, and forgets them.
func (c *readCounter) take() (names []string, times map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	times = c.reads
	c.reads = map[string]int{}
	return slices.Sorted(maps.Keys(times)), times
}

type countedFile struct {
	fs.File
	name    string
	c       *readCounter
	counted bool
}

func (f *countedFile) Read(p []byte) (int, error) {
	if !f.counted {
		f.counted = true
		f.c.mu.Lock()
		f.c.reads[f.name]++
		f.c.mu.Unlock()
	}
	return f.File.Read(p)
}

// recordingEmbedder is the local embedder under another name, recording the
// texts it is given.
type recordingEmbedder struct {
	mu    sync.Mutex
	texts []string
}

func (e *recordingEmbedder) embedder(name string) embed.Embedder {
	return embed.FromBatch(name, func(ctx context.Context, texts []string) ([][]float32, error) {
		e.mu.Lock()
		e.texts = append(e.texts, texts...)
		e.mu.Unlock()
		out := make([][]float32, len(texts))
		for i, t := range texts {
			out[i], _ = local.One(ctx, t)
		}
		return out, nil
	})
}

// local is the local embedder.
var local = embed.Local()

// take returns the texts embedded since the last call and forgets them.
func (e *recordingEmbedder) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.texts
	e.texts = nil
	return t
}

func passageTexts(s *Saved, doc string) []string {
	var out []string
	for _, p := range s.Passages {
		if p.Doc == doc {
			out = append(out, p.Text)
		}
	}
	return out
}

func TestBuildIncremental(t *testing.T) {
	ctx := context.Background()
	hourAgo := time.Now().Add(-time.Hour).Truncate(time.Second)
	mapFS := testFS(hourAgo)
	fsys := newReadCounter(mapFS)
	emb := &recordingEmbedder{}
	opts := BuildOptions{Embedder: emb.embedder("counting"), Root: "/corpus", Builder: "test"}

	// build updates the index, checks the result against a build from
	// scratch, and returns the files read and the texts embedded.
	var prev *Saved
	build := func(t *testing.T, o BuildOptions) (BuildStats, []string, map[string]int, []string) {
		t.Helper()
		o.Previous = prev
		s, st, err := Build(ctx, fsys, o)
		if err != nil {
			t.Fatal(err)
		}
		read, times := fsys.take()
		embedded := emb.take()
		fresh, _, err := Build(ctx, mapFS, BuildOptions{Embedder: emb.embedder(o.Embedder.Name), Root: o.Root, Builder: o.Builder})
		if err != nil {
			t.Fatal(err)
		}
		emb.take()
		fresh.Created = s.Created
		for i, f := range fresh.Files {
			// A file kept without being read again keeps its hash.
			if f.SHA256 == ([32]byte{}) {
				fresh.Files[i].SHA256 = s.Files[i].SHA256
			}
		}
		sameSaved(t, s, fresh)
		if st.Passages != len(s.Passages) || st.Docs != len(s.Docs) {
			t.Errorf("stats count %d docs, %d passages; the index has %d, %d", st.Docs, st.Passages, len(s.Docs), len(s.Passages))
		}
		prev = s
		return st, read, times, embedded
	}

	t.Run("first", func(t *testing.T) {
		st, read, _, embedded := build(t, opts)
		if want := []string{"bells.md", "scan.txt", "tides.txt", "zh/harbour.txt"}; !slices.Equal(read, want) {
			t.Errorf("read %v, want %v", read, want)
		}
		if len(embedded) != st.Passages || st.Embedded != st.Passages || st.Reused != 0 {
			t.Errorf("embedded %d (stats %d, reused %d) of %d passages", len(embedded), st.Embedded, st.Reused, st.Passages)
		}
		if len(st.Skipped) != 1 || st.Skipped[0].Path != "scan.txt" || !strings.Contains(st.Skipped[0].Reason, "binary") {
			t.Errorf("skipped %+v", st.Skipped)
		}
		if st.Files != 4 || st.Read != 4 || st.Unchanged != 0 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("unchanged", func(t *testing.T) {
		st, read, _, embedded := build(t, opts)
		if len(read) != 0 || len(embedded) != 0 {
			t.Errorf("read %v, embedded %d texts", read, len(embedded))
		}
		if st.Unchanged != 4 || st.Read != 0 || st.Reused != st.Passages || len(st.Skipped) != 1 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("changed", func(t *testing.T) {
		before := passageTexts(prev, "tides.txt")
		edited := []string{tides[0], tides[1] + " The gauge is still read every morning.", tides[2]}
		mapFS["tides.txt"] = &fstest.MapFile{Data: []byte("Tides at Brest\n\n" + strings.Join(edited, "\n\n") + "\n"), ModTime: hourAgo.Add(time.Minute)}
		st, read, _, embedded := build(t, opts)
		if !slices.Equal(read, []string{"tides.txt"}) {
			t.Errorf("read %v", read)
		}
		// Only the passages whose text changed are embedded.
		var want []string
		for _, p := range passageTexts(prev, "tides.txt") {
			if !slices.Contains(before, p) {
				want = append(want, p)
			}
		}
		if len(want) == 0 || !slices.Equal(embedded, want) {
			t.Errorf("embedded %q, want %q", embedded, want)
		}
		if st.Embedded != len(want) || st.Reused != st.Passages-len(want) || st.Unchanged != 3 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("added", func(t *testing.T) {
		mapFS["more/bells2.txt"] = &fstest.MapFile{Data: []byte("Bells again\n\n" + tides[2] + "\n\nA new paragraph about the casting pit and its clay.\n"), ModTime: hourAgo}
		st, read, _, embedded := build(t, opts)
		if !slices.Equal(read, []string{"more/bells2.txt"}) {
			t.Errorf("read %v", read)
		}
		// tides[2] was embedded before, in tides.txt.
		texts := passageTexts(prev, "more/bells2.txt")
		if !slices.Contains(texts, tides[2]) || slices.Contains(embedded, tides[2]) || len(embedded) != len(texts)-1 {
			t.Errorf("embedded %q of %q", embedded, texts)
		}
		if st.Files != 5 || st.Unchanged != 4 || st.Read != 1 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		delete(mapFS, "bells.md")
		st, read, _, embedded := build(t, opts)
		if len(read) != 0 || len(embedded) != 0 || st.Removed != 1 {
			t.Errorf("read %v, embedded %d, stats %+v", read, len(embedded), st)
		}
		if _, ok := (&corpus.Corpus{Docs: prev.Docs}).Doc("bells.md"); ok || len(passageTexts(prev, "bells.md")) > 0 {
			t.Error("bells.md is still indexed")
		}
	})
	t.Run("touched", func(t *testing.T) {
		// Same bytes, new time: read to compare the hash, not parsed.
		mapFS["zh/harbour.txt"].ModTime = hourAgo.Add(2 * time.Minute)
		st, read, times, embedded := build(t, opts)
		if !slices.Equal(read, []string{"zh/harbour.txt"}) || times["zh/harbour.txt"] != 1 || len(embedded) != 0 {
			t.Errorf("read %v (%v), embedded %d", read, times, len(embedded))
		}
		// The summary adds up: the file is unchanged, checked, not read.
		if st.Read != 0 || st.Unchanged != 4 || st.Checked != 1 || st.Read+st.Unchanged+st.Unreadable != st.Files {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("same size and time, other bytes", func(t *testing.T) {
		// Written just before the last build started, within the clock's
		// resolution: size and time prove nothing, the hash is compared.
		racy := prev.Created.Add(-time.Second)
		old := mapFS["more/bells2.txt"]
		mapFS["more/bells2.txt"] = &fstest.MapFile{Data: []byte(strings.Replace(string(old.Data), "clay", "sand", 1)), ModTime: racy}
		build(t, opts) // records the racy time
		mapFS["more/bells2.txt"] = &fstest.MapFile{Data: []byte(strings.Replace(string(old.Data), "clay", "lime", 1)), ModTime: racy}
		st, read, times, embedded := build(t, opts)
		if !slices.Equal(read, []string{"more/bells2.txt"}) || times["more/bells2.txt"] != 2 || len(embedded) != 1 {
			t.Errorf("read %v (%v), embedded %q", read, times, embedded)
		}
		// Hashed, found changed, then parsed: one file read, not two.
		if st.Read != 1 || st.Checked != 0 || st.Read+st.Unchanged+st.Unreadable != st.Files {
			t.Errorf("stats %+v: the summary does not add up", st)
		}
		// Until its time is well before the start of a build, it is read
		// every time.
		mapFS["more/bells2.txt"].ModTime = hourAgo
		build(t, opts)
	})
	t.Run("binary file fixed", func(t *testing.T) {
		mapFS["scan.txt"] = &fstest.MapFile{Data: []byte("Scanned notes\n\nThe harbour master kept a log of every tide for forty years, in a hand nobody else could read.\n"), ModTime: hourAgo.Add(3 * time.Minute)}
		st, read, _, _ := build(t, opts)
		if !slices.Equal(read, []string{"scan.txt"}) || len(st.Skipped) != 0 {
			t.Errorf("read %v, skipped %+v", read, st.Skipped)
		}
	})
	t.Run("other embedder", func(t *testing.T) {
		o := opts
		o.Embedder = emb.embedder("counting-v2")
		st, read, _, embedded := build(t, o)
		unique := map[string]bool{}
		for _, p := range prev.Passages {
			unique[p.Text] = true
		}
		if len(read) != 0 || len(embedded) != len(unique) || st.Embedded != len(unique) || st.Reused != 0 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "counting") {
			t.Errorf("read %v, embedded %d, stats %+v", read, len(embedded), st)
		}
		opts = o
	})
	t.Run("other builder", func(t *testing.T) {
		o := opts
		o.Builder = "test v2"
		st, read, _, embedded := build(t, o)
		if len(read) != 4 || len(embedded) != 0 || st.Reused != st.Passages || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "made by test") {
			t.Errorf("read %v, embedded %d, stats %+v", read, len(embedded), st)
		}
		opts = o
	})
	t.Run("other folder", func(t *testing.T) {
		o := opts
		o.Root = "/elsewhere"
		st, read, times, embedded := build(t, o)
		// Every file is hashed, none parsed.
		if len(read) != 4 || len(embedded) != 0 || st.Unchanged != 4 {
			t.Errorf("read %v, embedded %d, stats %+v", read, len(embedded), st)
		}
		for f, n := range times {
			if n != 1 {
				t.Errorf("%s read %d times", f, n)
			}
		}
		opts = o
	})
	t.Run("manifest", func(t *testing.T) {
		mapFS["footnote.yaml"] = &fstest.MapFile{Data: []byte("documents:\n  tides.txt:\n    title: The Tides of Brest\n    year: 1901\n"), ModTime: hourAgo}
		st, read, _, embedded := build(t, opts)
		if len(read) != 5 || len(embedded) != 0 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "manifest") {
			t.Errorf("read %v, embedded %d, stats %+v", read, len(embedded), st)
		}
		d, _ := (&corpus.Corpus{Docs: prev.Docs}).Doc("tides.txt")
		if d.Title != "The Tides of Brest" || d.Year != 1901 {
			t.Errorf("tides.txt: %+v", d)
		}
		// Unchanged, it changes nothing; an entry for a missing file is
		// still reported.
		mapFS["footnote.yaml"] = &fstest.MapFile{Data: append(mapFS["footnote.yaml"].Data, "  gone.txt:\n    year: 1900\n"...), ModTime: hourAgo}
		build(t, opts)
		st, read, _, _ = build(t, opts)
		if !slices.Equal(read, []string{"footnote.yaml"}) || len(st.Skipped) != 1 || st.Skipped[0].Path != "gone.txt" {
			t.Errorf("read %v, skipped %+v", read, st.Skipped)
		}
	})
}

func TestBuildNothingToIndex(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt": {Data: []byte{0, 1, 2, 3}},
		"b.md":  {Data: nil},
	}
	s, st, err := Build(context.Background(), fsys, BuildOptions{})
	if !errors.Is(err, corpus.ErrNoDocuments) || s != nil {
		t.Fatalf("err = %v", err)
	}
	if len(st.Skipped) != 2 || st.Skipped[0].Reason == "" {
		t.Errorf("skipped %+v", st.Skipped)
	}
}

func TestBuildProgress(t *testing.T) {
	var got []BuildProgress
	_, _, err := Build(context.Background(), testFS(time.Now()), BuildOptions{Progress: func(p BuildProgress) { got = append(got, p) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []BuildProgress{
		{"reading", 1, 4}, {"reading", 2, 4}, {"reading", 3, 4}, {"reading", 4, 4},
		{"embedding", 8, 8},
	}
	if !slices.Equal(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}
}

// An update that changes no passage keeps the previous lexical index rather
// than analysing every passage again; one that changes a passage makes it
// anew, as a build from scratch would.
func TestBuildKeepsPostingsWhenNothingChanged(t *testing.T) {
	hourAgo := time.Now().Add(-time.Hour).Truncate(time.Second)
	fsys := testFS(hourAgo)
	first, _ := buildTest(t, fsys, nil)
	again, _ := buildTest(t, fsys, first)
	if again.Postings != first.Postings {
		t.Error("the postings were made again for unchanged passages")
	}
	fsys["tides.txt"].Data = append(bytes.Clone(fsys["tides.txt"].Data), []byte("\nA new paragraph about the harbour at low water.\n")...)
	changed, _ := buildTest(t, fsys, again)
	fresh, _ := buildTest(t, fsys, nil)
	if changed.Postings == again.Postings || !reflect.DeepEqual(changed.Postings, fresh.Postings) {
		t.Error("the postings of a changed corpus are not a fresh build's")
	}
}
