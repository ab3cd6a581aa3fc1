package indexfile

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	synth "github.com/footnote-bot/footnote/internal/synthetic"
	"github.com/footnote-bot/footnote/retrieval"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
)

// syntheticSaved returns a saved index of n synthetic passages (see
// Synthetic), 100 to a document, with the local embedder's vectors. The same
// n gives the same index.
func syntheticSaved(tb testing.TB, n int) *Saved {
	tb.Helper()
	ps, _ := synth.Passages(n, 0)
	s := &Saved{Embedder: embed.LocalName, Dim: embed.LocalDim, Created: time.Unix(1e9, 0).UTC(), Builder: "synthetic", Root: "/synthetic"}
	var text strings.Builder
	flush := func() {
		if text.Len() == 0 {
			return
		}
		d := &s.Docs[len(s.Docs)-1]
		d.Text = text.String()
		s.Files = append(s.Files, SourceFile{Path: d.Path, Size: int64(len(d.Text)), ModTime: s.Created})
		text.Reset()
	}
	for _, p := range ps {
		if len(s.Docs) == 0 || s.Docs[len(s.Docs)-1].Path != p.Doc {
			flush()
			s.Docs = append(s.Docs, corpus.Document{Path: p.Doc, Title: strings.TrimSuffix(p.Doc, ".txt"), Format: "txt"})
		}
		if text.Len() > 0 {
			text.WriteString("\n\n")
		}
		p.Start = text.Len()
		text.WriteString(p.Text)
		p.End = text.Len()
		p.Title = s.Docs[len(s.Docs)-1].Title
		s.Passages = append(s.Passages, p)
	}
	flush()
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = p.Text
	}
	var err error
	s.Vectors, err = embed.All(context.Background(), texts, embed.Local(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	if s.Postings, err = retrieval.NewPostings(context.Background(), s.Passages); err != nil {
		tb.Fatal(err)
	}
	return s
}

var (
	benchSavedMu sync.Mutex
	benchSaved   = map[int]*Saved{}
)

// benchSavedFile returns the synthetic saved index of n passages and a file
// holding it, made once per test binary.
func benchSavedFile(b *testing.B, n int) (*Saved, string) {
	b.Helper()
	if n >= 100000 && testing.Short() {
		b.Skip("the 100k index is not built with -short")
	}
	benchSavedMu.Lock()
	defer benchSavedMu.Unlock()
	s, ok := benchSaved[n]
	if !ok {
		s = syntheticSaved(b, n)
		benchSaved[n] = s
	}
	path := filepath.Join(b.TempDir(), "bench.idx")
	if err := WriteIndexFile(path, s); err != nil {
		b.Fatal(err)
	}
	return s, path
}

func reportFileSize(b *testing.B, path string) {
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	b.ReportMetric(float64(info.Size()), "file-bytes")
}

// Writing an index file, synced to disk.
func benchmarkSaveIndex(b *testing.B, n int) {
	s, path := benchSavedFile(b, n)
	b.ResetTimer()
	for b.Loop() {
		if err := WriteIndexFile(path, s); err != nil {
			b.Fatal(err)
		}
	}
	reportFileSize(b, path)
}

func BenchmarkSaveIndex_10000(b *testing.B)  { benchmarkSaveIndex(b, 10000) }
func BenchmarkSaveIndex_100000(b *testing.B) { benchmarkSaveIndex(b, 100000) }

// Reading and checking an index file (from the page cache).
func benchmarkReadIndexFile(b *testing.B, n int) {
	_, path := benchSavedFile(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadIndexFile(path); err != nil {
			b.Fatal(err)
		}
	}
	reportFileSize(b, path)
}

func BenchmarkReadIndexFile_10000(b *testing.B)  { benchmarkReadIndexFile(b, 10000) }
func BenchmarkReadIndexFile_100000(b *testing.B) { benchmarkReadIndexFile(b, 100000) }

// A saved index made searchable: its vectors go into a chromem-go collection
// as they are, its postings become the lexical index.
func benchmarkNewFromSaved(b *testing.B, n int) {
	s, _ := benchSavedFile(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ix, err := NewFromSaved(ctx, s, retrieval.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func BenchmarkNewFromSaved_10000(b *testing.B)  { benchmarkNewFromSaved(b, 10000) }
func BenchmarkNewFromSaved_100000(b *testing.B) { benchmarkNewFromSaved(b, 100000) }

// Loading an index file into a searchable index: what `footnote ask --index`
// and a bot's reload do before the first question.
func benchmarkLoadIndex(b *testing.B, n int) {
	_, path := benchSavedFile(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := ReadIndexFile(path)
		if err != nil {
			b.Fatal(err)
		}
		ix, err := NewFromSaved(ctx, s, retrieval.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
	reportFileSize(b, path)
}

func BenchmarkLoadIndex_10000(b *testing.B)  { benchmarkLoadIndex(b, 10000) }
func BenchmarkLoadIndex_100000(b *testing.B) { benchmarkLoadIndex(b, 100000) }

// Loading a lexical-only index file (the offline default) into a searchable
// index: the texts, passages and postings, no vectors.
func benchmarkLoadIndexLexical(b *testing.B, n int) {
	s, _ := benchSavedFile(b, n)
	lex := *s
	lex.Embedder, lex.Dim, lex.Vectors = NoEmbedder, 0, nil
	path := filepath.Join(b.TempDir(), "lexical.idx")
	if err := WriteIndexFile(path, &lex); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := ReadIndexFile(path)
		if err != nil {
			b.Fatal(err)
		}
		ix, err := NewFromSaved(ctx, s, retrieval.Options{Mode: retrieval.ModeLexical})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
	reportFileSize(b, path)
}

func BenchmarkLoadIndexLexical_10000(b *testing.B)  { benchmarkLoadIndexLexical(b, 10000) }
func BenchmarkLoadIndexLexical_100000(b *testing.B) { benchmarkLoadIndexLexical(b, 100000) }

// ingestFolder writes a folder of docs documents of 50 synthetic paragraphs
// each, as .txt or .md (a title, and a heading every 5 paragraphs), and
// returns it with its size in bytes.
func ingestFolder(b *testing.B, format string, docs int) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	ps, _ := synth.Passages(docs*50, 0)
	var total int64
	for d := range docs {
		var text strings.Builder
		if format == "md" {
			fmt.Fprintf(&text, "# Document %d\n\n", d)
		} else {
			fmt.Fprintf(&text, "Document %d\n\n", d)
		}
		for i, p := range ps[d*50 : (d+1)*50] {
			if format == "md" && i%5 == 0 {
				fmt.Fprintf(&text, "## Part %d\n\n", i/5+1)
			}
			text.WriteString(p.Text)
			text.WriteString("\n\n")
		}
		name := filepath.Join(dir, fmt.Sprintf("d%03d", d/10), fmt.Sprintf("doc%04d.%s", d, format))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(text.Len())
	}
	return dir, total
}

// What `footnote index` does with a new folder: read, parse, chunk, embed
// with the local embedder and encode the index file (to nowhere).
func benchmarkIngest(b *testing.B, format string) {
	dir, size := ingestFolder(b, format, 100)
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	passages := 0
	for b.Loop() {
		s, _, err := Build(ctx, os.DirFS(dir), BuildOptions{Root: dir})
		if err != nil {
			b.Fatal(err)
		}
		if err := encodeIndex(io.Discard, s); err != nil {
			b.Fatal(err)
		}
		passages += len(s.Passages)
	}
	b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
}

func BenchmarkIngest_txt(b *testing.B) { benchmarkIngest(b, "txt") }
func BenchmarkIngest_md(b *testing.B)  { benchmarkIngest(b, "md") }

// Updating the index of an unchanged folder: what `footnote index` costs
// when nothing changed.
func BenchmarkIngestUnchanged_txt(b *testing.B) {
	dir, size := ingestFolder(b, "txt", 100)
	ctx := context.Background()
	prev, _, err := Build(ctx, os.DirFS(dir), BuildOptions{Root: dir})
	if err != nil {
		b.Fatal(err)
	}
	prev.Created = prev.Created.Add(time.Hour) // as if built long after the files were written
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		_, st, err := Build(ctx, os.DirFS(dir), BuildOptions{Root: dir, Previous: prev})
		if err != nil {
			b.Fatal(err)
		}
		if st.Read != 0 || st.Embedded != 0 {
			b.Fatalf("read %d files, embedded %d passages", st.Read, st.Embedded)
		}
	}
}
