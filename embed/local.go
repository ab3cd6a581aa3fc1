package embed

import (
	"context"
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/footnote-bot/footnote/terms"
	"github.com/philippgille/chromem-go"
)

// LocalName names the local embedder's vectors. Any change to the
// features, weights, dimension or the analyzer's filters before stemming
// changes the vectors and must change this name, so that saved indexes and
// cached vectors made with the old ones are not mixed with the new.
const LocalName = "local-hash-v3"

// LocalDim is the dimension of the local embedder's vectors.
const LocalDim = 768

// localHashV2 is the local embedder. Its weights are fixed rather than learnt
// from a corpus, so that a passage's vector does not depend on the passages
// around it and cached vectors stay valid.
var localHashV2 = localEmbedder{
	dim: LocalDim,
	weight: [...]float64{
		kindWord:   1.0,  // a stemmed word
		kindBigram: 0.6,  // two stemmed words in a row, stop words left out
		kindChar:   0.25, // a 3-, 4- or 5-gram of a word's letters, as written
		kindCJK1:   0.5,  // one CJK character
		kindCJK2:   1.0,  // two CJK characters in a row
	},
}

// Feature kinds, hashed in so that equal strings of different kinds differ.
const (
	kindWord byte = iota + 1
	kindBigram
	kindChar
	kindCJK1
	kindCJK2
	kinds
)

// localEmbedder hashes features into dim signed dimensions, an occurrence of a
// feature of kind k weighing weight[k].
type localEmbedder struct {
	dim    int
	weight [kinds]float64
}

// NewLocal returns the local embedder: deterministic feature hashing of
// the text's analysed words (see Terms), word bigrams and character n-grams into
// LocalDim signed dimensions, with sublinear term frequency, as a unit vector.
// It needs no model and no network, and works on Chinese through character
// unigrams and bigrams. Text with no features embeds as the zero vector.
func NewLocal() chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		return localHashV2.embed(text), nil
	}
}

// feature is how often a feature occurs in a text and the largest weight of
// the words it came from. A kindChar feature is a word as written, which
// stands for its character n-grams.
type feature struct {
	n       uint32
	w       float32
	written []byte
}

// features is scratch space for one embedding, keyed by feature hash with the
// feature's kind in the low bits. Pooled because maps are costly to grow.
type features map[uint64]feature

var featuresPool = sync.Pool{New: func() any { return features{} }}

// embed returns the unit vector of text, the zero vector when it has no features.
func (e *localEmbedder) embed(text string) []float32 { return e.embedWeighted(text, nil) }

// embedWeighted is embed with the features of each analysed term (see Terms)
// weighted by termWeight(term), which may be nil for 1. Character n-grams get
// the weight of their word, a CJK character the larger of its bigrams'.
func (e *localEmbedder) embedWeighted(text string, termWeight func(term string) float64) []float32 {
	fs := featuresPool.Get().(features)
	defer func() {
		clear(fs)
		featuresPool.Put(fs)
	}()
	weigh := func(term []byte) float32 {
		if termWeight == nil {
			return 1
		}
		return float32(termWeight(string(term)))
	}

	a := terms.Analyzer()
	tokens := a.Tokenizer.Tokenize([]byte(terms.FoldScript(text)))
	for _, f := range a.TokenFilters[:terms.StemAt] {
		tokens = f.Filter(tokens)
	}
	// The words as written, before the stemmer replaces them.
	written := make([][]byte, len(tokens))
	for i, t := range tokens {
		written[i] = t.Term
	}
	tokens = a.TokenFilters[terms.StemAt].Filter(tokens)

	var prev *analysis.Token
	var prevW float32                    // weight of the previous word, 0 after a CJK character
	cjkW := make([]float32, len(tokens)) // weight of each CJK character
	for i, t := range tokens {
		if t.Type == analysis.Ideographic {
			if prev != nil && prev.Type == analysis.Ideographic && prev.End == t.Start {
				w := weigh(append(append([]byte(nil), prev.Term...), t.Term...))
				fs.add(kindCJK2, hashPair(kindCJK2, prev.Term, t.Term), w)
				cjkW[i-1] = max(cjkW[i-1], w)
				cjkW[i] = w
			}
			prev, prevW = t, 0
			continue
		}
		w := weigh(t.Term)
		if t.Type == analysis.AlphaNumeric {
			fs.addWritten(written[i], w)
		}
		fs.add(kindWord, hashOf(kindWord, t.Term), w)
		if prevW != 0 {
			fs.add(kindBigram, hashPair(kindBigram, prev.Term, t.Term), (prevW+w)/2)
		}
		prev, prevW = t, w
	}
	for i, t := range tokens {
		if t.Type == analysis.Ideographic {
			w := cjkW[i]
			if w == 0 { // a character on its own
				w = weigh(t.Term)
			}
			fs.add(kindCJK1, hashOf(kindCJK1, t.Term), w)
		}
	}

	// The sums are in fixed point, so that they do not depend on the order
	// of the map's iteration: the same text always gives the same bits.
	sums := make([]int64, e.dim)
	for key, f := range fs {
		// Sublinear term frequency: 1+ln(n) occurrences' worth.
		x := int64(math.Round(e.weight[key&kindMask] * float64(f.w) * sublinear(f.n) * fixedOne))
		if key&kindMask == uint64(kindChar) {
			addCharNgrams(sums, f.written, x)
			continue
		}
		add(sums, key, x)
	}
	v := make([]float64, e.dim)
	for i, x := range sums {
		v[i] = float64(x)
	}
	return unitFloat32(v)
}

