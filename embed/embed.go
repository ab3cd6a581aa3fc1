// Package embed turns text into vectors: the Embedder value (a name, one text,
// many texts), the offline local embedder, and clients for OpenAI, Ollama and
// OpenAI-compatible embedding servers. It also caches vectors by embedder and
// text. It knows nothing of passages, indexes or answers.
package embed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/philippgille/chromem-go"
)

// BatchFunc embeds many texts, returning one vector per text in order. It
// decides itself how many texts go in one request and how many requests run at
// once.
type BatchFunc func(ctx context.Context, texts []string) ([][]float32, error)

// Embedding providers for Config.Provider.
const (
	ProviderLocal            = "local"
	ProviderOpenAI           = "openai"
	ProviderOllama           = "ollama"
	ProviderOpenAICompatible = "openai-compatible"
)

// Config chooses an embedder. The zero value is the local embedder.
type Config struct {
	// Provider is one of the Provider* constants; "" means local.
	Provider string
	// Model is the embedding model; "" means text-embedding-3-small for openai
	// and nomic-embed-text for ollama. openai-compatible needs one.
	Model string
	// BaseURL is the API's root, e.g. https://api.openai.com/v1 (the default for
	// openai) or http://localhost:11434 (the default for ollama).
	// openai-compatible needs one.
	BaseURL string
	// APIKey is sent as a bearer token; openai needs one. It never appears in
	// errors.
	APIKey string
	// Timeout bounds each request to the server; 0 means one minute.
	Timeout time.Duration
	// BatchSize is the most texts sent in one request; 0 means 64 for openai
	// and openai-compatible, 16 for ollama.
	BatchSize int
}

// Errors from remote embedders, for errors.Is.
var (
	// ErrAuth means the server refused the API key (HTTP 401 or 403).
	ErrAuth = errors.New("the embeddings server rejected the API key")
	// ErrResponse means the server answered with something that is not a
	// usable set of vectors: not JSON, too few vectors, wrong dimensions.
	ErrResponse = errors.New("the embeddings server sent an unusable response")
	// ErrTimeout means a request got no answer within the timeout.
	ErrTimeout = errors.New("the embeddings server did not answer in time")
)

// Embedder is one embedding model: its name, and how it embeds one text (a
// query) and many (passages). Vectors have unit length, or are zero for a text
// with nothing to embed. The zero Embedder is not usable; see New and Local.
type Embedder struct {
	// Name identifies the vectors (e.g. "local-hash-v3",
	// "openai:text-embedding-3-small"): recorded with a saved index and used
	// to key cached vectors. Vectors of different names never mix.
	Name string
	// One embeds a single text, in chromem-go's form.
	One chromem.EmbeddingFunc
	// Batch embeds many texts, one vector per text in order.
	Batch BatchFunc
	// Weighted, when not nil, embeds a query with each analysed term's
	// features weighted by weight(term): the local embedder offers it, so a
	// search can weigh a query's words by their IDF in the corpus.
	Weighted func(text string, weight func(term string) float64) []float32
}

// IsZero reports whether e is the zero Embedder (which callers may take to
// mean "the default", Local).
func (e Embedder) IsZero() bool { return e.Name == "" && e.One == nil && e.Batch == nil }

// Local returns the local embedder (see NewLocal), with its name, a batch
// function that uses every CPU and IDF-weighted queries.
func Local() Embedder {
	one := NewLocal()
	return Embedder{
		Name:     LocalName,
		One:      one,
		Batch:    batchOf(one, runtime.GOMAXPROCS(0)),
		Weighted: localHashV2.embedWeighted,
	}
}

// FromFunc returns an Embedder named name that embeds with one, a text at a
// time, several at once.
func FromFunc(name string, one chromem.EmbeddingFunc) Embedder {
	return Embedder{Name: name, One: one, Batch: batchOf(one, runtime.GOMAXPROCS(0))}
}

// FromBatch returns an Embedder named name that embeds with batch, a query
// being a batch of one.
func FromBatch(name string, batch BatchFunc) Embedder {
	return Embedder{Name: name, One: oneAtATime(batch), Batch: batch}
}

// oneAtATime embeds one text with batch.
func oneAtATime(batch BatchFunc) chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		vs, err := batch(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("%w: %d vectors for 1 text", ErrResponse, len(vs))
		}
		return vs[0], nil
	}
}

