package embed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// newOllamaClient returns a client of Ollama's batch embeddings API:
// POST {BaseURL}/api/embed with {"model", "input": [texts]}, answered by
// {"embeddings": [[...], ...]}. A BaseURL that already ends in /api is accepted.
func newOllamaClient(cfg Config) (*remote, error) {
	cfg.BaseURL = strings.TrimSuffix(strings.TrimRight(cfg.BaseURL, "/"), "/api")
	r := newRemote(cfg, "/api/embed", 16, 2)
	r.request = func(ctx context.Context, texts []string) ([][]float32, error) {
		body, err := json.Marshal(ollamaRequest{Model: cfg.Model, Input: texts})
		if err != nil {
			return nil, fmt.Errorf("encode embeddings request: %w", err)
		}
		var resp ollamaResponse
		if err := r.post(ctx, body, &resp); err != nil {
			return nil, err
		}
		return resp.Embeddings, nil
	}
	return r, nil
}

type ollamaRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type ollamaResponse struct {
	Embeddings [][]float32 `json:"embeddings"`
}
