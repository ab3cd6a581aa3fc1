package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/bot/discordtest"
)

var (
	botLog       = flag.Bool("botlog", false, "show the bot's log in the test output")
	discordgoLog = flag.Bool("dglog", false, "print discordgo's debug log")
)

// env is a bot running against a fake Discord.
type env struct {
	fake  *discordtest.Server
	bot   *Bot
	logs  *syncBuffer
	votes string
	// stop cancels Run and returns its error once it has returned.
	stop func() error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBot runs a bot with opts (token, API base, logger and votes file filled
// in) against a new fake Discord, and waits until its commands are registered.
func startBot(tb testing.TB, opts Options, a Answerer) *env {
	tb.Helper()
	// Discord's own heartbeat interval: discordgo sends one heartbeat on connecting and the
	// next 41 s later. A short interval would make a discordgo race likely on every
	// dropped connection: the old connection's heartbeat goroutine can close the new one.
	return startBotOn(tb, discordtest.New(tb, discordtest.Options{}), opts, a)
}

// startBotOn is startBot against an existing fake Discord (a restart: the
// bot before must have stopped).
func startBotOn(tb testing.TB, fake *discordtest.Server, opts Options, a Answerer) *env {
	tb.Helper()
	identified, _ := fake.Identified()
	logs := &syncBuffer{}
	var w io.Writer = logs
	if *botLog {
		w = io.MultiWriter(logs, testWriter{tb})
	}
	opts.Token = fake.Token()
	opts.APIBase = fake.URL
	opts.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.VotesFile == "" {
		opts.VotesFile = filepath.Join(tb.TempDir(), "votes.jsonl")
	}
	b, err := New(opts, a)
	if err != nil {
		tb.Fatal(err)
	}
	if *discordgoLog {
		b.s.LogLevel = discordgo.LogDebug
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	e := &env{fake: fake, bot: b, logs: logs, votes: opts.VotesFile}
	e.stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			tb.Error("Run did not return 30 s after its context ended")
			return nil
		}
	})
	tb.Cleanup(func() {
		if err := e.stop(); err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
	fake.WaitReady(tb, identified+1, 10*time.Second)
	scope := "global"
	if opts.Guild != "" {
		scope = opts.Guild
	}
	waitFor(tb, 10*time.Second, "the commands to be registered", func() bool { return fake.Commands(scope) != nil })
	waitFor(tb, 5*time.Second, "the ready line in the log", func() bool { return strings.Contains(logs.String(), "footnote bot ready") })
	return e
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// waitFor polls cond (for state outside the fake).
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hasVotes reports whether a set of messages ends with the vote buttons: an
// answer in its final form.
func hasVotes(msgs []discordtest.Message) bool {
	if len(msgs) == 0 {
		return false
	}
	for _, b := range msgs[len(msgs)-1].Buttons() {
		if strings.HasPrefix(b.CustomID, "v:up:") {
			return true
		}
	}
	return false
}

func answered(r discordtest.Response) bool { return hasVotes(r.Messages()) }

// shown is what a reader sees of messages: their content without Discord's
// escaping backslashes, joined.
func shown(msgs []discordtest.Message) string {
	var parts []string
	for _, m := range msgs {
		parts = append(parts, unescapeMarkdown(m.Content))
	}
	return strings.Join(parts, "\n")
}

func buttonWithPrefix(tb testing.TB, m discordtest.Message, prefix string) discordtest.Button {
	tb.Helper()
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b.CustomID, prefix) {
			return b
		}
	}
	tb.Fatalf("no button %q… under message %q (buttons %+v)", prefix, m.Content, m.Buttons())
	return discordtest.Button{}
}

// requestsTo returns the requests whose path contains part.
func requestsTo(fake *discordtest.Server, method, part string) []discordtest.Request {
	var out []discordtest.Request
	for _, r := range fake.Requests() {
		if r.Method == method && strings.Contains(r.Path, part) {
			out = append(out, r)
		}
	}
	return out
}

// checkEveryPayload fails the test if any message the bot sent or edited
// lacked empty allowed mentions or broke a Discord limit; it returns how many
// message payloads it checked.
func checkEveryPayload(tb testing.TB, fake *discordtest.Server) int {
	tb.Helper()
	n := 0
	for _, r := range fake.Requests() {
		for _, p := range r.Problems {
			tb.Errorf("%s %s: %s", r.Method, r.Path, p)
		}
		if !r.IsMessagePayload() {
			continue
		}
		n++
		var am struct {
			Parse *[]string `json:"parse"`
			Users []string  `json:"users"`
			Roles []string  `json:"roles"`
		}
		raw := r.AllowedMentions()
		if raw == "" || json.Unmarshal([]byte(raw), &am) != nil || am.Parse == nil || len(*am.Parse) != 0 ||
			len(am.Users)+len(am.Roles) != 0 {
			tb.Errorf("%s %s carries allowed_mentions %s, want {\"parse\":[]}", r.Method, r.Path, raw)
		}
	}
	return n
}

// percentile returns the p-th percentile (0..100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// botPosts returns the messages the bot posted in a channel on its own (not
// as responses to interactions).
func botPosts(fake *discordtest.Server, channel string) []discordtest.Message {
	var out []discordtest.Message
	for _, m := range fake.ChannelMessages(channel) {
		if m.Author.ID == fake.BotID && m.Interaction == "" {
			out = append(out, m)
		}
	}
	return out
}
