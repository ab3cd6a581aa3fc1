package embed

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/openaitest"
)

const testKey = "sk-test-0123456789"

// newOpenAIServer is the shared fake OpenAI server, wanting testKey and
// sending vectors of dims numbers that are not of unit length, so that the
// client must normalise them.
func newOpenAIServer(tb testing.TB, dims int) *openaitest.Server {
	s := openaitest.New(tb)
	s.Key, s.Dims, s.Unnormalised = testKey, dims, true
	return s
}

func openAIConfig(s *openaitest.Server) Config {
	return Config{Provider: ProviderOpenAI, BaseURL: s.BaseURL(), APIKey: testKey}
}

// served is the vector the fake sends for text, as the client should keep it.
func served(text string, dims int) []float32 {
	v := openaitest.Vector(text, dims)
	for i := range v {
		v[i] *= float32(len(text))
	}
	return UnitOrZero(v)
}

// batches lists the inputs of each embeddings request, checking each was
// sent as the real API wants it.
func batches(tb testing.TB, s *openaitest.Server, model string) [][]string {
	tb.Helper()
	var out [][]string
	for _, r := range s.EmbeddingRequests() {
		var body struct {
			Model          string `json:"model"`
			EncodingFormat string `json:"encoding_format"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.Model != model || body.EncodingFormat != "float" {
			tb.Errorf("request body %s: model %q, encoding %q, %v", r.Body, body.Model, body.EncodingFormat, err)
		}
		out = append(out, r.Input)
	}
	return out
}

func TestOpenAIEmbedder(t *testing.T) {
	s := newOpenAIServer(t, 4)
	cfg := openAIConfig(s)
	cfg.BatchSize = 3
	e, err := New(cfg)
	batch, name := e.Batch, e.Name
	if err != nil || name != "openai:text-embedding-3-small" {
		t.Fatalf("New: %q, %v", name, err)
	}
	texts := []string{"a", "bb", "", "ccc", "dddd", "  ", "eeeee", "ffffff", "g"}
	vs, err := batch(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if strings.TrimSpace(text) == "" {
			if norm(vs[i]) != 0 || len(vs[i]) != 4 {
				t.Errorf("blank text %d: %v, want a zero vector", i, vs[i])
			}
			continue
		}
		if want := served(text, 4); !slices.Equal(vs[i], want) {
			t.Errorf("text %q: %v, want %v", text, vs[i], want)
		}
		if math.Abs(norm(vs[i])-1) > 1e-6 {
			t.Errorf("text %q: norm %g", text, norm(vs[i]))
		}
	}
	// Blank texts are not sent; the rest go three at a time.
	var sent []string
	got := batches(t, s, "text-embedding-3-small")
	for _, b := range got {
		if len(b) > 3 {
			t.Errorf("a batch of %d texts, want at most 3", len(b))
		}
		sent = append(sent, b...)
	}
	slices.Sort(sent)
	if want := []string{"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"}; !slices.Equal(sent, want) || len(got) != 3 {
		t.Errorf("sent %q in %d requests, want %q in 3", sent, len(got), want)
	}
	for _, r := range s.EmbeddingRequests() {
		if r.Auth != "Bearer "+testKey {
			t.Errorf("Authorization %q", r.Auth)
		}
	}

	e, err = New(openAIConfig(s))
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.One(t.Context(), "hello")
	if err != nil || !slices.Equal(v, served("hello", 4)) {
		t.Errorf("embed(hello) = %v, %v", v, err)
	}
}

func TestOpenAICompatibleWithoutKey(t *testing.T) {
	s := openaitest.New(t)
	e, err := New(Config{Provider: ProviderOpenAICompatible, BaseURL: s.BaseURL() + "/", Model: "bge-m3"})
	embed, name := e.One, e.Name
	if err != nil || name != "openai-compatible:bge-m3" {
		t.Fatal(name, err)
	}
	v, err := embed(t.Context(), "x")
	if err != nil || !slices.Equal(v, UnitOrZero(openaitest.Vector("x", 16))) {
		t.Errorf("embed = %v, %v", v, err)
	}
	if r := s.EmbeddingRequests(); len(r) != 1 || r[0].Auth != "" || r[0].Path != "/v1/embeddings" {
		t.Errorf("requests %+v: want one to /v1/embeddings without Authorization", r)
	}
}

func TestOpenAIErrors(t *testing.T) {
	raw := func(body string) []openaitest.Reply { return []openaitest.Reply{{Body: body}} }
	tests := []struct {
		name    string
		replies []openaitest.Reply
		key     string
		is      error
		message string
		sent    int // requests made; 0 means 1
	}{
		{name: "wrong key", key: "sk-wrong-key-987", is: ErrAuth,
			message: "the embeddings server rejected the API key (401)"},
		{name: "forbidden", is: ErrAuth, replies: []openaitest.Reply{{Status: http.StatusForbidden}},
			message: "the embeddings server rejected the API key (403)"},
		{name: "garbage JSON", is: ErrResponse, replies: raw(`{"data": [{"index": 0, "embedding": [1, 2,`)},
		{name: "HTML", is: ErrResponse, replies: raw(`<html>proxy login</html>`)},
		{name: "too few vectors", is: ErrResponse, replies: raw(`{"data":[{"index":0,"embedding":[1,2]}]}`)},
		{name: "index out of range", is: ErrResponse, replies: raw(`{"data":[{"index":0,"embedding":[1,2]},{"index":5,"embedding":[1,2]}]}`)},
		{name: "wrong dimension", is: ErrResponse, replies: raw(`{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]}`)},
		{name: "empty vector", is: ErrResponse, replies: raw(`{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]}`)},
		{name: "model not found", replies: []openaitest.Reply{{Status: http.StatusNotFound,
			Body: `{"error":{"message":"The model 'nope' does not exist","type":"invalid_request_error"}}`}},
			message: "the embeddings server answered 404 Not Found: The model 'nope' does not exist"},
		{name: "overloaded, key echoed, three times", replies: slices.Repeat([]openaitest.Reply{{Status: http.StatusServiceUnavailable,
			Body: "overloaded, try later (" + testKey + ")"}}, 3),
			message: "the embeddings server answered 503 Service Unavailable: overloaded, try later ([redacted])", sent: 3},
		{name: "timeout", is: ErrTimeout, replies: []openaitest.Reply{{Stall: true}},
			message: "the embeddings server did not answer in time (50ms)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOpenAIServer(t, 4)
			s.ScriptEmbeddings(tt.replies...)
			cfg := openAIConfig(s)
			if tt.key != "" {
				cfg.APIKey = tt.key
			}
			cfg.Timeout = 50 * time.Millisecond
			r, err := newOpenAIClient(orDefaults(cfg))
			if err != nil {
				t.Fatal(err)
			}
			r.retry.Base = time.Millisecond
			_, err = r.embed(t.Context(), []string{"one", "two"})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("error %q, want %q", err, tt.message)
			}
			if strings.Contains(err.Error(), cfg.APIKey) {
				t.Errorf("error %q shows the API key", err)
			}
			if n := len(s.EmbeddingRequests()); n != max(tt.sent, 1) {
				t.Errorf("%d requests, want %d", n, max(tt.sent, 1))
			}
		})
	}
}

// orDefaults fills cfg's defaults as New does, for tests that
// build a client directly to shorten its retry wait.
func orDefaults(cfg Config) Config {
	cfg.Model = orDefault(cfg.Model, "text-embedding-3-small")
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Minute
	}
	return cfg
}

func TestOpenAIRetries(t *testing.T) {
	tests := []struct {
		name     string
		replies  []openaitest.Reply
		ok       bool
		requests int
		atLeast  time.Duration // the least time it must take
	}{
		{"two 429s, then vectors", []openaitest.Reply{openaitest.Error(429, ""), openaitest.Error(429, "")}, true, 3, 0},
		{"a 502, then vectors", []openaitest.Reply{openaitest.Error(502, "")}, true, 2, 0},
		{"Retry-After honoured", []openaitest.Reply{openaitest.Error(429, "0.3")}, true, 2, 300 * time.Millisecond},
		{"retry-after-ms honoured", []openaitest.Reply{{Status: 429, Header: http.Header{"Retry-After-Ms": {"250"}}}}, true, 2, 250 * time.Millisecond},
		{"Retry-After over a minute: not waited for", []openaitest.Reply{openaitest.Error(429, "3600")}, false, 1, 0},
		{"three 500s", slices.Repeat([]openaitest.Reply{openaitest.Error(500, "")}, 3), false, 3, 0},
		{"a 400 is not retried", []openaitest.Reply{openaitest.Error(400, "")}, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOpenAIServer(t, 4)
			s.ScriptEmbeddings(tt.replies...)
			r, err := newOpenAIClient(orDefaults(openAIConfig(s)))
			if err != nil {
				t.Fatal(err)
			}
			r.retry.Base = time.Millisecond
			start := time.Now()
			vs, err := r.embed(t.Context(), []string{"one"})
			took := time.Since(start)
			if (err == nil) != tt.ok || (tt.ok && len(vs) != 1) {
				t.Errorf("embed: %v, %v", vs, err)
			}
			if n := len(s.EmbeddingRequests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if took < tt.atLeast {
				t.Errorf("took %v: the server asked for %v", took, tt.atLeast)
			}
		})
	}
}

func TestOpenAICancelled(t *testing.T) {
	s := newOpenAIServer(t, 4)
	e, err := New(openAIConfig(s))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.One(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("embed with a cancelled context: %v", err)
	}
}

func TestOpenAIUnreachable(t *testing.T) {
	s := newOpenAIServer(t, 4)
	s.Close()
	cfg := openAIConfig(s)
	cfg.BaseURL = strings.Replace(cfg.BaseURL, "http://", "http://user:pa55word@", 1)
	r, err := newOpenAIClient(orDefaults(cfg))
	if err != nil {
		t.Fatal(err)
	}
	r.retry.Base = time.Millisecond
	_, err = r.embed(t.Context(), []string{"x"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the embeddings server") || strings.Contains(err.Error(), testKey) ||
		strings.Contains(err.Error(), "pa55word") {
		t.Errorf("error %v", err)
	}
	if n := len(s.EmbeddingRequests()); n != 0 {
		t.Errorf("%d requests reached a closed server", n)
	}
}
