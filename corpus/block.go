package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A block is a run of text between blank lines, trimmed of white space: the unit
// that the chunker classifies as front matter, heading, reference, noise or body.
type block struct {
	Span
	kind  blockKind
	score float64 // reference score, see referenceScore
	head  heading // for kind == blockHeading
}

type blockKind uint8

const (
	blockBody blockKind = iota
	blockHeading
	blockReference
	blockNoise // a stray glyph standing alone: not text, not indexed
)

// splitBlocks cuts text[from:] into blocks at blank lines. In Markdown, ATX
// heading lines ("## Title") are blocks of their own and fenced code is never
// cut. In plain text, a numbered heading line glued to its paragraph by a single
// line break becomes a block of its own.
func splitBlocks(text string, from int, markdown bool) []block {
	var out []block
	add := func(s, e int) {
		if s, e = trimSpan(text, s, e); s < e {
			out = append(out, block{Span: Span{s, e}})
		}
	}
	start := from // start of the current block
	lines := 0    // lines in the current block before this one
	fence := ""   // the open code fence, in Markdown
	for ls := from; ls < len(text); lines++ {
		le := strings.IndexByte(text[ls:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += ls
		}
		line := text[ls:le]
		next := min(le+1, len(text))
		switch {
		case markdown && fence != "":
			if strings.HasPrefix(strings.TrimSpace(line), fence) {
				fence = ""
			}
		case markdown && isFence(line) != "":
			fence = isFence(line)
			if ls > start {
				add(start, ls)
			}
			start, lines = ls, 0
		case strings.TrimFunc(line, isSpace) == "":
			add(start, ls)
			start, lines = next, -1
		case markdown && atxLevel(line) > 0:
			add(start, ls)
			add(ls, le)
			start, lines = next, -1
		case !markdown && lines == 1 && gluedHeading(text[start:ls], line):
			// start..ls is a single heading line followed by its paragraph.
			add(start, ls)
			start, lines = ls, 0
		}
		ls = next
	}
	add(start, len(text))
	return out
}

// gluedHeading reports whether first, the first line of a block, is a numbered
// heading that the next line (which starts the paragraph) follows without a
// blank line: "2. Method\nWe measured ...".
func gluedHeading(first, next string) bool {
	first = strings.TrimFunc(first, isSpace)
	if strings.Contains(first, "\n") {
		return false
	}
	if _, _, ok := headingNumber(first); !ok {
		return false
	}
	return utf8.RuneCountInString(first) <= 120 && !endsSentence(first) &&
		!unicode.IsLower(firstLetter(next))
}

// isFence returns the code fence that line opens ("```" or "~~~"), or "".
func isFence(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return ""
	}
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, f) {
			return f
		}
	}
	return ""
}

// atxLevel returns the level of a Markdown ATX heading line ("### x" is 3), or 0.
func atxLevel(line string) int {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return 0
	}
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return 0
	}
	if strings.TrimFunc(t[n:], func(r rune) bool { return isSpace(r) || r == '#' }) == "" {
		return 0 // an empty heading
	}
	return n
}

// isNoise reports whether s, a whole block, is a stray glyph or symbol rather
// than text: no letters or digits, or at most two runes ("ÿ", "□", "̄").
func isNoise(s string) bool {
	return letterCount(s) == 0 || utf8.RuneCountInString(s) <= 2
}
