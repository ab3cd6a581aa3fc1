// Package corpus owns documents and their passages: the embedded default corpus,
// loading a folder of files, parsing formats, and chunking text into passages that
// keep their exact byte offsets, section and paragraph. It touches no network, no
// index and no language model.
package corpus

import (
	"fmt"
	"slices"
)

// Kind says what a passage is: body text, or a bibliography/footnote block.
type Kind string

const (
	// KindBody is ordinary running text.
	KindBody Kind = "body"
	// KindReference is everything that is not running text: a bibliography entry
	// or footnote block interleaved with the body, a note ("* This article is
	// part of ...", "(Editor in charge ...)"), the front matter (column header,
	// title, byline; YAML front matter), and a heading with no text of its own.
	KindReference Kind = "reference"
)

// Document is one file of a corpus.
type Document struct {
	// Path is the file's path relative to the corpus root, slash-separated
	// (for the embedded corpus, the file name).
	Path string
	// Title is derived from the text (or the file's metadata).
	Title string
	// Text is the document's text: the original bytes for .txt and .md files,
	// the extracted text for other formats. Passage offsets index into it.
	Text string
	// Format is the file's format: "txt", "md", "html", "pdf" or "docx".
	Format string
	// Authors, Year and URL describe where the document comes from, for
	// citations: from the file's own metadata (HTML meta tags, PDF Info,
	// Markdown front matter, DOCX core properties) or the folder's manifest
	// (see LoadFS). Each is empty or 0 when unknown.
	Authors []string
	Year    int
	URL     string
	// Pages holds, for paged formats (PDF), the byte offset in Text at which
	// each page starts: page n (1-based) is Text[Pages[n-1]:Pages[n]], the
	// last page runs to the end of Text. It is
	// nil for formats without pages. Pages are separated in Text by a line
	// holding a form feed ("\f"), and no passage spans two pages.
	Pages []int
}

// PageAt returns the 1-based page of the byte offset off of d.Text, or 0 if d
// has no pages.
func (d Document) PageAt(off int) int {
	n, found := slices.BinarySearch(d.Pages, off)
	if found {
		n++
	}
	return n
}

// Passage is a contiguous span of a document: Text == Document.Text[Start:End].
type Passage struct {
	Doc       string // Document.Path
	Title     string // Document.Title
	Section   string // the headings the passage falls under, joined by SectionSep; "" before the first one
	Paragraph int    // 1-based number of the logical body paragraph in the document; 0 for KindReference
	Page      int    // 1-based page for paged formats, 0 when unknown
	Start     int    // byte offset of the first byte in Document.Text
	End       int    // byte offset one past the last byte
	Text      string
	Kind      Kind
}

// ID names a passage uniquely within a corpus.
func (p Passage) ID() string { return fmt.Sprintf("%s#%d-%d", p.Doc, p.Start, p.End) }

// Corpus is a set of documents and all their passages, in document order.
type Corpus struct {
	Docs     []Document
	Passages []Passage
}

// Doc returns the document with the given path.
func (c *Corpus) Doc(path string) (Document, bool) {
	for _, d := range c.Docs {
		if d.Path == path {
			return d, true
		}
	}
	return Document{}, false
}

// Span is a byte range [Start,End) of some text.
type Span struct{ Start, End int }

// Skipped names a file that was not indexed, and why.
type Skipped struct {
	Path   string
	Reason string
}
