package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "sk-test-0123456789"

// fakeVector is what the fake servers return for a text: not unit length, so
// that the client must normalise it.
func fakeVector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(len(text) + i)
	}
	return v
}

// openAIServer is a fake OpenAI embeddings endpoint that checks each request
// as the real API would receive it and records the inputs of each.
type openAIServer struct {
	*httptest.Server
	tb      testing.TB
	dim     int
	mu      sync.Mutex
	batches [][]string
	// reply, when set, answers instead of the normal handler.
	reply func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newOpenAIServer(tb testing.TB) *openAIServer {
	s := &openAIServer{tb: tb, dim: 4}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	tb.Cleanup(s.Close)
	return s
}

func (s *openAIServer) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		s.tb.Errorf("request %s %s, want POST /v1/embeddings", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		s.tb.Errorf("Content-Type %q", got)
	}
	var req struct {
		Model          string   `json:"model"`
		Input          []string `json:"input"`
		EncodingFormat string   `json:"encoding_format"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		s.tb.Errorf("request body %s: %v", body, err)
	}
	s.mu.Lock()
	s.batches = append(s.batches, req.Input)
	n := len(s.batches)
	s.mu.Unlock()
	if s.reply != nil && s.reply(w, r, n) {
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","code":"invalid_api_key"}}`, strings.TrimPrefix(got, "Bearer "))
		return
	}
	if req.Model != "text-embedding-3-small" || req.EncodingFormat != "float" {
		s.tb.Errorf("model %q, encoding %q", req.Model, req.EncodingFormat)
	}
	// The real API numbers the vectors; answer them in reverse to make the
	// client sort them.
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []datum
	for i := len(req.Input) - 1; i >= 0; i-- {
		data = append(data, datum{"embedding", i, fakeVector(req.Input[i], s.dim)})
	}
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": 8, "total_tokens": 8}})
}

func (s *openAIServer) config() Config {
	return Config{Provider: ProviderOpenAI, BaseURL: s.URL + "/v1", APIKey: testKey}
}

func TestOpenAIEmbedder(t *testing.T) {
	s := newOpenAIServer(t)
	cfg := s.config()
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
			if norm(vs[i]) != 0 || len(vs[i]) != s.dim {
				t.Errorf("blank text %d: %v, want a zero vector", i, vs[i])
			}
			continue
		}
		want := UnitOrZero(fakeVector(text, s.dim))
		if !slices.Equal(vs[i], want) {
			t.Errorf("text %q: %v, want %v", text, vs[i], want)
		}
		if math.Abs(norm(vs[i])-1) > 1e-6 {
			t.Errorf("text %q: norm %g", text, norm(vs[i]))
		}
	}
	// Blank texts are not sent; the rest go three at a time.
	var sent []string
	for _, b := range s.batches {
		if len(b) > 3 {
			t.Errorf("a batch of %d texts, want at most 3", len(b))
		}
		sent = append(sent, b...)
	}
	slices.Sort(sent)
	if want := []string{"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"}; !slices.Equal(sent, want) || len(s.batches) != 3 {
		t.Errorf("sent %q in %d requests, want %q in 3", sent, len(s.batches), want)
	}

	e, err = New(s.config())
	embed := e.One
	if err != nil {
		t.Fatal(err)
	}
	v, err := embed(t.Context(), "hello")
	if err != nil || !slices.Equal(v, UnitOrZero(fakeVector("hello", s.dim))) {
		t.Errorf("embed(hello) = %v, %v", v, err)
	}
}

func TestOpenAICompatibleWithoutKey(t *testing.T) {
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		if r.URL.Path != "/v1/embeddings" {
			t.Errorf("path %s", r.URL.Path)
		}
		fmt.Fprint(w, `{"data":[{"index":0,"embedding":[3,4]}]}`)
	}))
	defer srv.Close()
	e, err := New(Config{Provider: ProviderOpenAICompatible, BaseURL: srv.URL + "/v1/", Model: "bge-m3"})
	embed, name := e.One, e.Name
	if err != nil || name != "openai-compatible:bge-m3" {
		t.Fatal(name, err)
	}
	v, err := embed(t.Context(), "x")
	if err != nil || !slices.Equal(v, []float32{0.6, 0.8}) {
		t.Errorf("embed = %v, %v", v, err)
	}
	if auth[0] != "" {
		t.Errorf("Authorization %q sent without a key", auth[0])
	}
}

