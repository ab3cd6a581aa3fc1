package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/internal/retry"
	"github.com/gorilla/websocket"
)

func TestAPIBaseRewritesDiscordOnly(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.RequestURI())
	}))
	defer srv.Close()
	c, err := httpClient(srv.URL + "/proxy/")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://discord.com/api/v9/gateway", "https://discord.com/api/v9/channels/1/messages?limit=2"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	want := []string{"GET /proxy/api/v9/gateway", "GET /proxy/api/v9/channels/1/messages?limit=2"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("requests reached the base as %q, want %q", got, want)
	}
	for _, bad := range []string{"discord.com", "ftp://x", "http://"} {
		if _, err := httpClient(bad); err == nil {
			t.Errorf("httpClient(%q) accepted it", bad)
		}
	}
}

func TestNewChecksOptions(t *testing.T) {
	f := newFakeAnswerer()
	dir := t.TempDir()
	for _, o := range []Options{
		{},
		{Token: "x", ShardID: 1, ShardCount: 1},
		{Token: "x", ShardCount: -2},
		{Token: "x", APIBase: "not a url"},
	} {
		o.VotesFile = dir + "/votes.jsonl"
		if _, err := New(o, f); err == nil {
			t.Errorf("New(%+v) accepted it", o)
		}
	}
	b, err := New(Options{Token: "abc", VotesFile: dir + "/votes.jsonl"}, f)
	if err != nil {
		t.Fatal(err)
	}
	if b.s.Token != "Bot abc" || b.opts.MaxConcurrent != 4 || b.opts.RateBurst != 3 || b.opts.StreamEvery.Seconds() != 1 {
		t.Errorf("defaults not applied: token %q, %+v", b.s.Token, b.opts)
	}
}

func TestRunRefusedToken(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	b, err := New(Options{Token: "not-the-token", APIBase: fake.URL, VotesFile: t.TempDir() + "/votes.jsonl",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, newFakeAnswerer())
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") || strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("Run with a refused token: %v", err)
	}
	if n := fake.Lookups(); n != 1 {
		t.Errorf("a refused token was tried %d times", n)
	}
}

// startupBot is a bot whose Run has not been called, logging JSON into logs.
func startupBot(tb testing.TB, apiBase, token string, policy *retry.Policy) (*Bot, *syncBuffer) {
	tb.Helper()
	logs := &syncBuffer{}
	var w io.Writer = logs
	if *botLog {
		w = io.MultiWriter(logs, testWriter{tb})
	}
	b, err := New(Options{Token: token, APIBase: apiBase, VotesFile: filepath.Join(tb.TempDir(), "votes.jsonl"),
		Logger: slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))}, newFakeAnswerer())
	if err != nil {
		tb.Fatal(err)
	}
	if policy != nil {
		b.startup = *policy
	}
	return b, logs
}

// running is a bot's Run in progress.
type running struct {
	cancel   context.CancelFunc
	finished chan struct{} // closed when Run has returned, with err set
	err      error
}

// run starts b.Run and stops it (with a check) when the test ends.
func run(tb testing.TB, b *Bot) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, finished: make(chan struct{})}
	go func() {
		r.err = b.Run(ctx)
		close(r.finished)
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-r.finished:
		case <-time.After(30 * time.Second):
			tb.Error("Run still running 30 s after its context ended")
		}
	})
	return r
}

// stop cancels Run's context and returns Run's error and how long Run took
// to return, failing the test when it takes longer than limit.
func (r *running) stop(tb testing.TB, limit time.Duration) (error, time.Duration) {
	tb.Helper()
	start := time.Now()
	r.cancel()
	select {
	case <-r.finished:
		return r.err, time.Since(start)
	case <-time.After(limit):
		tb.Fatalf("Run still running %v after its context ended", limit)
		return nil, 0
	}
}

// wait waits up to limit for Run to return by itself.
func (r *running) wait(tb testing.TB, limit time.Duration) error {
	tb.Helper()
	select {
	case <-r.finished:
		return r.err
	case <-time.After(limit):
		tb.Fatalf("Run still running after %v", limit)
		return nil
	}
}

// retryLine is a "could not connect to Discord: retrying" log record.
type retryLine struct {
	Attempt int           `json:"attempt"`
	Wait    time.Duration `json:"wait"`
	Err     string        `json:"err"`
}

func retryLines(tb testing.TB, logs string) []retryLine {
	tb.Helper()
	var out []retryLine
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if line == "" {
			continue
		}
		var r struct {
			Msg string `json:"msg"`
			retryLine
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			tb.Fatalf("log line %q: %v", line, err)
		}
		if r.Msg == "could not connect to Discord: retrying" {
			out = append(out, r.retryLine)
		}
	}
	return out
}

