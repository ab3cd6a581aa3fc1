package main

import (
	"encoding/json"
	"strings"
	"testing"
)

type citeOut struct {
	Verbatim  bool   `json:"verbatim"`
	Style     string `json:"style"`
	Reference string `json:"reference"`
	InText    string `json:"in_text"`
	Citation  *struct {
		Doc       string `json:"doc"`
		Title     string `json:"title"`
		Start     int    `json:"start"`
		End       int    `json:"end"`
		Quote     string `json:"quote"`
		Page      int    `json:"page"`
		Paragraph int    `json:"paragraph"`
	} `json:"citation"`
	Diff string `json:"diff"`
}

func runCiteJSON(t *testing.T, args ...string) citeOut {
	t.Helper()
	code, out, errOut := runCLI(t, nil, append([]string{"cite", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"verbatim", "style", "reference", "in_text", "citation", "diff"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out)
		}
	}
	if len(raw) != 6 {
		t.Errorf("JSON has %d keys, want 6: %s", len(raw), out)
	}
	var c citeOut
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if c.Citation != nil {
		if got := defaultDocs(t)[c.Citation.Doc][c.Citation.Start:c.Citation.End]; got != c.Citation.Quote {
			t.Errorf("bytes [%d,%d) of %s = %q, quote %q", c.Citation.Start, c.Citation.End, c.Citation.Doc, got, c.Citation.Quote)
		}
	}
	return c
}

func TestCiteVerbatim(t *testing.T) {
	c := runCiteJSON(t, "“24 Latin American countries have established  46 Confucius Institutes”")
	if !c.Verbatim || c.Style != "apa" || c.Citation == nil || c.Diff != "" {
		t.Fatalf("%+v", c)
	}
	if c.Citation.Quote != "24 Latin American countries have established 46 Confucius Institutes" || c.Citation.Paragraph != 16 {
		t.Errorf("citation %+v", *c.Citation)
	}
	if c.InText != "(“The Practice and Expansion,” n.d., para. 16)" || !strings.Contains(c.Reference, "(n.d.)") {
		t.Errorf("reference %q in-text %q", c.Reference, c.InText)
	}
}

func TestCiteNearMissAndUnrelated(t *testing.T) {
	c := runCiteJSON(t, "--style", "chicago", "24 Latin American countries established 46 Confucius Institutes and 15 Confucius Classrooms")
	if c.Verbatim || c.Citation == nil || c.Style != "chicago" {
		t.Fatalf("%+v", c)
	}
	if !strings.Contains(c.Diff, "[-14-]{+15+}") || !strings.Contains(c.Diff, "[-have-]") {
		t.Errorf("diff %q", c.Diff)
	}
	code, out, _ := runCLI(t, nil, "cite", "24 Latin American countries established 46 Confucius Institutes and 15 Confucius Classrooms")
	if code != 0 || !strings.Contains(out, "APA 7th, paraphrase") || !strings.Contains(out, "Not verbatim") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	u := runCiteJSON(t, "Penguins waddle across the frozen Antarctic ice shelf")
	if u.Verbatim || u.Citation != nil || u.Reference != "" {
		t.Errorf("an unrelated quote got a source: %+v", u)
	}
	if code, _, errOut := runCLI(t, nil, "cite", "--style", "harvard", "x"); code != exitUsage || !strings.Contains(errOut, "apa, mla or chicago") {
		t.Errorf("bad style: exit %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, nil, "cite", "“ ”"); code != exitUsage {
		t.Errorf("empty quote: exit %d", code)
	}
}