func TestOpenAIErrors(t *testing.T) {
	tests := []struct {
		name    string
		reply   func(w http.ResponseWriter, r *http.Request, n int) bool
		key     string
		is      error
		message string
	}{
		{name: "wrong key", key: "sk-wrong-key-987", is: ErrAuth,
			message: "the embeddings server rejected the API key (401)"},
		{name: "forbidden", is: ErrAuth, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.WriteHeader(http.StatusForbidden)
			return true
		}, message: "the embeddings server rejected the API key (403)"},
		{name: "garbage JSON", is: ErrResponse, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			fmt.Fprint(w, `{"data": [{"index": 0, "embedding": [1, 2,`)
			return true
		}},
		{name: "HTML", is: ErrResponse, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			fmt.Fprint(w, `<html>proxy login</html>`)
			return true
		}},
		{name: "too few vectors", is: ErrResponse, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			fmt.Fprint(w, `{"data":[{"index":0,"embedding":[1,2]}]}`)
			return true
		}},
		{name: "index out of range", is: ErrResponse, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			fmt.Fprint(w, `{"data":[{"index":0,"embedding":[1,2]},{"index":5,"embedding":[1,2]}]}`)
			return true
		}},
		{name: "wrong dimension", is: ErrResponse, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			fmt.Fprint(w, `{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]}`)
			return true
		}},
		{name: "empty vector", is: ErrResponse, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			fmt.Fprint(w, `{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]}`)
			return true
		}},
		{name: "model not found", reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"message":"The model 'nope' does not exist","type":"invalid_request_error"}}`)
			return true
		}, message: "the embeddings server answered 404 Not Found: The model 'nope' does not exist"},
		{name: "overloaded, key echoed", reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "overloaded, try later (%s)", testKey)
			return true
		}, message: "the embeddings server answered 503 Service Unavailable: overloaded, try later (***)"},
		{name: "timeout", is: ErrTimeout, reply: func(w http.ResponseWriter, r *http.Request, n int) bool {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			return true
		}, message: "the embeddings server did not answer in time (50ms)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOpenAIServer(t)
			s.reply = tt.reply
			cfg := s.config()
			if tt.key != "" {
				cfg.APIKey = tt.key
			}
			cfg.Timeout = 50 * time.Millisecond
			r, err := newOpenAIClient(orDefaults(cfg))
			if err != nil {
				t.Fatal(err)
			}
			r.retryWait = time.Millisecond
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
	s := newOpenAIServer(t)
	s.reply = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n <= 2 {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached"}}`)
			return true
		}
		return false
	}
	r, err := newOpenAIClient(orDefaults(s.config()))
	if err != nil {
		t.Fatal(err)
	}
	r.retryWait = time.Millisecond
	vs, err := r.embed(t.Context(), []string{"one"})
	if err != nil || len(vs) != 1 {
		t.Fatalf("after two 429s: %v, %v", vs, err)
	}
	if len(s.batches) != 3 {
		t.Errorf("%d requests, want 3", len(s.batches))
	}
	// A 400 is not retried.
	s.batches = nil
	s.reply = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(http.StatusBadRequest)
		return true
	}
	if _, err := r.embed(t.Context(), []string{"one"}); err == nil || len(s.batches) != 1 {
		t.Errorf("a 400: error %v after %d requests, want an error after 1", err, len(s.batches))
	}
}

func TestOpenAICancelled(t *testing.T) {
	s := newOpenAIServer(t)
	e, err := New(s.config())
	embed := e.One
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := embed(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("embed with a cancelled context: %v", err)
	}
}

func TestOpenAIUnreachable(t *testing.T) {
	s := newOpenAIServer(t)
	s.Close()
	r, err := newOpenAIClient(orDefaults(s.config()))
	if err != nil {
		t.Fatal(err)
	}
	r.retryWait = time.Millisecond
	_, err = r.embed(t.Context(), []string{"x"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the embeddings server") || strings.Contains(err.Error(), testKey) {
		t.Errorf("error %v", err)
	}
}
