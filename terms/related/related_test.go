package related

import (
	"slices"
	"sort"
	"testing"

	"github.com/footnote-bot/footnote/terms"
)

func TestTo(t *testing.T) {
	for _, pair := range [][2]string{{"died", "killed"}, {"purchased", "bought"}, {"lend", "loan"}, {"grants", "scholarships"}} {
		a, b := terms.Of(pair[0]), terms.Of(pair[1])
		if len(a) != 1 || len(b) != 1 {
			t.Fatalf("%q, %q: terms %q, %q", pair[0], pair[1], a, b)
		}
		if !slices.Contains(To(a[0]), b[0]) {
			t.Errorf("To(%q) = %q lacks %q (%s)", a[0], To(a[0]), b[0], pair[1])
		}
	}
	if got := To("zzzzqx"); got != nil {
		t.Errorf("unknown term: %q", got)
	}
}

// The file must stay sorted for the binary search, with one line per term.
func TestSorted(t *testing.T) {
	ls := lines()
	if len(ls) < 1000 {
		t.Fatalf("only %d lines", len(ls))
	}
	if !sort.SliceIsSorted(ls, func(i, j int) bool { return firstField(ls[i]) < firstField(ls[j]) }) {
		t.Error("related.txt is not sorted by term")
	}
	for i := 1; i < len(ls); i++ {
		if firstField(ls[i]) == firstField(ls[i-1]) {
			t.Errorf("term %q has two lines", firstField(ls[i]))
		}
	}
}
