package retrieval

import (
	"context"
	"fmt"
	"runtime"
)

// EmbedderMismatchError is NewFromSaved's refusal of a saved index whose
// vectors were made by another embedder than the one asked for: questions
// embedded by one cannot be compared with passages embedded by the other.
type EmbedderMismatchError struct {
	Saved string // the embedder of the saved vectors
	Asked string // the embedder of the options
}

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("index built with embedder %s, not %s", e.Saved, e.Asked)
}

// NewFromSaved returns a searchable index over a saved index's passages,
// using their saved vectors: no passage is embedded again, and opts's
// embedder only embeds queries. It must be the embedder that made the vectors
// (opts.Embedder, or the local one as in Options); another one is refused with
// an *EmbedderMismatchError, except in ModeLexical, which uses no vectors.
// opts.Cache is not used. The lexical index is rebuilt, which is most of the
// time taken.
func NewFromSaved(ctx context.Context, s *Saved, opts Options) (*Index, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("saved index: %w", err)
	}
	if _, name := passageEmbedder(opts); name != s.Embedder && opts.Mode != ModeLexical {
		return nil, &EmbedderMismatchError{Saved: s.Embedder, Asked: name}
	}
	// New takes every vector from the cache and so embeds nothing.
	cache := &VectorCache{m: make(map[VectorKey][]float32, len(s.Passages))}
	for i, p := range s.Passages {
		cache.m[KeyOf(s.Embedder, p.Text)] = s.Vectors[i]
	}
	opts.Cache = cache
	return New(ctx, s.Passages, opts)
}

// passageEmbedder returns the function New embeds passages with for opts, and
// the embedder's name ("" when opts names none). It follows New's choice.
func passageEmbedder(opts Options) (BatchEmbedFunc, string) {
	switch {
	case opts.Embed == nil && opts.EmbedBatch == nil || opts.Embedder == LocalEmbedderName:
		return batchOf(NewLocalEmbedder(), runtime.GOMAXPROCS(0)), LocalEmbedderName
	case opts.EmbedBatch != nil:
		return opts.EmbedBatch, opts.Embedder
	default:
		return batchOf(opts.Embed, runtime.GOMAXPROCS(0)), opts.Embedder
	}
}
