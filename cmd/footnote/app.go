package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/internal/regularfile"
	"github.com/footnote-bot/footnote/retrieval"
)

// buildEngine is loadEngine for a program that uses one engine until it
// exits. Files skipped while reading a folder are listed on warn.
func buildEngine(ctx context.Context, cfg config.Config, warn io.Writer) (*answer.Engine, error) {
	eng, _, err := loadEngine(ctx, cfg, warn)
	return eng, err
}

// loadEngine returns a ready engine: over the saved index file cfg.Index when
// it is set, else over the folder cfg.Corpus, read and indexed, else over the
// embedded corpus. Files skipped while reading a folder are reported on warn,
// one line each. Setting both cfg.Index and cfg.Corpus is a usage error.
//
// It also returns the engine's index, to Close once the engine is no longer
// used: an index holds goroutines and memory that outlive a dropped engine.
// Calls share nothing, so a long-running program can call it again to reload
// (say after `footnote index` rewrote the file), swap engines, and close the
// old index when the questions in flight on it are done. An index file being
// rewritten meanwhile is read whole, old or new: the writer renames a
// finished file into place.
func loadEngine(ctx context.Context, cfg config.Config, warn io.Writer) (*answer.Engine, io.Closer, error) {
	if cfg.Index != "" && cfg.Corpus != "" {
		return nil, nil, usagef("both a corpus folder (%s) and an index file (%s) are set, by flags, FOOTNOTE_CORPUS and FOOTNOTE_INDEX or the config file: use one (an index holds its corpus)", cfg.Corpus, cfg.Index)
	}
	var c *corpus.Corpus
	var ix *retrieval.Index
	if cfg.Index != "" {
		ropts, err := indexOptions(cfg)
		if err != nil {
			return nil, nil, err
		}
		if c, ix, err = openIndexFile(ctx, cfg.Index, ropts); err != nil {
			return nil, nil, err
		}
	} else {
		var err error
		if c, err = loadCorpus(ctx, cfg.Corpus, warn); err != nil {
			return nil, nil, err
		}
		ropts, err := indexOptions(cfg)
		if err != nil {
			return nil, nil, err
		}
		if ix, err = retrieval.New(ctx, c.Passages, ropts); err != nil {
			return nil, nil, fmt.Errorf("building the index: %w", err)
		}
	}
	opts, err := engineOptions(cfg)
	if err != nil {
		ix.Close()
		return nil, nil, err
	}
	return answer.New(c, ix, opts), ix, nil
}

// loadCorpus reads the folder dir, or the embedded corpus when dir is "".
func loadCorpus(ctx context.Context, dir string, warn io.Writer) (*corpus.Corpus, error) {
	if dir == "" {
		c, err := corpus.Default()
		if err != nil {
			return nil, fmt.Errorf("loading the embedded corpus: %w", err)
		}
		return c, nil
	}
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("corpus folder %s does not exist (set by --corpus, FOOTNOTE_CORPUS or the config file's corpus:)", dir)
	case err == nil && !info.IsDir():
		return nil, usagef("corpus %s is not a folder (set by --corpus, FOOTNOTE_CORPUS or the config file's corpus:)", dir)
	}
	c, skipped, err := corpus.LoadDir(ctx, dir, corpus.LoadOptions{})
	for _, s := range skipped {
		fmt.Fprintf(warn, "warning: skipped %s: %s\n", terminalText(s.Path), terminalText(s.Reason))
	}
	return c, err
}