// A gateway lookup answering 429 with a short retry_after is retried with a
// backoff that grows past it, one log line per retry (not every 200 ms).
func TestStartupBacksOffOnShortRetryAfter(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	const asked = 200 * time.Millisecond
	fake.FailLookups(4, discordtest.LookupFault{Status: http.StatusTooManyRequests, RetryAfter: asked})
	b, logs := startupBot(t, fake.URL, fake.Token(), &retry.Policy{Attempts: 10, Base: 100 * time.Millisecond, Cap: 2 * time.Second, MaxAfter: time.Minute})
	r := run(t, b)
	fake.WaitReady(t, 1, 20*time.Second)
	if err, _ := r.stop(t, 10*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Four refused lookups and the one that worked; discordgo may look the
	// gateway up again later by itself, if the connection drops on a busy
	// machine, which is not start-up's doing.
	lines := retryLines(t, logs.String())
	if len(lines) != 4 || fake.Lookups() < 5 {
		t.Fatalf("%d lookups and %d retry lines %+v, want 5 (or more, after start-up) and 4", fake.Lookups(), len(lines), lines)
	}
	for i, l := range lines {
		if l.Wait < asked || (i > 0 && l.Wait < lines[i-1].Wait) {
			t.Errorf("waits %+v: each at least the %v asked, never shrinking", lines, asked)
		}
		if !strings.Contains(l.Err, fake.URL+"/api/v9/gateway") || !strings.Contains(l.Err, "429") {
			t.Errorf("retry line %+v does not name the URL tried and the status", l)
		}
	}
	if last := lines[len(lines)-1].Wait; last < 2*asked {
		t.Errorf("fourth wait %v: the backoff did not grow past the %v asked", last, asked)
	}
	var at []time.Time
	for _, r := range fake.Requests() {
		if r.Path == "/gateway" {
			at = append(at, r.At)
		}
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < asked {
			t.Errorf("lookup %d came %v after the one before, under the %v asked", i+1, gap, asked)
		}
	}
}

// A 429 asking for two minutes is waited out, but a cancel (SIGTERM) ends
// the wait at once.
func TestStartupStopsDuringLongRetryAfter(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	const asked = 120 * time.Second
	fake.FailLookups(-1, discordtest.LookupFault{Status: http.StatusTooManyRequests, RetryAfter: asked})
	b, logs := startupBot(t, fake.URL, fake.Token(), nil) // the real start-up policy
	r := run(t, b)
	waitFor(t, 10*time.Second, "the retry line", func() bool { return len(retryLines(t, logs.String())) > 0 })
	err, took := r.stop(t, 5*time.Second)
	if err != nil || took >= asked {
		t.Errorf("Run returned %v, %v after the cancel", err, took)
	}
	if l := retryLines(t, logs.String()); len(l) != 1 || l[0].Wait != asked || fake.Lookups() != 1 {
		t.Errorf("retry lines %+v after %d lookups: want one wait of %v", l, fake.Lookups(), asked)
	}
}

// A gateway lookup that never answers does not hold up a cancel until the
// HTTP client's 20 s timeout.
func TestStartupStopsWhileLookupHangs(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	fake.FailLookups(-1, discordtest.LookupFault{Hang: true})
	b, _ := startupBot(t, fake.URL, fake.Token(), nil)
	r := run(t, b)
	fake.WaitLookups(t, 1, 10*time.Second)
	if err, took := r.stop(t, 5*time.Second); err != nil || took >= b.s.Client.Timeout {
		t.Errorf("Run returned %v, %v after the cancel", err, took)
	}
}

// A gateway that accepts the websocket and says nothing (no HELLO) does not
// hold up a cancel either: discordgo's Open has no deadline of its own there.
func TestStartupStopsWhileGatewayIsSilent(t *testing.T) {
	upgraded := make(chan struct{}, 8)
	quit := make(chan struct{})
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v9/gateway" {
			fmt.Fprintf(w, `{"url": "ws%s/ws"}`, strings.TrimPrefix(srv.URL, "http"))
			return
		}
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		upgraded <- struct{}{}
		<-quit
	}))
	defer srv.Close()
	defer close(quit)
	b, _ := startupBot(t, srv.URL, "test-token", nil)
	r := run(t, b)
	select {
	case <-upgraded:
	case <-time.After(10 * time.Second):
		t.Fatal("the bot never opened the websocket")
	}
	if err, took := r.stop(t, 5*time.Second); err != nil {
		t.Errorf("Run returned %v, %v after the cancel", err, took)
	}
}

// Failures that may pass (server errors, garbage, a dropped connection) are
// retried, each retry logged with the URL tried.
func TestStartupRetriesPassingFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault discordtest.LookupFault
		says  string
	}{
		{"server error", discordtest.LookupFault{Status: http.StatusInternalServerError}, "HTTP 500"},
		{"bad gateway", discordtest.LookupFault{Status: http.StatusBadGateway}, "HTTP 502"},
		{"garbage", discordtest.LookupFault{Garbage: true}, "not a gateway address"},
		{"dropped connection", discordtest.LookupFault{Drop: true}, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := discordtest.New(t, discordtest.Options{})
			fake.FailLookups(2, tt.fault)
			b, logs := startupBot(t, fake.URL, fake.Token(), &retry.Policy{Attempts: 5, Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond})
			r := run(t, b)
			fake.WaitReady(t, 1, 20*time.Second)
			if err, _ := r.stop(t, 10*time.Second); err != nil {
				t.Fatalf("Run: %v", err)
			}
			lines := retryLines(t, logs.String())
			if len(lines) != 2 || fake.Lookups() != 3 {
				t.Fatalf("%d lookups, retry lines %+v; want 3 and 2", fake.Lookups(), lines)
			}
			for _, l := range lines {
				if !strings.Contains(l.Err, fake.URL+"/api/v9/gateway") || !strings.Contains(l.Err, tt.says) || strings.Contains(l.Err, "discord.com") {
					t.Errorf("retry line %q: want the URL tried and %q", l.Err, tt.says)
				}
			}
		})
	}
}

