package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/indexfile"
)

// NewID returns a new reading id: 16 random hex digits.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("store: no randomness: %v", err)) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

// ReadingID is the id the addition's reading takes: a.ID, else a new one.
func (a *Addition) ReadingID() string {
	if a.ID != "" {
		return a.ID
	}
	return NewID()
}

// Prepare checks an addition and returns the reading it makes, under id, and
// the reading's document as a one-document saved index. Implementations of
// Store call it so that every one describes and checks a reading alike.
// Errors wrap ErrInvalid.
func (a *Addition) Prepare(id string) (Reading, *indexfile.Saved, error) {
	invalid := func(format string, args ...any) (Reading, *indexfile.Saved, error) {
		return Reading{}, nil, fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	switch {
	case id == "" || len(id) > 64 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz-_") != "":
		return invalid("reading id %q: want lower-case letters, digits, - and _", id)
	case a.List.Guild == "":
		return invalid("no guild")
	case a.Embedder == "":
		return invalid("the embedder has no name")
	case len(a.Passages) == 0:
		return invalid("no passages")
	case len(a.Vectors) != len(a.Passages):
		return invalid("%d vectors for %d passages", len(a.Vectors), len(a.Passages))
	}
	dim := len(a.Vectors[0])
	if dim == 0 {
		return invalid("vectors of 0 dimensions")
	}
	for i, v := range a.Vectors {
		if len(v) != dim {
			return invalid("passage %d has a vector of %d dimensions, not %d", i, len(v), dim)
		}
	}
	name := path.Base(strings.ReplaceAll(a.FileName, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = path.Base(a.Doc.Path)
	}
	if name == "." || name == ".." || name == "/" || name == "" || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		return invalid("no file name")
	}
	for i, p := range a.Passages {
		if p.Start < 0 || p.End > len(a.Doc.Text) || p.Start > p.End {
			return invalid("passage %d [%d,%d) outside the document's %d bytes", i, p.Start, p.End, len(a.Doc.Text))
		}
	}
	now := a.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := Reading{
		ID: id, Guild: a.List.Guild, Channel: a.List.Channel,
		Title: strings.TrimSpace(a.Title), Authors: slices.Clone(a.Authors), Year: a.Year, URL: a.URL,
		FileName: name, SHA256: Hash(a.Original), Size: int64(len(a.Original)), Format: a.Doc.Format,
		AddedBy: a.AddedBy, AddedAt: now.UTC().Truncate(time.Millisecond),
		Passages: len(a.Passages), Pages: len(a.Doc.Pages), Embedder: a.Embedder,
		DocPath: id + "/" + name,
	}
	if r.Title == "" {
		r.Title = a.Doc.Title
	}
	if r.Title == "" {
		r.Title = strings.TrimSuffix(name, path.Ext(name))
	}
	if len(r.Authors) == 0 {
		r.Authors = slices.Clone(a.Doc.Authors)
	}
	if r.Year == 0 {
		r.Year = a.Doc.Year
	}
	if r.URL == "" {
		r.URL = a.Doc.URL
	}
	doc := a.Doc
	doc.Path, doc.Title, doc.Authors, doc.Year, doc.URL = r.DocPath, r.Title, r.Authors, r.Year, r.URL
	doc.Pages = slices.Clone(a.Doc.Pages)
	passages := make([]corpus.Passage, len(a.Passages))
	for i, p := range a.Passages {
		p.Doc, p.Title = r.DocPath, r.Title
		passages[i] = p
	}
	s := &indexfile.Saved{
		Embedder: a.Embedder, Dim: dim, Created: r.AddedAt, Builder: "footnote store",
		Docs: []corpus.Document{doc}, Passages: passages, Vectors: a.Vectors,
		Files: []indexfile.SourceFile{{Path: r.DocPath, Size: r.Size, ModTime: r.AddedAt, SHA256: sha256.Sum256(a.Original)}},
	}
	return r, s, nil
}

// Merge joins the one-document saved indexes of a list's readings into one,
// for embedder (whose vectors they all hold).
func Merge(embedder string, parts []*indexfile.Saved) *indexfile.Saved {
	out := &indexfile.Saved{Embedder: embedder, Builder: "footnote store"}
	n := 0
	for _, p := range parts {
		n += len(p.Passages)
	}
	out.Passages = make([]corpus.Passage, 0, n)
	out.Vectors = make([][]float32, 0, n)
	for _, p := range parts {
		if out.Dim == 0 {
			out.Dim = p.Dim
		}
		if p.Created.After(out.Created) {
			out.Created = p.Created
		}
		out.Docs = append(out.Docs, p.Docs...)
		out.Passages = append(out.Passages, p.Passages...)
		out.Vectors = append(out.Vectors, p.Vectors...)
		out.Files = append(out.Files, p.Files...)
	}
	return out
}
