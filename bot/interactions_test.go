package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot/discordtest"
)

// TestQueryWithNoWords: /quote and /check with nothing to search for (common
// words, punctuation, emoji) get a friendly answer, not an apology with an
// error id, and the bot logs no error.
func TestQueryWithNoWords(t *testing.T) {
	_, eng := defaultEngine(t)
	e := startBot(t, Options{Guild: discordtest.GuildID, Mode: answer.ModeExtractive, RateEvery: -1}, eng)
	general := discordtest.Channel{ID: "700000000000000001"}
	u := discordtest.User{ID: e.fake.NewID(), Name: "student"}
	for _, c := range []struct{ cmd, opt, text string }{
		{"quote", "topic", "the of and ? !"},
		{"check", "claim", "🙂🙂 🎉"},
	} {
		ix := e.fake.Slash(u, general, c.cmd, discordtest.Option{Name: c.opt, Value: c.text})
		r := ix.WaitDone(t, 30*time.Second, func(r discordtest.Response) bool { return len(r.Messages()) > 0 })
		got := shown(r.Messages())
		if !strings.Contains(got, "nothing to search for") || strings.Contains(got, "error `") {
			t.Errorf("/%s %q answered:\n%s", c.cmd, c.text, got)
		}
	}
	if logs := e.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("logged an error:\n%s", logs)
	}
}