// A closed port is retried, then Run fails naming the URL it tried (not
// https://discord.com, and without the password in DISCORD_API_BASE).
func TestStartupGivesUpNamingTheURLTried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	b, logs := startupBot(t, "http://proxyuser:hunter22@"+addr+"/discord/", "test-token", &retry.Policy{Attempts: 3, Base: time.Millisecond, Cap: time.Millisecond})
	runErr := run(t, b).wait(t, 10*time.Second)
	msg := fmt.Sprint(runErr)
	if runErr == nil || !strings.Contains(msg, addr+"/discord/api/v9/gateway") || strings.Contains(msg, "discord.com") ||
		strings.Contains(msg, "hunter22") || !strings.Contains(msg, "connection refused") {
		t.Errorf("Run: %v", runErr)
	}
	if n := len(retryLines(t, logs.String())); n != 2 || strings.Contains(logs.String(), "hunter22") {
		t.Errorf("%d retry lines, want 2; log:\n%s", n, logs)
	}
}

func TestConnectHintInspectsTypes(t *testing.T) {
	unauthorized := &http.Response{StatusCode: http.StatusUnauthorized}
	tests := []struct {
		name  string
		err   error
		hint  string // a word the hint holds; "" for none
		fatal bool
	}{
		{"REST 401", fmt.Errorf("look up: %w", &discordgo.RESTError{Response: unauthorized}), "DISCORD_TOKEN", false},
		{"lookup 401", &apiError{Status: 401, Body: "401: Unauthorized"}, "DISCORD_TOKEN", false},
		{"close 4004", fmt.Errorf("open the gateway: %w", &websocket.CloseError{Code: 4004, Text: "Authentication failed."}), "DISCORD_TOKEN", true},
		{"close 4014", &websocket.CloseError{Code: 4014}, "Message Content", true},
		{"close 4013", &websocket.CloseError{Code: 4013}, "intents", true},
		{"close 4000 passes", &websocket.CloseError{Code: 4000}, "", false},
		{"numbers in text are only text", errors.New("dial tcp 10.0.0.1:4004: HTTP 401 from port 4014"), "", false},
		{"REST 500", &discordgo.RESTError{Response: &http.Response{StatusCode: 500}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hint := connectHint(tt.err)
			if (tt.hint == "") != (hint == "") || !strings.Contains(hint, tt.hint) {
				t.Errorf("connectHint = %q, want one with %q", hint, tt.hint)
			}
			if gatewayFatal(tt.err) != tt.fatal {
				t.Errorf("gatewayFatal = %v", !tt.fatal)
			}
		})
	}
}

// puts lists the fake's command registrations (PUT /applications/...), with
// the status each got.
func puts(fake *discordtest.Server) []discordtest.Request {
	var out []discordtest.Request
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/applications/") {
			out = append(out, r)
		}
	}
	return out
}

// Registering the commands is part of start-up too: a 429 there is waited
// out, and a cancel ends the wait at once (discordgo's own wait would not).
func TestStartupCommandsRateLimit(t *testing.T) {
	tests := []struct {
		name   string
		asked  time.Duration
		cancel bool // cancel during the wait; else wait for the registration
	}{
		{"short wait, then registered", 300 * time.Millisecond, false},
		{"cancel during a two-minute wait", 120 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := discordtest.New(t, discordtest.Options{})
			fake.RateLimitNext(http.MethodPut, "/applications/", tt.asked)
			b, logs := startupBot(t, fake.URL, fake.Token(), nil)
			r := run(t, b)
			waitFor(t, 20*time.Second, "the retry line", func() bool {
				return strings.Contains(logs.String(), "could not register the commands: retrying")
			})
			if tt.cancel {
				err, took := r.stop(t, 5*time.Second)
				if err != nil || took >= tt.asked || len(puts(fake)) != 1 {
					t.Errorf("Run returned %v, %v after the cancel, after %d registrations", err, took, len(puts(fake)))
				}
				return
			}
			waitFor(t, 10*time.Second, "the commands", func() bool { return fake.Commands("global") != nil })
			p := puts(fake)
			if len(p) != 2 || p[0].Status != http.StatusTooManyRequests || p[1].Status != http.StatusOK || p[1].At.Sub(p[0].At) < tt.asked {
				t.Errorf("registrations %+v: want a 429, then a 200 at least %v later", p, tt.asked)
			}
			if err, _ := r.stop(t, 10*time.Second); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}
