package eval

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer"
)

func loadMini(t *testing.T) *Squad {
	t.Helper()
	f, err := os.Open("testdata/squad-mini.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := LoadSquad(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoadSquad(t *testing.T) {
	s := loadMini(t)
	file := string(s.Files["Brittany_Tides.txt"])
	if !strings.HasPrefix(file, "Brittany Tides\n\nThe tide at Brest") || !strings.HasSuffix(file, "thirteen métres.\n") {
		t.Fatalf("corpus file = %q", file)
	}
	if len(s.Paras) != 2 || len(s.Questions) != 3 {
		t.Fatalf("%d paragraphs, %d questions", len(s.Paras), len(s.Questions))
	}
	// Duplicate answers count once; spans are byte spans of the file, also
	// after multi-byte characters (answer_start counts characters).
	for _, q := range s.Questions {
		for _, sp := range q.Spans {
			if file[sp.Start:sp.End] != sp.Text {
				t.Errorf("%s: file[%d:%d] = %q, want %q", q.ID, sp.Start, sp.End, file[sp.Start:sp.End], sp.Text)
			}
		}
	}
	if q := s.Questions[0]; len(q.Spans) != 1 || !q.Answerable {
		t.Errorf("q1: %+v", q)
	}
	if q := s.Questions[1]; q.Answerable || len(q.Plausible) != 1 {
		t.Errorf("q2: %+v", q)
	}
	if p := s.Paras[1]; file[p.Start:p.End] != p.Text {
		t.Errorf("paragraph 2 is not at its bytes")
	}
}

func TestLoadSquadErrors(t *testing.T) {
	for _, tt := range []struct{ name, json, want string }{
		{"not json", `{"data": [`, "not a SQuAD"},
		{"no articles", `{"data": []}`, "no articles"},
		{"answer elsewhere", `{"data": [{"title": "A", "paragraphs": [{"context": "abc def", "qas": [{"id": "x", "question": "q?", "answers": [{"text": "def", "answer_start": 1}]}]}]}]}`, "not at answer_start"},
		{"answer outside", `{"data": [{"title": "A", "paragraphs": [{"context": "abc", "qas": [{"id": "x", "question": "q?", "answers": [{"text": "abc", "answer_start": 9}]}]}]}]}`, "outside"},
		{"bad title", `{"data": [{"title": "a/b", "paragraphs": []}]}`, "cannot name a file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSquad(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestBMSentences(t *testing.T) {
	got := bmSentences("One. Two?  Three! Four")
	want := []string{"One.", "Two?", "Three!", "Four"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// fakeSquadAsker answers each question with a prepared answer.
type fakeSquadAsker map[string]*answer.Answer

func (f fakeSquadAsker) Ask(_ context.Context, req answer.Request) (*answer.Answer, error) {
	return f[req.Question], nil
}

func TestRunSquad(t *testing.T) {
	s := loadMini(t)
	file := string(s.Files["Brittany_Tides.txt"])
	p1, p2 := s.Paras[0], s.Paras[1]
	passage := func(p SquadPara) answer.Passage {
		return answer.Passage{Doc: p.Doc, Start: p.Start, End: p.End, Text: p.Text}
	}
	quote := func(text string) answer.Citation {
		i := strings.Index(file, text)
		return answer.Citation{Doc: "Brittany_Tides.txt", Start: i, End: i + len(text), Quote: text}
	}
	first := "The tide at Brest rises seven metres twice a day."
	asker := fakeSquadAsker{
		// Right passage first, answer in the first quote.
		"How often does the tide rise at Brest?": {Answer: first, Confidence: 0.9,
			Passages: []answer.Passage{passage(p1), passage(p2)}, Citations: []answer.Citation{quote(first)}},
		// An unanswerable question answered: quotes the plausible answer.
		"How often does the tide fall at Lorient?": {Answer: first, Confidence: 0.2,
			Passages: []answer.Passage{passage(p1)}, Citations: []answer.Citation{quote(first)}},
		// Gold passage second; answer only in the second quote, which is broken.
		"How high do the tides reach at Saint-Malo?": {Answer: "…", Confidence: 0.5,
			Passages:  []answer.Passage{passage(p1), passage(p2)},
			Citations: []answer.Citation{quote("Fishermen plan their work around it."), {Doc: "Brittany_Tides.txt", Start: 0, End: 5, Quote: "Its tides reach thirteen métres."}}},
	}
	rep, err := RunSquad(context.Background(), asker, s, 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Answerable != 2 || rep.Unanswerable != 1 {
		t.Fatalf("answerable %d, unanswerable %d", rep.Answerable, rep.Unanswerable)
	}
	check := func(name string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("recall@1", rep.RecallAt1, 0.5)
	check("recall@5", rep.RecallAt5, 1)
	check("MRR", rep.MRR, 0.75)
	check("accuracy", rep.Accuracy, 1) // the broken quote still holds the text
	check("first quote", rep.FirstQuote, 0.5)
	check("exact", rep.Exact, 0.5) // the broken quote's bytes do not hold the span
	if rep.VerbatimBreaks != 1 || rep.Quotes != 4 || rep.PlausibleQuoted != 1 || rep.UnanswerableAbstained != 0 {
		t.Errorf("breaks %d of %d, plausible %d, unanswerable abstained %d", rep.VerbatimBreaks, rep.Quotes, rep.PlausibleQuoted, rep.UnanswerableAbstained)
	}
	// BM25 ranks the gold paragraph first for both answerable questions.
	check("bm25 recall@1", rep.BM25At1, 1)
	// The curve: a threshold of 0.3 abstains on the unanswerable question
	// (confidence 0.2), not on the answerable ones (0.9 and 0.5).
	for _, c := range rep.Curve {
		if c.Threshold == 0.3 && (c.AnswerableAbstained != 0 || c.UnanswerableAbstained != 1) {
			t.Errorf("curve at 0.3: %+v", c)
		}
		if c.Threshold == 0.6 && c.AnswerableAbstained != 0.5 {
			t.Errorf("curve at 0.6: %+v", c)
		}
	}
}

func TestSquadSubset(t *testing.T) {
	s := loadMini(t)
	if n := len(s.Subset(func(a int) bool { return a == 0 }).Questions); n != 3 {
		t.Errorf("article 1: %d questions", n)
	}
	if n := len(s.Subset(func(a int) bool { return a == 1 }).Questions); n != 0 {
		t.Errorf("article 2: %d questions", n)
	}
}
