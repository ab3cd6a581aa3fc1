package answer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/terms"
)

// Checking a model's answer against the passages it was given.
//
//   - A citation is a number in square brackets: [2], [1][3] or [1, 3]. A
//     number that names no passage given is removed; a marker left with none
//     is removed with the space before it.
//   - A quoted phrase is text between "…", “…”, „…“, «…», 「…」 or 『…』 within
//     one paragraph. It is checked against the passages named by the nearest
//     citation after it (in the same paragraph), after folding runs of white
//     space into one space and typographic quote marks into straight ones; a
//     trailing . , ; : ! or ? inside the marks, and a leading or trailing
//     ellipsis, may be absent from the passage, and the phrase must start and
//     end at word boundaries. The match is mapped back to exact bytes of the
//     passage, so the Citation's Quote is the document's own text.
//   - A phrase that is not found loses its quotation marks and is followed by
//     "(not verified)": it is never shown as a quote and never a Citation.
//   - Every valid number yields a Citation of its passage: the verified quote
//     that cites it, if any; otherwise the passage's sentence sharing the most
//     words with the claim before the citation (the text since the previous
//     citation); otherwise, when no sentence shares a word, the whole passage.
//     Either way Quote == document bytes [Start,End).
//
// An answer left with no Citation is not an answer: the engine falls back.

// notVerified follows a phrase whose quotation marks were removed.
const notVerified = " (not verified)"

// checked is a model's answer after checking.
type checked struct {
	text       string
	citations  []Citation
	dropped    int // citation numbers removed
	verified   int // quotes found in their passage
	unverified int // quotes shown as not verified
}

// checker checks answers against one set of passages, folded once.
type checker struct {
	passages map[int]Passage // by N
	folded   map[int]folded
}

func newChecker(passages []Passage) *checker {
	c := &checker{passages: map[int]Passage{}, folded: map[int]folded{}}
	for _, p := range passages {
		c.passages[p.N] = p
		c.folded[p.N] = fold(p.Text)
	}
	return c
}

type itemKind int

const (
	plainItem itemKind = iota
	quoteItem
	citeItem
)

type quoteState int

const (
	quotePending    quoteState = iota // no citation after it yet (while streaming)
	quoteVerified                     // found in a cited passage
	quoteUnverified                   // not found
	quoteEmpty                        // nothing between the marks
)

type item struct {
	kind        itemKind
	text        string // plain text, a quote's body, or a citation marker as written
	open, close string // a quote's marks
	// citations
	nums    []int // valid passage numbers, without repeats
	changed bool  // the marker had numbers removed or repeated, or a list
	// quotes
	state      quoteState
	n          int // passage of a verified quote
	start, end int // its bytes in the passage's text
}

var citeMarker = regexp.MustCompile(`^\[\s*\d{1,4}(?:\s*[,;]\s*\d{1,4})*\s*\]`)

// quoteClosers maps each opening quotation mark to the marks that close it.
var quoteClosers = map[rune]string{
	'"': `"`,
	'“': `”`,
	'„': `“”`,
	'«': `»`,
	'「': `」`,
	'『': `』`,
}

// check checks text. When final is false the text is a stream still being
// written: a quote with no citation after it yet is shown without its marks
// (it may still be verified), and nothing is called not verified until its
// citation has arrived.
func (c *checker) check(text string, final bool) checked {
	items := c.scan(text)
	var out checked
	// Quotes take the nearest citation after them in the same paragraph.
	for i := range items {
		q := &items[i]
		if q.kind != quoteItem {
			continue
		}
		phrase := trimPhrase(q.text)
		if phrase == "" {
			q.state = quoteEmpty
			continue
		}
		cite := nextCite(items, i)
		if cite == nil {
			if final {
				q.state = quoteUnverified
			}
			continue
		}
		q.state = quoteUnverified
		for _, n := range cite.nums {
			if s, e, ok := c.find(n, phrase); ok {
				q.state, q.n, q.start, q.end = quoteVerified, n, s, e
				break
			}
		}
	}

	var b strings.Builder
	seen := map[[3]int]bool{}
	addCitation := func(n, s, e int) {
		if key := [3]int{n, s, e}; !seen[key] {
			seen[key] = true
			ct := cite(c.passages[n], s, e)
			ct.N = n
			out.citations = append(out.citations, ct)
		}
	}
	claimFrom := 0 // items since the previous citation make the claim
	for i, it := range items {
		switch it.kind {
		case plainItem:
			b.WriteString(it.text)
		case quoteItem:
			switch it.state {
			case quoteVerified:
				b.WriteString(it.open + it.text + it.close)
				out.verified++
			case quoteUnverified:
				b.WriteString(it.text + notVerified)
				out.unverified++
			default:
				b.WriteString(it.text)
			}
		case citeItem:
			out.dropped += it.droppedCount()
			if len(it.nums) == 0 {
				trimTrailingSpace(&b)
				continue
			}
			if it.changed {
				for _, n := range it.nums {
					fmt.Fprintf(&b, "[%d]", n)
				}
			} else {
				b.WriteString(it.text)
			}
			if final { // while streaming only the text is needed
				c.cite(items[claimFrom:i], it.nums, addCitation)
			}
			claimFrom = i + 1
		}
	}
	out.text = strings.TrimSpace(strings.ReplaceAll(b.String(), "  ", " "))
	return out
}

