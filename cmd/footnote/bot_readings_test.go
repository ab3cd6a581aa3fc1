package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/readings/readingstest"
	"github.com/footnote-bot/footnote/store/embedded"
)

// runFootnoteBot runs `footnote bot` with env against fake until stop is
// called; n is how many times the fake will have seen a bot identify.
func runFootnoteBot(tb testing.TB, fake *discordtest.Server, env []string, n int) (stop func(), stderr *syncBuffer) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"bot"}, &syncBuffer{}, stderr, env) }()
	fake.WaitReady(tb, n, 30*time.Second)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(stderr.String(), "footnote bot ready"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("not ready:\n%s", stderr.String())
		}
	}
	return func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				tb.Errorf("exit %d:\n%s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			tb.Fatal("footnote bot did not stop")
		}
	}, stderr
}

// BenchmarkBotReadingsAdd runs `footnote bot` on a data folder (the embedded
// store: SQLite and index files, synced) and measures the time from
// /readings add of a 40-page PDF to "Added" and to the first /ask answered
// from it. Run with
//
//	go test ./cmd/footnote -run '^$' -bench BotReadingsAdd -benchtime 3x
func BenchmarkBotReadingsAdd(b *testing.B) {
	fake := discordtest.New(b, discordtest.Options{})
	env := []string{
		"DISCORD_TOKEN=" + fake.Token(), "DISCORD_API_BASE=" + fake.URL, "FOOTNOTE_DISCORD_GUILD=" + discordtest.GuildID,
		"FOOTNOTE_DISCORD_VOTES_FILE=" + filepath.Join(b.TempDir(), "votes.jsonl"), "FOOTNOTE_DATA_DIR=" + b.TempDir(),
		"FOOTNOTE_MODE=extractive", "FOOTNOTE_DISCORD_RATE_EVERY=-1s",
	}
	stop, _ := runFootnoteBot(b, fake, env, 1)
	defer stop()
	librarian := discordtest.User{ID: fake.NewID(), Name: "librarian", Permissions: int64(discordgo.PermissionManageGuild)}
	var added, cited time.Duration
	for i := 0; i < b.N; i++ {
		ch := discordtest.Channel{ID: fake.NewID(), Guild: fake.NewID()}
		fact := fmt.Sprintf("The lighthouse keeper Maribel Ostrander counted %d puffins on the north cliff in 1931.", 400+i)
		att := fake.Attach("field-guide.pdf", readingstest.PDF("Field Guide", readingstest.Pages(40, map[int]string{29: fact})))
		ix := fake.SlashSub(librarian, ch, "readings", discordtest.Sub{Name: "add", Options: []discordtest.Option{{Name: "file", Value: att}}})
		r := ix.WaitDone(b, 5*time.Minute, func(r discordtest.Response) bool { return strings.HasPrefix(r.Original.Content, "Added") })
		added += r.Original.Updated.Sub(ix.Sent)
		q := fake.Slash(librarian, ch, "ask", discordtest.Option{Name: "question", Value: "How many puffins did Maribel Ostrander count?"})
		a := q.WaitDone(b, time.Minute, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "Sources") })
		if !strings.Contains(a.Original.Content, fmt.Sprintf("%d puffins", 400+i)) {
			b.Fatalf("not answered from the reading:\n%s", a.Original.Content)
		}
		cited += a.Original.Updated.Sub(ix.Sent)
	}
	b.ReportMetric(float64(added.Milliseconds())/float64(b.N), "added-ms")
	b.ReportMetric(float64(cited.Milliseconds())/float64(b.N), "first-cited-answer-ms")
}

// TestBotReadingsSurviveRestart runs `footnote bot` twice on one data folder:
// a reading added with /readings add in the first run answers in the second,
// and the thread opened in the first keeps its turns in the store.
func TestBotReadingsSurviveRestart(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	data := t.TempDir()
	env := []string{
		"DISCORD_TOKEN=" + fake.Token(),
		"DISCORD_API_BASE=" + fake.URL,
		"FOOTNOTE_DISCORD_GUILD=" + discordtest.GuildID,
		"FOOTNOTE_DISCORD_VOTES_FILE=" + filepath.Join(t.TempDir(), "votes.jsonl"),
		"FOOTNOTE_DATA_DIR=" + data,
		"FOOTNOTE_MODE=extractive",
	}
	start := func(n int) (stop func(), stderr *syncBuffer) { return runFootnoteBot(t, fake, env, n) }
	fact := "The lighthouse keeper Maribel Ostrander counted 412 puffins on the north cliff in 1931."
	question := "How many puffins did Maribel Ostrander count?"
	librarian := discordtest.User{ID: fake.NewID(), Name: "librarian", Permissions: int64(discordgo.PermissionManageGuild)}
	student := discordtest.User{ID: fake.NewID(), Name: "student"}
	ch := discordtest.Channel{ID: "700000000000000001"}

	stop, _ := start(1)
	att := fake.Attach("field-guide.pdf", readingstest.PDF("Field Guide", readingstest.Pages(6, map[int]string{2: fact})))
	r := fake.SlashSub(librarian, ch, "readings", discordtest.Sub{Name: "add", Options: []discordtest.Option{{Name: "file", Value: att}}}).
		WaitDone(t, 60*time.Second, func(r discordtest.Response) bool { return strings.HasPrefix(r.Original.Content, "Added") })
	t.Logf("added: %s", r.Original.Content)
	fake.Say(student, ch, question, true)
	var thread discordtest.Channel
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ts := fake.Threads(ch.ID); len(ts) > 0 {
			thread = ts[0]
			ms := fake.ChannelMessages(thread.ID)
			if len(ms) > 0 && strings.Contains(ms[len(ms)-1].Content, "412 puffins") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no answer from the reading in a thread")
		}
	}
	stop()

	stop, stderr := start(2)
	a := fake.Slash(student, ch, "ask", discordtest.Option{Name: "question", Value: question}).
		WaitDone(t, 30*time.Second, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "Sources") })
	if !strings.Contains(a.Original.Content, "412 puffins") {
		t.Errorf("after the restart, not answered from the reading:\n%s\n%s", a.Original.Content, stderr.String())
	}
	before := len(fake.ChannelMessages(thread.ID))
	fake.Say(student, thread, "Where did she count them?", true)
	answeredFollowUp := func() bool {
		ms := fake.ChannelMessages(thread.ID)
		return len(ms) >= before+2 && ms[before+1].Edits > 0 && !strings.Contains(ms[before+1].Content, "Looking through")
	}
	for deadline := time.Now().Add(30 * time.Second); !answeredFollowUp(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no answer to the follow-up")
		}
	}
	stop()

	st, err := embedded.Open(context.Background(), embedded.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Conversation(context.Background(), thread.ID)
	if err != nil || len(c.Turns) != 2 || c.Turns[0].Question != question || c.Parent != ch.ID {
		t.Errorf("the thread in the store: %+v, %v", c, err)
	}
}
