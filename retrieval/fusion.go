package retrieval

import (
	"cmp"
	"slices"
)

// fusion says how Search combines and adjusts the rankings.
type fusion struct {
	// k damps reciprocal rank fusion: a passage ranked r in a list earns
	// weight/(k+r).
	k float64
	// denseWeight and lexicalWeight weigh the two lists.
	denseWeight, lexicalWeight float64
	// referenceFactor scales the score of a reference passage, so that a
	// bibliography entry ranks below body text that matches as well.
	referenceFactor float64
	// depth is how deep each list is read, at least.
	depth int
}

// localFusion is for the local embedder, chosen by measurement on the default
// corpus (English and Chinese questions, passages of paragraphs and of
// ~400-700 byte windows): a small k, because the top of each list is what
// counts, and half weight for the dense list, which is itself a kind of
// lexical match and ranked worse than BM25 alone. Halving reference passages'
// scores lifted R@1 by a few points (0.8 did less).
var localFusion = fusion{k: 10, denseWeight: 0.5, lexicalWeight: 1, referenceFactor: 0.5, depth: 50}

// defaultFusion is for model embedders, whose dense list should be at least
// as good as BM25: plain reciprocal rank fusion with the usual k = 60.
// Unmeasured here for want of a model.
var defaultFusion = fusion{k: 60, denseWeight: 1, lexicalWeight: 1, referenceFactor: 0.5, depth: 50}

// fused is a passage with its place in each list and its fused score.
type fused struct {
	i                    int
	score                float64
	denseRank, lexRank   int
	denseScore, lexScore float64
}

// fuse merges two ranked lists by weighted reciprocal rank fusion, in no
// particular order.
func (p fusion) fuse(dense, lex []scored) []fused {
	at := make(map[int]int, len(dense)+len(lex))
	var out []fused
	get := func(i int) *fused {
		j, ok := at[i]
		if !ok {
			j = len(out)
			at[i] = j
			out = append(out, fused{i: i})
		}
		return &out[j]
	}
	for r, s := range dense {
		f := get(s.i)
		f.denseRank, f.denseScore = r+1, s.score
		f.score += p.denseWeight / (p.k + float64(r+1))
	}
	for r, s := range lex {
		f := get(s.i)
		f.lexRank, f.lexScore = r+1, s.score
		f.score += p.lexicalWeight / (p.k + float64(r+1))
	}
	return out
}

// sortScored sorts best first, ties in passage order.
func sortScored(s []scored) {
	slices.SortFunc(s, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
}

// sortFused sorts best first, ties in passage order.
func sortFused(s []fused) {
	slices.SortFunc(s, func(a, b fused) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
}

// demote lowers the score of a reference passage by referenceFactor, whatever
// its sign.
func (p fusion) demote(s float64) float64 {
	if s < 0 {
		return s / p.referenceFactor
	}
	return s * p.referenceFactor
}
