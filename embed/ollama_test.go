package embed

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fakeVector is what the fake Ollama returns for a text: not unit length, so
// that the client must normalise it.
func fakeVector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(len(text) + i)
	}
	return v
}

// newOllamaServer is a fake Ollama /api/embed that checks each request as
// Ollama would receive it and records its inputs.
func newOllamaServer(tb testing.TB, batches *[][]string) *httptest.Server {
	var mu sync.Mutex
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/embed" {
			tb.Errorf("request %s %s, want POST /api/embed", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "" {
			tb.Errorf("Authorization %q sent to Ollama without a key", got)
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			tb.Errorf("request body %s: %v", body, err)
		}
		mu.Lock()
		*batches = append(*batches, req.Input)
		mu.Unlock()
		if req.Model != "nomic-embed-text" {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", req.Model)})
			return
		}
		var out [][]float32
		for _, in := range req.Input {
			out = append(out, fakeVector(in, 3))
		}
		json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": out})
	}))
	tb.Cleanup(s.Close)
	return s
}

func TestOllamaEmbedder(t *testing.T) {
	var batches [][]string
	s := newOllamaServer(t, &batches)
	for _, base := range []string{s.URL, s.URL + "/", s.URL + "/api"} {
		batches = nil
		e, err := New(Config{Provider: ProviderOllama, BaseURL: base, BatchSize: 2})
		batch, name := e.Batch, e.Name
		if err != nil || name != "ollama:nomic-embed-text" {
			t.Fatal(name, err)
		}
		texts := []string{"one", "two", "three"}
		vs, err := batch(t.Context(), texts)
		if err != nil {
			t.Fatalf("base %s: %v", base, err)
		}
		for i, text := range texts {
			if !slices.Equal(vs[i], UnitOrZero(fakeVector(text, 3))) {
				t.Errorf("text %q: %v", text, vs[i])
			}
		}
		if len(batches) != 2 {
			t.Errorf("base %s: %d requests, want 2", base, len(batches))
		}
	}
}

func TestOllamaModelNotFound(t *testing.T) {
	var batches [][]string
	s := newOllamaServer(t, &batches)
	e, err := New(Config{Provider: ProviderOllama, BaseURL: s.URL, Model: "nope"})
	embed := e.One
	if err != nil {
		t.Fatal(err)
	}
	_, err = embed(t.Context(), "x")
	if err == nil || !strings.Contains(err.Error(), `404 Not Found: model "nope" not found, try pulling it first`) {
		t.Errorf("error %v", err)
	}
}
