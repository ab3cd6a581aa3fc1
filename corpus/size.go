package corpus

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Passage sizes, in runes.
type sizing struct{ min, ideal, max int }

var (
	sizeLatin = sizing{min: 250, ideal: 550, max: 800}
	sizeCJK   = sizing{min: 80, ideal: 160, max: 250}
)

// group cuts the sentences ss into runs of consecutive sentences, as [from,to)
// index pairs, whose lengths best fit sz: by dynamic programming over the cut
// points, with a cost for each passage that grows as its length strays from
// sz.ideal and steeply below sz.min and above sz.max.
func group(text string, ss []Span, sz sizing) [][2]int {
	n := len(ss)
	// runes[i] is the rune offset of ss[i].Start from ss[0].Start; ends likewise.
	starts, ends := make([]int, n), make([]int, n)
	at, pos := 0, ss[0].Start
	for i, s := range ss {
		at += utf8.RuneCountInString(text[pos:s.Start])
		starts[i] = at
		at += utf8.RuneCountInString(text[s.Start:s.End])
		ends[i] = at
		pos = s.End
	}
	best := make([]float64, n+1)
	cut := make([]int, n+1)
	for j := 1; j <= n; j++ {
		best[j] = math.Inf(1)
		for i := j - 1; i >= 0; i-- {
			l := ends[j-1] - starts[i]
			if j-i > 1 && l > sz.max+sz.max/4 {
				break
			}
			if cost := best[i] + passageCost(l, j-i, sz); cost < best[j] {
				best[j], cut[j] = cost, i
			}
		}
	}
	var out [][2]int
	for j := n; j > 0; j = cut[j] {
		out = append(out, [2]int{cut[j], j})
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

// passageCost is the cost of a passage of l runes made of k sentences.
func passageCost(l, k int, sz sizing) float64 {
	cost := 1.0
	if l < sz.min {
		d := float64(sz.min-l) / float64(sz.min)
		cost += 8 * d * d
	}
	if l > sz.max && k > 1 {
		d := float64(l-sz.max) / float64(sz.max)
		cost += 3 + 20*d*d
	}
	d := float64(l-sz.ideal) / float64(sz.ideal)
	return cost + d*d
}

// splitLong cuts sentences longer than limit runes (a table, a list without
// punctuation) into about equal parts at clause punctuation or white space, so
// that no passage grows without bound.
func splitLong(text string, ss []Span, limit int) []Span {
	var out []Span
	for _, s := range ss {
		if s.End-s.Start <= limit { // bytes >= runes
			out = append(out, s)
			continue
		}
		left := utf8.RuneCountInString(text[s.Start:s.End])
		for left > limit {
			parts := (left + limit - 1) / limit
			size := (left + parts - 1) / parts
			end := s.Start // the byte offset of rune number size
			for n := 0; n < size; n++ {
				_, w := utf8.DecodeRuneInString(text[end:s.End])
				end += w
			}
			cut := s.Start + lastBreak(text[s.Start:end])
			if cut == s.Start {
				cut = end
			}
			if a, b := trimSpan(text, s.Start, cut); a < b {
				out = append(out, Span{a, b})
			}
			next := skipSpace(text, cut)
			left -= utf8.RuneCountInString(text[s.Start:next])
			s.Start = next
		}
		if a, b := trimSpan(text, s.Start, s.End); a < b {
			out = append(out, Span{a, b})
		}
	}
	return out
}

// lastBreak returns the offset just after the last clause mark in the second
// half of s, else after its last white space, else 0.
func lastBreak(s string) int {
	half := len(s) / 2
	if i := strings.LastIndexAny(s[half:], ",;:，；：、"); i >= 0 {
		_, w := utf8.DecodeRuneInString(s[half+i:])
		return half + i + w
	}
	if i := strings.LastIndexFunc(s, isSpace); i > 0 {
		return i
	}
	return 0
}
