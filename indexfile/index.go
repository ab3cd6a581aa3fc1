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

// NoVectorsError is NewFromSaved's refusal of a lexical-only saved index (see
// BuildOptions.Lexical) for a search that needs vectors: hybrid or dense.
type NoVectorsError struct {
	Mode retrieval.Mode // the search mode asked for
}

func (e *NoVectorsError) Error() string {
	return fmt.Sprintf("the index is lexical-only (it has no vectors) and %s search needs them", e.Mode)
}

// NewFromSaved returns a searchable index over a saved index's passages,
// using their saved vectors: no passage is embedded again, and opts's
// embedder only embeds queries. It must be the embedder that made the vectors
// (opts.Embedder, or the local one as in Options); another one is refused with
// an *EmbedderMismatchError, except in ModeLexical, which uses no vectors. A
// lexical-only index serves ModeLexical alone; another mode is refused with a
// *NoVectorsError. opts.Cache and opts.Vectors are not used. The index's chromem-go collection
// holds the saved vectors themselves, and its lexical index is the saved
// Postings (made again only for a Saved without them): loading analyses and
// copies nothing.
func NewFromSaved(ctx context.Context, s *Saved, opts retrieval.Options) (*retrieval.Index, error) {
	// retrieval.New checks the postings: checking them here too was a twentieth
	// of the time a lexical-only index of 100,000 passages took to load (3 ms
	// of 65).
	if err := s.checkVectors(); err != nil {
		return nil, fmt.Errorf("saved index: %w", err)
	}
	if s.Lexical() && opts.Mode != retrieval.ModeLexical {
		mode := opts.Mode
		if mode == "" {
			mode = retrieval.ModeHybrid
		}
		return nil, &NoVectorsError{Mode: mode}
	}
	if opts.Embedder.IsZero() {
		opts.Embedder = embed.Local()
	}
	if name := opts.Embedder.Name; name != s.Embedder && opts.Mode != retrieval.ModeLexical {
		return nil, &EmbedderMismatchError{Saved: s.Embedder, Asked: name}
	}
	opts.Cache = nil
	opts.Vectors = s.Vectors
	opts.Postings = s.Postings
	return retrieval.New(ctx, s.Passages, opts)
}
