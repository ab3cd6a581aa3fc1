package answer

import (
	"strings"

	"github.com/footnote-bot/footnote/corpus"
)

// Documents returns the corpus's documents in order, with their text and
// metadata (for citations, quote checks and quizzes).
func (e *Engine) Documents() []corpus.Document {
	out := make([]corpus.Document, 0, len(e.order))
	for _, p := range e.order {
		out = append(out, e.docs[p])
	}
	return out
}

// Passages returns every passage of the corpus, in document order, with its
// document's metadata; N is 0.
func (e *Engine) Passages() []Passage {
	ps := e.index.Passages()
	out := make([]Passage, len(ps))
	for i, p := range ps {
		out[i] = e.passageOf(0, p, 0)
	}
	return out
}

// PassageAt returns the passage of document doc that holds byte off, a body
// passage when one does.
func (e *Engine) PassageAt(doc string, off int) (Passage, bool) {
	var found *corpus.Passage
	for _, p := range e.index.Passages() {
		if p.Doc != doc || off < p.Start || off >= p.End {
			continue
		}
		if found == nil || (found.Kind != corpus.KindBody && p.Kind == corpus.KindBody) {
			found = &p
		}
	}
	if found == nil {
		return Passage{}, false
	}
	return e.passageOf(0, *found, 0), true
}

// FindVerbatim returns the bytes of text where phrase occurs after white space
// runs are folded to one space and typographic quote marks to straight ones,
// starting and ending at word boundaries: the same test an answer's quotes
// pass.
func FindVerbatim(text, phrase string) (start, end int, ok bool) {
	ph := strings.TrimSpace(fold(phrase).text)
	if ph == "" {
		return 0, 0, false
	}
	return fold(text).find(ph)
}
