package main

import (
	"context"
	"fmt"
	"io"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// buildEngine loads the corpus named by cfg, indexes it and returns the engine.
// Skipped files are reported on warn, one line each.
func buildEngine(ctx context.Context, cfg config.Config, warn io.Writer) (*answer.Engine, error) {
	var c *corpus.Corpus
	if cfg.Corpus == "" {
		var err error
		if c, err = corpus.Default(); err != nil {
			return nil, fmt.Errorf("loading the embedded corpus: %w", err)
		}
	} else {
		var skipped []corpus.Skipped
		var err error
		c, skipped, err = corpus.LoadDir(ctx, cfg.Corpus, corpus.LoadOptions{})
		for _, s := range skipped {
			fmt.Fprintf(warn, "warning: skipped %s: %s\n", s.Path, s.Reason)
		}
		if err != nil {
			return nil, err
		}
	}
	ropts, err := indexOptions(cfg)
	if err != nil {
		return nil, err
	}
	ix, err := retrieval.New(ctx, c.Passages, ropts)
	if err != nil {
		return nil, fmt.Errorf("building the index: %w", err)
	}
	opts := answer.Options{K: cfg.K, MaxQuestion: cfg.MaxQuestion}
	if cfg.LLM.Configured() && cfg.Mode != "extractive" {
		l := cfg.LLM
		w, err := answer.NewOpenAIWriter(answer.LLMOptions{BaseURL: l.BaseURL, APIKey: l.APIKey.Value(), Model: l.Model,
			Temperature: l.Temperature, Timeout: l.Timeout, ContextTokens: l.ContextTokens, Retries: l.Retries})
		if err != nil {
			return nil, fmt.Errorf("setting up the language model: %w", err)
		}
		opts.Writer = w
	}
	return answer.New(c, ix, opts), nil
}

// indexOptions picks the ranking and the embedder that cfg names.
func indexOptions(cfg config.Config) (retrieval.Options, error) {
	o := retrieval.Options{Mode: retrieval.Mode(cfg.Retrieval)}
	e := cfg.Embeddings
	if e.Provider == "" || e.Provider == retrieval.ProviderLocal {
		return o, nil
	}
	key := e.APIKey.Value()
	if key == "" && e.Provider == retrieval.ProviderOpenAI {
		key = cfg.LLM.APIKey.Value()
	}
	batch, name, err := retrieval.NewBatchEmbedder(retrieval.EmbedderConfig{Provider: e.Provider, Model: e.Model, BaseURL: e.BaseURL, APIKey: key})
	if err != nil {
		return o, fmt.Errorf("embeddings: %w", err)
	}
	o.EmbedBatch, o.Embedder = batch, name
	return o, nil
}
