package answer

import (
	"regexp"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/openaitest"
)

var halfCitation = regexp.MustCompile(`\[[\d,\s]*$|\[[\d,\s]*[^\d,\s\]]`)

// TestStreamViewHoldsBack feeds answers one piece at a time, in pieces of
// every size, and checks what would be shown after each.
func TestStreamViewHoldsBack(t *testing.T) {
	ps := givenPassages(t)
	answers := []string{
		`The bridge "opened to traffic in 1932" [1] and carries trains [2][3]. Tolls [12] remain [3].`,
		`It "opened to traffic in 1931" [1]; the lighthouse "was built in 1858" [4, 5].`,
		"<think>The user wants dates.</think>The lighthouse dates from 1858 [4].",
	}
	for _, a := range answers {
		for n := 1; n <= 4; n++ {
			var shown []string
			v := newStreamView(ps, func(s string) { shown = append(shown, s) })
			for _, piece := range openaitest.Split(a, n) {
				v.add(piece)
			}
			for _, s := range shown {
				if halfCitation.MatchString(s) {
					t.Errorf("pieces of %d: shown %q with a half-written citation", n, s)
				}
				if strings.Contains(s, "[12]") || strings.Contains(s, "think") {
					t.Errorf("pieces of %d: shown %q", n, s)
				}
				if strings.Contains(s, `"opened to traffic in 1931"`) {
					t.Errorf("pieces of %d: shown an unverified quote as a quote: %q", n, s)
				}
				if strings.Count(s, `"`)%2 != 0 {
					t.Errorf("pieces of %d: shown an unpaired quotation mark: %q", n, s)
				}
			}
			if len(shown) == 0 {
				t.Fatalf("pieces of %d: nothing shown", n)
			}
			stripped, _ := stripThinking(a)
			final := newChecker(ps).check(stripped, true).text
			if last := shown[len(shown)-1]; last != final {
				t.Errorf("pieces of %d: last shown\n %q\nfinal\n %q", n, last, final)
			}
		}
	}
}

func TestStreamViewHidesDecline(t *testing.T) {
	v := newStreamView(givenPassages(t), func(s string) { t.Errorf("shown %q", s) })
	for _, piece := range openaitest.Split(" "+declineMarker+"\n", 2) {
		v.add(piece)
	}
}

func TestStripThinking(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		done     bool
	}{
		{"<th", "", false},
		{"<think>hmm", "", false},
		{"<think>hmm</think>\nAnswer [1].", "Answer [1].", true},
		{"Answer <think> [1].", "Answer <think> [1].", true},
		{"", "", true},
	} {
		got, done := stripThinking(tt.in)
		if got != tt.want || done != tt.done {
			t.Errorf("stripThinking(%q) = %q, %v; want %q, %v", tt.in, got, done, tt.want, tt.done)
		}
	}
}
