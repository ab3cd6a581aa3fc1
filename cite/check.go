package cite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
)

// Library is what a quote check needs from the readings; *answer.Engine is one.
type Library interface {
	Documents() []corpus.Document
	PassageAt(doc string, off int) (answer.Passage, bool)
	Search(ctx context.Context, query string, k int) ([]answer.Passage, error)
}

var _ Library = (*answer.Engine)(nil)

// Errors for a quote that cannot be checked; shown to people as they are.
var (
	ErrEmptyQuote = errors.New("the quote is empty")
	ErrBadQuote   = errors.New("the quote is not valid UTF-8 text")
	ErrLongQuote  = errors.New("the quote is too long")
)

// MaxQuote is the longest quote checked, in characters.
const MaxQuote = 4000

// Place is a quote's place in the readings: Quote is exactly bytes
// [Start,End) of document Doc.
type Place struct {
	Doc       string `json:"doc"`
	Title     string `json:"title"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Quote     string `json:"quote"`
	Page      int    `json:"page"`
	Paragraph int    `json:"paragraph"`
	// Section and Sentence (the sentences around the quote) are for people.
	Section  string `json:"-"`
	Sentence string `json:"-"`
	Source   Source `json:"-"`
}

// Check is the outcome of checking a quote.
type Check struct {
	// Quote is the text checked (outer quotation marks removed).
	Quote string
	// Verbatim says the quote occurs word for word in the readings.
	Verbatim bool
	// Found is where: the quote itself when verbatim, else the closest
	// passage; nil when nothing in the readings is close.
	Found *Place
	// Diff shows how the quote differs from the closest passage, word by word:
	// [-dropped-] words of the source, {+added+} words of the quote, both for
	// a changed word; "" when verbatim or nothing is close.
	Diff string
	// Citation cites Found in the style asked for; zero when Found is nil.
	Citation Citation
}

// closeEnough is the least similarity (2·common words / all words, in order)
// for a passage to count as the quote's source, paraphrased.
const closeEnough = 0.5

// CheckQuote says whether quote is verbatim in lib's documents (after white
// space runs are folded and typographic quote marks made straight), where,
// and cites it in style st; when it is not, it finds the closest passage and
// what differs.
func CheckQuote(ctx context.Context, lib Library, quote string, st Style) (*Check, error) {
	q, err := cleanQuote(quote)
	if err != nil {
		return nil, err
	}
	out := &Check{Quote: q}
	key := longestWord(q)
	for _, d := range lib.Documents() {
		if !strings.Contains(d.Text, key) {
			continue // folding changes only spaces and quote marks: a word of the quote must be there as it is
		}
		start, end, ok := answer.FindVerbatim(d.Text, q)
		if !ok {
			continue
		}
		out.Verbatim = true
		out.Found = place(lib, d, start, end)
		out.Citation = Of(st, out.Found.Source, locator(*out.Found))
		return out, nil
	}
	query, _ := cutRunes(q, 1000)
	ps, err := lib.Search(ctx, query, 8)
	if err != nil {
		return nil, fmt.Errorf("searching for the closest passage: %w", err)
	}
	docs := map[string]corpus.Document{}
	for _, d := range lib.Documents() {
		docs[d.Path] = d
	}
	qw := tokens(q)
	best, bestScore := span{}, 0.0
	var bestDoc corpus.Document
	for _, p := range ps {
		for _, sp := range windows(p) {
			sc := similarity(qw, tokens(p.Text[sp.Start-p.Start:sp.End-p.Start]))
			if sc > bestScore {
				best, bestScore, bestDoc = sp, sc, docs[p.Doc]
			}
		}
	}
	if bestScore < closeEnough || bestDoc.Path == "" {
		return out, nil
	}
	out.Found = place(lib, bestDoc, best.Start, best.End)
	out.Diff = WordDiff(out.Found.Quote, q)
	out.Citation = Of(st, out.Found.Source, locator(*out.Found))
	return out, nil
}

// longestWord is the quote's longest run of letters and digits, as written.
func longestWord(s string) string {
	best := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) > len(best) {
			best = w
		}
	}
	return best
}

// cleanQuote validates a pasted quote and removes the quotation marks around it.
func cleanQuote(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrBadQuote
	}
	s = strings.TrimSpace(s)
	for len(s) > 0 {
		first, n := utf8.DecodeRuneInString(s)
		last, m := utf8.DecodeLastRuneInString(s)
		if len(s) <= n+m || !quoteMark(first) || !quoteMark(last) {
			break
		}
		s = strings.TrimSpace(s[n : len(s)-m])
	}
	if s == "" {
		return "", ErrEmptyQuote
	}
	if n := utf8.RuneCountInString(s); n > MaxQuote {
		return "", fmt.Errorf("%w: %d characters, the limit is %d", ErrLongQuote, n, MaxQuote)
	}
	return s, nil
}

func quoteMark(r rune) bool { return strings.ContainsRune("\"'“”‘’«»「」『』„", r) }

type span struct{ Start, End int }

// windows are the candidate spans of a passage, in document bytes: each run
// of one to three of its sentences.
func windows(p answer.Passage) []span {
	ss := corpus.Sentences(p.Text)
	var out []span
	for i := range ss {
		for j := i; j < len(ss) && j < i+3; j++ {
			out = append(out, span{p.Start + ss[i].Start, p.Start + ss[j].End})
		}
	}
	return out
}

// place is the quote at bytes [start,end) of d, with its page, paragraph and
// the sentences around it.
func place(lib Library, d corpus.Document, start, end int) *Place {
	pl := &Place{Doc: d.Path, Title: d.Title, Start: start, End: end, Quote: d.Text[start:end],
		Source: SourceOf(d.Title, d.Path, d.Authors, d.Year, d.URL)}
	if len(d.Pages) > 0 {
		pl.Page = d.PageAt(start)
	}
	pl.Sentence = pl.Quote
	if p, ok := lib.PassageAt(d.Path, start); ok {
		pl.Paragraph, pl.Section = p.Paragraph, p.Section
		if p.Page > 0 {
			pl.Page = p.Page
		}
		if end <= p.End {
			s, e := start-p.Start, end-p.Start
			for _, sp := range corpus.Sentences(p.Text) {
				if sp.End > start-p.Start && sp.Start < s {
					s = sp.Start
				}
				if sp.Start < end-p.Start && sp.End > e {
					e = sp.End
				}
			}
			pl.Sentence = p.Text[s:e]
		}
	}
	return pl
}

func locator(p Place) Locator {
	if p.Page > 0 {
		return Locator{Page: p.Page}
	}
	return Locator{Paragraph: p.Paragraph}
}

// tokens are the words of s compared by a quote check: lowercase runs of
// letters and digits, each Han character on its own.
func tokens(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// similarity is 2·LCS/(|a|+|b|): 1 for the same words in the same order.
func similarity(a, b []string) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	return 2 * float64(lcs(a, b)) / float64(len(a)+len(b))
}

func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func cutRunes(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	return string([]rune(s)[:n]), true
}
