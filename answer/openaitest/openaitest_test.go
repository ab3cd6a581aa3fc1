package openaitest_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer/openaitest"
	openai "github.com/sashabaranov/go-openai"
)

func client(srv *openaitest.Server, key string) *openai.Client {
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = srv.BaseURL()
	return openai.NewClientWithConfig(cfg)
}

func TestEmbeddings(t *testing.T) {
	srv := openaitest.New(t)
	srv.Key, srv.Dims = "k", 8
	resp, err := client(srv, "k").CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{
		Model: "text-embedding-3-small", Input: []string{"the harbor bridge", "The Harbor Bridge!", "a lighthouse"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 3 || len(resp.Data[0].Embedding) != 8 {
		t.Fatalf("response %+v", resp)
	}
	dot := func(a, b []float32) (s float64) {
		for i := range a {
			s += float64(a[i] * b[i])
		}
		return s
	}
	v := resp.Data
	if math.Abs(dot(v[0].Embedding, v[0].Embedding)-1) > 1e-5 || dot(v[0].Embedding, v[1].Embedding) < 0.99 {
		t.Errorf("vectors not unit or not deterministic: %v %v", v[0].Embedding, v[1].Embedding)
	}
	r := srv.Requests()[0]
	if r.Method != http.MethodPost || r.Path != "/v1/embeddings" || r.Auth != "Bearer k" || len(r.Input) != 3 {
		t.Errorf("recorded %+v", r)
	}
	if got := openaitest.Vector("a lighthouse", 8); dot(got, v[2].Embedding) < 0.999 {
		t.Errorf("Vector differs from the served embedding")
	}
}

func TestRefusals(t *testing.T) {
	srv := openaitest.New(t)
	srv.Key = "k"
	_, err := client(srv, "wrong").CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Model: "m", Input: "x"})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 401 {
		t.Errorf("wrong key: %v", err)
	}
	resp, err := http.Get(srv.BaseURL() + "/chat/completions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %s", resp.Status)
	}
	srv.Key = ""
	resp, err = http.Post(srv.BaseURL()+"/chat/completions", "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad JSON: %s", resp.Status)
	}
}

func TestChatNotStreamed(t *testing.T) {
	srv := openaitest.New(t)
	srv.Script(openaitest.Answer("Hello there.", 2))
	resp, err := client(srv, "").CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "Hello there." || resp.Choices[0].FinishReason != "stop" {
		t.Errorf("response %+v", resp)
	}
	if r := srv.ChatRequests()[0]; r.Chat.Stream || r.Chat.Messages[0].Content != "hi" {
		t.Errorf("recorded %+v", r.Chat)
	}
}
