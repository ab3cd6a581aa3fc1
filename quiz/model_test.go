package quiz

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/openaitest"
)

// lighthouses has one long paragraph (the one passage a model is shown) and
// short ones that give offline questions their distractors.
const lighthouses = `Lighthouses of the South Atlantic

The lighthouse at Punta Alta was built in 1867 by the engineer Rosa Quintero, who had trained in Portugal before she sailed to Argentina. Its lamp burned whale oil until 1902, when a paraffin lamp replaced it, and its keepers logged every ship that passed the point for ninety years.

A second light was raised at Cabo Sur in 1881 after a storm wrecked three ships from Chile on the reef.

The keepers of Isla Verde received supplies from Uruguay twice a month after 1895, weather permitting.

A fourth tower, built in 1910 with steel shipped from Brazil, still stands at the mouth of the river.

In 1923 a radio beacon was added at Punta Alta, the first of its kind on that coast of Peru and beyond.
`

func TestWithModel(t *testing.T) {
	doc, err := corpus.Parse("lighthouses.txt", []byte(lighthouses))
	if err != nil {
		t.Fatal(err)
	}
	c := &corpus.Corpus{Docs: []corpus.Document{doc}, Passages: corpus.Chunk(doc)}
	eng := engineOf(t, c)
	srv := openaitest.New(t)
	reply, _ := json.Marshal(map[string]any{"questions": []map[string]any{
		{"passage": 1, "question": "Who built the lighthouse at Punta Alta?", "answer": "Rosa  Quintero",
			"distractors": []string{"Ines Moura", "Tomas Vidal", "Leif Ardal"}}, // kept (white space folded)
		{"passage": 1, "question": "What fuel did the lamp burn first?", "answer": "seal oil",
			"distractors": []string{"paraffin", "coal", "gas"}}, // not in the passage: dropped
		{"passage": 1, "question": "When was the lighthouse built in 1867?", "answer": "1867",
			"distractors": []string{"1850", "1870", "1880"}}, // gives the answer away: dropped
		{"passage": 1, "question": "Where had the engineer trained?", "answer": "Portugal",
			"distractors": []string{"Argentina", "Spain", "France"}}, // Argentina is in the sentence: dropped
		{"passage": 7, "question": "?", "answer": "x", "distractors": []string{"a", "b", "c"}}, // no such passage
	}})
	srv.Script(openaitest.Answer("```json\n"+string(reply)+"\n```", 50))
	w, err := answer.NewOpenAIWriter(answer.LLMOptions{BaseURL: srv.BaseURL(), Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	qs, err := WithModel(context.Background(), eng, w, Options{N: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 3 {
		t.Fatalf("%d questions, want 3 (1 from the model, 2 offline)", len(qs))
	}
	m := qs[0]
	if m.Kind != "model" || m.Answer != "Rosa Quintero" || m.Question != "Who built the lighthouse at Punta Alta?" {
		t.Errorf("the model's question: %+v", m)
	}
	if !strings.HasPrefix(m.Citation.Quote, "The lighthouse at Punta Alta was built in 1867") || !strings.Contains(m.Citation.Quote, m.Answer) {
		t.Errorf("quote %q", m.Citation.Quote)
	}
	for _, q := range qs[1:] {
		if q.Kind == "model" {
			t.Errorf("a failing model question was kept: %+v", q)
		}
	}
	checkQuestions(t, qs, map[string]string{"lighthouses.txt": lighthouses})
	if reqs := srv.ChatRequests(); len(reqs) != 1 || !strings.Contains(reqs[0].Chat.Messages[1].Content, "Rosa Quintero") {
		t.Errorf("the model was not shown the long passage: %d requests", len(reqs))
	}

	// A model that fails: offline questions, and an error that says so.
	srv.Script(openaitest.Error(400, ""))
	qs, err = WithModel(context.Background(), eng, w, Options{N: 2})
	if err == nil || len(qs) != 2 {
		t.Errorf("a failing model: %d questions, error %v", len(qs), err)
	}
}
