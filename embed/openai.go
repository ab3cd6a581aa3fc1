package embed

import (
	"context"
	"encoding/json"
	"fmt"
)

// newOpenAIClient returns a client of an OpenAI-compatible embeddings API:
// POST {BaseURL}/embeddings with {"model", "input": [texts]}, answered by
// {"data": [{"index", "embedding"}]}.
func newOpenAIClient(cfg Config) (*remote, error) {
	r := newRemote(cfg, "/embeddings", 64, 4)
	r.request = func(ctx context.Context, texts []string) ([][]float32, error) {
		body, err := json.Marshal(openAIRequest{Model: cfg.Model, Input: texts, EncodingFormat: "float"})
		if err != nil {
			return nil, fmt.Errorf("encode embeddings request: %w", err)
		}
		var resp openAIResponse
		if err := r.post(ctx, body, &resp); err != nil {
			return nil, err
		}
		out := make([][]float32, len(texts))
		for _, d := range resp.Data {
			if d.Index < 0 || d.Index >= len(out) || out[d.Index] != nil {
				return nil, fmt.Errorf("%w: a vector for text %d of %d", ErrResponse, d.Index, len(texts))
			}
			out[d.Index] = d.Embedding
		}
		if len(resp.Data) != len(texts) {
			return nil, fmt.Errorf("%w: %d vectors for %d texts", ErrResponse, len(resp.Data), len(texts))
		}
		return out, nil
	}
	return r, nil
}

type openAIRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
}

type openAIResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}
