// Package corpus owns documents and their passages: the embedded default corpus,
// loading a folder of files, parsing formats, and chunking text into passages that
// keep their exact byte offsets, section and paragraph. It touches no network, no
// index and no language model.
package corpus

import "fmt"

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
	// Format is the file's format, e.g. "txt", "md".
	Format string
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
