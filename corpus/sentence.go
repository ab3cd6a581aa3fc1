package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences returns the byte spans of the sentences of text, in order, each
// trimmed of white space. The spans cover every non-space byte of text.
//
// A sentence ends at . ! ? or … (with any closing quotes or brackets after it)
// when white space and then something that can start a sentence follow: an upper
// case letter, a digit, an opening quote or bracket, a CJK character. A period
// does not end a sentence after an abbreviation ("Mr.", "e.g.", "U.S.", "pp. 146",
// "No. 5"), an initial ("J. Smith"), or a list number at the start of a line
// ("2. Efforts"); decimals ("451.591") have no space after the period. In CJK
// text 。！？ end a sentence, and so do ! ? ; right after a CJK character.
//
// A blank line ends a sentence too, unless the text before it is unfinished and
// the text after it carries on: no terminal punctuation before, and a lower case
// letter after, or a dangling "and", "the", comma or open quote before. So a
// sentence broken across paragraphs by a bad conversion stays whole. A single
// line break ends a sentence only before a list bullet or after a heading line
// ("## Title", "2. Method").
func Sentences(text string) []Span {
	var out []Span
	cut := func(s, e int) {
		s, e = trimSpan(text, s, e)
		if s >= e {
			return
		}
		// A piece with no letters or digits (a stray glyph, a lone ".") joins the
		// sentence before it.
		if len(out) > 0 && letterCount(text[s:e]) == 0 {
			out[len(out)-1].End = e
			return
		}
		out = append(out, Span{s, e})
	}

	start := skipSpace(text, 0)
	i := start
	var prev rune // the rune before i
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			k := skipSpace(text, i)
			if k >= len(text) {
				i = k
				continue
			}
			if strings.Count(text[i:k], "\n") >= 2 {
				if !continues(text[start:i], text[k:]) {
					cut(start, i)
					start = k
				}
			} else if line := text[strings.LastIndexByte(text[:i], '\n')+1 : i]; bulletAt(text[k:]) ||
				atxLevel(line) > 0 || gluedHeading(line, text[k:]) {
				cut(start, i) // before a list item, after a heading line
				start = k
			}
			prev, i = '\n', k
			continue

		case r == '。' || r == '！' || r == '？' ||
			((r == '!' || r == '?' || r == ';' || r == '；') && isCJK(prev)):
			end := absorbClosers(text, i+n)
			if k := skipSpace(text, end); k < len(text) {
				cut(start, end)
				start = k
				prev, i = ' ', k
				continue
			}
			prev, i = r, end
			continue

		case r == '.' || r == '!' || r == '?' || r == '…':
			end := absorbClosers(text, i+n)
			k := skipSpace(text, end)
			if k >= len(text) {
				prev, i = r, end
				continue
			}
			next := firstRune(text[k:])
			if (k == end && !isCJK(next)) || !canStart(next) ||
				(r == '.' && abbreviation(text, i, next)) {
				prev, i = r, end
				continue
			}
			cut(start, end)
			start = k
			prev, i = ' ', k
			continue
		}
		prev = r
		i += n
	}
	cut(start, len(text))
	return out
}

// absorbClosers extends a sentence end at i over further terminal punctuation
// and closing quotes and brackets ("?!", ".»", "。」").
func absorbClosers(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isTerminal(r) && !isCloser(r) {
			break
		}
		i += n
	}
	return i
}

// canStart reports whether a sentence may begin with r: anything but a lower
// case letter or punctuation that continues a sentence.
func canStart(r rune) bool {
	if unicode.IsLower(r) {
		return false
	}
	return !strings.ContainsRune(",;:.!?)]}»”’、，。；：…-–—", r)
}

// bulletAt reports whether s starts with a list bullet: "- ", "* ", "• ", "1. ",
// "1) ", "(1) ".
func bulletAt(s string) bool {
	if len(s) >= 2 && s[1] == ' ' && strings.IndexByte("-*+", s[0]) >= 0 {
		return true
	}
	if strings.HasPrefix(s, "• ") || strings.HasPrefix(s, "· ") {
		return true
	}
	if strings.HasPrefix(s, "(") {
		s = s[1:]
	}
	d := 0
	for d < len(s) && d < 3 && s[d] >= '0' && s[d] <= '9' {
		d++
	}
	return d > 0 && d+1 < len(s) && (s[d] == '.' || s[d] == ')') && s[d+1] == ' '
}

// abbreviations never end a sentence with their period.
var abbreviations = map[string]bool{
	"Mr": true, "Mrs": true, "Ms": true, "Dr": true, "Prof": true, "Sr": true, "Jr": true,
	"St": true, "Mt": true, "Ft": true, "vs": true, "cf": true, "al": true, "approx": true,
	"ca": true, "Gen": true, "Gov": true, "Sen": true, "Rep": true, "Rev": true,
	"Hon": true, "Capt": true, "Col": true, "Lt": true, "Sgt": true, "Adm": true,
	"Messrs": true, "Mme": true, "Mlle": true, "Dept": true, "Univ": true, "Assoc": true,
	"Bros": true, "Ave": true, "Blvd": true, "viz": true, "resp": true, "esp": true,
	"incl": true, "ibid": true, "Ibid": true, "Pres": true, "Amb": true, "Fr": true,
}

// numberAbbreviations do not end a sentence when a number follows: "No. 5", "pp. 146".
var numberAbbreviations = map[string]bool{
	"No": true, "no": true, "Nos": true, "Vol": true, "vol": true, "Vols": true, "p": true,
	"pp": true, "P": true, "Pp": true, "Fig": true, "fig": true, "Figs": true, "Eq": true,
	"eq": true, "Art": true, "art": true, "Sec": true, "sec": true, "Ch": true, "ch": true,
	"Chap": true, "Para": true, "para": true, "Nr": true, "Jan": true, "Feb": true,
	"Mar": true, "Apr": true, "Jun": true, "Jul": true, "Aug": true, "Sep": true,
	"Sept": true, "Oct": true, "Nov": true, "Dec": true, "ed": true, "Ed": true,
	"Tab": true, "tab": true, "Pt": true, "pt": true, "Bk": true, "Ex": true, "Op": true,
}

// abbreviation reports whether the period at text[i] belongs to an abbreviation,
// an initial or a list number rather than ending a sentence; next is the rune
// after the following white space.
func abbreviation(text string, i int, next rune) bool {
	// The word before the period, with inner periods ("U.S", "e.g").
	j := i
	for j > 0 {
		if i-j > 32 {
			return false // too long for an abbreviation
		}
		r, n := utf8.DecodeLastRuneInString(text[:j])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' {
			break
		}
		j -= n
	}
	w := text[j:i]
	if w == "" {
		return false
	}
	if isNumber(w) {
		// A list number at the start of a line: "2. Efforts", "1.2. Scope".
		before := strings.TrimRight(text[:j], " \t(")
		return len(w) <= 6 && (before == "" || strings.HasSuffix(before, "\n"))
	}
	if strings.Contains(w, ".") {
		// An initialism such as "U.S", "e.g", "i.e", "a.m": short letter groups.
		for _, part := range strings.Split(w, ".") {
			if utf8.RuneCountInString(part) > 2 || isNumber(part) {
				return false
			}
		}
		return true
	}
	if r := firstRune(w); utf8.RuneCountInString(w) == 1 && unicode.IsUpper(r) {
		return true // an initial: "J. Smith"
	}
	if abbreviations[w] {
		return true
	}
	return numberAbbreviations[w] && unicode.IsDigit(next)
}

// isNumber reports whether s is digits, possibly with inner periods ("1.2").
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s[0] != '.'
}
