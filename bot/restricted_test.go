package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/bot/discordtest"
)

// TestBotRestricted runs a bot configured the other way round: inline answers,
// allow-lists, no DMs, no privileged intent, global commands. It ends by
// shutting the bot down with an answer in flight.
func TestBotRestricted(t *testing.T) {
	const student = "500000000000000001" // a role
	f := newFakeAnswerer()
	f.slow = 1500 * time.Millisecond
	allowed := discordtest.Channel{ID: "700000000000000010"}
	other := discordtest.Channel{ID: "700000000000000011"}
	teacher := discordtest.User{ID: "600000000000000001", Name: "teacher"}
	pupil := discordtest.User{ID: "600000000000000002", Name: "pupil", Roles: []string{student}}
	stranger := discordtest.User{ID: "600000000000000003", Name: "stranger"}
	e := startBot(t, Options{
		Inline: true, Channels: []string{allowed.ID}, Roles: []string{student}, Users: []string{teacher.ID},
		RateEvery: -1, MaxConcurrent: 1, Queue: -1, ShardCount: 2, ShutdownGrace: 5 * time.Second,
	}, f)
	fake := e.fake

	t.Run("global commands, no privileged intent, no DMs", func(t *testing.T) {
		var cmds []struct {
			Name     string `json:"name"`
			Contexts []int  `json:"contexts"`
		}
		if err := json.Unmarshal(fake.Commands("global"), &cmds); err != nil || len(cmds) != 8 { // 6 + cite and quiz
			t.Fatalf("global commands: %d, %v", len(cmds), err)
		}
		for _, c := range cmds {
			if len(c.Contexts) != 1 || c.Contexts[0] != 0 {
				t.Errorf("command %q offered in contexts %v with DMs off", c.Name, c.Contexts)
			}
		}
		var id struct {
			Intents int    `json:"intents"`
			Shard   [2]int `json:"shard"`
		}
		_ = json.Unmarshal(fake.FramesWithOp(2)[0].Data, &id)
		if want := int(discordgo.IntentsGuilds | discordgo.IntentsGuildMessages); id.Intents != want {
			t.Errorf("intents %b, want %b", id.Intents, want)
		}
		if id.Shard != [2]int{0, 2} {
			t.Errorf("identified as shard %v, want [0 2]", id.Shard)
		}
	})

	t.Run("a mention is answered inline, as a reply", func(t *testing.T) {
		q := fake.Say(pupil, allowed, "What is a faction?", true)
		waitFor(t, wait, "the inline answer", func() bool { return hasVotes(botPosts(fake, allowed.ID)) })
		posts := botPosts(fake, allowed.ID)
		if posts[0].Reference != q.ID {
			t.Errorf("the answer does not reply to the question")
		}
		if th := fake.Threads(allowed.ID); len(th) != 0 {
			t.Errorf("%d threads opened in inline mode", len(th))
		}
	})

	t.Run("allow-lists of channels, users and roles; DMs off", func(t *testing.T) {
		for _, c := range []struct {
			who  discordtest.User
			ch   discordtest.Channel
			want string
		}{
			{teacher, other, "not enabled in this channel"},
			{stranger, allowed, "not on the list"},
			{pupil, discordtest.Channel{ID: "dm-" + pupil.ID, DM: true}, "don't answer in direct messages"},
		} {
			r := fake.Slash(c.who, c.ch, "ask", discordtest.Option{Name: "question", Value: "What is a faction?"}).WaitAcked(t, wait)
			if r.Type != 4 || !r.Original.Ephemeral || !strings.Contains(r.Original.Content, c.want) {
				t.Errorf("%s in %s: type %d, %q; want a private %q", c.who.Name, c.ch.ID, r.Type, r.Original.Content, c.want)
			}
		}
		// With one slot and no queue, wait until the last answer has let go of it.
		waitFor(t, wait, "a free slot", func() bool { return e.bot.gate.used() == 0 })
		before := len(botPosts(fake, allowed.ID))
		fake.Say(stranger, allowed, "What is a faction?", true)
		fake.Say(pupil, other, "What is a faction?", true)
		fake.Say(pupil, discordtest.Channel{ID: "dm-" + pupil.ID, DM: true}, "What is a faction?", false)
		r := fake.Slash(teacher, allowed, "ask", discordtest.Option{Name: "question", Value: "What is labour?"}).WaitDone(t, wait, answered)
		if !strings.Contains(shown(r.Messages()), "division of labour") {
			t.Errorf("the teacher's answer: %s", shown(r.Messages()))
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(botPosts(fake, allowed.ID)) - before; n != 0 {
			t.Errorf("%d answers to a stranger's mention", n)
		}
		if n := len(botPosts(fake, other.ID)) + len(botPosts(fake, "dm-"+pupil.ID)); n != 0 {
			t.Errorf("%d answers outside the allowed channel", n)
		}
	})

	t.Run("on shutdown, the answer in flight finishes first", func(t *testing.T) {
		waitFor(t, wait, "a free slot", func() bool { return e.bot.gate.used() == 0 })
		ix := fake.Slash(teacher, allowed, "ask", discordtest.Option{Name: "question", Value: "Slowly: what is labour?"})
		ix.WaitAcked(t, wait)
		// One answer at a time and no queue: the next question is turned away, privately.
		busy := fake.Slash(pupil, allowed, "ask", discordtest.Option{Name: "question", Value: "What is labour?"}).WaitAcked(t, wait)
		if busy.Type != 4 || !busy.Original.Ephemeral || !strings.Contains(busy.Original.Content, "try again in a minute") {
			t.Errorf("a question past the queue: type %d, %+v", busy.Type, busy.Original)
		}
		start := time.Now()
		if err := e.stop(); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		r := ix.Response()
		if !answered(r) {
			t.Errorf("Run returned before the answer in flight was given: %q", r.Original.Content)
		}
		if took > 5*time.Second+3*time.Second {
			t.Errorf("shutting down took %v with a 5 s grace", took)
		}
		if !strings.Contains(e.logs.String(), "footnote bot stopped") {
			t.Error("no line in the log about stopping")
		}
	})
	checkEveryPayload(t, fake)
}

// used is how many places of the gate are taken.
func (g *gate) used() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.admitted
}
