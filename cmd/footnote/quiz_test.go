package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/bot/discordtest"
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

// TestBotQuizSurvivesRestart runs `footnote bot` twice on one data folder: a
// quiz started by the first process is answered, once per person, through
// the second.
func TestBotQuizSurvivesRestart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	start := func() (*discordtest.Server, func()) {
		fake := discordtest.New(t, discordtest.Options{})
		env := []string{"DISCORD_TOKEN=" + fake.Token(), "DISCORD_API_BASE=" + fake.URL,
			"FOOTNOTE_DISCORD_GUILD=" + discordtest.GuildID, "FOOTNOTE_DATA_DIR=" + data,
			"FOOTNOTE_DISCORD_VOTES_FILE=" + filepath.Join(t.TempDir(), "votes.jsonl"),
			"FOOTNOTE_DISCORD_CITATION_STYLE=mla"}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		var stderr syncBuffer
		go func() { done <- run(ctx, []string{"bot"}, io.Discard, &stderr, env) }()
		fake.WaitReady(t, 1, 30*time.Second)
		return fake, func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("footnote bot exited %d:\n%s", code, stderr.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("footnote bot did not stop")
			}
		}
	}
	fake, stop := start()
	ann := discordtest.User{ID: fake.NewID(), Name: "ann"}
	ch := discordtest.Channel{ID: "700000000000000001"}
	fake.Slash(ann, ch, "quiz", discordtest.Option{Name: "count", Value: 2.0}).
		WaitDone(t, 30*time.Second, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "**Quiz**") })
	var questions []discordtest.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(questions) < 2 && time.Now().Before(deadline) {
		questions = nil
		for _, th := range fake.Threads(ch.ID) {
			for _, m := range fake.ChannelMessages(th.ID) {
				if strings.HasPrefix(m.Content, "**Question ") {
					questions = append(questions, m)
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(questions) != 2 {
		t.Fatalf("%d questions posted, want 2", len(questions))
	}
	// The Cite button uses the configured style.
	a := fake.Slash(ann, ch, "ask", discordtest.Option{Name: "question", Value: "How many Confucius Institutes are there in Latin America?"}).
		WaitDone(t, 30*time.Second, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "[1]") })
	var citeID string
	for _, b := range a.Original.Buttons() {
		if b.Label == "Cite" {
			citeID = b.CustomID
		}
	}
	if v := fake.Click(ann, a.Original, citeID).WaitAcked(t, 10*time.Second); !strings.Contains(v.Original.Content, "MLA 9th") {
		t.Errorf("the Cite button ignores discord.citation_style=mla:\n%s", v.Original.Content)
	}
	stop()

	fake2, stop2 := start()
	defer stop2()
	q := questions[0]
	first := fake2.Click(ann, q, q.Buttons()[0].CustomID).WaitAcked(t, 10*time.Second).Original.Content
	if !strings.Contains(first, "Right") && !strings.Contains(first, "Not this one") {
		t.Fatalf("a press after the restart: %q", first)
	}
	again := fake2.Click(ann, q, q.Buttons()[1].CustomID).WaitAcked(t, 10*time.Second).Original.Content
	if !strings.Contains(again, "already answered question 1") {
		t.Errorf("a second press after the restart: %q", again)
	}
}
