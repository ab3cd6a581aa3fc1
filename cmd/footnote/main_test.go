package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs footnote in process and returns its exit status and output.
func runCLI(tb testing.TB, environ []string, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, environ)
	return code, out.String(), errb.String()
}

func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs from golden file (go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func defaultDocs(tb testing.TB) map[string]string {
	tb.Helper()
	c, err := corpus.Default()
	if err != nil {
		tb.Fatal(err)
	}
	docs := map[string]string{}
	for _, d := range c.Docs {
		docs[d.Path] = d.Text
	}
	return docs
}

func TestAskJSONContract(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "ask", "--json", "How many Confucius Institutes are there in Latin America?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"question", "answer", "abstained", "mode", "citations", "passages"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("missing key %q", k)
		}
	}
	var a struct {
		Question  string `json:"question"`
		Answer    string `json:"answer"`
		Abstained bool   `json:"abstained"`
		Mode      string `json:"mode"`
		Citations []struct {
			N                     int
			Doc, Title, Section   string
			Paragraph, Start, End int
			Quote                 string
		} `json:"citations"`
		Passages []struct {
			N                     int
			Doc, Title, Section   string
			Paragraph, Start, End int
			Text                  string
			Score                 float64
		} `json:"passages"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Mode != "extractive" || a.Abstained || !strings.Contains(a.Answer, "46") {
		t.Errorf("answer = %+v", a)
	}
	if len(a.Passages) != 5 || len(a.Citations) == 0 {
		t.Fatalf("%d passages, %d citations", len(a.Passages), len(a.Citations))
	}
	docs := defaultDocs(t)
	byN := map[int]int{}
	for i, p := range a.Passages {
		if p.N != i+1 {
			t.Errorf("passage %d has n=%d", i, p.N)
		}
		byN[p.N] = i
		if docs[p.Doc][p.Start:p.End] != p.Text {
			t.Errorf("passage %d: bytes [%d,%d) of %s differ from text", p.N, p.Start, p.End, p.Doc)
		}
		if p.Title == "" || p.Paragraph < 0 {
			t.Errorf("passage %d lacks title or paragraph: %+v", p.N, p)
		}
	}
	for _, c := range a.Citations {
		i, ok := byN[c.N]
		if !ok {
			t.Fatalf("citation refers to passage %d, which is not listed", c.N)
		}
		p := a.Passages[i]
		if docs[c.Doc][c.Start:c.End] != c.Quote || c.Doc != p.Doc || c.Start < p.Start || c.End > p.End {
			t.Errorf("citation %+v is not verbatim inside passage %d", c, c.N)
		}
	}
}

func TestSearchJSONContract(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "search", "--json", "-k", "3", "Confucius Institutes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s struct {
		Query string `json:"query"`
		Hits  []struct {
			Doc, Title, Section   string
			Paragraph, Start, End int
			Text                  string
			Score                 float64
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Query != "Confucius Institutes" || len(s.Hits) != 3 {
		t.Fatalf("got %+v", s)
	}
	docs := defaultDocs(t)
	for i, h := range s.Hits {
		if docs[h.Doc][h.Start:h.End] != h.Text {
			t.Errorf("hit %d not verbatim", i)
		}
		if i > 0 && h.Score > s.Hits[i-1].Score {
			t.Errorf("hits not best first")
		}
	}
	if !strings.Contains(s.Hits[0].Text, "Confucius Institutes") {
		t.Errorf("best hit: %q", s.Hits[0].Text)
	}
}

func TestAskHumanOutput(t *testing.T) {
	for _, tt := range []struct{ name, question string }{
		{"ask_confucius", "How many Confucius Institutes are there in Latin America?"},
		{"ask_abstain", "Who won the 2022 FIFA World Cup?"},
		{"ask_zh", "中拉論壇首屆部長級會議在哪裡開幕?"},
		{"ask_typos", "how mny confucious instutes are there in latn amrica"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, "ask", tt.question)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tt.name, out)
		})
	}
}

func TestBadInput(t *testing.T) {
	empty := t.TempDir()
	junk := t.TempDir()
	if err := os.WriteFile(filepath.Join(junk, "a.txt"), []byte{0, 1, 2, 0, 0xff, 0xfe}, 0o644); err != nil {
		t.Fatal(err)
	}
	mixed := t.TempDir()
	if err := os.WriteFile(filepath.Join(mixed, "bad.txt"), []byte("\x00\x01binary\x00junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mixed, "good.md"), []byte("# Tides\n\nThe tide at Brest rises seven metres twice a day.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badCfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(badCfg, []byte("kk: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		env    []string
		code   int
		stderr string
		stdout string
	}{
		{name: "no command", args: nil, code: 2, stderr: "Usage"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{name: "no question", args: []string{"ask"}, code: 2, stderr: "no question given"},
		{name: "blank question", args: []string{"ask", "   \t "}, code: 2, stderr: "no question given"},
		{name: "long question", args: []string{"ask", strings.Repeat("why ", 300)}, code: 2, stderr: "too long: 1200 characters, the limit is 1000"},
		{name: "long question configurable", args: []string{"ask", strings.Repeat("why ", 300)}, env: []string{"FOOTNOTE_MAX_QUESTION=2000"}, code: 0},
		{name: "invalid utf8", args: []string{"ask", "caf\xe9?"}, code: 2, stderr: "not valid UTF-8"},
		{name: "unknown flag", args: []string{"ask", "--frob", "q"}, code: 2, stderr: "unknown flag -frob"},
		{name: "bad k", args: []string{"ask", "-k", "0", "q"}, code: 2, stderr: "k (-k, FOOTNOTE_K): 0 is out of range"},
		{name: "missing corpus", args: []string{"ask", "--corpus", "/nonexistent/readings", "q"}, code: 2, stderr: "/nonexistent/readings"},
		{name: "missing corpus from environment", args: []string{"ask", "q"}, env: []string{"FOOTNOTE_CORPUS=/nonexistent"}, code: 2, stderr: "FOOTNOTE_CORPUS"},
		{name: "empty corpus", args: []string{"ask", "--corpus", empty, "q"}, code: 1, stderr: empty},
		{name: "junk corpus", args: []string{"ask", "--corpus", junk, "q"}, code: 1, stderr: junk},
		{name: "skips broken file", args: []string{"ask", "-v", "--corpus", mixed, "How high does the tide rise at Brest?"}, code: 0, stderr: "bad.txt", stdout: "seven metres"},
		{name: "unknown config key", args: []string{"ask", "--config", badCfg, "q"}, code: 2, stderr: `unknown key "kk"`},
		{name: "bad mode", args: []string{"ask", "--mode", "magic", "q"}, code: 2, stderr: `"magic" is not one of`},
		{name: "llm without model", args: []string{"ask", "--mode", "llm", "q"}, code: 2, stderr: "OPENAI_API_KEY"},
		{name: "eval missing file", args: []string{"eval", "/nonexistent.jsonl"}, code: 1, stderr: "nonexistent.jsonl"},
		{name: "help", args: []string{"ask", "--help"}, code: 0, stdout: "Usage: footnote ask"},
		{name: "version", args: []string{"version"}, code: 0, stdout: "footnote v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.stderr)
			}
			if !strings.Contains(out, tt.stdout) {
				t.Errorf("stdout %q does not contain %q", out, tt.stdout)
			}
			if code != 0 && tt.name != "no command" {
				lines := strings.Split(strings.TrimSpace(errOut), "\n")
				last := lines[len(lines)-1]
				if !strings.HasPrefix(last, "footnote") || strings.Contains(errOut, "goroutine ") {
					t.Errorf("error is not one clear line: %q", errOut)
				}
				for _, l := range lines[:len(lines)-1] {
					if !strings.HasPrefix(l, "warning: ") {
						t.Errorf("unexpected line before the error: %q", l)
					}
				}
			}
		})
	}
}

// TestBenchPrintsTable checks the bench command's table, not its numbers.
func TestBenchPrintsTable(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "--max", "1000", "-n", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"build index", "ask, extractive", "search, hybrid", "1000 synthetic", "p95"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// TestMetadataInCitations: a document's authors and year (here from Markdown
// front matter) are shown with its citations; extract prints what offsets index.
func TestMetadataInCitations(t *testing.T) {
	dir := t.TempDir()
	md := "---\ntitle: Tides of Brittany\nauthor: Ada Marin\nyear: 2021\n---\n\n# Brest\n\nThe tide at Brest rises seven metres twice a day.\n"
	if err := os.WriteFile(filepath.Join(dir, "tides.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "ask", "--corpus", dir, "How high does the tide rise at Brest?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "[1] Tides of Brittany (Ada Marin, 2021), Brest, ¶ 1") {
		t.Errorf("citation line lacks the metadata:\n%s", out)
	}
	code, out, _ = runCLI(t, nil, "extract", filepath.Join(dir, "tides.md"))
	if code != 0 || out != md {
		t.Errorf("extract of a Markdown file is not its bytes: %d %q", code, out)
	}
}

// TestOneLocator: the terminal and --json cite a passage with the same words
// (answer.Locate), page before paragraph.
func TestOneLocator(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "search", "--json", "-k", "3", "Confucius Institutes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s struct {
		Hits []struct{ Where string }
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	_, text, _ := runCLI(t, nil, "search", "-k", "3", "Confucius Institutes")
	for i, h := range s.Hits {
		if h.Where == "" || !strings.Contains(text, fmt.Sprintf("[%d] %s (score", i+1, h.Where)) {
			t.Errorf("hit %d: JSON where %q is not the text's locator:\n%s", i+1, h.Where, text)
		}
	}
}
