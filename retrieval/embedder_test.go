package retrieval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/terms"
)

// countingEmbedder embeds like the local embedder and counts the texts it saw.
type countingEmbedder struct{ texts atomic.Int64 }

// Unchanged passages are never embedded twice: not within one build, and not
// across builds that share a cache.
func TestNewUsesCache(t *testing.T) {
	ps := handmade()
	ps = append(ps, ps[0]) // the same text twice
	var c countingEmbedder
	cache := &embed.Cache{}
	opts := Options{Embedder: embed.FromBatch("counting", c.batch), Cache: cache}
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
	newTestIndex(t, ps, Options{Embedder: embed.FromBatch("other", c.batch), Cache: cache})
	if got := c.texts.Load(); got != int64(len(ps)-1) {
		t.Errorf("another embedder embedded %d texts, want %d", got, len(ps)-1)
	}
}

func TestNewRejectsBadVectors(t *testing.T) {
	ps := handmade()
	tests := []struct {
		name  string
		batch embed.BatchFunc
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
		_, err := New(t.Context(), ps, Options{Embedder: embed.FromBatch("bad", tt.batch)})
		if !errors.Is(err, embed.ErrResponse) {
			t.Errorf("%s: New error %v, want ErrResponse", tt.name, err)
		}
	}
	fail := errors.New("server on fire")
	_, err := New(t.Context(), ps, Options{Embedder: embed.FromFunc("failing", func(ctx context.Context, text string) ([]float32, error) { return nil, fail })})
	if !errors.Is(err, fail) {
		t.Errorf("New with a failing embedder: %v", err)
	}
}

// A query vector of the wrong dimension is an error, not a panic.
func TestSearchQueryDimension(t *testing.T) {
	var calls atomic.Int32
	flaky := func(ctx context.Context, text string) ([]float32, error) {
		if calls.Add(1) > int32(len(handmade())) {
			return []float32{1, 0}, nil
		}
		return local.One(ctx, text)
	}
	ix := newTestIndex(t, handmade(), Options{Embedder: embed.FromFunc("flaky", flaky)})
	if _, err := ix.Search(t.Context(), "Confucius", 3); !errors.Is(err, embed.ErrResponse) {
		t.Errorf("Search with a 2-dimensional query vector: %v", err)
	}
}

// The local embedder from NewEmbedder is the local embedder of the zero
// Options, IDF weighting of queries and all.
func TestLocalEmbedderThroughConfig(t *testing.T) {
	e, err := embed.New(embed.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a := newTestIndex(t, handmade(), Options{Embedder: e})
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

func (c *countingEmbedder) batch(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = must(local.One(context.Background(), t))
	}
	return out, nil
}

// The lexical index analyses passages with the same analyzer as Terms: a
// passage is found by every one of its own terms.
func TestTermsAgreeWithIndex(t *testing.T) {
	ix := newTestIndex(t, handmade(), Options{Mode: ModeLexical})
	for i, p := range ix.Passages() {
		for _, term := range terms.Of(p.Text) {
			got, err := ix.lex.search(t.Context(), []string{term}, ix.Len(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(got, func(s scored) bool { return s.i == i }) {
				t.Errorf("term %q of passage %d does not find it", term, i)
			}
		}
	}
}

// local is the local embedder, for tests that embed as it does.
var local = embed.Local()

func must(v []float32, err error) []float32 {
	if err != nil {
		panic(err)
	}
	return v
}
