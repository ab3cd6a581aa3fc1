package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SectionSep separates the titles of nested sections in Passage.Section:
// "2. Efforts to build ... › (1) Political mutual trust has been continuously deepened."
const SectionSep = " › "

// maxTitle is the longest section title, in runes, that takes in the rest of a
// heading's first sentence; longer titles stop at the heading line.
const maxTitle = 120

// maxInlineTitle is the longest title of a heading inside a paragraph, which
// is its first sentence; longer ones are cut with "…".
const maxInlineTitle = 160

// heading describes a heading block or an inline heading.
type heading struct {
	level int    // 1 for top-level sections, deeper is larger
	num   int    // the heading's arabic number, 0 if none
	title string // the section title, white space collapsed
}

// headingNumber parses the number that starts a numbered heading and returns the
// heading level it implies and the number (0 when not arabic):
//
//	"2. ", "II. ", "Chapter 2", "一、", "第一章", "1、"   level 1
//	"(1) ", "1) ", "（一）", "2.1 ", "第一节"           level 2
//
// Section numbers nest by style, not by order of appearance, so that a document
// that lost its "1." heading still nests "(1)" under "2.".
func headingNumber(s string) (level, num int, ok bool) {
	digits := func(s string) (int, int) { // value and length of leading ASCII digits
		v, n := 0, 0
		for n < len(s) && n < 3 && s[n] >= '0' && s[n] <= '9' {
			v = v*10 + int(s[n]-'0')
			n++
		}
		return v, n
	}
	spaceOrCJK := func(s string) bool {
		r := firstRune(s)
		return r == ' ' || r == '\t' || r == '\u3000' || isCJK(r)
	}
	switch {
	case strings.HasPrefix(s, "("):
		if v, n := digits(s[1:]); n > 0 && n <= 2 && strings.HasPrefix(s[1+n:], ")") && spaceOrCJK(s[2+n:]) {
			return 2, v, true
		}
		if n := cjkNumeral(s[1:]); n > 0 && strings.HasPrefix(s[1+n:], ")") {
			return 2, 0, true
		}
	case strings.HasPrefix(s, "（"):
		rest := s[len("（"):]
		if v, n := digits(rest); n > 0 && strings.HasPrefix(rest[n:], "）") {
			return 2, v, true
		}
		if n := cjkNumeral(rest); n > 0 && strings.HasPrefix(rest[n:], "）") {
			return 2, 0, true
		}
	case strings.HasPrefix(s, "第"):
		rest := s[len("第"):]
		n := cjkNumeral(rest)
		if n == 0 {
			_, n = digits(rest)
		}
		if n == 0 {
			return 0, 0, false
		}
		after := rest[n:]
		switch r := firstRune(after); {
		case strings.ContainsRune("章部篇编編卷", r):
			return 1, 0, true
		case strings.ContainsRune("节節条條", r):
			return 2, 0, true
		case r == '、' || r == '，' || r == ',' || r == '：' || r == ' ' || r == 0:
			return 1, 0, true
		}
	}
	if v, n := digits(s); n > 0 && n <= 2 {
		rest := s[n:]
		switch {
		case strings.HasPrefix(rest, "、"):
			return 1, v, true
		case strings.HasPrefix(rest, ") ") || strings.HasPrefix(rest, "）"):
			return 2, v, true
		case len(rest) >= 2 && rest[0] == '.' && (rest[1] == ' ' || rest[1] == '\t'):
			return 1, v, true
		case len(rest) >= 2 && rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9':
			// "2.1 Scope", "2.1. Scope"
			if _, m := digits(rest[1:]); m <= 2 {
				tail := strings.TrimPrefix(rest[1+m:], ".")
				if spaceOrCJK(tail) {
					return 2, 0, true
				}
			}
		}
		return 0, 0, false
	}
	if n := cjkNumeral(s); n > 0 && strings.HasPrefix(s[n:], "、") {
		return 1, 0, true
	}
	if i := strings.IndexAny(s, ". "); i > 0 && i <= 5 && strings.HasPrefix(s[i:], ". ") &&
		strings.Trim(s[:i], "IVX") == "" {
		return 1, 0, true // "IV. Results"
	}
	for _, w := range []string{"Chapter ", "CHAPTER ", "Part ", "PART "} {
		if strings.HasPrefix(s, w) && firstRune(s[len(w):]) != 0 && !unicode.IsLower(firstRune(s[len(w):])) {
			return 1, 0, true
		}
	}
	return 0, 0, false
}

// cjkNumeral returns the byte length of the Chinese numeral (一 to 九十九) that
// starts s, or 0.
func cjkNumeral(s string) int {
	n := 0
	for i, r := range s {
		if !strings.ContainsRune("一二三四五六七八九十〇零百", r) || i >= 9 {
			break
		}
		n = i + utf8.RuneLen(r)
	}
	return n
}