// fixedOne is 1 in the fixed point of the embedder's sums.
const fixedOne = 1 << 32

// add adds x to the dimension of feature key, with the sign of its top bit.
// Bits 8 to 39 choose the dimension, by multiplying and shifting rather than
// dividing.
func add(v []int64, key uint64, x int64) {
	if key>>63 == 1 {
		x = -x
	}
	v[uint64(uint32(key>>8))*uint64(len(v))>>32] += x
}

// sublinear is 1+ln(n), from a table for the usual small n.
func sublinear(n uint32) float64 {
	if n < uint32(len(sublinearTable)) {
		return sublinearTable[n]
	}
	return 1 + math.Log(float64(n))
}

var sublinearTable = func() (t [64]float64) {
	for n := 1; n < len(t); n++ {
		t[n] = 1 + math.Log(float64(n))
	}
	return t
}()

const (
	kindBits = 3
	kindMask = 1<<kindBits - 1
)

// add counts an occurrence of the feature of the given kind and hash.
func (fs features) add(kind byte, h uint64, w float32) {
	k := h&^kindMask | uint64(kind)
	f := fs[k]
	f.n++
	f.w = max(f.w, w)
	fs[k] = f
}

// addWritten counts an occurrence of a word as written.
func (fs features) addWritten(word []byte, w float32) {
	k := hashOf(kindChar, word)&^kindMask | uint64(kindChar)
	f := fs[k]
	f.n++
	f.w = max(f.w, w)
	f.written = word
	fs[k] = f
}

// addCharNgrams adds x for each 3-, 4- and 5-gram of the word with boundary
// marks, "<word>", counting characters, not bytes. The n-grams of one word
// share its term frequency; those of different words add up.
func addCharNgrams(v []int64, word []byte, x int64) {
	var buf [64]rune
	rs := buf[:0]
	rs = append(rs, '<')
	for _, r := range string(word) {
		rs = append(rs, r)
	}
	rs = append(rs, '>')
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(rs); i++ {
			add(v, hashRunes(kindChar, rs[i:i+n]), x)
		}
	}
}

// unitFloat32 returns v scaled to unit length as float32, or the zero vector.
func unitFloat32(v []float64) []float32 {
	var ss float64
	for _, x := range v {
		ss += x * x
	}
	out := make([]float32, len(v))
	if ss == 0 {
		return out
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range v {
		out[i] = float32(x * inv)
	}
	return out
}

// FNV-1a, 64 bits, finished with a mixer so that the low bits (the dimension)
// and the top bit (the sign) are independent.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashOf(kind byte, b []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h)
}

func hashPair(kind byte, a, b []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, c := range a {
		h = (h ^ uint64(c)) * fnvPrime
	}
	h = (h ^ 0xff) * fnvPrime // a byte no UTF-8 text holds
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h)
}

func hashRunes(kind byte, rs []rune) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, r := range rs {
		h = (h ^ uint64(r)) * fnvPrime
	}
	return mix(h)
}

// mix is splitmix64's finaliser.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
