package quiz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

func engineOf(tb testing.TB, c *corpus.Corpus) *answer.Engine {
	tb.Helper()
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return answer.New(c, ix, answer.Options{})
}

func defaultEngine(tb testing.TB) (*answer.Engine, *corpus.Corpus) {
	c, err := corpus.Default()
	if err != nil {
		tb.Fatal(err)
	}
	return engineOf(tb, c), c
}

// generatedReading is a history of made-up voyages: years, countries, figures
// and names, from a seed.
func generatedReading(seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	countries := []string{"Portugal", "Spain", "Brazil", "Peru", "Chile", "Mexico", "Japan", "India", "Kenya", "Norway"}
	captains := []string{"Ines Moura", "Tomas Vidal", "Rosa Quintero", "Kofi Mensah", "Leif Ardal", "Mei Tanaka"}
	var b strings.Builder
	b.WriteString("A History of Southern Voyages\n\n")
	for i := range 14 {
		year := 1500 + rng.IntN(300)
		c1, c2 := countries[rng.IntN(len(countries))], countries[rng.IntN(len(countries))]
		for c2 == c1 {
			c2 = countries[rng.IntN(len(countries))]
		}
		fmt.Fprintf(&b, "In %d the fleet of captain %s sailed from %s towards the southern coast with %d sailors aboard. "+
			"The voyage to %s took %d days, and the crews traded cloth, silver and spices in every harbour they reached.\n\n",
			year, captains[i%len(captains)], c1, 40+rng.IntN(400), c2, 20+rng.IntN(200))
	}
	return b.String()
}

// checkQuestions checks what every quiz must hold.
func checkQuestions(t *testing.T, qs []Question, docs map[string]string) {
	t.Helper()
	for i, q := range qs {
		where := fmt.Sprintf("question %d (%q)", i+1, q.Question)
		if got := docs[q.Citation.Doc][q.Citation.Start:q.Citation.End]; got != q.Citation.Quote {
			t.Errorf("%s: bytes [%d,%d) = %q, quote %q", where, q.Citation.Start, q.Citation.End, got, q.Citation.Quote)
		}
		if len(q.Choices) != 4 {
			t.Errorf("%s: %d choices", where, len(q.Choices))
		}
		n := 0
		seen := map[string]bool{}
		for _, c := range q.Choices {
			if c == q.Answer {
				n++
			}
			if seen[strings.ToLower(c)] {
				t.Errorf("%s: choice %q twice", where, c)
			}
			seen[strings.ToLower(c)] = true
		}
		if n != 1 {
			t.Errorf("%s: the answer %q is %d times among the choices %q", where, q.Answer, n, q.Choices)
		}
		if occurrences(q.Citation.Quote, q.Answer) != 1 {
			t.Errorf("%s: the answer %q occurs %d times in its quote %q", where, q.Answer, occurrences(q.Citation.Quote, q.Answer), q.Citation.Quote)
		}
		if q.Kind == "model" {
			continue // checked by TestWithModel
		}
		if !strings.Contains(q.Question, Blank) || strings.Contains(q.Question, q.Answer) {
			t.Errorf("%s: the question does not hide its answer %q", where, q.Answer)
		}
		for _, c := range q.Choices {
			if c == q.Answer {
				continue
			}
			if occurrences(q.Citation.Quote, c) > 0 {
				t.Errorf("%s: distractor %q occurs in the quote: it would fit too", where, c)
			}
			if !sameKind(q.Kind, c) {
				t.Errorf("%s: distractor %q is not a %s", where, c, q.Kind)
			}
		}
	}
}

// sameKind checks a distractor's kind independently of how it was found.
func sameKind(k Kind, s string) bool {
	switch k {
	case KindYear:
		v, ok := numericValue(s)
		return ok && len(s) == 4 && v >= 1500 && v < 2100
	case KindNumber:
		_, ok := numericValue(s)
		return ok
	case KindPercent:
		_, ok := numericValue(s)
		return ok && (strings.Contains(s, "%") || strings.Contains(s, "cent"))
	case KindCountry:
		return IsCountry(s)
	case KindName:
		return len(strings.Fields(s)) >= 2 && strings.ToUpper(s[:1]) == s[:1]
	}
	return false
}

func TestOfflineDefaultCorpus(t *testing.T) {
	eng, c := defaultEngine(t)
	docs := map[string]string{}
	for _, d := range c.Docs {
		docs[d.Path] = d.Text
	}
	qs, err := Offline(context.Background(), eng, Options{N: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 10 {
		t.Errorf("%d questions, want 10", len(qs))
	}
	checkQuestions(t, qs, docs)
	for _, q := range qs {
		t.Logf("%s [%s] %q -> %s", q.Question, q.Kind, q.Choices, q.Answer)
	}
	topic, err := Offline(context.Background(), eng, Options{N: 3, Topic: "Confucius Institutes", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	checkQuestions(t, topic, docs)
	if _, err := Offline(context.Background(), eng, Options{N: 11}); !errors.Is(err, ErrTooMany) {
		t.Errorf("11 questions: %v", err)
	}
}

func TestOfflineGeneratedReading(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		text := generatedReading(seed)
		doc, err := corpus.Parse("voyages.txt", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		c := &corpus.Corpus{Docs: []corpus.Document{doc}, Passages: corpus.Chunk(doc)}
		qs, err := Offline(context.Background(), engineOf(t, c), Options{N: 6, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) < 5 {
			t.Errorf("seed %d: %d questions from 14 paragraphs of facts", seed, len(qs))
		}
		checkQuestions(t, qs, map[string]string{"voyages.txt": text})
	}
}

func TestTermsAreNotAmbiguous(t *testing.T) {
	s := "In 1850 the town had 300 houses and by 1900 it had 300 more, mostly in Brazil and in Peru."
	for _, tm := range termsOf(s) {
		if tm.Text == "300" && occurrences(s, "300") != 2 {
			t.Errorf("300 occurs twice")
		}
	}
	kinds := map[string]Kind{}
	for _, tm := range termsOf(s) {
		kinds[tm.Text] = tm.Kind
	}
	for text, k := range map[string]Kind{"1850": KindYear, "1900": KindYear, "Brazil": KindCountry, "Peru": KindCountry, "300": KindNumber} {
		if kinds[text] != k {
			t.Errorf("%q: kind %q, want %q (all %v)", text, kinds[text], k, kinds)
		}
	}
	if got := termsOf("The 1850s and 2013-14 and No. 10 and (3) and 12.5%"); len(got) != 1 || got[0].Kind != KindPercent {
		t.Errorf("terms %+v", got)
	}
}

func TestCompoundsAreNotHidden(t *testing.T) {
	for _, tm := range termsOf("The China-Cuba seminar and the Brazil-China forum met with delegates of Chile in 1999.") {
		if tm.Text != "Chile" && tm.Text != "1999" {
			t.Errorf("term %q (%s) is part of a compound", tm.Text, tm.Kind)
		}
	}
}