// isHeadingBlock reports whether s, a whole block of plain text, is a numbered
// heading: a single short line that starts with a heading number.
func isHeadingBlock(s string) (heading, bool) {
	if strings.Contains(s, "\n") {
		return heading{}, false
	}
	level, num, ok := headingNumber(s)
	if !ok {
		return heading{}, false
	}
	limit := 200
	if isCJKText(s) {
		limit = 80
	}
	if utf8.RuneCountInString(s) > limit {
		return heading{}, false
	}
	return heading{level: level, num: num}, true
}

// looksLikeTitle reports whether s, a whole block, reads like an unnumbered
// title standing alone: one short line in title position, starting with a
// capital (or CJK), with no sentence end and no dangling "and"/"of" or comma.
// Whether the text around it agrees is for the caller to decide.
func looksLikeTitle(s string) bool {
	if len(s) > 4*maxTitle || strings.Contains(s, "\n") {
		return false
	}
	if isCJKText(s) {
		return utf8.RuneCountInString(s) <= 30 && !strings.ContainsAny(s, "。，；：！？,;")
	}
	if n := utf8.RuneCountInString(s); n > maxTitle || n < 4 {
		return false
	}
	if w := len(strings.Fields(s)); w < 2 || w > 20 {
		return false
	}
	if !unicode.IsUpper(firstRune(s)) {
		return false
	}
	last := lastRune(s)
	if endsSentence(s) || strings.ContainsRune(",;:-–—", last) || isConnective(lastWord(s)) {
		return false
	}
	return len(Sentences(s)) == 1
}

// headingTitle returns the section title of the heading block h. next is the
// text of the block after it, "" if none: a heading line that breaks off
// mid-sentence and continues in next ("(2) Economic and trade exchanges have" /
// "developed rapidly and ...") takes in the rest of its first sentence when the
// whole stays short. A heading line that ends one sentence and runs on into the
// next ("... fairness and justice. As") stops at its sentence end.
func headingTitle(h, next string) string {
	if ss := Sentences(h); len(ss) > 1 {
		return collapseSpace(h[ss[0].Start:ss[0].End])
	}
	title := collapseSpace(h)
	if next != "" && !endsSentence(h) && unicode.IsLower(firstLetter(next)) {
		ss := Sentences(next)
		if len(ss) > 0 && endsSentence(next[ss[0].Start:ss[0].End]) {
			long := title + " " + collapseSpace(next[ss[0].Start:ss[0].End])
			if utf8.RuneCountInString(long) <= maxTitle {
				return long
			}
		}
	}
	return title
}

// shortTitle cuts a title that runs past limit runes at a word boundary.
func shortTitle(s string, limit int) string {
	s = collapseSpace(s)
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut, n := 0, 0
	for i, r := range s {
		if n >= limit-1 {
			break
		}
		if r == ' ' {
			cut = i
		}
		n++
	}
	if cut == 0 {
		cut = len(s)
		for i := range s {
			if utf8.RuneCountInString(s[:i]) >= limit-1 {
				cut = i
				break
			}
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

// markdownTitle returns the text of an ATX heading line without its #s.
func markdownTitle(line string) string {
	t := strings.TrimLeft(strings.TrimSpace(line), "#")
	t = strings.TrimRight(strings.TrimSpace(t), "#")
	return collapseSpace(t)
}

// sections is the stack of open sections at some point of a document.
type sections struct {
	open []heading
	last [8]int // the last number seen at each level
}

// push opens the section h, closing any open section at its level or deeper.
func (s *sections) push(h heading) {
	for len(s.open) > 0 && s.open[len(s.open)-1].level >= h.level {
		s.open = s.open[:len(s.open)-1]
	}
	s.open = append(s.open, h)
	if h.level < len(s.last) {
		s.last[h.level] = h.num
		for l := h.level + 1; l < len(s.last); l++ {
			s.last[l] = 0
		}
	}
}

// next returns the number that a following heading at level would carry.
func (s *sections) next(level int) int {
	if level >= len(s.last) {
		return 0
	}
	return s.last[level] + 1
}

// String returns the titles of the open sections joined by SectionSep.
func (s *sections) String() string {
	titles := make([]string, len(s.open))
	for i, h := range s.open {
		titles[i] = h.title
	}
	return strings.Join(titles, SectionSep)
}

// inlineHeading reports whether sentence s opens a numbered subsection in the
// middle of a paragraph: "... fruitful results. (1) Political mutual trust has
// been continuously deepened. Heads of State ...". Only a parenthesized number
// that continues the current numbering counts, followed by a capital.
func (s *sections) inlineHeading(sentence string) (heading, bool) {
	if !strings.HasPrefix(sentence, "(") {
		return heading{}, false
	}
	level, num, ok := headingNumber(sentence)
	if !ok || num == 0 || num != s.next(level) {
		return heading{}, false
	}
	rest := strings.TrimLeft(sentence[strings.IndexByte(sentence, ')')+1:], " \t")
	r := firstRune(rest)
	if !unicode.IsUpper(r) && !isOpener(r) && !isCJK(r) {
		return heading{}, false
	}
	return heading{level: level, num: num, title: shortTitle(sentence, maxInlineTitle)}, true
}
