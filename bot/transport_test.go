package bot

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/bot/discordtest"
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
}
