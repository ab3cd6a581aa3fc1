package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Small rune and word classifiers shared by the sentence splitter, the chunker,
// the heading and reference detectors.

// isSpace reports whether r is white space, counting the byte order mark as space.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' }

// trimSpan shrinks [start,end) of text so it neither starts nor ends with white space.
func trimSpan(text string, start, end int) (int, int) {
	for start < end {
		r, n := utf8.DecodeRuneInString(text[start:end])
		if !isSpace(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(text[start:end])
		if !isSpace(r) {
			break
		}
		end -= n
	}
	return start, end
}

// skipSpace returns the offset of the first non-space rune of text at or after i.
func skipSpace(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isSpace(r) {
			break
		}
		i += n
	}
	return i
}

// isCJK reports whether r is a Chinese, Japanese or Korean character (not punctuation).
func isCJK(r rune) bool {
	if r < 0x1100 { // below Hangul Jamo: Latin, Greek, Cyrillic ...
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isCJKPunct reports whether r is full-width CJK punctuation such as 。，「」.
func isCJKPunct(r rune) bool {
	return (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xff65)
}

// isTerminal reports whether r ends a sentence in English or CJK text.
func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？', '．':
		return true
	}
	return false
}

// isCloser reports whether r may follow a sentence end and still belong to the
// sentence: closing quotes and brackets.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']', '}', '」', '』', '》', '）', '】', '〉', '›':
		return true
	}
	return false
}

// isOpener reports whether r may open a sentence: an opening quote or bracket.
func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '(', '[', '{', '「', '『', '《', '（', '【', '〈', '‹', '¿', '¡':
		return true
	}
	return false
}

// endsSentence reports whether s (already trimmed) ends with terminal
// punctuation, possibly followed by closing quotes or brackets.
func endsSentence(s string) bool {
	for len(s) > 0 {
		r, n := utf8.DecodeLastRuneInString(s)
		switch {
		case isTerminal(r):
			return true
		case isCloser(r):
			s = s[:len(s)-n]
		default:
			return false
		}
	}
	return false
}

// firstRune and lastRune return the first and last rune of s, or 0 when s is empty.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && len(s) == 0 {
		return 0
	}
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	if r == utf8.RuneError && len(s) == 0 {
		return 0
	}
	return r
}

// firstLetter returns the first letter or digit of s, skipping opening quotes,
// brackets and other punctuation; 0 if there is none in the first few runes.
func firstLetter(s string) rune {
	for i, r := range s {
		if i > 16 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
	}
	return 0
}

// lastWord returns the last run of letters of s (which must be trimmed), or ""
// when s does not end in a letter.
func lastWord(s string) string {
	end := len(s)
	i := end
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(r) {
			break
		}
		i -= n
	}
	return s[i:end]
}

// connectives are English words that cannot end a sentence: a line ending in one
// of them continues on the next line. Lower case.
var connectives = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "on": true,
	"at": true, "by": true, "for": true, "from": true, "with": true, "into": true,
	"onto": true, "upon": true, "and": true, "or": true, "but": true, "nor": true,
	"that": true, "which": true, "whose": true, "than": true, "its": true, "their": true,
	"our": true, "your": true, "my": true, "between": true, "among": true, "under": true,
	"through": true, "toward": true, "towards": true, "within": true, "without": true,
	"via": true, "per": true, "such": true, "both": true, "either": true, "neither": true,
	"each": true, "every": true, "whether": true, "because": true, "although": true,
	"though": true, "if": true, "whereas": true, "as": true,
}

// isConnective reports whether w (any case) is a word that cannot end a sentence.
func isConnective(w string) bool {
	if len(w) > 9 {
		return false
	}
	return connectives[strings.ToLower(w)]
}

// unclosed reports whether the tail of s (its last unfinished sentence) opens a
// quote or bracket that it does not close.
func unclosed(s string) bool {
	// Look back to the last sentence end, at most 1000 bytes.
	lo := max(0, len(s)-1000)
	depth := 0
	for i := len(s); i > lo; {
		r, n := utf8.DecodeLastRuneInString(s[lo:i])
		i -= n
		switch r {
		case '»', '”', ')', '）', '」', '』', '》':
			depth--
		case '«', '“', '(', '（', '「', '『', '《':
			depth++
			if depth > 0 {
				return true
			}
		case '.', '!', '?', '。', '！', '？':
			// A sentence end outside any bracket bounds the unfinished tail.
			if depth == 0 && i+n < len(s) && isSpace(firstRune(s[i+n:])) {
				return false
			}
		}
	}
	return false
}

// continues reports whether next carries on the sentence that prev leaves
// unfinished, across a blank line: prev has no terminal punctuation and next
// starts in lower case, or prev ends in a comma, dash or a word like "and" or
// "the", or leaves a quote or bracket open, or both sides are CJK.
func continues(prev, next string) bool {
	prev = strings.TrimRightFunc(prev, isSpace)
	next = strings.TrimLeftFunc(next, isSpace)
	if prev == "" || next == "" || endsSentence(prev) {
		return false
	}
	n := firstRune(next)
	if unicode.IsLower(n) {
		return true
	}
	switch p := lastRune(prev); {
	case p == ',' || p == '-' || p == '–' || p == '—' || p == '、' || p == '，' || p == '：' || p == '；':
		return true
	case isCJK(p) && (isCJK(n) || isCJKPunct(n)):
		return true
	}
	if isConnective(lastWord(prev)) {
		return true
	}
	return unclosed(prev)
}

// letterCount counts the letters and digits of s.
func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// isCJKText reports whether most letters of s are CJK characters.
func isCJKText(s string) bool {
	cjk, other := 0, 0
	for _, r := range s {
		switch {
		case isCJK(r):
			cjk++
		case unicode.IsLetter(r):
			other++
		}
	}
	// A Chinese character carries about as much as a short English word.
	return cjk > 0 && cjk*4 >= other
}

// collapseSpace replaces each run of white space in s by one space and trims it.
func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}
