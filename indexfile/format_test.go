package indexfile

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/retrieval"
)

// Paragraphs long enough to be passages of their own.
var (
	tides = []string{
		"The tide at Brest rises seven metres twice a day, and the harbour was built around that rhythm long before anyone could explain it. Fishermen timed their departures by the church bell that rang at high water, and the bell still rings.",
		"Spring tides come with the new and the full moon, when the pulls of the sun and the moon line up. Neap tides come between them. At Brest the difference between the two is nearly four metres, enough to strand a careless boat on the mud.",
		"The first tide tables for the port were printed in 1839 by a naval engineer who had watched the gauge for nine years. His tables were wrong by less than ten minutes, and the navy used them until the end of the century.",
	}
	bells = []string{
		"Church bells in Brittany were cast in the parish itself, in a pit dug beside the church, because carting a bell of two tonnes over the old roads cost more than melting the metal on the spot.",
		"A bell founder travelled from parish to parish with his moulds and his secrets. He stayed for the summer, ate at the priest's table, and left behind a bell with the names of its godparents written around its shoulder.",
	}
	harbourZH = "布雷斯特港的潮差可達七米，每天漲潮兩次。漁民根據高潮時敲響的教堂鐘聲安排出海時間，這口鐘至今仍在敲響。港口的第一份潮汐表於一八三九年印製。"
)

// testFS is a small corpus of files last changed at mod: plain text, Markdown
// with headings, Chinese, a nested folder, and a binary file to skip.
func testFS(mod time.Time) fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), ModTime: mod, Mode: 0o644} }
	return fstest.MapFS{
		"tides.txt":      file("Tides at Brest\n\n" + strings.Join(tides, "\n\n") + "\n"),
		"bells.md":       file("# Bells\n\n## Founding\n\n" + bells[0] + "\n\n## Founders\n\n" + bells[1] + "\n"),
		"zh/harbour.txt": file("布雷斯特港\n\n" + harbourZH + "\n"),
		"scan.txt":       file("\x00\x01\x02 not text \x00"),
		".hidden.txt":    file("A hidden file is not read."),
		"notes.odt":      file("an unsupported format"),
	}
}

// buildTest builds an index of fsys with the local embedder.
func buildTest(tb testing.TB, fsys fs.FS, prev *Saved) (*Saved, BuildStats) {
	tb.Helper()
	s, st, err := Build(context.Background(), fsys, BuildOptions{Previous: prev, Root: "/corpus", Builder: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	return s, st
}

// sameSaved fails unless a and b hold the same index.
func sameSaved(tb testing.TB, got, want *Saved) {
	tb.Helper()
	if got.Embedder != want.Embedder || got.Dim != want.Dim || got.Builder != want.Builder || got.Root != want.Root || !got.Created.Equal(want.Created) {
		tb.Errorf("header: got %s/%d/%s/%s/%v, want %s/%d/%s/%s/%v", got.Embedder, got.Dim, got.Builder, got.Root, got.Created,
			want.Embedder, want.Dim, want.Builder, want.Root, want.Created)
	}
	if !reflect.DeepEqual(got.Docs, want.Docs) {
		tb.Errorf("documents differ:\n got %+v\nwant %+v", got.Docs, want.Docs)
	}
	if !reflect.DeepEqual(got.Passages, want.Passages) {
		tb.Errorf("passages differ:\n got %+v\nwant %+v", got.Passages, want.Passages)
	}
	if !reflect.DeepEqual(got.Vectors, want.Vectors) {
		tb.Errorf("vectors differ")
	}
	if got.Postings != nil && want.Postings != nil && !reflect.DeepEqual(got.Postings, want.Postings) {
		tb.Errorf("postings differ")
	}
	if len(got.Files) != len(want.Files) {
		tb.Fatalf("%d files, want %d", len(got.Files), len(want.Files))
	}
	for i, f := range got.Files {
		w := want.Files[i]
		if f.Path != w.Path || f.Size != w.Size || !f.ModTime.Equal(w.ModTime) || f.SHA256 != w.SHA256 || f.Skipped != w.Skipped {
			tb.Errorf("file %d: got %+v, want %+v", i, f, w)
		}
	}
}

func writeTest(tb testing.TB, s *Saved) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "corpus.idx")
	if err := WriteIndexFile(path, s); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestIndexFileRoundTrip(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Now().Add(-time.Hour)), nil)
	// A passage that is not its document's bytes (which should not happen)
	// keeps its own text.
	odd := s.Passages[0]
	odd.Text = "not the document's bytes"
	s.Passages = append(s.Passages, odd)
	s.Vectors = append(s.Vectors, s.Vectors[0])
	// A field the corpus may grow is kept.
	s.Passages[1].Page = 7
	// The postings are made again for the passages as they now are.
	s.Postings = nil

	path := writeTest(t, s)
	got, err := ReadIndexFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sameSaved(t, got, s)
	want, err := retrieval.NewPostings(t.Context(), s.Passages)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Postings, want) {
		t.Errorf("postings differ:\n got %+v\nwant %+v", got.Postings, want)
	}
	if len(got.Docs) != 3 || got.Dim != embed.LocalDim || len(got.Files) != 4 {
		t.Errorf("%d docs, %d dimensions, %d files", len(got.Docs), got.Dim, len(got.Files))
	}
}

