// Package terms is the one analysis chain that turns text into searchable
// terms: Unicode words, folded (width, case, Traditional to Simplified Chinese),
// stop words dropped, English stemmed, CJK as bigrams. The lexical index, the
// local embedder and the answerer's coverage all read text through it, so they
// always agree. It knows nothing of passages or indexes.
package terms

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// analyzerName is the name of the one analyzer the lexical index, Terms and the
// local embedder share.
const analyzerName = "footnote"

// tokenFilters are the analyzer's filters in order. The local embedder takes
// character n-grams after the first StemAt filters, before stemming, so changing
// this list changes its vectors: rename localEmbedderName when you do.
var tokenFilters = []string{
	cjk.WidthName,     // full-width Latin to ASCII, half-width kana to full width
	lowercase.Name,    // to lower case
	en.PossessiveName, // China's -> China
	en.StopName,       // English stop words
	porter.Name,       // English stemming; leaves CJK characters alone
	cjk.BigramName,    // runs of CJK characters to overlapping bigrams
}

// StemAt is the index in tokenFilters of the first filter that changes words
// beyond normalising them.
const StemAt = 4

// textField is the mapping's one field: the passage text.
const textField = "text"

// newIndexMapping returns the bleve index mapping the footnote analyzer is
// defined in: documents with one text field analysed by it, scored with BM25.
// No bleve index is built from it (the lexical index is Footnote's own, see
// lexical.go); bleve's registry builds the analyzer from it.
func newIndexMapping() (*mapping.IndexMappingImpl, error) {
	m := mapping.NewIndexMapping()
	err := m.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": tokenFilters,
	})
	if err != nil {
		return nil, fmt.Errorf("define analyzer: %w", err)
	}
	m.DefaultAnalyzer = analyzerName
	m.ScoringModel = "bm25"
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	text := mapping.NewTextFieldMapping()
	text.Analyzer = analyzerName
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	text.DocValues = false
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(textField, text)
	doc.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping()) // no catch-all field
	m.DefaultMapping = doc
	return m, nil
}

// Analyzer returns the footnote analyzer, built once from newIndexMapping. The
// lexical index, Terms and the local embedder all use it, so they always agree.
var Analyzer = sync.OnceValue(func() *analysis.DefaultAnalyzer {
	m, err := newIndexMapping()
	if err != nil {
		panic(err) // the definition above is static; a failure is a programming error
	}
	a, ok := m.AnalyzerNamed(analyzerName).(*analysis.DefaultAnalyzer)
	if !ok || len(a.TokenFilters) != len(tokenFilters) {
		panic("retrieval: the footnote analyzer is not the expected filter chain")
	}
	return a
})

// Of analyses text as the lexical index does: lower-cased, Porter-stemmed
// English words without stop words or possessive 's, numbers as they are, and
// overlapping bigrams of CJK characters (a lone CJK character stays a unigram).
// Of are in text order and may repeat.
func Of(text string) []string {
	tokens := Analyzer().Analyze([]byte(FoldScript(text)))
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = string(t.Term)
	}
	return out
}
