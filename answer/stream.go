package answer

import (
	"regexp"
	"strings"
)

// Streaming: while the model writes, people see the answer grow. What they see
// is the raw text checked as far as it goes (see checker.check with final
// false), minus what cannot be judged yet:
//
//   - a half-written citation at the end ("[", "[1", "[1, ") is held back
//     until its "]" arrives, so "[1" never shows as "[1" then "[12]";
//   - a quote whose citation has not arrived is shown without its marks, and
//     an opening mark without its closing one is not shown at all;
//   - a citation of a passage not given is never shown;
//   - the decline marker, and anything that may become it, is not shown;
//   - a leading <think>…</think> block (reasoning models behind Ollama or
//     vLLM) is not shown.
//
// The text shown can shrink or change as it grows (a quote gains its marks
// once verified); each call of Request.Stream carries the whole text.

// partialCite matches a citation still being written at the end of the text.
var partialCite = regexp.MustCompile(`\[[\d\s,;]*$`)

// streamView turns a model's growing raw text into what Request.Stream shows.
type streamView struct {
	check *checker
	send  func(string)
	raw   strings.Builder
	shown string
}

func newStreamView(passages []Passage, send func(string)) *streamView {
	return &streamView{check: newChecker(passages), send: send}
}

// add takes the next piece of the model's text, and shows the visible text
// when it has changed.
func (v *streamView) add(delta string) {
	v.raw.WriteString(delta)
	if vis := v.visible(v.raw.String()); vis != v.shown {
		v.shown = vis
		v.send(vis)
	}
}

// visible is the part of raw text, still being written, that can be shown.
func (v *streamView) visible(raw string) string {
	text, done := stripThinking(raw)
	if !done {
		return ""
	}
	if t := strings.TrimSpace(text); strings.HasPrefix(declineMarker, t) {
		return "" // nothing yet, or the start of the decline marker
	}
	if i := strings.Index(text, declineMarker); i >= 0 {
		text = text[:i]
	}
	if loc := partialCite.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	return v.check.check(text, false).text
}

// stripThinking removes a leading <think>…</think> block. done is false while
// the block is still open (or "<think>" may still be arriving).
func stripThinking(text string) (rest string, done bool) {
	t := strings.TrimLeft(text, " \t\r\n")
	if t != "" && len(t) < len("<think>") && strings.HasPrefix("<think>", t) {
		return "", false
	}
	if !strings.HasPrefix(t, "<think>") {
		return text, true
	}
	end := strings.Index(t, "</think>")
	if end < 0 {
		return "", false
	}
	return strings.TrimLeft(t[end+len("</think>"):], " \t\r\n"), true
}

// declined reports whether the model said the passages do not answer.
func declined(text string) bool { return strings.Contains(text, declineMarker) }
