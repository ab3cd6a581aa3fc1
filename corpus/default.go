package corpus

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
)

// defaultFiles holds the default corpus byte for byte: the documents the bot
// was made to answer questions over.
//
//go:embed default/*.txt
var defaultFiles embed.FS

// DefaultFS returns the files of the embedded default corpus.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(defaultFiles, "default")
	if err != nil {
		panic(err) // "default" is a valid path: cannot happen
	}
	return sub
}

// Default returns the embedded default corpus, parsed and chunked. Document
// paths are the file names.
func Default() (*Corpus, error) {
	c, skipped, err := LoadFS(context.Background(), DefaultFS(), LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("default corpus: %w", err)
	}
	if len(skipped) > 0 {
		return nil, fmt.Errorf("default corpus: %s: %s", skipped[0].Path, skipped[0].Reason)
	}
	return c, nil
}
