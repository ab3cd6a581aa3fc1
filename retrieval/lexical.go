package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/footnote-bot/footnote/corpus"
)

// textField is the lexical index's one field: the passage text.
const textField = "text"

// minSegment is the least number of passages worth a segment of their own.
// At 100,000 passages two segments built side by side took 4.0 s against
// 5.7-7.2 s for one, and made searches 3% slower.
const minSegment = 20000

// lexical is a BM25 index over passage text: an in-memory bleve scorch index
// (bleve's NewMemOnly would score with tf-idf) whose document IDs are passage
// indexes, and the document frequency of every term for IDF.
type lexical struct {
	idx bleve.Index
	df  map[string]int
	n   int
}

func newLexical(ctx context.Context, passages []corpus.Passage) (*lexical, error) {
	m, err := newIndexMapping()
	if err != nil {
		return nil, err
	}
	// An empty path keeps scorch in memory: no files, no persister or merger.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create lexical index: %w", err)
	}
	l := &lexical{idx: idx, df: map[string]int{}, n: len(passages)}
	if err := l.add(ctx, passages); err != nil {
		idx.Close()
		return nil, err
	}
	return l, nil
}

// add indexes the passages in one batch for each CPU, at once: a batch
// becomes one segment, and building one is mostly single-threaded.
func (l *lexical) add(ctx context.Context, passages []corpus.Passage) error {
	parts := min(runtime.GOMAXPROCS(0), max(1, len(passages)/minSegment))
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for w := range parts {
		from, to := len(passages)*w/parts, len(passages)*(w+1)/parts
		wg.Go(func() {
			b := l.idx.NewBatch()
			for i := from; i < to; i++ {
				if err := b.Index(strconv.Itoa(i), map[string]any{textField: foldScript(passages[i].Text)}); err != nil {
					errs[w] = fmt.Errorf("index passage %s: %w", passages[i].ID(), err)
					return
				}
			}
			if err := ctx.Err(); err != nil {
				errs[w] = err
				return
			}
			if err := l.idx.Batch(b); err != nil {
				errs[w] = fmt.Errorf("index passages: %w", err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	dict, err := l.idx.FieldDict(textField)
	if err != nil {
		return fmt.Errorf("read lexical terms: %w", err)
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return fmt.Errorf("read lexical terms: %w", err)
		}
		if e == nil {
			return nil
		}
		l.df[e.Term] = int(e.Count)
	}
}

// idf is BM25's inverse document frequency, as bleve computes it.
func (l *lexical) idf(term string) float64 {
	n, df := float64(l.n), float64(l.df[term])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// scored is a passage index with a score.
type scored struct {
	i     int
	score float64
}

// search returns up to n passages matching any of the analysed terms, best
// first. Building the query from terms rather than bleve's query syntax means no
// user text can make it fail to parse.
func (l *lexical) search(ctx context.Context, terms []string, n int) ([]scored, error) {
	seen := make(map[string]bool, len(terms))
	var clauses []query.Query
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		tq := bleve.NewTermQuery(t)
		tq.SetField(textField)
		clauses = append(clauses, tq)
	}
	if len(clauses) == 0 || n <= 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(clauses...), n, 0, false)
	res, err := l.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("lexical search: %w", err)
	}
	out := make([]scored, 0, len(res.Hits))
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil {
			return nil, fmt.Errorf("lexical search: unexpected document id %q", h.ID)
		}
		out = append(out, scored{i: i, score: h.Score})
	}
	return out, nil
}

func (l *lexical) close() error { return l.idx.Close() }
