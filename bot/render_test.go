package bot

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// formatMessages shows messages as a reader would meet them, with their
// buttons, for golden files.
func formatMessages(msgs []message) string {
	var b strings.Builder
	for i, m := range msgs {
		fmt.Fprintf(&b, "===== message %d of %d: %d characters =====\n%s\n", i+1, len(msgs), textLen(m.Content), m.Content)
		for _, row := range m.Rows {
			b.WriteString("-----")
			for _, bt := range row {
				b.WriteString(" [")
				if bt.Emoji != "" {
					b.WriteString(bt.Emoji + " ")
				}
				fmt.Fprintf(&b, "%s](%s)", bt.Label, bt.CustomID)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func golden(t *testing.T, name string, msgs []message) {
	t.Helper()
	checkLimits(t, msgs)
	got := formatMessages(msgs)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (rerun with -update if the change is meant):\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

// checkLimits fails the test if a message breaks one of Discord's limits.
func checkLimits(t *testing.T, msgs []message) {
	t.Helper()
	for i, m := range msgs {
		if n := textLen(m.Content); n > maxContent || n == 0 {
			t.Errorf("message %d has %d characters; 1 to %d are allowed", i+1, n, maxContent)
		}
		if len(m.Rows) > maxRows {
			t.Errorf("message %d has %d rows of buttons; at most %d are allowed", i+1, len(m.Rows), maxRows)
		}
		for _, r := range m.Rows {
			if len(r) == 0 || len(r) > maxRowButtons {
				t.Errorf("message %d has a row of %d buttons; 1 to %d are allowed", i+1, len(r), maxRowButtons)
			}
			for _, b := range r {
				if n := len([]rune(b.Label)); n == 0 || n > maxLabel {
					t.Errorf("button label %q has %d characters; 1 to %d are allowed", b.Label, n, maxLabel)
				}
				if n := len(b.CustomID); n == 0 || n > maxCustomID {
					t.Errorf("button id %q has %d bytes; 1 to %d are allowed", b.CustomID, n, maxCustomID)
				}
			}
		}
		if len(m.Rows) > 0 && i != len(msgs)-1 {
			t.Errorf("message %d of %d has buttons; they belong under the last", i+1, len(msgs))
		}
	}
}

func ask(t *testing.T, f *fakeAnswerer, q string) *answer.Answer {
	t.Helper()
	a, err := f.Ask(context.Background(), answer.Request{Question: q})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func search(t *testing.T, f *fakeAnswerer, q string) []answer.Passage {
	t.Helper()
	ps, err := f.Search(context.Background(), q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestRenderGolden(t *testing.T) {
	f := newFakeAnswerer()
	llm := ask(t, f, "What are the latent causes of faction and its effects?")
	llm.Mode, llm.Note = answer.ModeLLM, "The model's first draft cited a passage it was not given; this answer was written again."
	paged := ask(t, f, "How many pins could ten persons make?")
	long := ask(t, f, "An essay on faction, labour, pins and the Union")
	for i := range long.Passages { // long titles and paths, for labels and button IDs
		long.Passages[i].Title += " — with a subtitle long enough to need cutting in a button label"
	}
	around, err := f.Around("federalist-10.md", f.passages[2].Start, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		msgs []message
	}{
		{"answer", renderAnswer(ask(t, f, "What are the latent causes of faction?"), answerView{ID: "1001", Question: "What are the latent causes of faction?"})},
		{"answer_llm_note", renderAnswer(llm, answerView{ID: "1002"})},
		{"answer_paged", renderAnswer(paged, answerView{ID: "1003"})},
		{"answer_long", renderAnswer(long, answerView{ID: "1004", Question: "An essay on faction, labour, pins and the Union"})},
		{"abstention", renderAnswer(ask(t, f, "Who won the 1998 World Cup?"), answerView{ID: "1005", Question: "Who won the 1998 World Cup?"})},
		{"quote", renderQuote("causes of faction", search(t, f, "causes of faction"))},
		{"quote_none", renderQuote("quantum chromodynamics", search(t, f, "quantum chromodynamics"))},
		{"check", renderCheck("A pin-maker alone makes twenty pins a day", search(t, f, "A pin-maker alone makes twenty pins a day"))},
		{"sources", renderSources(f.Sources())},
		{"help", renderHelp(helpView{FollowUps: true, DMs: true})},
		{"help_inline", renderHelp(helpView{Inline: true})},
		{"help_readings", renderHelp(helpView{Readings: true})},
		{"passage", renderPassageView(answer.Surroundings{Passage: f.passages[2]}, false)},
		{"passage_around", renderPassageView(around, true)},
		{"streaming", []message{{Content: renderStreaming("The latent causes of *faction* are thus sown [1] in the nature of")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { golden(t, tt.name, tt.msgs) })
	}
}

// TestRenderQuotesVerbatim checks that every quote shows, to a reader, exactly
// the characters of its source, markdown and mentions included.
func TestRenderQuotesVerbatim(t *testing.T) {
	f := newFakeAnswerer()
	for _, q := range []string{"What are the latent causes of faction?", "An essay on faction, labour, pins and the Union"} {
		a := ask(t, f, q)
		msgs := renderAnswer(a, answerView{ID: "1"})
		var shown strings.Builder
		for _, m := range msgs {
			shown.WriteString(unescapeMarkdown(m.Content) + "\n")
		}
		for _, c := range a.Citations {
			if !strings.Contains(shown.String(), "> \""+c.Quote+"\"") {
				t.Errorf("%q: quote [%d] %q is not shown verbatim in\n%s", q, c.N, c.Quote, shown.String())
			}
		}
	}
	ps := search(t, f, "latent causes everyone")
	shown := unescapeMarkdown(renderQuote("latent causes", ps)[0].Content)
	if !strings.Contains(shown, "> "+f.passages[2].Text) {
		t.Errorf("/quote does not show the passage verbatim:\n%s", shown)
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words, no change.", "plain words, no change."},
		{"the *nature of man*", `the \*nature of man\*`},
		{"snake_case and __bold__", `snake\_case and \_\_bold\_\_`},
		{"@everyone and <@123> and <#456> and <t:1700000000>", `@everyone and \<@123> and \<#456> and \<t:1700000000>`},
		{"[a link](https://example.com)", `[a link\](https://example.com)`},
		{"# heading\n> quote\n- item\n1. first\n-# small", "\\# heading\n\\> quote\n\\- item\n1\\. first\n\\-# small"},
		{"1999. A year.", `1999\. A year.`},
		{"pi is 3.14 and x > y - z", "pi is 3.14 and x > y - z"},
		{"||spoiler|| ~~gone~~ `code`", "\\|\\|spoiler\\|\\| \\~\\~gone\\~\\~ \\`code\\`"},
		{`a \ backslash`, `a \\ backslash`},
	}
	for _, tt := range tests {
		got := escapeMarkdown(tt.in)
		if got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := unescapeMarkdown(got); back != tt.in {
			t.Errorf("a reader of %q sees %q, want %q", got, back, tt.in)
		}
	}
}

func TestSplitMessage(t *testing.T) {
	quote := "**[3]** Title, ¶ 3\n> \"" + strings.Repeat("a quoted sentence. ", 20) + "\""
	para := strings.Repeat("An answer sentence that goes on for a while [1]. ", 30)
	long := strings.Repeat("word ", 600) // one paragraph longer than a message, no sentence ends
	content := strings.Join([]string{para, quote, para, quote, long, quote}, "\n\n")
	chunks := splitMessage(content, maxContent)
	if len(chunks) < 3 {
		t.Fatalf("%d chunks, want at least 3", len(chunks))
	}
	for i, c := range chunks {
		if n := textLen(c); n > maxContent || n == 0 {
			t.Errorf("chunk %d has %d characters", i, n)
		}
		if strings.HasPrefix(c, "\n") || strings.HasSuffix(c, "\n") {
			t.Errorf("chunk %d starts or ends with a newline", i)
		}
		for _, line := range strings.Split(c, "\n") {
			if strings.HasPrefix(line, "> \"") && !strings.HasSuffix(line, "\"") {
				t.Errorf("chunk %d cuts a quote: %q", i, line)
			}
		}
	}
	if got, want := strings.Join(strings.Fields(strings.Join(chunks, " ")), " "), strings.Join(strings.Fields(content), " "); got != want {
		t.Error("splitting lost or changed text")
	}
	// A quoted line longer than a message keeps its "> " on every piece.
	for i, c := range splitMessage("> "+strings.Repeat("Quoted words go on. ", 150), 500) {
		if !strings.HasPrefix(c, "> ") || textLen(c) > 500 {
			t.Errorf("piece %d of a long quoted line: %q", i, c)
		}
	}
	// Characters outside the BMP count twice, as Discord's UTF-16 count does.
	emoji := strings.Repeat("📚 ", 1500)
	for i, c := range splitMessage(emoji, maxContent) {
		if n := textLen(c); n > maxContent {
			t.Errorf("emoji chunk %d has %d characters", i, n)
		}
	}
}

func TestCustomIDs(t *testing.T) {
	long := strings.Repeat("very/deep/folder/", 10) + "notes.md"
	for _, doc := range []string{"federalist-10.md", "notes: with a colon.md", long} {
		for _, kind := range []string{kindPassage, kindContext} {
			id := passageID(kind, doc, 1234)
			if len(id) > maxCustomID {
				t.Errorf("id %q is %d bytes", id, len(id))
			}
			got, err := parseCustomID(id)
			if err != nil {
				t.Fatal(err)
			}
			wantDoc := doc
			if doc == long {
				wantDoc = "#" + docHash(doc)
			}
			if got.Kind != kind || got.Start != 1234 || got.Doc != wantDoc {
				t.Errorf("parse(%q) = %+v", id, got)
			}
		}
	}
	v, err := parseCustomID(voteID(false, "123"))
	if err != nil || v.Kind != kindVote || v.Helpful || v.Answer != "123" {
		t.Errorf("vote id: %+v, %v", v, err)
	}
	for _, bad := range []string{"", "x:1:doc", "p:-1:doc", "p:one:doc", "v:maybe:1"} {
		if _, err := parseCustomID(bad); err == nil {
			t.Errorf("parseCustomID(%q) accepted it", bad)
		}
	}
}

// TestQuestionErrorsByType: the numbers of a too-long question come from the
// error's fields (errors.As), however the error is wrapped or worded.
func TestQuestionErrorsByType(t *testing.T) {
	err := fmt.Errorf("checking the question: %w", &answer.TooLongError{N: 1234, Max: 1000})
	got, ok := renderQuestionError(err)
	if want := "That question is too long for me (1234 characters, the limit is 1000). Please shorten it."; !ok || got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, ok := renderQuestionError(errors.New("the question is too long: 5 characters")); ok {
		t.Error("an error that only reads like a too-long question was taken for one")
	}
}

// TestLocatorIsAnswers: the bot cites a passage with answer.Locate, the words
// the CLI and JSON use, only escaped for Markdown.
func TestLocatorIsAnswers(t *testing.T) {
	p := answer.Passage{N: 1, Doc: "w.txt", Title: "The *Wealth* of Nations", Authors: []string{"Adam Smith"}, Year: 1776,
		Section: "Book I › Of the Division of Labour", Page: 9, Paragraph: 3, Text: "Ten persons could make pins."}
	want := `The \*Wealth\* of Nations (Adam Smith, 1776), Book I › Of the Division of Labour, p. 9, ¶ 3`
	msgs := renderQuote("pins", []answer.Passage{p})
	if !strings.Contains(msgs[0].Content, want) {
		t.Errorf("want %q in\n%s", want, msgs[0].Content)
	}
}