// openIndexFile loads the index file at path, searching it with the
// embedder of ropts, which must be the one that made it.
func openIndexFile(ctx context.Context, path string, ropts retrieval.Options) (*corpus.Corpus, *retrieval.Index, error) {
	var nr *regularfile.NotRegularError
	if _, err := regularfile.Check(path); errors.As(err, &nr) {
		return nil, nil, usagef("index file %s", err)
	}
	s, err := indexfile.ReadIndexFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("index file %s does not exist: build it with %s", path, rebuildCommand("", path))
	case errors.Is(err, indexfile.ErrIndexDamaged), errors.Is(err, indexfile.ErrIndexVersion):
		return nil, nil, fmt.Errorf("%w: rebuild it with %s", err, rebuildCommand("", path))
	case err != nil:
		return nil, nil, err
	}
	ix, err := indexfile.NewFromSaved(ctx, s, ropts)
	var mm *indexfile.EmbedderMismatchError
	var nv *indexfile.NoVectorsError
	switch {
	case errors.As(err, &nv):
		return nil, nil, fmt.Errorf("index file %s has no vectors (it was built for lexical search only, with no embedding model configured) and %s retrieval needs them: rebuild it with %s --retrieval %s, with the embedding model configured, or search it with --retrieval lexical",
			path, nv.Mode, rebuildCommand(s.Root, path), nv.Mode)
	case errors.As(err, &mm):
		back := "set embeddings.provider and embeddings.model back to " + mm.Saved
		if mm.Saved == embed.LocalName {
			back = "set embeddings.provider back to local"
		}
		return nil, nil, fmt.Errorf("index file %s was built with embedder %s, but the configuration selects %s: rebuild it with %s, or %s",
			path, mm.Saved, mm.Asked, rebuildCommand(s.Root, path), back)
	case err != nil:
		return nil, nil, fmt.Errorf("loading index file %s: %w", path, err)
	}
	return &corpus.Corpus{Docs: s.Docs, Passages: s.Passages}, ix, nil
}

// rebuildCommand is the command that builds the index file from dir ("DIR"
// when unknown).
func rebuildCommand(dir, file string) string {
	if dir == "" {
		dir = "DIR"
	} else {
		dir = shellWord(dir)
	}
	return "footnote index " + dir + " -o " + shellWord(file)
}

// shellWord quotes s when a shell would split or expand it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]#~;&|<>(){}!") {
		return s
	}
	return strconv.Quote(s)
}

// engineOptions are the answer engine's options from cfg, with the language
// model's writer when one is configured and wanted.
func engineOptions(cfg config.Config) (answer.Options, error) {
	opts := answer.Options{K: cfg.K, MaxQuestion: cfg.MaxQuestion}
	if cfg.LLM.Configured() && cfg.Mode != "extractive" {
		l := cfg.LLM
		w, err := answer.NewOpenAIWriter(answer.LLMOptions{BaseURL: l.BaseURL, APIKey: l.APIKey.Value(), Model: l.Model,
			Temperature: l.Temperature, Timeout: l.Timeout, ContextTokens: l.ContextTokens, Retries: l.Retries})
		if err != nil {
			return opts, fmt.Errorf("setting up the language model: %w", err)
		}
		opts.Writer = w
	}
	return opts, nil
}

// indexOptions picks the ranking and the embedder that cfg names.
func indexOptions(cfg config.Config) (retrieval.Options, error) {
	o := retrieval.Options{Mode: retrieval.Mode(cfg.RetrievalMode())}
	e := cfg.Embeddings
	if e.Provider == "" || e.Provider == embed.ProviderLocal {
		return o, nil
	}
	key := e.APIKey.Value()
	if key == "" && e.Provider == embed.ProviderOpenAI {
		key = cfg.LLM.APIKey.Value()
	}
	emb, err := embed.New(embed.Config{Provider: e.Provider, Model: e.Model, BaseURL: e.BaseURL, APIKey: key})
	if err != nil {
		return o, fmt.Errorf("embeddings: %w", err)
	}
	o.Embedder = emb
	return o, nil
}

// skippedTo is where the files skipped while reading --corpus are listed: on
// stderr with -v; else nowhere, for a command that reads the folder on every
// run would repeat them each time (footnote index lists them once).
func skippedTo(verbose bool, stderr io.Writer) io.Writer {
	if verbose {
		return stderr
	}
	return io.Discard
}
