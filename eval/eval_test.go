package eval

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
)

const docText = "Tides rise twice a day. The tide at Brest rises seven metres. Salt marshes flood in spring."

// bookAsker answers from a fixed table of answers keyed by question: an honest
// stand-in for the engine that lets each metric be checked by hand.
type bookAsker map[string]*answer.Answer

func (b bookAsker) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	a, ok := b[req.Question]
	if !ok {
		return &answer.Answer{Question: req.Question, Abstained: true, Answer: "not covered"}, nil
	}
	return a, nil
}

func passage(n, start, end int) answer.Passage {
	return answer.Passage{N: n, Doc: "d.txt", Start: start, End: end, Text: docText[start:end]}
}

func TestRun(t *testing.T) {
	brest := strings.Index(docText, "The tide at Brest")
	marsh := strings.Index(docText, "Salt marshes")
	items, err := Load(strings.NewReader(`{"id":"a","question":"How high at Brest?","answers":["seven metres"],"support":["rises seven metres"],"doc":"d.txt","kind":"factoid"}

{"id":"b","question":"When do marshes flood?","answers":["spring"],"support":["flood in spring"],"doc":"d.txt","kind":"factoid"}
{"id":"c","question":"Who won?","answers":[],"support":[],"doc":null,"kind":"unanswerable"}
{"id":"d","question":"How often do tides rise?","answers":["twice"],"support":["twice a day"],"doc":"d.txt","kind":"factoid"}
`))
	if err != nil {
		t.Fatal(err)
	}
	asker := bookAsker{
		// Support at rank 1, correct, verbatim quote.
		"How high at Brest?": {Answer: "The tide at Brest rises seven metres. [1]",
			Passages:  []answer.Passage{passage(1, brest, marsh-1)},
			Citations: []answer.Citation{{N: 1, Doc: "d.txt", Start: brest, End: marsh - 1, Quote: docText[brest : marsh-1]}}},
		// Support at rank 2, wrong answer, one fabricated quote.
		"When do marshes flood?": {Answer: "In autumn. [1]",
			Passages:  []answer.Passage{passage(1, 0, brest-1), passage(2, marsh, len(docText))},
			Citations: []answer.Citation{{N: 1, Doc: "d.txt", Start: 0, End: 5, Quote: "Tidal"}}},
		// "Who won?" abstains (not in the book); "How often" abstains too.
	}
	texts := func(doc string) (string, bool) { return docText, doc == "d.txt" }
	rep, err := Run(context.Background(), asker, texts, items, 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 4 || rep.Answerable != 3 || rep.Unanswerable != 1 {
		t.Errorf("counts: %+v", rep)
	}
	if rep.RecallAt1 != 1.0/3 || rep.RecallAt5 != 2.0/3 || rep.MRR != (1+0.5)/3 {
		t.Errorf("recall@1 %v recall@5 %v mrr %v", rep.RecallAt1, rep.RecallAt5, rep.MRR)
	}
	if rep.Accuracy != 1.0/3 || rep.AbstainUnanswerable != 1 || rep.AbstainAnswerable != 1.0/3 {
		t.Errorf("accuracy %v abstain %v/%v", rep.Accuracy, rep.AbstainUnanswerable, rep.AbstainAnswerable)
	}
	if k := rep.Kinds["unanswerable"]; k.N != 1 || k.Accuracy != 1 {
		t.Errorf("unanswerable kind: %+v", k)
	}
	if k := rep.Kinds["factoid"]; k.N != 3 || k.Accuracy != 1.0/3 || k.RecallAt5 != 2.0/3 {
		t.Errorf("factoid kind: %+v", k)
	}
	if rep.Quotes != 2 || rep.Verbatim != 0.5 {
		t.Errorf("quotes %d verbatim %v", rep.Quotes, rep.Verbatim)
	}
}

func TestLoadErrorsNameTheLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"id":"a","question":"q"}` + "\nnot json\n", "line 2"},
		{`{"id":"a"}`, `line 1: the "question" field is missing`},
		{"\n\n", "no questions"},
	} {
		_, err := Load(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(ds, 0.5); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(ds, 0.95); p != 95*time.Millisecond {
		t.Errorf("p95 = %v", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Errorf("empty p50 = %v", p)
	}
}
