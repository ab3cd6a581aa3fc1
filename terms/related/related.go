// Package related says which terms are near in meaning, so that a question's
// "died" can match a text's "killed" and "purchased" match "bought". The
// relation comes from GloVe word vectors (related.txt, made by gen.go; see
// LICENSE-GloVe): for about 8,500 terms of the 20,000 most frequent English
// words, the terms whose vectors are nearest. Nearness in GloVe is use in the
// same contexts, which holds antonyms too ("bought", "sold"): use it to credit
// a paraphrase, never as proof of a fact.
//
// Looking a term up costs a binary search over the embedded file; nothing is
// loaded or parsed at start-up.
package related

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
)

//go:embed related.txt
var data string

// lines are the file's lines after its header, sorted by their first term.
var lines = sync.OnceValue(func() []string {
	var out []string
	for _, l := range strings.Split(data, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
})

// To returns the terms related to term t (analysed as package terms does:
// "di" for "died"), nearest first, or nil.
func To(t string) []string {
	ls := lines()
	i := sort.Search(len(ls), func(i int) bool { return firstField(ls[i]) >= t })
	if i == len(ls) || firstField(ls[i]) != t {
		return nil
	}
	return strings.Fields(ls[i])[1:]
}

func firstField(l string) string {
	if i := strings.IndexByte(l, ' '); i >= 0 {
		return l[:i]
	}
	return l
}
