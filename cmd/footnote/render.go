package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
)

// renderAnswer is the human output of `footnote ask`: the answer, then each
// cited passage as "[n] Title, section, ¶ paragraph" with its quotes.
func renderAnswer(a *answer.Answer) string {
	var b strings.Builder
	b.WriteString(a.Answer)
	b.WriteString("\n")
	if a.Note != "" {
		fmt.Fprintf(&b, "(%s)\n", a.Note)
	}
	if a.Abstained {
		if len(a.Passages) > 0 {
			b.WriteString("\nClosest passages:\n")
			for _, p := range a.Passages {
				fmt.Fprintf(&b, "[%d] %s\n    %s\n", p.N, answer.Locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph), clip(fold(p.Text), 240))
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
		fmt.Fprintf(&b, "[%d] %s\n", n, answer.Locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph))
		for _, q := range quotes[n] {
			fmt.Fprintf(&b, "    \u201c%s\u201d\n", fold(q))
		}
	}
	return b.String()
}

// renderSearch is the human output of `footnote search`.
func renderSearch(query string, ps []answer.Passage) string {
	var b strings.Builder
	if len(ps) == 0 {
		fmt.Fprintf(&b, "No passage matches %q.\n", query)
		return b.String()
	}
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%d] %s (score %.3f)\n    %s\n", p.N, answer.Locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph), p.Score, fold(p.Text))
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
