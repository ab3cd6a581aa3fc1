package answer

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/openaitest"
)

func TestWriterRequest(t *testing.T) {
	srv := openaitest.New(t)
	srv.Key = testKey
	w := testWriter(t, srv, nil)
	srv.Script(openaitest.Answer(`It "opened to traffic in 1932" [1].`, 3))
	var pieces []string
	text, err := w.Write(context.Background(), "When did it open?", nil, givenPassages(t)[:2], func(s string) { pieces = append(pieces, s) })
	if err != nil {
		t.Fatal(err)
	}
	if text != `It "opened to traffic in 1932" [1].` || strings.Join(pieces, "") != text || len(pieces) < 5 {
		t.Errorf("text %q from %d pieces", text, len(pieces))
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/chat/completions" || r.Auth != "Bearer "+testKey {
		t.Errorf("request %s %s auth %q", r.Method, r.Path, r.Auth)
	}
	c := r.Chat
	if c.Model != "test-model" || !c.Stream || c.Temperature == nil || *c.Temperature < 0.19 || *c.Temperature > 0.21 {
		t.Errorf("body %s", r.Body)
	}
	if len(c.Messages) != 2 || c.Messages[0].Role != "system" || c.Messages[1].Role != "user" ||
		!strings.Contains(c.Messages[1].Content, "<question>When did it open?</question>") {
		t.Errorf("messages %+v", c.Messages)
	}
}

func TestWriterLocalServer(t *testing.T) {
	// Ollama and friends: no key, so no Authorization header; temperature 0
	// is sent, not left out.
	srv := openaitest.New(t)
	w := testWriter(t, srv, func(o *LLMOptions) { o.APIKey, o.Temperature = "", 0 })
	srv.Script(openaitest.Answer("Yes [1].", 0))
	if _, err := w.Write(context.Background(), "q", nil, givenPassages(t)[:1], nil); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	if r.Auth != "" {
		t.Errorf("Authorization %q sent without a key", r.Auth)
	}
	var raw map[string]any
	json.Unmarshal(r.Body, &raw)
	if temp, ok := raw["temperature"].(float64); !ok || temp > 1e-6 {
		t.Errorf("temperature %v (present %v), want 0", raw["temperature"], ok)
	}
}

func TestBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:11434":       "http://localhost:11434/v1",
		"http://localhost:11434/v1/":   "http://localhost:11434/v1",
		"https://openrouter.ai/api/v1": "https://openrouter.ai/api/v1",
	} {
		if got, err := baseURL(in); err != nil || got != want {
			t.Errorf("baseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"localhost:11434", "ftp://x", "http://"} {
		if _, err := NewOpenAIWriter(LLMOptions{Model: "m", BaseURL: bad}); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
	if _, err := NewOpenAIWriter(LLMOptions{}); err == nil {
		t.Errorf("no model accepted")
	}
}

// TestWriterFaults plays each failure against the writer.
func TestWriterFaults(t *testing.T) {
	good := openaitest.Answer("Fine [1].", 2)
	tests := []struct {
		name     string
		replies  []openaitest.Reply
		change   func(*LLMOptions)
		wantKind string // "" for success
		wantReqs int
		minTime  time.Duration
		maxTime  time.Duration
	}{
		{name: "429 with Retry-After, then success",
			replies:  []openaitest.Reply{openaitest.Error(429, "1"), good},
			wantReqs: 2, minTime: time.Second, maxTime: 3 * time.Second},
		{name: "503 twice, then success",
			replies:  []openaitest.Reply{openaitest.Error(503, ""), openaitest.Error(503, ""), good},
			wantReqs: 3},
		{name: "500 every time",
			replies:  []openaitest.Reply{openaitest.Error(500, "")},
			wantKind: FailServer, wantReqs: 4},
		{name: "429 asking for an hour is not waited for",
			replies:  []openaitest.Reply{openaitest.Error(429, "3600")},
			wantKind: FailRateLimited, wantReqs: 1, maxTime: time.Second},
		{name: "400 is not retried",
			replies:  []openaitest.Reply{openaitest.Error(400, "")},
			wantKind: FailRefused, wantReqs: 1},
		{name: "stall after some tokens",
			replies:  []openaitest.Reply{{Chunks: []string{"It opened "}, Stall: true}},
			change:   func(o *LLMOptions) { o.StallTimeout = 300 * time.Millisecond },
			wantKind: FailStalled, wantReqs: 1, minTime: 300 * time.Millisecond, maxTime: 2 * time.Second},
		{name: "stall before any token is cut, not retried",
			replies:  []openaitest.Reply{{Stall: true}},
			change:   func(o *LLMOptions) { o.StallTimeout = 300 * time.Millisecond },
			wantKind: FailStalled, wantReqs: 1, maxTime: 2 * time.Second},
		{name: "slow stream hits the deadline",
			replies:  []openaitest.Reply{{Chunks: openaitest.Split("a long long answer [1].", 1), Delay: 100 * time.Millisecond}},
			change:   func(o *LLMOptions) { o.Timeout = 500 * time.Millisecond },
			wantKind: FailTimeout, wantReqs: 1, minTime: 500 * time.Millisecond, maxTime: 2 * time.Second},
		{name: "connection dropped mid-answer is not retried",
			replies:  []openaitest.Reply{{Chunks: []string{"It opened in "}, Cut: true}, good},
			wantKind: FailCut, wantReqs: 1},
		{name: "stream ends without finishing",
			replies:  []openaitest.Reply{{Chunks: []string{"It opened in "}, EndEarly: true}, good},
			wantKind: FailCut, wantReqs: 1},
		{name: "connection dropped before any token is retried",
			replies:  []openaitest.Reply{{Cut: true}, good},
			wantReqs: 2},
		{name: "error event before any token is retried",
			replies:  []openaitest.Reply{{StreamError: "overloaded"}, good},
			wantReqs: 2},
		{name: "error event mid-answer",
			replies:  []openaitest.Reply{{Chunks: []string{"It opened "}, StreamError: "overloaded"}, good},
			wantKind: FailServer, wantReqs: 1},
		{name: "keep-alive comments",
			replies:  []openaitest.Reply{{Chunks: openaitest.Split("Fine [1].", 1), KeepAlive: 400}},
			wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t)
			srv.Script(tt.replies...)
			w := testWriter(t, srv, tt.change)
			start := time.Now()
			text, err := w.Write(context.Background(), "q", nil, givenPassages(t)[:1], nil)
			took := time.Since(start)
			var me *ModelError
			switch {
			case tt.wantKind == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantKind == "" && text != "Fine [1].":
				t.Errorf("text %q", text)
			case tt.wantKind != "" && !errors.As(err, &me):
				t.Fatalf("error %v (%T), want a ModelError", err, err)
			case tt.wantKind != "" && me.Kind != tt.wantKind:
				t.Errorf("kind %q, want %q (%v)", me.Kind, tt.wantKind, err)
			}
			if n := len(srv.ChatRequests()); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
			if took < tt.minTime || (tt.maxTime > 0 && took > tt.maxTime) {
				t.Errorf("took %v, want between %v and %v", took, tt.minTime, tt.maxTime)
			}
		})
	}
}

func TestWriterUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	w, err := NewOpenAIWriter(LLMOptions{BaseURL: "http://" + addr + "/v1", Model: "m", Retries: 2, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Write(context.Background(), "q", nil, nil, nil)
	var me *ModelError
	if !errors.As(err, &me) || me.Kind != FailUnreachable || me.Attempts != 3 {
		t.Errorf("error %v, want unreachable after 3 attempts", err)
	}
}

func TestWriterNeverShowsKey(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Reply{Status: 401, Body: `{"error":{"message":"Incorrect API key provided: ` + testKey + `"}}`})
	w := testWriter(t, srv, nil)
	_, err := w.Write(context.Background(), "q", nil, nil, nil)
	var me *ModelError
	if !errors.As(err, &me) || me.Kind != FailRefused || me.Status != 401 {
		t.Fatalf("error %v", err)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(me.Reason(), testKey) {
		t.Errorf("error shows the key: %v", err)
	}
}

func TestRewrite(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Answer("  \"How long is the Harbor Bridge?\"\nIt asks about length.", 0))
	w := testWriter(t, srv, nil)
	q, err := w.Rewrite(context.Background(), []Turn{{Question: "When did the Harbor Bridge open?", Answer: "In 1932 [1]."}}, "How long is it?")
	if err != nil || q != "How long is the Harbor Bridge?" {
		t.Errorf("Rewrite = %q, %v", q, err)
	}
	r := srv.ChatRequests()[0]
	if r.Chat.Stream || !strings.Contains(r.Chat.Messages[1].Content, "<follow_up>How long is it?</follow_up>") {
		t.Errorf("request %s", r.Body)
	}
}

// TestWriterLeaksNothing runs the faults that leave connections hanging and
// checks that every goroutine they started ends.
func TestWriterLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		srv := openaitest.New(t)
		hc := &http.Client{Transport: &http.Transport{}}
		defer hc.CloseIdleConnections()
		defer srv.Close()
		w := testWriter(t, srv, func(o *LLMOptions) { o.HTTPClient, o.StallTimeout, o.Retries = hc, 100*time.Millisecond, 1 })
		for _, r := range []openaitest.Reply{
			{Chunks: []string{"a"}, Stall: true},
			{Chunks: []string{"a"}, Cut: true},
			openaitest.Error(500, ""),
			openaitest.Answer("ok [1]", 2),
		} {
			srv.Script(r)
			w.Write(context.Background(), "q", nil, nil, nil)
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
