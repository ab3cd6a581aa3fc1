package corpus

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkPassages asserts what every passage of every document must satisfy:
// its text is the document's bytes at its offsets, it is not empty and neither
// starts nor ends with white space, and the passages are in order without
// overlapping.
func checkPassages(tb testing.TB, doc Document, ps []Passage) {
	tb.Helper()
	prevEnd := 0
	for i, p := range ps {
		switch {
		case p.Start < prevEnd:
			tb.Fatalf("passage %d [%d:%d] starts before the end of the one before (%d)", i, p.Start, p.End, prevEnd)
		case p.Start >= p.End || p.End > len(doc.Text):
			tb.Fatalf("passage %d has bad span [%d:%d] (text is %d bytes)", i, p.Start, p.End, len(doc.Text))
		case doc.Text[p.Start:p.End] != p.Text:
			tb.Fatalf("passage %d [%d:%d]: Text %q != doc.Text[Start:End] %q", i, p.Start, p.End, p.Text, doc.Text[p.Start:p.End])
		case p.Doc != doc.Path || p.Title != doc.Title:
			tb.Fatalf("passage %d: Doc/Title %q/%q, want %q/%q", i, p.Doc, p.Title, doc.Path, doc.Title)
		case p.Kind != KindBody && p.Kind != KindReference:
			tb.Fatalf("passage %d: kind %q", i, p.Kind)
		case p.Kind == KindBody && p.Paragraph < 1, p.Kind != KindBody && p.Paragraph != 0:
			tb.Fatalf("passage %d: %s passage with paragraph %d", i, p.Kind, p.Paragraph)
		}
		first, _ := utf8.DecodeRuneInString(p.Text)
		last, _ := utf8.DecodeLastRuneInString(p.Text)
		if unicode.IsSpace(first) || unicode.IsSpace(last) || first == '\ufeff' {
			tb.Fatalf("passage %d [%d:%d] starts or ends with white space: %q", i, p.Start, p.End, p.Text)
		}
		prevEnd = p.End
	}
}
