package retrieval

import (
	"slices"
	"testing"

	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/openaitest"
)

// An index built with a remote embedder: passages in batches, queries one by
// one, both through the shared fake OpenAI server.
func TestIndexWithOpenAI(t *testing.T) {
	s := openaitest.New(t)
	s.Key, s.Dims = "sk-test-key", 8
	e, err := embed.New(embed.Config{Provider: embed.ProviderOpenAI, BaseURL: s.BaseURL(), APIKey: "sk-test-key"})
	if err != nil {
		t.Fatal(err)
	}
	ps := handmade()
	ix := newTestIndex(t, ps, Options{Embedder: e})
	sent := s.EmbeddingRequests()
	if len(sent) != 1 || len(sent[0].Input) != len(ps) {
		t.Errorf("passages sent in %d requests, want 1 of %d", len(sent), len(ps))
	}
	if ix.fusion != defaultFusion {
		t.Errorf("a model embedder's index fuses with %+v, want %+v", ix.fusion, defaultFusion)
	}
	hits, err := ix.Search(t.Context(), "Confucius Institutes", 3)
	if err != nil || len(hits) != 3 || hits[0].DenseScore == 0 {
		t.Errorf("Search: %v, %v", hits, err)
	}
	sent = s.EmbeddingRequests()
	if len(sent) != 2 || !slices.Equal(sent[1].Input, []string{"Confucius Institutes"}) {
		t.Errorf("query sent as %q", sent[len(sent)-1].Input)
	}
}
