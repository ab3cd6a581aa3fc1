package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/openaitest"
)

// TestAskWithModel runs `footnote ask --json` against a fake OpenAI-compatible
// server: the model's quote is verified and carries exact offsets; a server
// that fails yields the extractive answer with a note, still exit status 0.
func TestAskWithModel(t *testing.T) {
	srv := openaitest.New(t)
	srv.Key = "sk-test-secret"
	env := []string{"OPENAI_BASE_URL=" + srv.BaseURL(), "OPENAI_API_KEY=sk-test-secret", "FOOTNOTE_LLM_RETRIES=0"}
	q := "How many Confucius Institutes are there in Latin America?"

	// The fake cannot know the passage numbers in advance, so the model cites
	// [1] and [2]: the retrieval order puts the Confucius passage first.
	srv.Script(openaitest.Answer(`Latin America has “46 Confucius Institutes” [1].`, 3))
	code, out, errOut := runCLI(t, env, "ask", "--json", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var a struct {
		Answer    string `json:"answer"`
		Mode      string `json:"mode"`
		Note      string `json:"note"`
		Citations []struct {
			N          int
			Doc, Quote string
			Start, End int
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Mode != "llm" || !strings.Contains(a.Answer, "46 Confucius Institutes") {
		t.Fatalf("answer = %+v", a)
	}
	docs := defaultDocs(t)
	found := false
	for _, c := range a.Citations {
		if docs[c.Doc][c.Start:c.End] != c.Quote {
			t.Errorf("citation %+v not verbatim", c)
		}
		found = found || c.Quote == "46 Confucius Institutes"
	}
	if !found {
		t.Errorf("verified quote missing from citations: %+v", a.Citations)
	}
	if strings.Contains(out+errOut, "sk-test-secret") {
		t.Error("the API key was printed")
	}

	srv.Script(openaitest.Error(500, ""))
	code, out, errOut = runCLI(t, env, "ask", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "46 Confucius Institutes") || !strings.Contains(out, "did not answer") {
		t.Errorf("fallback output:\n%s", out)
	}
	code, _, errOut = runCLI(t, env, "ask", "--mode", "extractive", "--json", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
