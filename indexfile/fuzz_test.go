package indexfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/corpus"
)

// FuzzDecodeIndex feeds decodeIndex arbitrary bytes: it must refuse them with
// one of its three errors, never panic or allocate past the file's length
// (a header claiming 2^62 passages once did). The seeds in
// testdata/fuzz/FuzzDecodeIndex are small valid and crafted files;
// `go test ./indexfile -run '^$' -fuzz FuzzDecodeIndex -fuzztime 3m` searches
// further.
func FuzzDecodeIndex(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "seed-*.idx"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(indexMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeIndex(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if s != nil || !errors.Is(err, ErrNotIndexFile) && !errors.Is(err, ErrIndexVersion) && !errors.Is(err, ErrIndexDamaged) {
				t.Fatalf("refusal %v with %v", err, s)
			}
			return
		}
		// What decodes is consistent enough to search and to write again.
		if err := s.check(); err != nil {
			t.Fatalf("decoded an inconsistent index: %v", err)
		}
		var b bytes.Buffer
		if err := encodeIndex(&b, s); err != nil {
			t.Fatalf("decoded index does not encode: %v", err)
		}
	})
}

// TestFuzzSeeds keeps the seed files valid index files of this format:
// regenerate them with FOOTNOTE_WRITE_SEEDS=1 after a format change.
func TestFuzzSeeds(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Unix(1e9, 0)), nil)
	small := *s
	small.Docs, small.Passages, small.Vectors, small.Files = s.Docs[:1], nil, nil, s.Files[:1]
	for _, p := range s.Passages {
		if p.Doc == s.Docs[0].Path {
			small.Passages = append(small.Passages, p)
		}
	}
	small.Vectors = s.Vectors[:len(small.Passages)]
	small.Postings = nil
	lexical := small
	lexical.Embedder, lexical.Dim, lexical.Vectors = NoEmbedder, 0, nil
	for name, saved := range map[string]*Saved{"seed-small.idx": &small, "seed-lexical.idx": &lexical} {
		var b bytes.Buffer
		if err := encodeIndex(&b, saved); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name)
		if os.Getenv("FOOTNOTE_WRITE_SEEDS") != "" {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeIndex(bytes.NewReader(data), int64(len(data))); err != nil {
			t.Errorf("%s: %v (regenerate with FOOTNOTE_WRITE_SEEDS=1)", name, err)
		}
	}
}

// TestReadsFormat2: an index file of format 2 (the documents' texts in the
// gob body, no texts section) is still read, as the same index format 3
// holds.
func TestReadsFormat2(t *testing.T) {
	old, err := ReadIndexFile(filepath.Join("testdata", "seed-format2.idx"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "seed-small.idx"))
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(data[8:]) != IndexFormat || IndexFormat == 2 {
		t.Fatalf("seed-small.idx is not of format %d", IndexFormat)
	}
	cur, err := decodeIndex(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	// The old seed's vectors are an older local embedder's.
	if !reflect.DeepEqual(old.Docs, cur.Docs) || !reflect.DeepEqual(old.Passages, cur.Passages) || !reflect.DeepEqual(old.Files, cur.Files) ||
		!reflect.DeepEqual(old.Postings, cur.Postings) || len(old.Vectors) != len(cur.Vectors) {
		t.Error("format 2 and 3 hold other documents, passages, files or postings")
	}
	if len(old.Docs) == 0 || len(old.Passages) == 0 || old.Docs[0].Text == "" || old.Passages[0].Text == "" {
		t.Errorf("format 2: %d docs, %d passages", len(old.Docs), len(old.Passages))
	}
}

// TestReadsFormat3: an index file of format 3 (the passages in the gob body,
// no passages section) is still read, as the same index format 4 holds.
func TestReadsFormat3(t *testing.T) {
	old, err := ReadIndexFile(filepath.Join("testdata", "seed-format3.idx"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := ReadIndexFile(filepath.Join("testdata", "seed-small.idx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(old.Passages) == 0 || !reflect.DeepEqual(old.Docs, cur.Docs) || !reflect.DeepEqual(old.Passages, cur.Passages) ||
		!reflect.DeepEqual(old.Files, cur.Files) || !reflect.DeepEqual(old.Postings, cur.Postings) || !reflect.DeepEqual(old.Vectors, cur.Vectors) {
		t.Error("format 3 and 4 hold other documents, passages, files, postings or vectors")
	}
}

// TestPassageFields: the passages section holds every field of
// corpus.Passage but Text (see appendPassages). A field added to Passage
// must be added to the section, with a new IndexFormat, and here.
func TestPassageFields(t *testing.T) {
	var got []string
	for f := range reflect.TypeFor[corpus.Passage]().Fields() {
		got = append(got, f.Name)
	}
	want := []string{"Doc", "Title", "Section", "Paragraph", "Page", "Start", "End", "Text", "Kind"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("corpus.Passage has fields %v; the passages section holds %v", got, want)
	}
	// Every field survives a round trip, including odd values.
	docs := []corpus.Document{{Path: "a.txt", Title: "A"}, {Path: "b.txt", Title: "B"}}
	ps := []corpus.Passage{
		{Doc: "a.txt", Title: "A", Section: "One", Paragraph: 1, Page: 2, Start: 0, End: 10, Kind: corpus.KindBody},
		{Doc: "b.txt", Title: "Not B", Section: "", Paragraph: 0, Page: 0, Start: 5, End: 3, Kind: corpus.KindReference},
		{Doc: "elsewhere.txt", Title: "", Section: "One", Paragraph: -1, Page: 1 << 40, Start: -7, End: 1 << 50, Kind: "other"},
	}
	back, err := decodePassages(appendPassages(nil, docs, ps), len(ps), docs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ps) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, ps)
	}
	if _, err := decodePassages(appendPassages(nil, docs, ps), len(ps)+1, docs); err == nil {
		t.Error("a passages section decoded as one more passage than it holds")
	}
}
