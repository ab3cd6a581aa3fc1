package answer

import (
	"strings"
	"unicode"

	"github.com/footnote-bot/footnote/terms"
)

// People misspell ("argricultural", "purhcased", "Primeier Leage") and spell
// the other side of the Atlantic ("kilometers" for "kilometres"). A question
// word the corpus never uses is corrected to the corpus word nearest in
// spelling: at most one edit (an insertion, deletion, substitution or swap of
// two neighbours) for words of four to seven letters, keeping the first
// letter, two for longer ones; the nearest, then the most frequent, then the
// first in alphabetical order wins. The corrected question is what is
// searched and checked for coverage; the answer says "Did you mean" when a
// word changed. Words the corpus uses are never changed, and neither are
// numbers or words of three letters or fewer.

// vocabulary is the corpus's words, lower-cased and folded, with their counts.
type vocabulary struct {
	count map[string]int
}

func (e *Engine) vocabulary() *vocabulary {
	e.vocabOnce.Do(func() {
		v := &vocabulary{count: map[string]int{}}
		for _, p := range e.index.Passages() {
			for _, w := range strings.FieldsFunc(terms.FoldAccents(p.Text), notWordRune) {
				if len(w) >= 4 {
					v.count[strings.ToLower(w)]++
				}
			}
		}
		e.vocab = v
	})
	return e.vocab
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// correctSpelling returns question with its unknown words corrected, and
// whether any changed.
func (e *Engine) correctSpelling(question string) (string, bool) {
	maxIDF := e.index.IDF(unseen)
	var b strings.Builder
	changed := false
	last := 0
	for _, w := range questionWordSpans(question) {
		word := w.text
		if len(word) < 4 || isNumber(word) || !isLatin(word) {
			continue
		}
		ts := terms.Of(word)
		known := len(ts) == 0
		for _, t := range ts {
			if e.index.IDF(t) < maxIDF-1e-9 {
				known = true
			}
		}
		if known {
			continue
		}
		fix := e.vocabulary().nearest(strings.ToLower(terms.FoldAccents(word)))
		if fix == "" {
			continue
		}
		if startsUpper(word) {
			fix = strings.ToUpper(fix[:1]) + fix[1:]
		}
		b.WriteString(question[last:w.start])
		b.WriteString(fix)
		last = w.start + len(word)
		changed = true
	}
	if !changed {
		return question, false
	}
	b.WriteString(question[last:])
	return b.String(), true
}

func isLatin(w string) bool {
	for _, r := range w {
		if r > unicode.MaxLatin1 && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// nearest is the most frequent corpus word within the allowed edits of w, or "".
func (v *vocabulary) nearest(w string) string {
	limit := 1
	if len(w) >= 8 {
		limit = 2
	}
	best, bestN, bestD := "", 0, limit+1
	for u, n := range v.count {
		// A short word keeps its first letter: people rarely mistype it,
		// and one edit from a short word reaches too many others.
		if abs(len(u)-len(w)) > limit || (limit < 2 && u[0] != w[0]) {
			continue
		}
		d := editDistance(w, u, limit)
		// Nearest, then most frequent, then first in alphabetical order:
		// the same question is always corrected the same way.
		if d <= limit && (d < bestD || d == bestD && (n > bestN || n == bestN && u < best)) {
			best, bestN, bestD = u, n, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the optimal string alignment distance of a and b (bytes),
// or limit+1 once it exceeds limit.
func editDistance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// noteDidYouMean puts "Did you mean …?" before the answer's note.
func noteDidYouMean(ans *Answer) {
	n := "Did you mean \u201c" + ans.DidYouMean + "\u201d?"
	if ans.Note != "" {
		n += " " + ans.Note
	}
	ans.Note = n
}
