package embed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNewEmbedderConfig(t *testing.T) {
	tests := []struct {
		cfg      Config
		wantName string
		wantErr  string
	}{
		{Config{}, LocalName, ""},
		{Config{Provider: ProviderLocal}, LocalName, ""},
		{Config{Provider: ProviderLocal, Model: "bert"}, "", "no model"},
		{Config{Provider: ProviderOpenAI, APIKey: "sk-x"}, "openai:text-embedding-3-small", ""},
		{Config{Provider: ProviderOpenAI, APIKey: "sk-x", Model: "text-embedding-3-large"}, "openai:text-embedding-3-large", ""},
		{Config{Provider: ProviderOpenAI}, "", "needs an API key"},
		{Config{Provider: ProviderOpenAICompatible, BaseURL: "http://localhost:8080/v1", Model: "bge-m3"}, "openai-compatible:bge-m3", ""},
		{Config{Provider: ProviderOpenAICompatible, Model: "bge-m3"}, "", "needs a base URL"},
		{Config{Provider: ProviderOllama}, "ollama:nomic-embed-text", ""},
		{Config{Provider: ProviderOllama, Model: "bge-m3"}, "ollama:bge-m3", ""},
		{Config{Provider: "cohere"}, "", "unknown embeddings provider"},
	}
	for _, tt := range tests {
		e, err := New(tt.cfg)
		name := e.Name
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: error %v, want one saying %q", tt.cfg, err, tt.wantErr)
			}
			continue
		}
		if err != nil || e.One == nil || e.Batch == nil || name != tt.wantName {
			t.Errorf("%+v: name %q, error %v; want %q", tt.cfg, name, err, tt.wantName)
		}
	}
}

func TestKeyOf(t *testing.T) {
	if KeyOf("a", "bc") == KeyOf("ab", "c") {
		t.Error("name and text run together in the key")
	}
	if want := Key(sha256.Sum256([]byte("local-hash-v1\x00text"))); KeyOf("local-hash-v1", "text") != want {
		t.Error("KeyOf is not sha256(name, NUL, text)")
	}
}

func TestVectorCache(t *testing.T) {
	var c Cache // the zero value is ready
	if _, ok := c.Get(KeyOf("e", "x")); ok || c.Len() != 0 {
		t.Fatal("empty cache has something")
	}
	c.Put(KeyOf("e", "x"), []float32{1, 0})
	c.Put(KeyOf("e", "y"), []float32{0, 1})
	if v, ok := c.Get(KeyOf("e", "x")); !ok || v[0] != 1 {
		t.Errorf("Get = %v, %v", v, ok)
	}
	n := 0
	for k, v := range c.All() {
		if got, _ := c.Get(k); &got[0] != &v[0] {
			t.Error("All yields a vector not stored under its key")
		}
		n++
	}
	if n != 2 || c.Len() != 2 {
		t.Errorf("All yields %d, Len %d; want 2", n, c.Len())
	}
}

func TestBatchOf(t *testing.T) {
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = fmt.Sprint("text ", i)
	}
	embed := func(ctx context.Context, text string) ([]float32, error) {
		if text == "text 57" {
			return nil, errors.New("no 57")
		}
		return []float32{float32(len(text))}, nil
	}
	if _, err := batchOf(embed, 4)(t.Context(), texts); err == nil || err.Error() != "no 57" {
		t.Errorf("batchOf error = %v", err)
	}
	vs, err := batchOf(embed, 4)(t.Context(), texts[:50])
	if err != nil || len(vs) != 50 || vs[10][0] != float32(len("text 10")) {
		t.Errorf("batchOf = %v, %v", vs, err)
	}
}