// cite adds the citations of one marker citing nums, after the items since
// the previous marker.
func (c *checker) cite(before []item, nums []int, add func(n, start, end int)) {
	var claim strings.Builder
	for _, x := range before {
		if x.kind != citeItem { // a marker left with no valid number
			claim.WriteString(x.text + " ")
		}
	}
	for _, n := range nums {
		quoted := false
		for _, x := range before {
			// Every verified quote here took this marker: it is the nearest
			// one after it.
			if x.kind == quoteItem && x.state == quoteVerified && x.n == n {
				add(n, x.start, x.end)
				quoted = true
			}
		}
		if !quoted {
			s, e := c.bestSentence(n, claim.String())
			add(n, s, e)
		}
	}
}

// droppedCount is how many numbers of a marker named no passage given.
func (it item) droppedCount() int {
	all := citeNumbers(it.text)
	valid := map[int]bool{}
	for _, n := range it.nums {
		valid[n] = true
	}
	d := 0
	for _, n := range all {
		if !valid[n] {
			d++
		}
	}
	return d
}

// nextCite is the first citation after items[i] in the same paragraph.
func nextCite(items []item, i int) *item {
	for j := i + 1; j < len(items); j++ {
		switch {
		case items[j].kind == citeItem:
			return &items[j]
		case items[j].kind == plainItem && strings.Contains(items[j].text, "\n\n"):
			return nil
		}
	}
	return nil
}

