package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DeriveTitle returns the title of a document from its plain text, or "" when
// the text does not start with one. It reads the short lines at the top (the
// front matter): the title is the line that carries a footnote marker ("...
// Latin America*"), else the line right before a byline ("By ...", "Updated:
// ... | By: ...", a line of names), else the last line before an "Abstract:",
// else the first line. The footnote marker is dropped and white space collapsed.
func DeriveTitle(text string) string {
	return frontMatter(text, splitBlocks(text, 0, false)).title
}

// front is the front matter of a plain text document: its first n blocks
// (column header, title, byline, dateline), which are metadata, not body.
type front struct {
	n      int
	title  string
	marker string // the footnote marker after the title ("*"), "" if none
}

// frontMatter finds the front matter among the first blocks of text.
func frontMatter(text string, blocks []block) front {
	var cands []string
	for _, b := range blocks {
		s := text[b.Start:b.End]
		if len(cands) == 6 || !isFrontLine(s) {
			break
		}
		cands = append(cands, s)
	}
	if len(cands) == 0 {
		return front{}
	}
	for i, c := range cands {
		if i+1 < len(blocks) && continues(c, text[blocks[i+1].Start:blocks[i+1].End]) {
			cands = cands[:i] // a paragraph broken by blank lines starts here
			break
		}
	}
	if len(cands) == 0 {
		return front{}
	}
	if len(cands) == len(blocks) {
		// Nothing but short lines: a list or a poem, not a header and a body.
		t, _ := cutMarker(cands[0])
		return front{title: t}
	}
	marked := -1
	for i, c := range cands {
		if _, m := cutMarker(c); m != "" {
			marked = i
			break
		}
	}
	by := -1
	for i := 1; i < len(cands); i++ {
		if isByline(cands[i]) {
			by = i
			break
		}
	}
	var f front
	title := 0
	switch {
	case by > 0:
		f.n = by + 1
		for f.n < len(cands) && isByline(cands[f.n]) {
			f.n++
		}
		title = by - 1
		if marked >= 0 && marked < by {
			title = marked
		}
	case isLabelled(text[blocks[len(cands)].Start:blocks[len(cands)].End]):
		f.n = len(cands)
		title = len(cands) - 1
		if marked >= 0 {
			title = marked
		}
	case marked >= 0:
		f.n, title = marked+1, marked
	default:
		f.n = 1
	}
	f.title, f.marker = cutMarker(cands[title])
	return f
}

// isFrontLine reports whether block s could belong to the front matter: one
// short line that is not a sentence, a label ("Abstract: ...") or a numbered
// heading.
func isFrontLine(s string) bool {
	if strings.Contains(s, "\n") || isLabelled(s) || letterCount(s) < 2 {
		return false
	}
	limit := 150
	if isCJKText(s) {
		limit = 60
	}
	if utf8.RuneCountInString(s) > limit {
		return false
	}
	if _, _, ok := headingNumber(s); ok {
		return false
	}
	if isByline(s) {
		return true
	}
	if unicode.IsLower(firstLetter(s)) {
		return false
	}
	t, _ := cutMarker(s)
	return !strings.ContainsRune(".,;:。．，；：、", lastRune(t)) && len(Sentences(t)) == 1
}

var (
	labelRe  = regexp.MustCompile(`^(?i)(abstract|summary|keywords|key words|introduction|摘要|内容提要|內容提要|关键词|關鍵詞)\s*[:：]`)
	bylineRe = regexp.MustCompile(`^(?i)(by\b|by:|written by|author|authors|updated|published|posted|source\s*[:：]|作者|来源|來源|发布|發布|编辑|編輯)`)
	dateRe   = regexp.MustCompile(`(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(st|nd|rd|th)?,? \d{4}\b|\b\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{4}\b|\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\d{4}年\d{1,2}月\d{1,2}日`)
)

// isLabelled reports whether s starts with a label such as "Abstract:" that
// opens the body of a paper.
func isLabelled(s string) bool { return labelRe.MatchString(s) }

// isByline reports whether s is a byline or dateline: "By Jane Doe",
// "Updated:2020-01-19 | By:China.org.cn", "January 19, 2020", or a short line of
// capitalized names ("Gong Yunhe Qin").
func isByline(s string) bool {
	if bylineRe.MatchString(s) || strings.Contains(s, " | ") {
		return true
	}
	if m := dateRe.FindStringIndex(s); m != nil && utf8.RuneCountInString(s) < (m[1]-m[0])+12 {
		return true
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '、' || r == ';' })
	if len(words) < 2 || len(words) > 6 || utf8.RuneCountInString(s) > 60 {
		return false
	}
	for _, w := range words {
		if w == "and" || w == "&" {
			continue
		}
		if !unicode.IsUpper(firstRune(w)) || utf8.RuneCountInString(w) > 15 || isConnective(w) {
			return false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '.' && r != '-' && r != '\'' {
				return false
			}
		}
	}
	return true
}

// cutMarker splits a trailing footnote marker ("*", "†", "¹", "[1]") off a
// title line and collapses its white space.
func cutMarker(s string) (title, marker string) {
	s = collapseSpace(s)
	t := strings.TrimRightFunc(s, func(r rune) bool {
		return strings.ContainsRune("*†‡※⁎¹²³⁰⁴⁵⁶⁷⁸⁹", r)
	})
	if t != s && t != "" {
		return strings.TrimSpace(t), s[len(t):]
	}
	if i := strings.LastIndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") && isNumber(s[i+1:len(s)-1]) {
		return strings.TrimSpace(s[:i]), s[i:]
	}
	return s, ""
}
