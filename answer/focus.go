package answer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/terms"
	"github.com/footnote-bot/footnote/terms/related"
)

// A question whose subject the corpus never mentions cannot be answered from it,
// however many of its other words match. Two kinds of words carry the subject:
// names (capitalised words after the first, such as "FIFA" or "Canal"), and the
// thing a question counts or asks about ("how many tourists", "what is the
// population"). neverMentioned returns those of them that occur nowhere in the
// corpus. Verbs and other words may be paraphrased ("got jobs" for "creating
// jobs"), so they are left to the confidence (confidence.go).

var reFocus = regexp.MustCompile(`(?i)\b(?:how many|how much|what (?:is|was|are|were) the|which|what kind of|what type of)\s+`)

// unseen is a term no passage can contain: its IDF is the corpus's highest.
const unseen = "\x00"

func (e *Engine) neverMentioned(question string) []string {
	maxIDF := e.index.IDF(unseen)
	known := func(t string) bool { return e.index.IDF(t) < maxIDF-1e-9 }
	// absent reports whether no passage holds word; a word that is not a
	// name is also present through a word near it in meaning ("how many
	// died" over a text that says "killed").
	absent := func(word string) bool {
		ts := terms.Of(word)
		if len(ts) == 0 {
			return false
		}
		for _, t := range ts {
			if known(t) {
				return false
			}
			if !startsUpper(word) && slices.ContainsFunc(related.To(t), known) {
				return false
			}
		}
		return true
	}
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if !seen[w] && absent(w) {
			seen[w] = true
			out = append(out, w)
		}
	}
	words := questionWordSpans(question)
	for i, w := range words {
		if i > 0 && startsUpper(w.text) {
			add(w.text)
		}
	}
	for _, m := range reFocus.FindAllStringIndex(question, -1) {
		for _, w := range words {
			if w.start < m[1] {
				continue
			}
			add(w.text)
			if !startsUpper(w.text) && !isNumber(w.text) {
				break
			}
		}
	}
	return out
}

type wordSpan struct {
	text  string
	start int
}

func questionWordSpans(q string) []wordSpan {
	var out []wordSpan
	start := -1
	for i, r := range q + " " {
		inWord := unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '\''
		if unicode.Is(unicode.Han, r) {
			inWord = false
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, wordSpan{text: strings.Trim(q[start:i], "-'"), start: start})
			start = -1
		}
	}
	return out
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) && r != ',' && r != '.' {
			return false
		}
	}
	return w != ""
}
