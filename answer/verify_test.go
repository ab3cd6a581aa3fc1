package answer

import (
	"strings"
	"testing"
)

// givenPassages numbers the test corpus's passages from 1: 1-3 the bridge,
// 4-5 the lighthouse, 6 the notice.
func givenPassages(tb testing.TB) []Passage {
	c := testCorpus(tb)
	out := make([]Passage, len(c.Passages))
	for i, p := range c.Passages {
		out[i] = (&Engine{}).passageOf(i+1, p, 1)
	}
	return out
}

func TestCheck(t *testing.T) {
	ps := givenPassages(t)
	tests := []struct {
		name   string
		answer string
		want   string // text after checking
		quotes []string
		ns     []int // passage of each citation, in order
	}{
		{
			name:   "verified quote",
			answer: `The bridge "opened to traffic in 1932" [1].`,
			want:   `The bridge "opened to traffic in 1932" [1].`,
			quotes: []string{"opened to traffic in 1932"},
			ns:     []int{1},
		},
		{
			name:   "typographic marks and folded white space",
			answer: "It was automated when the “last keeper left in 1989, when the light was automated” [5].",
			want:   "It was automated when the “last keeper left in 1989, when the light was automated” [5].",
			quotes: []string{"last keeper left in 1989,   when the light was\nautomated"},
			ns:     []int{5},
		},
		{
			name:   "fabricated quote",
			answer: `The bridge "opened to traffic in 1931" [1].`,
			want:   `The bridge opened to traffic in 1931 (not verified) [1].`,
			quotes: []string{"The Harbor Bridge opened to traffic in 1932 after eight years of construction."},
			ns:     []int{1},
		},
		{
			name:   "quote checked against the passage it cites",
			answer: `The lighthouse was "built in 1858" [1].`,
			want:   `The lighthouse was built in 1858 (not verified) [1].`,
			ns:     []int{1},
		},
		{
			name:   "citation of a passage not given",
			answer: `Tolls are still charged [3]. It is made of cheese [9].`,
			want:   `Tolls are still charged [3]. It is made of cheese.`,
			quotes: []string{"Tolls were introduced in 1932 to pay for the construction, and they are still charged today."},
			ns:     []int{3},
		},
		{
			name:   "list of citations, one invalid",
			answer: `It carries trains [2, 0, 2, 7].`,
			want:   `It carries trains [2].`,
			ns:     []int{2},
		},
		{
			name:   "no citation at all",
			answer: `The bridge "opened to traffic in 1932".`,
			want:   `The bridge opened to traffic in 1932 (not verified).`,
		},
		{
			name:   "quote found in the second of two cited passages",
			answer: `Both date from "built in 1858" [1][4].`,
			want:   `Both date from "built in 1858" [1][4].`,
			quotes: []string{ps[0].Text, "built in 1858"},
			ns:     []int{1, 4},
		},
		{
			name:   "not a word boundary",
			answer: `It is "raffic in 1932" [1].`,
			want:   `It is raffic in 1932 (not verified) [1].`,
			ns:     []int{1},
		},
		{
			name:   "trailing comma inside the marks",
			answer: `It was "built in 1858 from local sandstone," as the record says [4].`,
			want:   `It was "built in 1858 from local sandstone," as the record says [4].`,
			quotes: []string{"built in 1858 from local sandstone"},
			ns:     []int{4},
		},
		{
			name:   "stray opening mark",
			answer: "It opened in 1932 “ [1].",
			want:   "It opened in 1932 [1].",
			ns:     []int{1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChecker(ps).check(tt.answer, true)
			if c.text != tt.want {
				t.Errorf("text\n got %q\nwant %q", c.text, tt.want)
			}
			var ns []int
			for _, cit := range c.citations {
				ns = append(ns, cit.N)
				p := ps[cit.N-1]
				if p.Text[cit.Start-p.Start:cit.End-p.Start] != cit.Quote {
					t.Errorf("citation [%d] %q is not its passage's bytes [%d,%d)", cit.N, cit.Quote, cit.Start, cit.End)
				}
			}
			if !equalInts(ns, tt.ns) {
				t.Errorf("citations of passages %v, want %v", ns, tt.ns)
			}
			for i, q := range tt.quotes {
				if i >= len(c.citations) || c.citations[i].Quote != q {
					t.Errorf("citation %d quote, want %q; citations %+v", i, q, c.citations)
				}
			}
		})
	}
}

func TestCheckCJK(t *testing.T) {
	text := "中拉論壇第二屆部長級會議於2018年在聖地亞哥舉行。會議通過了三份文件。"
	p := Passage{N: 1, Doc: "cjk.txt", Start: 100, End: 100 + len(text), Text: text}
	c := newChecker([]Passage{p}).check("會議「在聖地亞哥舉行」[1]。", true)
	if c.verified != 1 || len(c.citations) != 1 || c.citations[0].Quote != "在聖地亞哥舉行" {
		t.Fatalf("got %+v", c)
	}
	if got := text[c.citations[0].Start-100 : c.citations[0].End-100]; got != "在聖地亞哥舉行" {
		t.Errorf("offsets point at %q", got)
	}
}

func TestFoldMapsBack(t *testing.T) {
	s := "a  “b”\n\tc’d"
	f := fold(s)
	if f.text != `a "b" c'd` {
		t.Fatalf("fold = %q", f.text)
	}
	start, end, ok := f.find(`"b" c'd`)
	if !ok || s[start:end] != "“b”\n\tc’d" {
		t.Errorf("find mapped to %q", s[start:end])
	}
}

func TestBestSentenceCitation(t *testing.T) {
	ps := givenPassages(t)
	c := newChecker(ps).check("About 160,000 vehicles use it daily [2].", true)
	if len(c.citations) != 1 || c.citations[0].Quote != "About 160,000 vehicles cross it every day." {
		t.Errorf("citations %+v", c.citations)
	}
	if strings.Contains(c.text, "not verified") {
		t.Errorf("text %q", c.text)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
