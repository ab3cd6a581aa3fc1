package answer

import (
	"strings"
	"testing"
)

func TestCounterOffline(t *testing.T) {
	// Loading the tables needs no network: they ship in the loader module.
	for _, model := range []string{"gpt-4o-mini", "gpt-4", "llama3.1:8b"} {
		count := counterFor(model)
		n := count("The Harbor Bridge opened to traffic in 1932.")
		if n < 8 || n > 20 {
			t.Errorf("%s: %d tokens for a 9-word sentence", model, n)
		}
	}
	if a, b := counterFor("gpt-4")("hello world"), counterFor("mistral")("hello world"); b <= a {
		t.Errorf("unknown model counted %d tokens, known %d: want a margin", b, a)
	}
	if n := estimateTokens("中文文本"); n != 4 {
		t.Errorf("estimate for 4 CJK runes = %d", n)
	}
}

func TestFitPassages(t *testing.T) {
	ps := givenPassages(t)
	count := counterFor("gpt-4o")
	one := count(renderPassage(ps[0]))
	tests := []struct {
		name   string
		budget int
		want   int
	}{
		{"no limit", -1, len(ps)},
		{"room for all", 100000, len(ps)},
		{"room for two", one + count(renderPassage(ps[1])) + 1, 2},
		{"room for one", one, 1},
	}
	for _, tt := range tests {
		if got := fitPassages(ps, tt.budget, count); len(got) != tt.want {
			t.Errorf("%s: %d passages, want %d", tt.name, len(got), tt.want)
		}
	}

	// Not even the first fits: it is cut at a word, still exact bytes.
	got := fitPassages(ps, one/2+10, count)
	if len(got) != 1 {
		t.Fatalf("%d passages", len(got))
	}
	p := got[0]
	if p.Text == ps[0].Text || !strings.HasPrefix(ps[0].Text, p.Text) || p.End != p.Start+len(p.Text) {
		t.Errorf("cut passage %q [%d,%d)", p.Text, p.Start, p.End)
	}
	if n := count(renderPassage(p)); n > one/2+10 {
		t.Errorf("cut passage has %d tokens, budget %d", n, one/2+10)
	}
	if strings.HasSuffix(p.Text, " ") || !strings.HasPrefix(ps[0].Text[len(p.Text):], " ") {
		t.Errorf("cut %q is not at a word boundary", p.Text)
	}
}
