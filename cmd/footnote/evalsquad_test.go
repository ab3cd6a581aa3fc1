package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const squadMini = "../../eval/testdata/squad-mini.json"

func TestEvalSquad(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "eval", "--squad", squadMini)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"3 (2 answerable, 1 unanswerable)", "plain BM25", "recall@1", "accuracy, first quote only",
		"answerable abstained", "unanswerable abstained", "quotes not verbatim                0 of", "abstention curve"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runCLI(t, nil, "eval", "--json", "--squad", squadMini, "--articles", "1")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errOut)
	}
	var rep struct {
		Questions  int     `json:"questions"`
		Answerable int     `json:"answerable"`
		Accuracy   float64 `json:"accuracy"`
		RecallAt1  float64 `json:"recall_at_1"`
		BM25At1    float64 `json:"bm25_recall_at_1"`
		Results    []struct {
			Confidence float64 `json:"confidence"`
		} `json:"results"`
		Curve []struct {
			Threshold float64 `json:"threshold"`
		} `json:"curve"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Questions != 3 || rep.Answerable != 2 || rep.Accuracy != 1 || rep.RecallAt1 != 1 || rep.BM25At1 != 1 || len(rep.Curve) == 0 {
		t.Errorf("report: %+v", rep)
	}
}

func TestEvalSquadErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"eval", "--squad", "/nonexistent.json"}, "nonexistent.json"},
		{"not squad", []string{"eval", "--squad", "testdata/ask_zh.golden"}, "not a SQuAD v2.0 JSON file"},
		{"both", []string{"eval", "--squad", squadMini, "x.jsonl"}, "not both"},
		{"bad articles", []string{"eval", "--squad", squadMini, "--articles", "2"}, "article numbers from 1 to 1"},
		{"articles alone", []string{"eval", "--articles", "1", "x.jsonl"}, "--articles needs --squad"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, errOut, tt.want)
			}
		})
	}
}