// scan splits text into plain text, quotes and citation markers. An opening
// mark with no closing one in its paragraph is dropped.
func (c *checker) scan(text string) []item {
	var items []item
	var plain strings.Builder
	flush := func() {
		if plain.Len() > 0 {
			items = append(items, item{kind: plainItem, text: plain.String()})
			plain.Reset()
		}
	}
	for i := 0; i < len(text); {
		if text[i] == '[' {
			if m := citeMarker.FindString(text[i:]); m != "" {
				// Markers side by side, "[1][3]" or "[1] [3]", are one.
				for {
					rest := text[i+len(m):]
					gap := len(rest) - len(strings.TrimLeft(rest, " "))
					next := citeMarker.FindString(rest[gap:])
					if next == "" {
						break
					}
					m += rest[:gap] + next
				}
				flush()
				items = append(items, c.citation(m))
				i += len(m)
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		closers, isOpen := quoteClosers[r]
		if !isOpen {
			plain.WriteString(text[i : i+size])
			i += size
			continue
		}
		rest := text[i+size:]
		para := rest
		if k := strings.Index(para, "\n\n"); k >= 0 {
			para = para[:k]
		}
		k := strings.IndexAny(para, closers)
		if k < 0 {
			i += size // a stray or still open mark: drop it
			continue
		}
		_, csize := utf8.DecodeRuneInString(para[k:])
		flush()
		items = append(items, item{kind: quoteItem, text: para[:k], open: string(r), close: para[k : k+csize]})
		i += size + k + csize
	}
	flush()
	return items
}

// citation parses a marker such as "[2]", "[1][3]" or "[1, 3]".
func (c *checker) citation(marker string) item {
	it := item{kind: citeItem, text: marker}
	nums := citeNumbers(marker)
	it.changed = strings.ContainsAny(marker, ",;")
	seen := map[int]bool{}
	for _, n := range nums {
		if _, ok := c.passages[n]; !ok || seen[n] {
			it.changed = true
			continue
		}
		seen[n] = true
		it.nums = append(it.nums, n)
	}
	return it
}

var digits = regexp.MustCompile(`\d+`)

func citeNumbers(marker string) []int {
	var out []int
	for _, d := range digits.FindAllString(marker, -1) {
		n, _ := strconv.Atoi(d)
		out = append(out, n)
	}
	return out
}

func trimTrailingSpace(b *strings.Builder) {
	s := b.String()
	t := strings.TrimRight(s, " ")
	if len(t) < len(s) {
		b.Reset()
		b.WriteString(t)
	}
}

// trimPhrase folds a quoted phrase and trims space and ellipses from its ends.
func trimPhrase(body string) string {
	p := fold(body).text
	for {
		t := strings.TrimSpace(p)
		t = strings.TrimPrefix(t, "...")
		t = strings.TrimPrefix(t, "…")
		t = strings.TrimSuffix(t, "...")
		t = strings.TrimSuffix(t, "…")
		t = strings.TrimSpace(t)
		if t == p {
			return t
		}
		p = t
	}
}

// find looks for phrase (folded) in passage n and returns its bytes there.
func (c *checker) find(n int, phrase string) (start, end int, ok bool) {
	f := c.folded[n]
	for _, ph := range []string{phrase, strings.TrimRight(phrase, ".,;:!?。，")} {
		if ph == "" {
			continue
		}
		if s, e, ok := f.find(ph); ok {
			return s, e, true
		}
	}
	return 0, 0, false
}

// folded is a text with white space runs folded to one space and typographic
// quote marks to straight ones; start and end map each of its bytes back to
// the bytes of the original rune (or white space run) it came from.
type folded struct {
	text       string
	start, end []int
}

func foldRune(r rune) (rune, bool) {
	switch r {
	case '‘', '’', '‚', '‛', '′':
		return '\'', true
	case '“', '”', '„', '‟', '″', '«', '»', '「', '」', '『', '』':
		return '"', true
	}
	return r, false
}

func fold(s string) folded {
	var f folded
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			j := i + size
			for j < len(s) {
				r2, s2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += s2
			}
			b.WriteByte(' ')
			f.start, f.end = append(f.start, i), append(f.end, j)
			i = j
			continue
		}
		if q, ok := foldRune(r); ok {
			b.WriteRune(q)
			f.start, f.end = append(f.start, i), append(f.end, i+size)
			i += size
			continue
		}
		b.WriteString(s[i : i+size])
		for k := 0; k < size; k++ {
			f.start, f.end = append(f.start, i), append(f.end, i+size)
		}
		i += size
	}
	f.text = b.String()
	return f
}

// find returns the original bytes of the first occurrence of phrase that
// starts and ends at word boundaries.
func (f folded) find(phrase string) (start, end int, ok bool) {
	first, _ := utf8.DecodeRuneInString(phrase)
	last, _ := utf8.DecodeLastRuneInString(phrase)
	from := 0
	for {
		k := strings.Index(f.text[from:], phrase)
		if k < 0 {
			return 0, 0, false
		}
		at := from + k
		stop := at + len(phrase)
		before, _ := utf8.DecodeLastRuneInString(f.text[:at])
		after, _ := utf8.DecodeRuneInString(f.text[stop:])
		if !(at > 0 && joins(before, first)) && !(stop < len(f.text) && joins(last, after)) {
			return f.start[at], f.end[stop-1], true
		}
		_, size := utf8.DecodeRuneInString(f.text[at:])
		from = at + size
	}
}

// joins reports whether a and b, side by side, are inside one word.
func joins(a, b rune) bool { return wordRune(a) && wordRune(b) }

func wordRune(r rune) bool {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
		return false // CJK text has no spaces between words
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// bestSentence returns the bytes of passage n's sentence that shares the most
// content words with claim, or the whole passage when none shares one.
func (c *checker) bestSentence(n int, claim string) (start, end int) {
	p := c.passages[n]
	stop := stopTerms()
	want := map[string]bool{}
	for _, t := range terms.Of(claim) {
		if !stop[t] {
			want[t] = true
		}
	}
	best, bestScore := -1, 0
	spans := corpus.Sentences(p.Text)
	for i, sp := range spans {
		score := 0
		seen := map[string]bool{}
		for _, t := range terms.Of(p.Text[sp.Start:sp.End]) {
			if want[t] && !seen[t] {
				seen[t] = true
				score++
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		s := len(p.Text) - len(strings.TrimLeftFunc(p.Text, unicode.IsSpace))
		e := len(strings.TrimRightFunc(p.Text, unicode.IsSpace))
		if e < s {
			return 0, 0
		}
		return s, e
	}
	return spans[best].Start, spans[best].End
}
