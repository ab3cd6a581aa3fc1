package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
)

// renderAnswer is the human output of `footnote ask`: the answer, then each
// cited passage as "[n] locator" (answer.Locate), the URL its document
// declares (once per document), and its quotes.
func renderAnswer(a *answer.Answer) string {
	var b strings.Builder
	b.WriteString(a.Answer)
	b.WriteString("\n")
	if a.Note != "" {
		fmt.Fprintf(&b, "(%s)\n", a.Note)
	}
	urls := urlOnce()
	if a.Abstained {
		if len(a.Passages) > 0 {
			b.WriteString("\nClosest passages:\n")
			for _, p := range a.Passages {
				fmt.Fprintf(&b, "[%d] %s\n%s    %s\n", p.N, answer.Locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph),
					urls(p.Doc, p.URL), clip(fold(p.Text), 240))
			}
		}
		return b.String()
	}
	quotes := map[int][]string{}
	var order []int
	for _, c := range a.Citations {
		if _, ok := quotes[c.N]; !ok {
			order = append(order, c.N)
		}
		quotes[c.N] = append(quotes[c.N], c.Quote)
	}
	if len(order) > 0 {
		b.WriteString("\n")
	}
	for _, n := range order {
		p := a.Passages[n-1]
		fmt.Fprintf(&b, "[%d] %s\n%s", n, answer.Locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph), urls(p.Doc, p.URL))
		for _, q := range quotes[n] {
			fmt.Fprintf(&b, "    \u201c%s\u201d\n", fold(q))
		}
	}
	return b.String()
}

// urlOnce returns a function giving the line that shows a document's URL,
// the first time the document is named only.
func urlOnce() func(doc, url string) string {
	shown := map[string]bool{}
	return func(doc, url string) string {
		if url == "" || shown[doc] {
			return ""
		}
		shown[doc] = true
		return "    " + url + "\n"
	}
}

// renderSearch is the human output of `footnote search`: the passages, and a
// word first when none matches the query well.
func renderSearch(query string, m answer.Matches) string {
	var b strings.Builder
	if len(m.Passages) == 0 {
		fmt.Fprintf(&b, "No passage matches %q.\n", query)
		return b.String()
	}
	if m.Weak {
		b.WriteString("Nothing matches this well")
		if len(m.Missing) > 0 {
			quoted := make([]string, len(m.Missing))
			for i, w := range m.Missing {
				quoted[i] = "\u201c" + w + "\u201d"
			}
			b.WriteString(": no passage mentions " + strings.Join(quoted, ", "))
		}
		b.WriteString(". The closest passages:\n\n")
	}
	urls := urlOnce()
	for i, p := range m.Passages {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%d] %s (score %.3f)\n%s    %s\n", p.N, answer.Locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph),
			p.Score, urls(p.Doc, p.URL), fold(p.Text))
	}
	return b.String()
}

func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s to at most n characters, at a word boundary, with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "\u2026"
}

// terminalText makes s safe to print on a terminal: control characters
// other than newline and tab (ESC starting a sequence that could clear the
// screen or write the clipboard, a carriage return overwriting a line) are
// shown as visible symbols (␛, ␍, ...), C1 controls as \u escapes, and bytes
// that are not UTF-8 as U+FFFD. JSON output is never passed through it: it
// keeps the exact text.
func terminalText(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteRune(0x2400 + r) // ␀ … ␟
		case r == 0x7f:
			b.WriteRune(0x2421) // ␡
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
