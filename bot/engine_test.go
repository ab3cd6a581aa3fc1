package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// TestRealEngine answers through the fake Discord with the real engine over
// the embedded default corpus: what a server would see out of the box.
func TestRealEngine(t *testing.T) {
	c, eng := defaultEngine(t)
	e := startBot(t, Options{Guild: discordtest.GuildID, Mode: answer.ModeExtractive}, eng)
	general := discordtest.Channel{ID: "700000000000000001"}
	u := discordtest.User{ID: e.fake.NewID(), Name: "student"}

	q := "When did Xi Jinping meet the leaders of Latin American and Caribbean countries in Brazil?"
	ix1 := e.fake.Slash(u, general, "ask", discordtest.Option{Name: "question", Value: q})
	r := ix1.WaitDone(t, 30*time.Second, answered)
	if d := r.At.Sub(ix1.Sent); d > 3*time.Second {
		t.Errorf("deferred after %v", d)
	}
	got := shown(r.Messages())
	if !strings.Contains(got, "[1]") || !strings.Contains(got, "**Sources:**") || !strings.Contains(got, "2014") {
		t.Errorf("not a cited answer:\n%s", got)
	}
	// Every quote shown is in the corpus, verbatim.
	var corpusText strings.Builder
	for _, d := range c.Docs {
		corpusText.WriteString(d.Text)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "> \"") && strings.HasSuffix(line, "\"") {
			quote := strings.TrimSuffix(line[3:len(line)-1], " […]")
			if !strings.Contains(corpusText.String(), quote) {
				t.Errorf("quote not verbatim in the corpus: %q", quote)
			}
		}
	}
	// The first passage button shows the passage whole.
	last := r.Messages()[len(r.Messages())-1]
	p := e.fake.Click(u, last, buttonWithPrefix(t, last, "p:").CustomID).WaitAcked(t, wait)
	if !p.Original.Ephemeral || !strings.Contains(p.Original.Content, "¶") {
		t.Errorf("passage view: %+v", p.Original)
	}
	s := e.fake.Slash(u, general, "sources").WaitAcked(t, wait)
	if !strings.Contains(s.Original.Content, "documents") {
		t.Errorf("/sources: %q", s.Original.Content)
	}
	t.Logf("answer:\n%s", got)
	checkEveryPayload(t, e.fake)
}

// defaultEngine is the real engine over the embedded default corpus.
func defaultEngine(tb testing.TB) (*corpus.Corpus, *answer.Engine) {
	tb.Helper()
	c, err := corpus.Default()
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return c, answer.New(c, ix, answer.Options{})
}
