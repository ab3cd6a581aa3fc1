package answer

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/openaitest"
	"github.com/footnote-bot/footnote/retrieval"
)

// instantModel is a Writer whose model answers at once: whatever Ask takes
// with it is what Footnote adds around a model call. It renders the prompt
// as OpenAIWriter does, and streams an answer that quotes the first passage
// and cites the first two, so streaming and checking do their full work.
type instantModel struct{ count tokenCounter }

func (m instantModel) Fit(ps []Passage) []Passage {
	return fitPassages(ps, defaultContextTokens, m.count)
}

func (m instantModel) Rewrite(_ context.Context, _ []Turn, q string) (string, error) { return q, nil }

func (m instantModel) Write(_ context.Context, q string, h []Turn, ps []Passage, delta func(string)) (string, error) {
	answerPrompt(q, h, ps)
	text := instantAnswer(ps)
	if delta != nil {
		for _, piece := range openaitest.Split(text, 4) {
			delta(piece)
		}
	}
	return text, nil
}

// instantAnswer quotes the first words of passage 1 and cites passages 1 and 2.
func instantAnswer(ps []Passage) string {
	if len(ps) == 0 {
		return declineMarker
	}
	words := strings.Fields(ps[0].Text)
	quote := strings.Join(words[:min(6, len(words))], " ")
	text := fmt.Sprintf("The passages say that “%s” [1].", quote)
	if len(ps) > 1 {
		text += " They add more on this [2]."
	}
	return text
}

var overheadQuestions = []string{
	"How many Confucius Institutes are there in Latin America?",
	"Which countries joined the Asian Infrastructure Investment Bank?",
	"中拉論壇第二屆部長級會議在哪裡舉行?",
	"What is the capital of Australia?",
}

// BenchmarkLLMOverhead measures what Footnote adds around the model call on
// the default corpus: retrieval, fitting passages into the context budget,
// the prompt, the streamed view and the checks. "instant" uses an in-process
// model that answers at once; "http" the real OpenAIWriter against the fake
// server on loopback, so it also counts JSON, HTTP and SSE. Each reports p50
// and p95 of one Ask in µs, for K passages retrieved.
//
//	go test ./answer -run '^$' -bench LLMOverhead -benchtime 200x
func BenchmarkLLMOverhead(b *testing.B) {
	ctx := context.Background()
	c, err := corpus.Default()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := retrieval.New(ctx, c.Passages, retrieval.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := openaitest.New(b)
	for _, k := range []int{5, 10, 20} {
		b.Run(fmt.Sprintf("instant/K=%d", k), func(b *testing.B) {
			benchAsk(b, New(c, ix, Options{K: k, Writer: instantModel{counterFor("gpt-4o-mini")}}))
		})
	}
	for _, k := range []int{5, 10, 20} {
		b.Run(fmt.Sprintf("http/K=%d", k), func(b *testing.B) {
			// The fake server's answer must cite passages that exist: [1]
			// always does, whatever is retrieved.
			srv.Script(openaitest.Answer("The passages answer this [1]. More is said here [2].", 4))
			hc := &http.Client{Transport: &http.Transport{}}
			defer hc.CloseIdleConnections()
			w, err := NewOpenAIWriter(LLMOptions{BaseURL: srv.BaseURL(), Model: "gpt-4o-mini", HTTPClient: hc})
			if err != nil {
				b.Fatal(err)
			}
			benchAsk(b, New(c, ix, Options{K: k, Writer: w}))
		})
	}
}

func benchAsk(b *testing.B, e *Engine) {
	ctx := context.Background()
	// Warm up: load the token tables, fill caches.
	if _, err := e.Ask(ctx, Request{Question: overheadQuestions[0]}); err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	llm := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		ans, err := e.Ask(ctx, Request{Question: overheadQuestions[i%len(overheadQuestions)], Stream: func(string) {}})
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if ans.Mode == ModeLLM {
			llm++
		}
	}
	b.StopTimer()
	if llm == 0 {
		b.Fatalf("no answer came from the model")
	}
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.95), "p95-µs")
}
