package cite

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// BenchmarkCheckQuote checks a verbatim and a paraphrased quote against the
// default corpus: go test ./cite -run '^$' -bench CheckQuote -benchtime 20x
func BenchmarkCheckQuote(b *testing.B) {
	c, err := corpus.Default()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	lib := answer.New(c, ix, answer.Options{})
	for name, q := range map[string]string{
		"verbatim":   "24 Latin American countries have established 46 Confucius Institutes",
		"paraphrase": "24 Latin American countries established 46 Confucius Institutes and 15 Confucius Classrooms",
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := CheckQuote(context.Background(), lib, q, APA); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
