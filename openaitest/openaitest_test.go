package openaitest_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/openaitest"
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
	v := make([][]float32, 3)
	for i, d := range resp.Data {
		if d.Index != 2-i {
			t.Errorf("datum %d has index %d: want them last first", i, d.Index)
		}
		v[d.Index] = d.Embedding
	}
	if math.Abs(dot(v[0], v[0])-1) > 1e-5 || dot(v[0], v[1]) < 0.99 {
		t.Errorf("vectors not unit or not deterministic: %v %v", v[0], v[1])
	}
	r := srv.Requests()[0]
	if r.Method != http.MethodPost || r.Path != "/v1/embeddings" || r.Auth != "Bearer k" || len(r.Input) != 3 || len(srv.EmbeddingRequests()) != 1 {
		t.Errorf("recorded %+v", r)
	}
	if got := openaitest.Vector("a lighthouse", 8); dot(got, v[2]) < 0.999 {
		t.Errorf("Vector differs from the served embedding")
	}
}

func TestRefusals(t *testing.T) {
	srv := openaitest.New(t)
	srv.Key = "k"
	_, err := client(srv, "wrong").CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Model: "m", Input: "x"})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 401 || !strings.Contains(apiErr.Message, "wrong") {
		t.Errorf("wrong key: %v (the fake echoes the key sent)", err)
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

func TestScriptedEmbeddings(t *testing.T) {
	srv := openaitest.New(t)
	srv.ScriptEmbeddings(openaitest.Error(429, "2"), openaitest.Reply{Body: "<html>proxy</html>"}, openaitest.Reply{})
	c := client(srv, "")
	req := openai.EmbeddingRequestStrings{Model: "m", Input: []string{"x"}}
	_, err := c.CreateEmbeddings(context.Background(), req)
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 429 {
		t.Errorf("first: %v, want a 429", err)
	}
	if _, err := c.CreateEmbeddings(context.Background(), req); err == nil {
		t.Error("second: HTML accepted")
	}
	for i := range 2 { // the zero Reply, then past the script
		if resp, err := c.CreateEmbeddings(context.Background(), req); err != nil || len(resp.Data) != 1 {
			t.Errorf("answer %d: %v, %v", i+3, resp, err)
		}
	}
	srv = openaitest.New(t)
	srv.Unnormalised = true
	resp, err := client(srv, "").CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{Model: "m", Input: []string{"four"}})
	if err != nil || len(resp.Data) != 1 {
		t.Fatal(resp, err)
	}
	want := openaitest.Vector("four", 16)
	for i, x := range resp.Data[0].Embedding {
		if math.Abs(float64(x-4*want[i])) > 1e-5 {
			t.Fatalf("unnormalised vector %v, want 4 × %v", resp.Data[0].Embedding, want)
		}
	}
}
