package answer

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/internal/synthetic"
	"github.com/footnote-bot/footnote/retrieval"
)

// BenchmarkBuildDefaultIndex measures start-up work: parsing and chunking the
// embedded corpus and indexing it (local embeddings, BM25).
func BenchmarkBuildDefaultIndex(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := corpus.Default()
		if err != nil {
			b.Fatal(err)
		}
		ix, err := retrieval.New(ctx, c.Passages, retrieval.Options{})
		if err != nil {
			b.Fatal(err)
		}
		_ = New(c, ix, Options{})
	}
}

// BenchmarkAsk measures one extractive answer in process on the default corpus.
func BenchmarkAsk(b *testing.B) {
	ctx := context.Background()
	c, err := corpus.Default()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := retrieval.New(ctx, c.Passages, retrieval.Options{})
	if err != nil {
		b.Fatal(err)
	}
	e := New(c, ix, Options{})
	questions := []string{
		"How many Confucius Institutes are there in Latin America?",
		"Which countries joined the Asian Infrastructure Investment Bank?",
		"中拉論壇第二屆部長級會議在哪裡舉行?",
		"What is the capital of Australia?",
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Ask(ctx, Request{Question: questions[i%len(questions)], Mode: ModeExtractive}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSpellingVocabulary measures the first correction on a large corpus:
// reading the corpus's words once (10k passages), then one lookup.
func BenchmarkSpellingVocabulary(b *testing.B) {
	ps, _ := synthetic.Passages(10000, 1)
	ix, err := retrieval.New(context.Background(), ps, retrieval.Options{Mode: retrieval.ModeLexical})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	b.ReportAllocs()
	for b.Loop() {
		e := New(&corpus.Corpus{Passages: ps}, ix, Options{})
		e.correctSpelling("how mny passges mention the harbuor")
	}
}
