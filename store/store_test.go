package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/store"
)

func TestPrepare(t *testing.T) {
	doc := corpus.Document{Path: "x/notes.txt", Text: "Tides rise twice a day.", Format: "txt", Authors: []string{"A. Author"}, Year: 1999}
	a := store.Addition{List: store.List{Guild: "g"}, FileName: `C:\Users\me\..\notes.txt`, Original: []byte("orig"),
		Doc: doc, Passages: []corpus.Passage{{Doc: "x/notes.txt", Start: 0, End: 23, Text: doc.Text}},
		Vectors: [][]float32{{1, 0}}, Embedder: "e"}
	r, s, err := a.Prepare("abc")
	if err != nil {
		t.Fatal(err)
	}
	// No title anywhere: the file's name without its extension.
	if r.FileName != "notes.txt" || r.DocPath != "abc/notes.txt" || r.Title != "notes" || r.Year != 1999 || r.Authors[0] != "A. Author" {
		t.Errorf("reading %+v", r)
	}
	if s.Docs[0].Path != "abc/notes.txt" || s.Passages[0].Doc != "abc/notes.txt" || s.Passages[0].Title != "notes" || s.Dim != 2 {
		t.Errorf("saved %+v", s)
	}
	// The addition's own values are not changed.
	if a.Doc.Path != "x/notes.txt" || a.Passages[0].Doc != "x/notes.txt" {
		t.Errorf("Prepare changed the addition: %+v", a)
	}
	if r.SHA256 != store.Hash([]byte("orig")) || r.Size != 4 {
		t.Errorf("hash %s size %d", r.SHA256, r.Size)
	}
}

func TestErrors(t *testing.T) {
	var err error = fmt.Errorf("add: %w", &store.LimitError{What: "passages", N: 100_010, Max: 100_000})
	if !errors.Is(err, store.ErrLimit) || errors.Is(err, store.ErrDuplicate) {
		t.Errorf("%v", err)
	}
	if got := err.Error(); got != "add: the guild's reading lists would hold 100010 passages, more than the limit of 100000" {
		t.Errorf("%q", got)
	}
	err = &store.DuplicateError{Existing: store.Reading{ID: "r1", Title: "Republic"}}
	if !errors.Is(err, store.ErrDuplicate) || err.Error() != `the same file is already in the reading list as "Republic" (r1)` {
		t.Errorf("%v", err)
	}
	if l := (store.Limits{MaxReadings: -5, MaxPassages: 7}).Effective(); l.MaxReadings != -1 || l.MaxPassages != 7 {
		t.Errorf("%+v", l)
	}
}