func TestNewFromSavedSearchesAsNew(t *testing.T) {
	ctx := context.Background()
	var passages int
	counting := embed.FromBatch("counting", func(ctx context.Context, texts []string) ([][]float32, error) {
		passages += len(texts)
		out := make([][]float32, len(texts))
		for i, t := range texts {
			out[i], _ = local.One(ctx, t)
		}
		return out, nil
	})
	opts := retrieval.Options{Embedder: counting}
	s, _, err := Build(ctx, testFS(time.Now()), BuildOptions{Embedder: counting})
	if err != nil {
		t.Fatal(err)
	}
	s, err = ReadIndexFile(writeTest(t, s))
	if err != nil {
		t.Fatal(err)
	}
	passages = 0
	loaded, err := NewFromSaved(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer loaded.Close()
	if passages != 0 {
		t.Errorf("loading embedded %d passages", passages)
	}
	// The collection holds the file's vectors themselves, and the saved
	// postings are the index's: nothing is held twice or made again.
	coll := loaded.Collection()
	res, err := coll.QueryEmbedding(ctx, s.Vectors[0], coll.Count(), nil, nil)
	if err != nil || len(res) != len(s.Passages) {
		t.Fatalf("%d results, %v", len(res), err)
	}
	for _, r := range res {
		i, _ := strconv.Atoi(r.ID)
		if &r.Embedding[0] != &s.Vectors[i][0] {
			t.Fatalf("passage %s: the collection holds a copy of its vector", r.ID)
		}
	}
	if lp := loaded.Postings(); &lp.Data[0] != &s.Postings.Data[0] || &lp.Start[0] != &s.Postings.Start[0] {
		t.Error("the lexical index was made again")
	}
	built, err := retrieval.New(ctx, s.Passages, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	for _, q := range []string{"How high is the tide at Brest?", "Who cast the church bells?", "潮汐表"} {
		want, err := built.Search(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		got, err := loaded.Search(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: loaded index found %+v, built one %+v", q, got, want)
		}
	}
}

func TestNewFromSavedRefusesOtherEmbedder(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Now()), nil)
	other := retrieval.Options{Embedder: embed.FromBatch("openai:text-embedding-3-small", func(context.Context, []string) ([][]float32, error) {
		t.Error("the other embedder was called")
		return nil, errors.New("no")
	})}
	_, err := NewFromSaved(context.Background(), s, other)
	var mm *EmbedderMismatchError
	if !errors.As(err, &mm) || mm.Saved != embed.LocalName || mm.Asked != "openai:text-embedding-3-small" {
		t.Fatalf("err = %v", err)
	}
	// Lexical search uses no vectors.
	other.Mode = retrieval.ModeLexical
	ix, err := NewFromSaved(context.Background(), s, other)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
}

// replaceJSON replaces old with new in the JSON header data[from:to] and
// resizes the header, keeping its length word right.
func replaceJSON(data []byte, from, to int, oldNew ...string) []byte {
	h := bytes.Clone(data[from:to])
	for i := 0; i+1 < len(oldNew); i += 2 {
		h = bytes.Replace(h, []byte(oldNew[i]), []byte(oldNew[i+1]), 1)
	}
	// Keep the postings aligned: pad the header with spaces.
	for (len(h)-(to-from))%4 != 0 {
		h = append(h, ' ')
	}
	out := append(append(bytes.Clone(data[:from]), h...), data[to:]...)
	binary.LittleEndian.PutUint32(out[12:], uint32(len(h)))
	return out
}

// indexBytes returns a valid index file's bytes and the offsets of its sections.
func indexBytes(tb testing.TB) (data []byte, header, body, passages, postings, vectors int) {
	tb.Helper()
	s, _ := buildTest(tb, testFS(time.Now()), nil)
	var b bytes.Buffer
	if err := encodeIndex(&b, s); err != nil {
		tb.Fatal(err)
	}
	data = b.Bytes()
	header = prefixSize
	body = header + int(binary.LittleEndian.Uint32(data[12:]))
	passages = body + int(binary.LittleEndian.Uint64(data[16:]))
	texts := passages + int(binary.LittleEndian.Uint64(data[24:]))
	postings = (texts + int(binary.LittleEndian.Uint64(data[32:])) + 3) &^ 3
	vectors = postings + int(binary.LittleEndian.Uint64(data[40:]))
	return data, header, body, passages, postings, vectors
}

// resum sets the checksum of an index file's bytes.
func resum(data []byte) []byte {
	n := len(data) - checksumSize
	binary.LittleEndian.PutUint32(data[n:], crc32.Checksum(data[:n], castagnoli))
	return data
}

func TestReadIndexFileRefuses(t *testing.T) {
	good, header, body, passages, postings, vectors := indexBytes(t)
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	flip := func(at int) []byte { return edit(func(b []byte) []byte { b[at] ^= 0x40; return b }) }
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrIndexDamaged, "truncated (0 bytes)"},
		{"text", []byte("Tides at Brest\n\nThe tide rises seven metres.\n"), ErrNotIndexFile, "not a Footnote index file"},
		{"short text", []byte("hi"), ErrNotIndexFile, "not a Footnote index file"},
		{"chromem gob", []byte("\x0e\xff\x81\x03\x01\x01\x08Document"), ErrNotIndexFile, "not a Footnote index file"},
		{"newer format", edit(func(b []byte) []byte { b[8] = IndexFormat + 1; return b }), ErrIndexVersion, "index format 5; this one reads format 4"},
		{"format 1", edit(func(b []byte) []byte { b[8] = 1; return b }), ErrIndexVersion, "index format 1; this one reads format 4"},
		{"format 1, cut short", edit(func(b []byte) []byte { b[8] = 1; return b[:14] }), ErrIndexVersion, "index format 1"},
		{"cut in magic", good[:5], ErrIndexDamaged, "truncated (5 bytes)"},
		{"cut in prefix", good[:20], ErrIndexDamaged, "truncated (20 bytes)"},
		{"cut in header", good[:header+10], ErrIndexDamaged, "truncated"},
		{"cut in body", good[:body+100], ErrIndexDamaged, "truncated"},
		{"cut in vectors", good[:vectors+4000], ErrIndexDamaged, "truncated"},
		{"cut in checksum", good[:len(good)-1], ErrIndexDamaged, "truncated"},
		{"trailing bytes", append(bytes.Clone(good), 0), ErrIndexDamaged, "1 bytes after the end"},
		{"flipped header", flip(header + 3), ErrIndexDamaged, "checksum mismatch"},
		{"flipped body", flip(body + 200), ErrIndexDamaged, "checksum mismatch"},
		{"cut in passages", good[:passages+50], ErrIndexDamaged, "truncated"},
		{"flipped passage", flip(passages + 60), ErrIndexDamaged, "checksum mismatch"},
		{"passages section of a wrong count, right checksum", edit(func(b []byte) []byte {
			b[passages] += 1 // the string table's count, a one-byte uvarint here
			return resum(b)
		}), ErrIndexVersion, "passages"},
		{"flipped vector", flip(vectors + 999), ErrIndexDamaged, "checksum mismatch"},
		{"flipped posting", flip(postings + 41), ErrIndexDamaged, "checksum mismatch"},
		{"2^62 passages of 1 dimension, right checksum", edit(func(b []byte) []byte {
			return resum(replaceJSON(b, header, body, `"passages":`, `"passages":4611686018427387904,"x":`, `"dim":768`, `"dim":1`))
		}), ErrIndexVersion, "header: impossible counts"},
		{"2^62 terms, right checksum", edit(func(b []byte) []byte {
			return resum(replaceJSON(b, header, body, `"terms":`, `"terms":4611686018427387904,"x":`))
		}), ErrIndexVersion, "header: impossible counts"},
		{"postings out of range, right checksum", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[postings+4*5:], 0xfffffff0)
			return resum(b)
		}), ErrIndexVersion, "postings"},
		{"flipped checksum", flip(len(good) - 2), ErrIndexDamaged, "checksum mismatch"},
		{"huge sizes", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1<<60); return b }), ErrIndexDamaged, "impossible"},
		{"huge passages size", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24:], 1<<60); return b }), ErrIndexDamaged, "impossible"},
		{"huge texts size", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[32:], 1<<60); return b }), ErrIndexDamaged, "impossible"},
		{"huge postings size", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[40:], 1<<60); return b }), ErrIndexDamaged, "impossible"},
		{"huge vectors size", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[48:], 1<<49); return b }), ErrIndexDamaged, "truncated"},
		{"flipped text", flip(postings - 10), ErrIndexDamaged, "checksum mismatch"},
		{"undecodable body, right checksum", edit(func(b []byte) []byte {
			for i := body; i < postings-4; i++ {
				b[i] = byte(i)
			}
			return resum(b)
		}), ErrIndexVersion, "body"},
		{"inconsistent header, right checksum", edit(func(b []byte) []byte {
			copy(b[header:body], bytes.Replace(b[header:body], []byte(`"dim":768`), []byte(`"dim":767`), 1))
			return resum(b)
		}), ErrIndexVersion, "header"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".idx")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			s, err := ReadIndexFile(path)
			if !errors.Is(err, tt.want) || s != nil {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, tt.msg) || strings.Contains(msg, "\n") {
				t.Errorf("message %q should name the file and say %q on one line", msg, tt.msg)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, tt.data) || !info.ModTime().Equal(old) {
				t.Errorf("the refused file was changed")
			}
		})
	}
	// The good bytes do read, so the refusals are for the edits.
	if _, err := decodeIndex(bytes.NewReader(good), int64(len(good))); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeIndex(bytes.NewReader(good), -1); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeIndex(bytes.NewReader(append(bytes.Clone(good), 1)), -1); !errors.Is(err, ErrIndexDamaged) {
		t.Errorf("trailing bytes, size unknown: %v", err)
	}
}

func TestReadIndexFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.idx")
	_, err := ReadIndexFile(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
}

// tempFiles lists the temporary files of writes in dir.
func tempFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestWriteIndexFileFailureKeepsOld(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Now()), nil)
	path := writeTest(t, s)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := *s
	bad.Vectors = bad.Vectors[1:]
	if err := WriteIndexFile(path, &bad); err == nil || !strings.Contains(err.Error(), "vectors for") {
		t.Errorf("err = %v", err)
	}
	// A write that fails half-way, as a full disk would.
	errDisk := errors.New("no space left on device")
	err = writeAtomic(path, func(w io.Writer) error {
		if err := encodeIndex(w, s); err != nil {
			return err
		}
		return errDisk
	})
	if !errors.Is(err, errDisk) {
		t.Errorf("err = %v", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("the old index was changed")
	}
	if temps := tempFiles(t, filepath.Dir(path)); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

func TestWriteIndexFileKeepsPermissions(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Now()), nil)
	path := writeTest(t, s)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteIndexFile(path, s); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	if err := WriteIndexFile(filepath.Dir(path), s); err == nil {
		t.Error("wrote over a folder")
	}
}

func TestWriteIndexFileRemovesStaleTemps(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Now()), nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "corpus.idx")
	stale := filepath.Join(dir, ".corpus.idx.tmp-stale")
	fresh := filepath.Join(dir, ".corpus.idx.tmp-fresh") // another writer's, in progress
	other := filepath.Join(dir, ".other.idx.tmp-stale")
	for _, p := range []string{stale, fresh, other} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-time.Hour)
	for _, p := range []string{stale, other} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteIndexFile(path, s); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{stale: false, fresh: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
