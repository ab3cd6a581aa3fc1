package bot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/bot/discordtest"
)

const wait = 10 * time.Second // generous: the machine is shared and tests run with -race

// TestBot drives one bot through a fake Discord the way people in a server
// would use it. The subtests share the bot (each discordgo session costs a
// second to close) and run in order.
func TestBot(t *testing.T) {
	f := newFakeAnswerer()
	f.panicText = "engine blew up holding Bot " + "test-token" // the fake's token: it must not reach the log
	e := startBot(t, Options{
		Guild: discordtest.GuildID, DMs: true, MessageContent: true,
		RateEvery: time.Minute, RateBurst: 5, StreamEvery: 200 * time.Millisecond,
		MaxConcurrent: 8, Queue: 64,
	}, f)
	fake := e.fake
	general := discordtest.Channel{ID: "700000000000000001"}
	user := func(name string, roles ...string) discordtest.User {
		return discordtest.User{ID: fake.NewID(), Name: name, Roles: roles}
	}
	var firstAnswer discordtest.Message // an /ask answer, for the buttons

	t.Run("commands and intents", func(t *testing.T) {
		var cmds []struct {
			Name    string `json:"name"`
			Type    int    `json:"type"`
			Options []struct {
				Name     string `json:"name"`
				Required bool   `json:"required"`
			} `json:"options"`
		}
		if err := json.Unmarshal(fake.Commands(discordtest.GuildID), &cmds); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range cmds {
			got[c.Name] = c.Type
		}
		for name, typ := range map[string]int{"ask": 1, "quote": 1, "check": 1, "sources": 1, "help": 1, "Find sources": 3} {
			if got[name] != typ {
				t.Errorf("command %q registered with type %d, want %d (all: %v)", name, got[name], typ, got)
			}
		}
		if fake.Commands("global") != nil {
			t.Error("commands registered globally although a guild is set")
		}
		var id struct {
			Intents int `json:"intents"`
		}
		_ = json.Unmarshal(fake.FramesWithOp(2)[0].Data, &id)
		want := int(discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentsMessageContent)
		if id.Intents != want {
			t.Errorf("identified with intents %b, want %b", id.Intents, want)
		}
		if n := strings.Count(e.logs.String(), "footnote bot ready"); n != 1 {
			t.Errorf("%d ready lines in the log, want 1", n)
		}
	})

	t.Run("ask is deferred at once and edited into a cited answer", func(t *testing.T) {
		ix := fake.Slash(user("ann"), general, "ask", discordtest.Option{Name: "question", Value: "What are the latent causes of faction?"})
		r := ix.WaitAcked(t, wait)
		if r.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
			t.Fatalf("first response type %d, want a deferral (5)", r.Type)
		}
		if d := r.At.Sub(ix.Sent); d > 3*time.Second {
			t.Errorf("deferred %v after INTERACTION_CREATE; Discord allows 3 s", d)
		}
		r = ix.WaitDone(t, wait, answered)
		m := r.Original
		if m.Ephemeral || len(r.Followups) != 0 {
			t.Errorf("a public answer in one message expected; ephemeral %v, %d follow-ups", m.Ephemeral, len(r.Followups))
		}
		see := shown([]discordtest.Message{m})
		for _, want := range []string{
			"What are the latent causes of faction?",
			"The latent causes of faction are thus sown in the *nature of man*; [1]",
			"**[1]** The Federalist No. 10, The Causes of Faction, ¶ 3\n> \"The latent causes of faction are thus sown in the *nature of man*;\"",
			"**[2]** The Federalist No. 10, Controlling the Effects, ¶ 5",
			"**Sources:** The Federalist No. 10 (¶ 3, ¶ 5)",
		} {
			if !strings.Contains(see, want) {
				t.Errorf("the answer does not show %q:\n%s", want, see)
			}
		}
		labels := []string{}
		for _, b := range m.Buttons() {
			labels = append(labels, b.Label)
		}
		if got := strings.Join(labels, " | "); got != "[1] The Federalist No. 10, ¶ 3 | [2] The Federalist No. 10, ¶ 5 | Helpful | Not helpful | Cite" {
			t.Errorf("buttons: %s", got)
		}
		firstAnswer = m
	})

	t.Run("private ask is seen by the asker alone", func(t *testing.T) {
		ix := fake.Slash(user("bea"), general, "ask", discordtest.Option{Name: "question", Value: "How many pins could ten persons make?"},
			discordtest.Option{Name: "private", Value: true})
		r := ix.WaitDone(t, wait, answered)
		if !r.Original.Ephemeral {
			t.Error("a private answer was posted for all to see")
		}
		if !strings.Contains(shown(r.Messages()), "The Wealth of Nations, Of the Division of Labour, p. 9, ¶ 3") {
			t.Errorf("answer: %s", shown(r.Messages()))
		}
	})

	t.Run("a streamed answer is edited about once per interval, the final edit last", func(t *testing.T) {
		ix := fake.Slash(user("cal"), general, "ask", discordtest.Option{Name: "question", Value: "Stream me the causes of faction"})
		r := ix.WaitDone(t, wait, answered)
		edits := requestsTo(fake, http.MethodPatch, ix.Token)
		if len(edits) < 2 {
			t.Fatalf("%d edits: the partial text was never shown", len(edits))
		}
		last := edits[len(edits)-1]
		if !strings.Contains(string(last.Body), `"components"`) || strings.Contains(string(last.Body), "Writing…") {
			t.Errorf("the last edit is not the final answer: %s", last.Body)
		}
		for i, ed := range edits[:len(edits)-1] {
			if !strings.Contains(string(ed.Body), "Writing…") {
				t.Errorf("edit %d before the final one is not a partial answer: %s", i, ed.Body)
			}
			if i > 0 {
				if gap := ed.At.Sub(edits[i-1].At); gap < 150*time.Millisecond {
					t.Errorf("streaming edits %d and %d are %v apart; the interval is 200 ms", i-1, i, gap)
				}
			}
		}
		if !strings.Contains(shown(r.Messages()), "Written by a language model") {
			t.Errorf("final answer: %s", shown(r.Messages()))
		}
	})

	t.Run("a long answer is split between messages, never inside a quote", func(t *testing.T) {
		ix := fake.Slash(user("dan"), general, "ask", discordtest.Option{Name: "question", Value: "An essay on faction, labour, pins and the Union"})
		r := ix.WaitDone(t, wait, answered)
		msgs := r.Messages()
		if len(msgs) < 2 {
			t.Fatalf("%d messages; the answer is longer than one", len(msgs))
		}
		for i, m := range msgs {
			if n := len([]rune(m.Content)); n > 2000 {
				t.Errorf("message %d has %d characters", i, n)
			}
			if i < len(msgs)-1 && len(m.Rows) > 0 {
				t.Errorf("message %d of %d has buttons; they belong under the last", i+1, len(msgs))
			}
			for _, line := range strings.Split(m.Content, "\n") {
				if strings.HasPrefix(line, "> \"") && !strings.HasSuffix(line, "\"") {
					t.Errorf("message %d cuts a quote: %q", i, line)
				}
			}
		}
		req, _ := f.requestFor("An essay on faction, labour, pins and the Union")
		if req.Stream == nil {
			t.Error("the answer was not asked with a Stream function")
		}
	})

	t.Run("quote, check, sources and help", func(t *testing.T) {
		u := user("eve")
		q := fake.Slash(u, general, "quote", discordtest.Option{Name: "topic", Value: "causes of faction"})
		r := q.WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "word for word") })
		if !strings.Contains(shown(r.Messages()), "> The latent causes of faction are thus sown in the *nature of man*; and we see them everywhere") {
			t.Errorf("/quote: %s", shown(r.Messages()))
		}
		c := fake.Slash(u, general, "check", discordtest.Option{Name: "claim", Value: "A pin-maker alone makes twenty pins a day"})
		r = c.WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "bear on") })
		if !strings.Contains(shown(r.Messages()), "a pin-maker could scarce") {
			t.Errorf("/check: %s", shown(r.Messages()))
		}
		s := fake.Slash(u, general, "sources")
		r = s.WaitAcked(t, wait)
		if r.Type != 4 || !strings.Contains(r.Original.Content, "2 documents, 8 passages") {
			t.Errorf("/sources: type %d, %q", r.Type, r.Original.Content)
		}
		h := fake.Slash(u, general, "help")
		r = h.WaitAcked(t, wait)
		if !r.Original.Ephemeral || !strings.Contains(r.Original.Content, "/ask question") {
			t.Errorf("/help: %+v", r.Original)
		}
	})

	t.Run("Find sources runs check on a message, privately", func(t *testing.T) {
		claim := fake.Say(user("fay"), general, "Ten persons could make forty-eight thousand pins a day", false)
		ix := fake.MessageCommand(user("gus"), general, "Find sources", claim)
		r := ix.WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "bear on") })
		if !r.Original.Ephemeral || !strings.Contains(shown(r.Messages()), "Ten persons could make among them") {
			t.Errorf("Find sources: ephemeral %v, %s", r.Original.Ephemeral, shown(r.Messages()))
		}
		if n := len(botPosts(fake, general.ID)); n != 0 {
			t.Errorf("the bot posted %d messages in the channel; the message did not mention it", n)
		}
	})

	t.Run("an unknown command gets a clear reply", func(t *testing.T) {
		r := fake.Slash(user("hal"), general, "frobnicate").WaitAcked(t, wait)
		if r.Type != 4 || !r.Original.Ephemeral || !strings.Contains(r.Original.Content, "I don't know the command “frobnicate”") ||
			!strings.Contains(r.Original.Content, "/help") {
			t.Errorf("unknown command: type %d, %+v", r.Type, r.Original)
		}
	})

	t.Run("a mention opens a thread; a follow-up in it is answered with the history", func(t *testing.T) {
		ivy := user("ivy")
		q := fake.Say(ivy, general, "What is a faction?", true)
		var thread discordtest.Channel
		waitFor(t, wait, "a thread for the question", func() bool {
			for _, th := range fake.Threads(general.ID) {
				if th.ID == q.ID {
					thread = th
					return true
				}
			}
			return false
		})
		if thread.Name != "What is a faction?" {
			t.Errorf("thread named %q", thread.Name)
		}
		waitFor(t, wait, "the answer in the thread", func() bool { return hasVotes(fake.ChannelMessages(thread.ID)) })
		if see := shown(fake.ChannelMessages(thread.ID)); !strings.Contains(see, "By a faction, I understand a number of citizens") {
			t.Errorf("thread answer: %s", see)
		}
		follow := fake.Say(ivy, thread, "And how can its effects be controlled?", false)
		waitFor(t, wait, "the follow-up's answer", func() bool {
			msgs := fake.ChannelMessages(thread.ID)
			return len(msgs) >= 3 && hasVotes(msgs) && msgs[len(msgs)-1].Reference == follow.ID
		})
		req, ok := f.requestFor("And how can its effects be controlled?")
		if !ok || len(req.History) != 1 || req.History[0].Question != "What is a faction?" || req.History[0].Answer == "" {
			t.Errorf("the follow-up was asked without the earlier turn: %+v", req.History)
		}
		if see := shown(fake.ChannelMessages(thread.ID)[2:]); !strings.Contains(see, "controlling its effects") {
			t.Errorf("follow-up answer: %s", see)
		}
	})

	t.Run("DMs are answered inline", func(t *testing.T) {
		jo := user("jo")
		dm := discordtest.Channel{ID: "dm-" + jo.ID, DM: true}
		fake.Say(jo, dm, "What did the pin-maker make?", false)
		waitFor(t, wait, "the DM answer", func() bool { return hasVotes(fake.ChannelMessages(dm.ID)) })
	})

	t.Run("buttons show passages privately and votes are stored", func(t *testing.T) {
		kim := user("kim")
		b := buttonWithPrefix(t, firstAnswer, "p:")
		r := fake.Click(kim, firstAnswer, b.CustomID).WaitAcked(t, wait)
		if r.Type != 4 || !r.Original.Ephemeral {
			t.Fatalf("passage shown with type %d, ephemeral %v", r.Type, r.Original.Ephemeral)
		}
		passage := f.passages[2].Text
		if !strings.Contains(shown([]discordtest.Message{r.Original}), "> "+passage) {
			t.Errorf("the passage is not shown whole and verbatim:\n%s", r.Original.Content)
		}
		around := buttonWithPrefix(t, r.Original, "c:")
		view := r.Original
		r2 := fake.Click(kim, view, around.CustomID).WaitAcked(t, wait)
		if r2.Type != 7 {
			t.Fatalf("the surrounding paragraphs came as type %d, want an update of the private view (7)", r2.Type)
		}
		updated, _ := fake.Message(view.ID)
		if see := shown([]discordtest.Message{updated}); !strings.Contains(see, f.passages[1].Text) || !strings.Contains(see, f.passages[3].Text) {
			t.Errorf("the paragraphs around are missing:\n%s", see)
		}
		if n := len(botPosts(fake, general.ID)); n != 0 {
			t.Errorf("%d messages were posted for all to see", n)
		}

		up := buttonWithPrefix(t, firstAnswer, "v:up:")
		down := buttonWithPrefix(t, firstAnswer, "v:down:")
		for _, c := range []struct {
			u  discordtest.User
			id string
		}{{kim, up.CustomID}, {user("lou"), down.CustomID}} {
			r := fake.Click(c.u, firstAnswer, c.id).WaitAcked(t, wait)
			if !r.Original.Ephemeral || !strings.HasPrefix(r.Original.Content, "Thanks") {
				t.Errorf("vote reply: %+v", r.Original)
			}
		}
		votes, err := ReadVotes(e.votes)
		if err != nil {
			t.Fatal(err)
		}
		if len(votes) != 2 || !votes[0].Helpful || votes[1].Helpful {
			t.Fatalf("votes: %+v", votes)
		}
		v := votes[0]
		if v.Question != "What are the latent causes of faction?" || !strings.Contains(v.Answer, "[1]") || len(v.Citations) != 2 ||
			v.User == kim.ID || len(v.User) != 64 || v.Time.IsZero() {
			t.Errorf("vote: %+v", v)
		}
	})

	t.Run("the rate limit answers privately", func(t *testing.T) {
		max := user("max")
		var ixs []*discordtest.Interaction
		for i := 0; i < 5; i++ {
			ixs = append(ixs, fake.Slash(max, general, "ask", discordtest.Option{Name: "question", Value: fmt.Sprintf("What is labour? (%d)", i)}))
		}
		for _, ix := range ixs {
			if r := ix.WaitAcked(t, wait); r.Type != 5 {
				t.Errorf("question within the burst got type %d", r.Type)
			}
		}
		r := fake.Slash(max, general, "ask", discordtest.Option{Name: "question", Value: "What is labour? (6)"}).WaitAcked(t, wait)
		if r.Type != 4 || !r.Original.Ephemeral || !strings.Contains(r.Original.Content, "try again in") ||
			!strings.HasSuffix(r.Original.Content, " s.") {
			t.Errorf("over the limit: type %d, %+v", r.Type, r.Original)
		}
		// A mention over the limit is told in a DM, not in the channel.
		fake.Say(max, general, "What is labour?", true)
		waitFor(t, wait, "a DM about the limit", func() bool {
			msgs := fake.ChannelMessages("dm-" + max.ID)
			return len(msgs) == 1 && strings.Contains(msgs[0].Content, "try again in")
		})
		for _, ix := range ixs {
			ix.WaitDone(t, wait, answered)
		}
	})

	t.Run("a panic or an error gets an apology with an error id, and the bot goes on", func(t *testing.T) {
		for _, q := range []string{"Please panic now", "Please fail now"} {
			r := fake.Slash(user("ned"), general, "ask", discordtest.Option{Name: "question", Value: q}).
				WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "error `") })
			id := r.Original.Content[strings.Index(r.Original.Content, "error `")+7:]
			id = id[:strings.Index(id, "`")]
			if len(id) != 8 || !strings.Contains(e.logs.String(), "error_id="+id) {
				t.Errorf("%q: error id %q is not in the log", q, id)
			}
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "handler panicked") || !strings.Contains(logs, "the index is on fire") {
			t.Error("the log lacks the failures' details")
		}
		if strings.Contains(logs, "test-token") {
			t.Error("the bot token reached the log")
		}
		fake.Slash(user("ned"), general, "ask", discordtest.Option{Name: "question", Value: "What is a faction?"}).WaitDone(t, wait, answered)
	})

	t.Run("messages from bots, itself included, are ignored", func(t *testing.T) {
		quiet := discordtest.Channel{ID: "700000000000000009"}
		fake.Say(discordtest.User{ID: fake.NewID(), Name: "otherbot", Bot: true}, quiet, "What is a faction?", true)
		fake.Say(discordtest.User{ID: discordtest.BotID, Name: "Footnote", Bot: true}, quiet, "What is a faction?", true)
		fake.Say(user("oz"), quiet, "What is a faction?", true) // a person, to know the bot has caught up
		waitFor(t, wait, "the person's answer", func() bool { return len(fake.Threads(quiet.ID)) == 1 })
		time.Sleep(200 * time.Millisecond)
		if n := len(fake.Threads(quiet.ID)); n != 1 {
			t.Errorf("%d threads; only the person's question should be answered", n)
		}
	})

	t.Run("a 429 is waited out", func(t *testing.T) {
		fake.RateLimitNext(http.MethodPatch, "/webhooks/", 500*time.Millisecond)
		ix := fake.Slash(user("pam"), general, "ask", discordtest.Option{Name: "question", Value: "What is the division of labour?"})
		ix.WaitDone(t, wait, answered)
		edits := requestsTo(fake, http.MethodPatch, ix.Token)
		if len(edits) < 2 || edits[0].Status != http.StatusTooManyRequests || edits[len(edits)-1].Status != http.StatusOK {
			t.Fatalf("want a 429 then a success, got %d edits", len(edits))
		}
		if gap := edits[1].At.Sub(edits[0].At); gap < 450*time.Millisecond {
			t.Errorf("retried %v after a 429 that asked for 500 ms", gap)
		}
		// Channel messages go through discordgo's own rate limiter.
		ch := discordtest.Channel{ID: "700000000000000429"}
		fake.RateLimitNext(http.MethodPost, "/channels/", 300*time.Millisecond)
		fake.Say(user("pat"), ch, "What is the division of labour?", true)
		waitFor(t, wait, "the mention's answer", func() bool {
			th := fake.Threads(ch.ID)
			return len(th) == 1 && hasVotes(fake.ChannelMessages(th[0].ID))
		})
		posts := requestsTo(fake, http.MethodPost, "/channels/")
		limited := false
		for _, p := range posts {
			limited = limited || p.Status == http.StatusTooManyRequests
		}
		if !limited {
			t.Error("the planned 429 on a channel message never happened")
		}
	})

	t.Run("a dropped gateway is resumed, or re-identified, and answers go on", func(t *testing.T) {
		fake.Drop()
		// Asked while the bot is away: replayed to it on RESUME.
		ix := fake.Slash(user("quinn"), general, "ask", discordtest.Option{Name: "question", Value: "What is a faction?"})
		fake.WaitResumed(t, 1, wait)
		ix.WaitDone(t, wait, answered)
		resumes := fake.FramesWithOp(6)
		var rp struct {
			SessionID string `json:"session_id"`
			Seq       int64  `json:"seq"`
		}
		if len(resumes) != 1 || json.Unmarshal(resumes[0].Data, &rp) != nil || rp.SessionID != "session-1" || rp.Seq == 0 {
			t.Errorf("RESUME frames: %d, %+v", len(resumes), rp)
		}

		fake.RejectNextResume()
		fake.Drop()
		fake.WaitReady(t, 2, wait)
		fake.Slash(user("rex"), general, "ask", discordtest.Option{Name: "question", Value: "What is a faction?"}).WaitDone(t, wait, answered)
		if len(fake.FramesWithOp(1)) == 0 {
			t.Error("no heartbeats were sent")
		}
	})

	t.Run("50 asks at once are all deferred within 3 s", func(t *testing.T) {
		const n = 50
		ixs := make([]*discordtest.Interaction, n)
		var wg sync.WaitGroup
		for i := range ixs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ixs[i] = fake.Slash(user(fmt.Sprint("crowd", i)), general, "ask",
					discordtest.Option{Name: "question", Value: "What is the division of labour?"})
			}()
		}
		wg.Wait()
		var deferral, final []time.Duration
		for _, ix := range ixs {
			r := ix.WaitAcked(t, wait)
			if r.Type != 5 {
				t.Errorf("type %d, want a deferral", r.Type)
			}
			deferral = append(deferral, r.At.Sub(ix.Sent))
		}
		for _, ix := range ixs {
			r := ix.WaitDone(t, 30*time.Second, answered)
			final = append(final, r.Original.Updated.Sub(ix.Sent))
		}
		if worst := percentile(deferral, 100); worst > 3*time.Second {
			t.Errorf("the slowest deferral took %v; Discord allows 3 s", worst)
		}
		t.Logf("50 at once: deferral p50 %v p95 %v max %v; final answer p50 %v p95 %v", percentile(deferral, 50),
			percentile(deferral, 95), percentile(deferral, 100), percentile(final, 50), percentile(final, 95))
	})

	t.Run("every outgoing message carries empty allowed mentions", func(t *testing.T) {
		if n := checkEveryPayload(t, fake); n < 100 {
			t.Errorf("only %d message payloads checked", n)
		}
	})
}
