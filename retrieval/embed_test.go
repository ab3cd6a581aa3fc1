package retrieval

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

func TestNewEmbedderConfig(t *testing.T) {
	tests := []struct {
		cfg      EmbedderConfig
		wantName string
		wantErr  string
	}{
		{EmbedderConfig{}, LocalEmbedderName, ""},
		{EmbedderConfig{Provider: ProviderLocal}, LocalEmbedderName, ""},
		{EmbedderConfig{Provider: ProviderLocal, Model: "bert"}, "", "no model"},
		{EmbedderConfig{Provider: ProviderOpenAI, APIKey: "sk-x"}, "openai:text-embedding-3-small", ""},
		{EmbedderConfig{Provider: ProviderOpenAI, APIKey: "sk-x", Model: "text-embedding-3-large"}, "openai:text-embedding-3-large", ""},
		{EmbedderConfig{Provider: ProviderOpenAI}, "", "needs an API key"},
		{EmbedderConfig{Provider: ProviderOpenAICompatible, BaseURL: "http://localhost:8080/v1", Model: "bge-m3"}, "openai-compatible:bge-m3", ""},
		{EmbedderConfig{Provider: ProviderOpenAICompatible, Model: "bge-m3"}, "", "needs a base URL"},
		{EmbedderConfig{Provider: ProviderOllama}, "ollama:nomic-embed-text", ""},
		{EmbedderConfig{Provider: ProviderOllama, Model: "bge-m3"}, "ollama:bge-m3", ""},
		{EmbedderConfig{Provider: "cohere"}, "", "unknown embeddings provider"},
	}
	for _, tt := range tests {
		embed, name, err := NewEmbedder(tt.cfg)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: error %v, want one saying %q", tt.cfg, err, tt.wantErr)
			}
			continue
		}
		if err != nil || embed == nil || name != tt.wantName {
			t.Errorf("%+v: name %q, error %v; want %q", tt.cfg, name, err, tt.wantName)
		}
		_, bname, err := NewBatchEmbedder(tt.cfg)
		if err != nil || bname != name {
			t.Errorf("%+v: batch embedder named %q, error %v; want %q", tt.cfg, bname, err, name)
		}
	}
}

func TestKeyOf(t *testing.T) {
	if KeyOf("a", "bc") == KeyOf("ab", "c") {
		t.Error("name and text run together in the key")
	}
	if want := VectorKey(sha256.Sum256([]byte("local-hash-v1\x00text"))); KeyOf("local-hash-v1", "text") != want {
		t.Error("KeyOf is not sha256(name, NUL, text)")
	}
}

func TestVectorCache(t *testing.T) {
	var c VectorCache // the zero value is ready
	if _, ok := c.Get(KeyOf("e", "x")); ok || c.Len() != 0 {
		t.Fatal("empty cache has something")
	}
	c.Put(KeyOf("e", "x"), []float32{1, 0})
	c.Put(KeyOf("e", "y"), []float32{0, 1})
	if v, ok := c.Get(KeyOf("e", "x")); !ok || v[0] != 1 {
		t.Errorf("Get = %v, %v", v, ok)
	}
	n := 0
	for k, v := range c.All() {
		if got, _ := c.Get(k); &got[0] != &v[0] {
			t.Error("All yields a vector not stored under its key")
		}
		n++
	}
	if n != 2 || c.Len() != 2 {
		t.Errorf("All yields %d, Len %d; want 2", n, c.Len())
	}
}

// countingEmbedder embeds like the local embedder and counts the texts it saw.
type countingEmbedder struct{ texts atomic.Int64 }

func (c *countingEmbedder) batch(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = localHashV2.embed(t)
	}
	return out, nil
}

