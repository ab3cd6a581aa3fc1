package answer

import (
	"context"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"purhcased", "purchased", 2, 1}, // two neighbours swapped
		{"argricultural", "agricultural", 2, 1},
		{"kilometers", "kilometres", 2, 1},
		{"license", "licence", 1, 1},
		{"unkown", "unknown", 1, 1},
		{"leage", "league", 1, 1},
		{"cat", "cat", 1, 0},
		{"tides", "brest", 1, 2}, // beyond the limit: limit+1
		{"abcdefgh", "hgfedcba", 2, 3},
	} {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestAskCorrectsSpelling(t *testing.T) {
	e := tidesEngine(t)
	for _, tt := range []struct{ question, didYouMean, contains string }{
		// American spelling, corpus British; a typo; an accent.
		{"When was the harbor of Saint-Malo walled?", "When was the harbour of Saint-Malo walled?", "twelfth century"},
		{"When were the oyster farms in Cancale fonded?", "When were the oyster farms in Cancale founded?", "1850"},
		{"When were the oystre farms in Cançale founded?", "When were the oyster farms in Cançale founded?", "1850"},
	} {
		t.Run(tt.question, func(t *testing.T) {
			a, err := e.Ask(context.Background(), Request{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			if a.Abstained || !strings.Contains(a.Answer, tt.contains) {
				t.Fatalf("answer %q (abstained %v) lacks %q", a.Answer, a.Abstained, tt.contains)
			}
			if a.DidYouMean != tt.didYouMean || !strings.Contains(a.Note, "Did you mean") || a.Question != tt.question {
				t.Errorf("did you mean %q, note %q, question %q; want %q", a.DidYouMean, a.Note, a.Question, tt.didYouMean)
			}
		})
	}
	// Words the corpus knows, numbers and short words are left alone.
	a, err := e.Ask(context.Background(), Request{Question: "How high do the tides reach at Saint-Malo?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.DidYouMean != "" || a.Note != "" {
		t.Errorf("a correct question was corrected: %q %q", a.DidYouMean, a.Note)
	}
	// A name far from every corpus word stays, and the engine abstains.
	a, err = e.Ask(context.Background(), Request{Question: "When were the oyster farms in Quiberon founded?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.DidYouMean != "" || !a.Abstained {
		t.Errorf("Quiberon: did you mean %q, abstained %v: %s", a.DidYouMean, a.Abstained, a.Answer)
	}
}

// Ties go to the first word in alphabetical order, so that a question is
// corrected the same way every time.
func TestNearestIsDeterministic(t *testing.T) {
	v := &vocabulary{count: map[string]int{"normans": 3, "normant": 3, "normand": 3, "norway": 9}}
	for range 20 {
		if got := v.nearest("normanx"); got != "normand" {
			t.Fatalf("nearest(normanx) = %q, want normand", got)
		}
	}
}
