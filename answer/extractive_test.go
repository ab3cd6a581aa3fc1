package answer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

const tidesDoc = `Tides of the Atlantic coast

The tide at Brest rises seven metres twice a day. Fishermen plan their work around it.

The harbour of Saint-Malo was walled in the twelfth century. Its tides are among the highest in Europe, reaching thirteen metres.

Oyster farms in Cancale were founded in 1850. They export oysters to Paris every week.

布列斯特港的潮汐每天上漲兩次。聖馬洛的潮差可達十三米。
`

func tidesEngine(tb testing.TB) *Engine {
	tb.Helper()
	doc, err := corpus.Parse("tides.txt", []byte(tidesDoc))
	if err != nil {
		tb.Fatal(err)
	}
	c := &corpus.Corpus{Docs: []corpus.Document{doc}, Passages: corpus.Chunk(doc)}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return New(c, ix, Options{K: 3})
}

func TestAskExtractive(t *testing.T) {
	e := tidesEngine(t)
	tests := []struct {
		question string
		abstain  bool
		contains string // in the answer
		missing  string // among Missing, when abstaining
	}{
		{question: "How high do the tides reach at Saint-Malo?", contains: "thirteen metres"},
		{question: "When were the oyster farms in Cancale founded?", contains: "1850"},
		{question: "How often does the tide rise at Brest?", contains: "twice a day"},
		{question: "聖馬洛的潮差有多大?", contains: "十三米"},
		{question: "圣马洛的潮差有多大?", contains: "十三米"}, // Simplified question, Traditional text
		{question: "Who won the 2022 FIFA World Cup?", abstain: true, missing: "FIFA"},
		{question: "How many lighthouses stand at Brest?", abstain: true, missing: "lighthouses"},
		{question: "What is the population of Paris?", abstain: true, missing: "population"},
		{question: "Do submarines dock in the bay?", abstain: true},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a, err := e.Ask(context.Background(), Request{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			if a.Abstained != tt.abstain {
				t.Fatalf("abstained = %v, want %v: %s", a.Abstained, tt.abstain, a.Answer)
			}
			if a.Mode != ModeExtractive || len(a.Passages) == 0 {
				t.Errorf("mode %q, %d passages", a.Mode, len(a.Passages))
			}
			if tt.abstain {
				if len(a.Citations) != 0 || !strings.Contains(a.Answer, "does not seem to cover") {
					t.Errorf("abstention with citations or without saying so: %+v", a)
				}
				if tt.missing != "" && !containsString(a.Missing, tt.missing) {
					t.Errorf("Missing = %v, want %q in it", a.Missing, tt.missing)
				}
				return
			}
			if !strings.Contains(a.Answer, tt.contains) {
				t.Errorf("answer %q lacks %q", a.Answer, tt.contains)
			}
			checkExtractiveCitations(t, e, a)
		})
	}
}