// New returns the embedder cfg describes: remote providers send up to
// cfg.BatchSize texts a request, a few requests at once.
func New(cfg Config) (Embedder, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	switch cfg.Provider {
	case "", ProviderLocal:
		if cfg.Model != "" && cfg.Model != LocalName {
			return Embedder{}, fmt.Errorf("the local embedder has no model %q (leave the model empty)", cfg.Model)
		}
		return Local(), nil
	case ProviderOpenAI:
		if cfg.APIKey == "" {
			return Embedder{}, errors.New("the openai embedder needs an API key")
		}
		cfg.Model = orDefault(cfg.Model, "text-embedding-3-small")
		cfg.BaseURL = orDefault(cfg.BaseURL, "https://api.openai.com/v1")
		c, err := newOpenAIClient(cfg)
		if err != nil {
			return Embedder{}, err
		}
		return FromBatch(ProviderOpenAI+":"+cfg.Model, c.embed), nil
	case ProviderOpenAICompatible:
		if cfg.BaseURL == "" || cfg.Model == "" {
			return Embedder{}, errors.New("the openai-compatible embedder needs a base URL and a model")
		}
		c, err := newOpenAIClient(cfg)
		if err != nil {
			return Embedder{}, err
		}
		return FromBatch(ProviderOpenAICompatible+":"+cfg.Model, c.embed), nil
	case ProviderOllama:
		cfg.Model = orDefault(cfg.Model, "nomic-embed-text")
		cfg.BaseURL = orDefault(cfg.BaseURL, "http://localhost:11434")
		c, err := newOllamaClient(cfg)
		if err != nil {
			return Embedder{}, err
		}
		return FromBatch(ProviderOllama+":"+cfg.Model, c.embed), nil
	}
	return Embedder{}, fmt.Errorf("unknown embeddings provider %q (want %s, %s, %s or %s)",
		cfg.Provider, ProviderLocal, ProviderOpenAI, ProviderOllama, ProviderOpenAICompatible)
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// batchOf embeds many texts with embed, running up to workers calls at once.
func batchOf(embed chromem.EmbeddingFunc, workers int) BatchFunc {
	return func(ctx context.Context, texts []string) ([][]float32, error) {
		out := make([][]float32, len(texts))
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		next := make(chan int)
		var wg sync.WaitGroup
		for range min(workers, len(texts)) {
			wg.Go(func() {
				for i := range next {
					v, err := embed(ctx, texts[i])
					if err != nil {
						cancel(err)
						return
					}
					out[i] = v
				}
			})
		}
	feed:
		for i := range texts {
			select {
			case next <- i:
			case <-ctx.Done():
				break feed
			}
		}
		close(next)
		wg.Wait()
		if err := context.Cause(ctx); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// All embeds texts with e, taking what it can from cache (when it is not nil
// and the embedder has a name) and adding what it embeds. Every vector
// returned has unit length or is zero, and all have one dimension.
func All(ctx context.Context, texts []string, e Embedder, cache *Cache) ([][]float32, error) {
	name := e.Name
	out := make([][]float32, len(texts))
	useCache := cache != nil && name != ""
	var keys []Key
	if useCache {
		keys = make([]Key, len(texts))
	}
	// Texts to embed, each once, and where each goes.
	var todo []string
	where := map[string][]int{}
	for i, t := range texts {
		if useCache {
			keys[i] = KeyOf(name, t)
			if v, ok := cache.Get(keys[i]); ok {
				out[i] = v
				continue
			}
		}
		if _, ok := where[t]; !ok {
			todo = append(todo, t)
		}
		where[t] = append(where[t], i)
	}
	if len(todo) > 0 {
		vs, err := e.Batch(ctx, todo)
		if err != nil {
			return nil, err
		}
		if len(vs) != len(todo) {
			return nil, fmt.Errorf("%w: %d vectors for %d texts", ErrResponse, len(vs), len(todo))
		}
		for j, t := range todo {
			v := UnitOrZero(vs[j])
			for _, i := range where[t] {
				out[i] = v
			}
			if useCache {
				cache.Put(keys[where[t][0]], v)
			}
		}
	}
	for i, v := range out {
		if len(v) == 0 {
			return nil, fmt.Errorf("%w: an empty vector", ErrResponse)
		}
		if len(v) != len(out[0]) {
			return nil, fmt.Errorf("%w: vectors of %d and %d dimensions (text %d)", ErrResponse, len(out[0]), len(v), i)
		}
	}
	return out, nil
}

// UnitOrZero returns v scaled to unit length (v itself when it already has it),
// or v unchanged when it is zero.
func UnitOrZero(v []float32) []float32 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 || math.Abs(ss-1) < 1e-7 {
		return v
	}
	inv := 1 / math.Sqrt(ss)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// Key identifies a vector in a Cache: see KeyOf.
type Key [sha256.Size]byte

// KeyOf is the cache key of text embedded by the named embedder: the SHA-256 of
// the name, a NUL byte, and the text.
func KeyOf(embedder, text string) Key {
	h := sha256.New()
	h.Write([]byte(embedder))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var k Key
	h.Sum(k[:0])
	return k
}

// Cache remembers embedded vectors by KeyOf(embedder, text), so that a
// passage whose text has not changed is never embedded twice. The zero value is
// an empty cache ready to use; it is safe for concurrent use. Vectors put in or
// got out must not be modified.
type Cache struct {
	mu sync.RWMutex
	m  map[Key][]float32
}

// Get returns the vector stored under k.
func (c *Cache) Get(k Key) ([]float32, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

// Put stores v under k.
func (c *Cache) Put(k Key, v []float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[Key][]float32{}
	}
	c.m[k] = v
}

// Len is the number of vectors stored.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// All yields every stored key and vector, in no particular order, from a
// snapshot taken when iteration starts.
func (c *Cache) All() iter.Seq2[Key, []float32] {
	return func(yield func(Key, []float32) bool) {
		c.mu.RLock()
		keys := make([]Key, 0, len(c.m))
		vecs := make([][]float32, 0, len(c.m))
		for k, v := range c.m {
			keys = append(keys, k)
			vecs = append(vecs, v)
		}
		c.mu.RUnlock()
		for i, k := range keys {
			if !yield(k, vecs[i]) {
				return
			}
		}
	}
}
