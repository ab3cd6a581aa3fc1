package answer

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// Search returns up to k passages for a query, best first, numbered from 1. It
// serves "quote me the sources on X" and "check this claim" requests: the text is
// verbatim, nothing is paraphrased.
func (e *Engine) Search(ctx context.Context, query string, k int) ([]Passage, error) {
	if err := e.CheckQuestion(query); err != nil {
		return nil, err
	}
	if k <= 0 {
		k = e.opts.K
	}
	hits, err := e.index.Search(ctx, query, k)
	if errors.Is(err, retrieval.ErrEmptyQuery) {
		return nil, ErrNoWords
	}
	if err != nil {
		return nil, err
	}
	out := make([]Passage, len(hits))
	for i, h := range hits {
		out[i] = e.passageOf(i+1, h.Passage, h.Score)
	}
	return out, nil
}

// Surroundings is a passage with the body passages around it in its document.
type Surroundings struct {
	Before  []Passage `json:"before"`
	Passage Passage   `json:"passage"`
	After   []Passage `json:"after"`
}

// Around returns the passage of document doc that starts at start, with up to n
// passages of other paragraphs before and after it (n = 0: the passage alone).
func (e *Engine) Around(doc string, start, n int) (Surroundings, error) {
	var ps []corpus.Passage
	for _, p := range e.index.Passages() {
		if p.Doc == doc {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(a, b int) bool { return ps[a].Start < ps[b].Start })
	at := -1
	for i, p := range ps {
		if p.Start == start {
			at = i
			break
		}
	}
	if at < 0 {
		return Surroundings{}, fmt.Errorf("no passage of %q starts at byte %d", doc, start)
	}
	s := Surroundings{Passage: e.passageOf(0, ps[at], 0)}
	for i := at - 1; i >= 0 && len(s.Before) < n; i-- {
		if ps[i].Kind == corpus.KindBody {
			s.Before = append([]Passage{e.passageOf(0, ps[i], 0)}, s.Before...)
		}
	}
	for i := at + 1; i < len(ps) && len(s.After) < n; i++ {
		if ps[i].Kind == corpus.KindBody {
			s.After = append(s.After, e.passageOf(0, ps[i], 0))
		}
	}
	return s, nil
}