// checkCitations asserts the byte invariant and that each [n] is in the text.
func checkExtractiveCitations(tb testing.TB, e *Engine, a *Answer) {
	tb.Helper()
	if len(a.Citations) == 0 {
		tb.Fatal("no citations")
	}
	for _, c := range a.Citations {
		text, ok := e.DocText(c.Doc)
		if !ok || text[c.Start:c.End] != c.Quote {
			tb.Errorf("citation %+v is not verbatim", c)
		}
		p := a.Passages[c.N-1]
		if p.N != c.N || c.Start < p.Start || c.End > p.End {
			tb.Errorf("citation %d lies outside its passage", c.N)
		}
		if !strings.Contains(a.Answer, "["+string(rune('0'+c.N))+"]") {
			tb.Errorf("answer %q does not mark [%d]", a.Answer, c.N)
		}
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestAskBadQuestions(t *testing.T) {
	e := tidesEngine(t)
	long := strings.Repeat("tide ", 201)
	for _, tt := range []struct {
		q    string
		mode Mode
		want error
	}{
		{"", "", ErrEmptyQuestion},
		{" \n\t", "", ErrEmptyQuestion},
		{"caf\xe9", "", ErrInvalidUTF8},
		{long, "", ErrTooLong},
		{"How high is the tide?", ModeLLM, ErrNoModel},
	} {
		_, err := e.Ask(context.Background(), Request{Question: tt.q, Mode: tt.mode})
		if !errors.Is(err, tt.want) {
			t.Errorf("Ask(%.20q) = %v, want %v", tt.q, err, tt.want)
		}
	}
	a, err := e.Ask(context.Background(), Request{Question: "?!? ... ¿"})
	if err != nil || !a.Abstained {
		t.Errorf("a question with no words: %v, %+v", err, a)
	}
}

// TestFollowUpUsesHistory: "and Cancale?" alone names no topic; with the
// earlier question, retrieval finds the oyster farms.
func TestFollowUpUsesHistory(t *testing.T) {
	e := tidesEngine(t)
	a, err := e.Ask(context.Background(), Request{
		Question: "When were they founded, the oyster farms?",
		History:  []Turn{{Question: "What is exported from Cancale?", Answer: "Oysters."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || !strings.Contains(a.Answer, "1850") {
		t.Errorf("follow-up answer: %+v", a)
	}
}

func TestNearMatch(t *testing.T) {
	for _, tt := range []struct {
		q    string
		text []string
		want bool
	}{
		{"high", []string{"highest"}, true},
		{"brazilian", []string{"brazil"}, true}, // the text's word begins the question's
		{"californian", []string{"california"}, true},
		{"strategi", []string{"strateg"}, true},
		{"cat", []string{"catalog"}, false}, // too short
		{"brazil", []string{"brazilianization"}, false},
		{"frances", []string{"fr"}, false},
	} {
		have := map[string]bool{}
		for _, u := range tt.text {
			have[u] = true
		}
		if got := nearMatch(tt.q, have, tt.text); got != tt.want {
			t.Errorf("nearMatch(%q, %q) = %v, want %v", tt.q, tt.text, got, tt.want)
		}
	}
}

// A sentence's numbers are read without thousands separators, so that a
// question's "10000" is covered by a text's "10,000".
func TestSentenceNumbersWithoutSeparators(t *testing.T) {
	e := tidesEngine(t)
	p := corpus.Passage{Doc: "x.txt", Text: "By 1883, engines that could provide 10,000 hp had become feasible."}
	q := e.queryTerms("As of what year were 10000 horsepower engines available?")
	sents := e.sentencesOf(p)
	if len(sents) != 1 {
		t.Fatalf("sentences = %d, want 1", len(sents))
	}
	if got := q.matched(sents[0].terms); !slices.Contains(got, "10000") {
		t.Errorf("matched %v, want 10000 among them", got)
	}
}

// A sentence that opens with a pronoun is scored with the sentence before it,
// which names what the pronoun stands for.
func TestPronounSentenceTakesItsReferent(t *testing.T) {
	doc, err := corpus.Parse("art.txt", []byte("Norman art\n\n"+
		"By far the most famous work of Norman art is the Bayeux Tapestry, which is not a tapestry but a work of embroidery. "+
		"It was commissioned by Odo, the Bishop of Bayeux, employing natives from Kent.\n\n"+
		"Norman churches were built of stone quarried near Caen.\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := &corpus.Corpus{Docs: []corpus.Document{doc}, Passages: corpus.Chunk(doc)}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	e := New(c, ix, Options{K: 3})
	a, err := e.Ask(context.Background(), Request{Question: "Who commissioned the Tapestry?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "Odo") {
		t.Fatalf("first quote should name Odo: %+v", a)
	}
	// "It" is quoted with the sentence that says what it is.
	if q := a.Citations[0].Quote; !strings.HasPrefix(q, "By far the most famous work") {
		t.Errorf("first quote %q should open with the sentence naming the Tapestry", q)
	}
	for _, c := range a.Citations[1:] {
		if strings.Contains(c.Quote, "Bayeux Tapestry") {
			t.Errorf("the sentence before is quoted twice: %q", c.Quote)
		}
	}
}

func TestRefersBack(t *testing.T) {
	for s, want := range map[string]bool{
		"It was commissioned by Odo.":              true,
		"Their style was characterised by arches.": true,
		"This is usually taken to be the size.":    true,
		"Italy was conquered.":                     false, // "It" only as a word
		"The Normans settled.":                     false,
	} {
		if got := refersBack(s); got != want {
			t.Errorf("refersBack(%q) = %v, want %v", s, got, want)
		}
	}
}
