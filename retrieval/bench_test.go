package retrieval

import (
	"context"
	synth "github.com/footnote-bot/footnote/internal/synthetic"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/terms"
)

// synthetic is Synthetic, for the benchmarks.
func synthetic(n, queries int) ([]corpus.Passage, []string) { return synth.Passages(n, queries) }

// benchIndex builds an index over n synthetic passages once per test binary.
// The 100,000 size takes a few seconds and ~1 GB, so only benchmarks ask for
// it, and not with -short.
func benchIndex(b *testing.B, n int) (*Index, []string) {
	b.Helper()
	if n >= 100000 && testing.Short() {
		b.Skip("the 100k index is not built with -short")
	}
	benchMu.Lock()
	defer benchMu.Unlock()
	if e, ok := benchIndexes[n]; ok {
		return e.ix, e.queries
	}
	ps, qs := synthetic(n, 64)
	ix, err := New(context.Background(), ps, Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchIndexes[n] = benchEntry{ix, qs}
	return ix, qs
}

type benchEntry struct {
	ix      *Index
	queries []string
}

var (
	benchMu      sync.Mutex
	benchIndexes = map[int]benchEntry{}
)

func benchmarkNew(b *testing.B, n int) {
	ps, _ := synthetic(n, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ix, err := New(context.Background(), ps, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func BenchmarkNew_1000(b *testing.B)  { benchmarkNew(b, 1000) }
func BenchmarkNew_10000(b *testing.B) { benchmarkNew(b, 10000) }
func BenchmarkNew_100000(b *testing.B) {
	if testing.Short() {
		b.Skip("not with -short")
	}
	benchmarkNew(b, 100000)
}

func benchmarkSearch(b *testing.B, n int) {
	ix, qs := benchIndex(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, qs[i%len(qs)], 5); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSearch_1000(b *testing.B)   { benchmarkSearch(b, 1000) }
func BenchmarkSearch_10000(b *testing.B)  { benchmarkSearch(b, 10000) }
func BenchmarkSearch_100000(b *testing.B) { benchmarkSearch(b, 100000) }

// The dense part of Search alone, both ways side by side: "scan" is the scan
// over the vectors the collection holds (what Search does), "collection" is
// chromem-go's QueryEmbedding on the same collection and depth (what a search
// restricted to documents does, with a where filter).
func benchmarkDense(b *testing.B, n int) {
	ix, qs := benchIndex(b, n)
	ctx := context.Background()
	vs := make([][]float32, len(qs))
	for i, q := range qs {
		vs[i] = ix.opts.Embedder.Weighted(q, ix.IDF)
	}
	depth := min(ix.fusion.depth, ix.dense.coll.Count())
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ix.dense.search(vs[i%len(vs)], depth, nil)
			i++
		}
	})
	b.Run("collection", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := ix.dense.query(ctx, vs[i%len(vs)], depth, nil, nil); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	benchmarkDenseDoc(b, ix, vs)
}

// benchmarkDenseDoc is benchmarkDense restricted to one document's passages
// (100 of them), as a where filter or as a scan that skips the others.
func benchmarkDenseDoc(b *testing.B, ix *Index, vs [][]float32) {
	ctx := context.Background()
	doc := ix.passages[len(ix.passages)/2].Doc
	allow := make([]bool, len(ix.passages))
	for i, p := range ix.passages {
		allow[i] = p.Doc == doc
	}
	depth := ix.fusion.depth
	b.Run("doc-scan", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ix.dense.search(vs[i%len(vs)], depth, allow)
			i++
		}
	})
	b.Run("doc-collection", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := ix.dense.query(ctx, vs[i%len(vs)], depth, []string{doc}, allow); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkDense_1000(b *testing.B)   { benchmarkDense(b, 1000) }
func BenchmarkDense_10000(b *testing.B)  { benchmarkDense(b, 10000) }
func BenchmarkDense_100000(b *testing.B) { benchmarkDense(b, 100000) }

// Lexical search alone.
func benchmarkLexical(b *testing.B, n int) {
	ix, qs := benchIndex(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := ix.lex.search(ctx, terms.Of(qs[i%len(qs)]), ix.fusion.depth, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkLexical_1000(b *testing.B)   { benchmarkLexical(b, 1000) }
func BenchmarkLexical_10000(b *testing.B)  { benchmarkLexical(b, 10000) }
func BenchmarkLexical_100000(b *testing.B) { benchmarkLexical(b, 100000) }

// Building the lexical index alone: analysis on every CPU, then the merge.
func benchmarkNewLexical(b *testing.B, n int) {
	ps, _ := synthetic(n, 0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := newLexical(ctx, ps); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewLexical_1000(b *testing.B)  { benchmarkNewLexical(b, 1000) }
func BenchmarkNewLexical_10000(b *testing.B) { benchmarkNewLexical(b, 10000) }
func BenchmarkNewLexical_100000(b *testing.B) {
	if testing.Short() {
		b.Skip("not with -short")
	}
	benchmarkNewLexical(b, 100000)
}

func BenchmarkEmbedLocal(b *testing.B) {
	ps, _ := synthetic(100, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		local.One(context.Background(), ps[i%len(ps)].Text)
		i++
	}
}

func BenchmarkTerms(b *testing.B) {
	ps, _ := synthetic(100, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		terms.Of(ps[i%len(ps)].Text)
		i++
	}
}
