package corpus

import (
	"regexp"
	"strings"
	"unicode"
)

// maxFragment is the size, in bytes, of the longest block that counts as a
// fragment of a neighbouring reference on weak evidence.
const maxFragment = 250

// classify sets the kind of each plain text block.
func (c *chunker) classify(bs []block, marker string) {
	for i := range bs {
		s := c.text[bs[i].Start:bs[i].End]
		if isNoise(s) {
			bs[i].kind = blockNoise
			continue
		}
		bs[i].score = referenceScore(s, marker)
		if bs[i].score >= refStrong {
			bs[i].kind = blockReference
		}
	}
	// Fragments of a reference split over several blocks lean on their neighbours.
	for changed := true; changed; {
		changed = false
		for i := range bs {
			if bs[i].kind != blockBody || bs[i].score < refWeak || bs[i].End-bs[i].Start > maxFragment {
				continue
			}
			p, n := neighbour(bs, i, -1), neighbour(bs, i, 1)
			if (p >= 0 && bs[p].kind == blockReference) || (n >= 0 && bs[n].kind == blockReference) {
				bs[i].kind = blockReference
				changed = true
			}
		}
	}
	for i := range bs {
		if bs[i].kind != blockBody {
			continue
		}
		s := c.text[bs[i].Start:bs[i].End]
		if h, ok := isHeadingBlock(s); ok {
			bs[i].kind, bs[i].head = blockHeading, h
		} else if c.titleLine(bs, i) {
			bs[i].kind, bs[i].head = blockHeading, heading{level: 1}
		}
	}
}

// titleLine reports whether body block i is an unnumbered heading: it looks
// like a title, the body block after it starts a sentence, and it does not
// carry on the text before it.
func (c *chunker) titleLine(bs []block, i int) bool {
	s := c.text[bs[i].Start:bs[i].End]
	if !looksLikeTitle(s) || bs[i].score >= 1 {
		return false
	}
	n := neighbour(bs, i, 1)
	if n < 0 || bs[n].kind != blockBody {
		return false
	}
	if next := c.text[bs[n].Start:bs[n].End]; !canStart(firstRune(next)) || unicode.IsLower(firstLetter(next)) {
		return false
	}
	p := neighbour(bs, i, -1)
	if p < 0 {
		return true
	}
	prev := c.text[bs[p].Start:bs[p].End]
	if bs[p].kind == blockBody {
		return !continues(prev, s)
	}
	// After references: not if the body before them broke off mid-sentence.
	for ; p >= 0 && bs[p].kind != blockBody && bs[p].kind != blockHeading; p-- {
	}
	return p < 0 || bs[p].kind == blockHeading || endsSentence(c.text[bs[p].Start:bs[p].End])
}

// neighbour returns the index of the next block before (dir -1) or after
// (dir 1) block i that is not noise, or -1.
func neighbour(bs []block, i, dir int) int {
	for j := i + dir; j >= 0 && j < len(bs); j += dir {
		if bs[j].kind != blockNoise {
			return j
		}
	}
	return -1
}

var linkDefRe = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*\S`)

// classifyMarkdown sets the kind of each Markdown block: "#" headings, footnote
// and link definitions as references, the rest body.
func (c *chunker) classifyMarkdown(bs []block) {
	for i := range bs {
		s := c.text[bs[i].Start:bs[i].End]
		switch {
		case isNoise(s):
			bs[i].kind = blockNoise
		case atxLevel(s) > 0 && !strings.Contains(s, "\n"):
			bs[i].kind = blockHeading
			bs[i].head = heading{level: atxLevel(s), title: markdownTitle(s)}
		case setextLevel(s) > 0:
			bs[i].kind = blockHeading
			bs[i].head = heading{level: setextLevel(s), title: collapseSpace(s[:strings.IndexByte(s, '\n')])}
		case linkDefRe.MatchString(s) || strings.HasPrefix(s, "[^"):
			bs[i].kind = blockReference
		}
	}
}

// setextLevel returns 1 or 2 for a Markdown setext heading ("Title\n=====").
func setextLevel(s string) int {
	i := strings.IndexByte(s, '\n')
	if i < 0 || strings.Count(s, "\n") != 1 {
		return 0
	}
	u := strings.TrimSpace(s[i+1:])
	switch {
	case u != "" && strings.Trim(u, "=") == "":
		return 1
	case len(u) >= 2 && strings.Trim(u, "-") == "":
		return 2
	}
	return 0
}
