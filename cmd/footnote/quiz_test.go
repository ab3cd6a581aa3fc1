package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestQuizJSONContract(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "quiz", "--json", "-n", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Questions []struct {
			Question string   `json:"question"`
			Choices  []string `json:"choices"`
			Answer   string   `json:"answer"`
			Citation struct {
				Doc   string `json:"doc"`
				Title string `json:"title"`
				Start int    `json:"start"`
				End   int    `json:"end"`
				Quote string `json:"quote"`
			} `json:"citation"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Questions) != 4 {
		t.Fatalf("%d questions, want 4", len(got.Questions))
	}
	docs := defaultDocs(t)
	for _, q := range got.Questions {
		if len(q.Choices) != 4 || !slices.Contains(q.Choices, q.Answer) || !strings.Contains(q.Citation.Quote, q.Answer) {
			t.Errorf("question %+v", q)
		}
		if docs[q.Citation.Doc][q.Citation.Start:q.Citation.End] != q.Citation.Quote || q.Citation.Title == "" {
			t.Errorf("citation bytes differ: %+v", q.Citation)
		}
	}
	code, out, _ = runCLI(t, nil, "quiz", "-n", "2", "--topic", "Confucius Institutes")
	if code != 0 || !strings.Contains(out, "Answer key") || !strings.Contains(out, "1. ") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, nil, "quiz", "-n", "11"); code != exitUsage || !strings.Contains(errOut, "1 to 10") {
		t.Errorf("-n 11: exit %d %s", code, errOut)
	}
}
