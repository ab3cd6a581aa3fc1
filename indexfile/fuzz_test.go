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
