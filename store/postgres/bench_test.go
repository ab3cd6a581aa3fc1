package postgres_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/internal/synthetic"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/postgres"
	"github.com/footnote-bot/footnote/store/postgres/pgtest"
)

// benchAddition is reading i of a list: synthetic passages with random unit
// vectors of the local embedder's size, as store/embedded's benchmarks make
// them, so that the two stores' numbers compare.
func benchAddition(l store.List, i int, passages []corpus.Passage, r *rand.Rand) store.Addition {
	var text strings.Builder
	ps := make([]corpus.Passage, len(passages))
	vs := make([][]float32, len(passages))
	for j, p := range passages {
		if j > 0 {
			text.WriteString("\n\n")
		}
		p.Start = text.Len()
		text.WriteString(p.Text)
		p.End = text.Len()
		p.Paragraph = j + 1
		ps[j] = p
		v := make([]float32, embed.LocalDim)
		var ss float64
		for k := range v {
			v[k] = float32(r.NormFloat64())
			ss += float64(v[k]) * float64(v[k])
		}
		for k := range v {
			v[k] /= float32(math.Sqrt(ss))
		}
		vs[j] = v
	}
	name := fmt.Sprintf("reading-%03d.txt", i)
	doc := corpus.Document{Path: name, Title: fmt.Sprintf("Reading %d", i), Text: text.String(), Format: "txt"}
	return store.Addition{List: l, FileName: name, Original: []byte(doc.Text), AddedBy: "bench", Doc: doc,
		Passages: ps, Vectors: vs, Embedder: embed.LocalName, Limits: store.Limits{MaxReadings: -1, MaxPassages: -1}}
}

func heapInuse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// BenchmarkStore10kPassages adds one guild's 100 readings of 100 passages
// (10k passages of 768 dimensions) to PostgreSQL, then measures each
// iteration's take-over of the guild by a process: load the list from the
// database and make its searchable index (what a shard does on the first
// question in a guild it has just been given). Reported: the database's
// bytes (tables, indexes and TOAST of the store's schema), the time of one
// addition, LoadList, the whole take-over, and the heap the index holds.
//
//	eval "$(bash .ci/postgres.sh start)"
//	go test ./store/postgres -run '^$' -bench Store10kPassages -benchtime 3x
func BenchmarkStore10kPassages(b *testing.B) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Options{URL: pgtest.URL(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	all, _ := synthetic.Passages(100*100, 0)
	r := rand.New(rand.NewPCG(1, 2))
	l := store.List{Guild: strconv.Itoa(1000)}
	var addTook time.Duration
	for i := range 100 {
		a := benchAddition(l, i, all[i*100:(i+1)*100], r)
		start := time.Now()
		if _, err := s.AddReading(ctx, a); err != nil {
			b.Fatal(err)
		}
		addTook += time.Since(start)
	}
	var dbBytes int64
	if err := s.Pool().QueryRow(ctx, `SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`).Scan(&dbBytes); err != nil {
		b.Fatal(err)
	}
	heap0 := heapInuse()
	var keep *retrieval.Index
	var loadTook, takeTook time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		loaded, err := s.LoadList(ctx, l, embed.LocalName)
		if err != nil || len(loaded.Index.Passages) != 10000 {
			b.Fatalf("loaded %v, %v", loaded, err)
		}
		loadTook += time.Since(start)
		ix, err := indexfile.NewFromSaved(ctx, loaded.Index, retrieval.Options{})
		if err != nil {
			b.Fatal(err)
		}
		takeTook += time.Since(start)
		keep = ix
	}
	b.StopTimer()
	b.ReportMetric(float64(dbBytes)/1e6, "db-MB")
	b.ReportMetric(float64(addTook.Milliseconds())/100, "ms/addition")
	b.ReportMetric(float64(loadTook.Milliseconds())/float64(b.N), "LoadList-ms")
	b.ReportMetric(float64(takeTook.Milliseconds())/float64(b.N), "takeover-ms")
	b.ReportMetric(float64(heapInuse()-heap0)/1e6, "heap-MB")
	runtime.KeepAlive(keep)
}

// BenchmarkListVersion is the freshness check each question makes, once per
// list it searches (a guild's and a channel's).
func BenchmarkListVersion(b *testing.B) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Options{URL: pgtest.URL(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l := store.List{Guild: "g1"}
	b.ResetTimer()
	for range b.N {
		if _, err := s.ListVersion(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
}
