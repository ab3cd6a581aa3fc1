package answer

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// A question in a Discord channel searches several indexes at once: the
// operator's corpus, the guild's reading list and the channel's. Each list
// keeps an index of its own (a list changes without the others being
// rebuilt, and one guild's passages never enter another's index), and a
// scoped engine searches them all and merges the hits as one index would:
// every index is asked for its best k, and the candidates are ranked again
// together by reciprocal rank fusion of their dense similarity (comparable
// across indexes: one embedder, unit vectors) and their BM25 score (the same
// formula everywhere). Interleaving each index's own ranking instead would
// give an index that knows nothing of the question as many places at the top
// as the one that answers it.

// PartIndex is an index that can be one part of a scoped engine: it also says
// how many passages it holds, for the union's term statistics.
type PartIndex interface {
	Index
	Len() int
}

var _ PartIndex = (*retrieval.Index)(nil)

// Part is one reading list (or any other set of documents) searched beside
// an engine's own corpus: its documents and their index. Document paths must
// not collide with those of the other parts.
type Part struct {
	Docs  []corpus.Document
	Index PartIndex
}

// Scoped returns an engine over e's corpus (when withBase is set) and the
// parts, with e's options. With withBase and no parts it returns e itself.
// Building one copies the documents' metadata, not their passages' vectors;
// callers that ask often cache it.
func (e *Engine) Scoped(withBase bool, parts ...Part) *Engine {
	if withBase && len(parts) == 0 {
		return e
	}
	var all []Part
	var docs []corpus.Document
	if withBase {
		if pi, ok := e.index.(PartIndex); ok {
			all = append(all, Part{Index: pi})
		} else {
			all = append(all, Part{Index: sizedIndex{e.index}})
		}
		for _, path := range e.order {
			docs = append(docs, e.docs[path])
		}
	}
	for _, p := range parts {
		if p.Index == nil {
			continue
		}
		all = append(all, p)
		docs = append(docs, p.Docs...)
	}
	c := &corpus.Corpus{Docs: docs}
	if len(all) == 1 {
		return New(c, all[0].Index, e.opts)
	}
	return New(c, newUnion(all), e.opts)
}

// sizedIndex is an Index that does not say its size: its passages are counted.
type sizedIndex struct{ Index }

func (s sizedIndex) Len() int { return len(s.Passages()) }

// union searches several indexes as one.
type union struct {
	parts    []PartIndex
	passages []corpus.Passage
	n        int
}

func newUnion(parts []Part) *union {
	u := &union{}
	for _, p := range parts {
		u.parts = append(u.parts, p.Index)
		u.passages = append(u.passages, p.Index.Passages()...)
		u.n += p.Index.Len()
	}
	return u
}

func (u *union) Len() int                   { return u.n }
func (u *union) Passages() []corpus.Passage { return u.passages }

// IDF weighs a question's term as the part where it is most specific does:
// the highest IDF among the parts whose passages contain it. Each part is a
// collection of its own (the operator's corpus, a course's list), and a word
// that is everywhere in one list says as much about the others' passages as
// before that list was added. A term no part contains gets the IDF of a term
// absent from all their passages together, above any present term's.
func (u *union) IDF(term string) float64 {
	best, found := 0.0, false
	for _, p := range u.parts {
		n := p.Len()
		if n == 0 {
			continue
		}
		idf := p.IDF(term)
		if idf >= bm25IDF(n, 0)-1e-9 { // absent from this part
			continue
		}
		if !found || idf > best {
			best, found = idf, true
		}
	}
	if !found {
		return bm25IDF(u.n, 0)
	}
	return best
}

// bm25IDF is BM25's inverse document frequency, as package retrieval computes it.
func bm25IDF(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// unionK damps the reciprocal rank fusion of the union, as in plain RRF.
const unionK = 60

// Search asks every part for its best k and ranks the candidates together.
// A query that has no searchable words in one part has none in any.
func (u *union) Search(ctx context.Context, query string, k int) ([]retrieval.Hit, error) {
	var cands []retrieval.Hit
	for _, p := range u.parts {
		if p.Len() == 0 {
			continue
		}
		hits, err := p.Search(ctx, query, k)
		if err != nil {
			return nil, err // ErrEmptyQuery included: no part has the query's words
		}
		cands = append(cands, hits...)
	}
	return fuseUnion(cands, k), nil
}

// fuseUnion ranks hits from several indexes together: reciprocal rank fusion
// of their rank by dense similarity and by BM25 score across all candidates;
// reference passages count half, as within an index.
func fuseUnion(cands []retrieval.Hit, k int) []retrieval.Hit {
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	score := make([]float64, len(cands))
	rank := func(key func(h retrieval.Hit) float64) {
		order := slices.Clone(idx)
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(cands[b]), key(cands[a])) })
		for r, i := range order {
			if key(cands[i]) <= 0 {
				break
			}
			score[i] += 1 / float64(unionK+r+1)
		}
	}
	rank(func(h retrieval.Hit) float64 { return h.DenseScore })
	rank(func(h retrieval.Hit) float64 { return h.LexicalScore })
	for i, h := range cands {
		if h.Passage.Kind == corpus.KindReference {
			score[i] *= 0.5
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	if k > 0 && len(idx) > k {
		idx = idx[:k]
	}
	// Without vectors (lexical search) the one ranking is BM25's, and its
	// score is kept, as a single index keeps it: the answerer weighs
	// passages by their score relative to the best, which reciprocal ranks
	// would flatten.
	lexicalOnly := !slices.ContainsFunc(cands, func(h retrieval.Hit) bool { return h.DenseScore > 0 })
	out := make([]retrieval.Hit, len(idx))
	for j, i := range idx {
		out[j] = cands[i]
		out[j].Score = score[i]
		if lexicalOnly {
			out[j].Score = cands[i].LexicalScore
			if cands[i].Passage.Kind == corpus.KindReference {
				out[j].Score *= 0.5
			}
		}
	}
	return out
}
