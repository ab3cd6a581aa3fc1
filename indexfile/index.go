package indexfile

import (
	"context"
	"fmt"

	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/retrieval"
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
func NewFromSaved(ctx context.Context, s *Saved, opts retrieval.Options) (*retrieval.Index, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("saved index: %w", err)
	}
	if opts.Embedder.IsZero() {
		opts.Embedder = embed.Local()
	}
	if name := opts.Embedder.Name; name != s.Embedder && opts.Mode != retrieval.ModeLexical {
		return nil, &EmbedderMismatchError{Saved: s.Embedder, Asked: name}
	}
	// New takes every vector from the cache and so embeds nothing.
	cache := &embed.Cache{}
	for i, p := range s.Passages {
		cache.Put(embed.KeyOf(s.Embedder, p.Text), s.Vectors[i])
	}
	opts.Cache = cache
	return retrieval.New(ctx, s.Passages, opts)
}