// Unchanged passages are never embedded twice: not within one build, and not
// across builds that share a cache.
func TestNewUsesCache(t *testing.T) {
	ps := handmade()
	ps = append(ps, ps[0]) // the same text twice
	var c countingEmbedder
	cache := &VectorCache{}
	opts := Options{EmbedBatch: c.batch, Embedder: "counting", Cache: cache}
	newTestIndex(t, ps, opts)
	if got := c.texts.Load(); got != int64(len(ps)-1) {
		t.Errorf("first build embedded %d texts, want %d", got, len(ps)-1)
	}
	if cache.Len() != len(ps)-1 {
		t.Errorf("cache holds %d vectors, want %d", cache.Len(), len(ps)-1)
	}
	ps[1].Text = "A changed passage about Confucius."
	c.texts.Store(0)
	ix := newTestIndex(t, ps, opts)
	if got := c.texts.Load(); got != 1 {
		t.Errorf("second build embedded %d texts, want only the changed one", got)
	}
	// Queries go through EmbedBatch too, when Embed is nil.
	c.texts.Store(0)
	if _, err := ix.Search(t.Context(), "Confucius", 3); err != nil {
		t.Fatal(err)
	}
	if got := c.texts.Load(); got != 1 {
		t.Errorf("a search embedded %d texts, want 1", got)
	}
	// Another embedder's name misses the cache.
	c.texts.Store(0)
	newTestIndex(t, ps, Options{EmbedBatch: c.batch, Embedder: "other", Cache: cache})
	if got := c.texts.Load(); got != int64(len(ps)-1) {
		t.Errorf("another embedder embedded %d texts, want %d", got, len(ps)-1)
	}
}

func TestNewRejectsBadVectors(t *testing.T) {
	ps := handmade()
	tests := []struct {
		name  string
		batch BatchEmbedFunc
	}{
		{"too few", func(ctx context.Context, texts []string) ([][]float32, error) {
			return make([][]float32, len(texts)-1), nil
		}},
		{"mixed dimensions", func(ctx context.Context, texts []string) ([][]float32, error) {
			out := make([][]float32, len(texts))
			for i := range out {
				out[i] = make([]float32, 3+i%2)
				out[i][0] = 1
			}
			return out, nil
		}},
		{"empty vector", func(ctx context.Context, texts []string) ([][]float32, error) {
			return make([][]float32, len(texts)), nil
		}},
	}
	for _, tt := range tests {
		_, err := New(t.Context(), ps, Options{EmbedBatch: tt.batch, Embedder: "bad"})
		if !errors.Is(err, ErrEmbedResponse) {
			t.Errorf("%s: New error %v, want ErrEmbedResponse", tt.name, err)
		}
	}
	fail := errors.New("server on fire")
	_, err := New(t.Context(), ps, Options{Embed: func(ctx context.Context, text string) ([]float32, error) { return nil, fail }})
	if !errors.Is(err, fail) {
		t.Errorf("New with a failing embedder: %v", err)
	}
}

// A query vector of the wrong dimension is an error, not a panic.
func TestSearchQueryDimension(t *testing.T) {
	var calls atomic.Int32
	embed := func(ctx context.Context, text string) ([]float32, error) {
		if calls.Add(1) > int32(len(handmade())) {
			return []float32{1, 0}, nil
		}
		return localHashV2.embed(text), nil
	}
	ix := newTestIndex(t, handmade(), Options{Embed: embed, Embedder: "flaky"})
	if _, err := ix.Search(t.Context(), "Confucius", 3); !errors.Is(err, ErrEmbedResponse) {
		t.Errorf("Search with a 2-dimensional query vector: %v", err)
	}
}

func TestBatchOf(t *testing.T) {
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = fmt.Sprint("text ", i)
	}
	embed := func(ctx context.Context, text string) ([]float32, error) {
		if text == "text 57" {
			return nil, errors.New("no 57")
		}
		return []float32{float32(len(text))}, nil
	}
	if _, err := batchOf(embed, 4)(t.Context(), texts); err == nil || err.Error() != "no 57" {
		t.Errorf("batchOf error = %v", err)
	}
	vs, err := batchOf(embed, 4)(t.Context(), texts[:50])
	if err != nil || len(vs) != 50 || vs[10][0] != float32(len("text 10")) {
		t.Errorf("batchOf = %v, %v", vs, err)
	}
}

// The local embedder from NewEmbedder is the local embedder of the zero
// Options, IDF weighting of queries and all.
func TestLocalEmbedderThroughConfig(t *testing.T) {
	embed, name, err := NewEmbedder(EmbedderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	a := newTestIndex(t, handmade(), Options{Embed: embed, Embedder: name})
	b := newTestIndex(t, handmade(), Options{})
	for _, q := range []string{"Confucius Institutes", "Grenada development strategy", "中拉論壇"} {
		ha, err := a.Search(t.Context(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		hb, _ := b.Search(t.Context(), q, 5)
		if fmt.Sprint(ha) != fmt.Sprint(hb) {
			t.Errorf("%q: results differ from the zero Options'", q)
		}
	}
}
