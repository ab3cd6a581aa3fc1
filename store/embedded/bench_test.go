package embedded

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/internal/synthetic"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
)

// benchAddition is reading i of a list: perReading synthetic passages with
// random unit vectors of the local embedder's size (what is stored and loaded
// does not depend on what the vectors say, and embedding 100k passages would
// measure the embedder).
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

// fill adds guilds × readings readings of perReading passages each.
func fill(tb testing.TB, s *Store, guilds, readings, perReading int) time.Duration {
	tb.Helper()
	all, _ := synthetic.Passages(guilds*readings*perReading, 0)
	r := rand.New(rand.NewPCG(1, 2))
	var took time.Duration
	for g := range guilds {
		l := store.List{Guild: strconv.Itoa(1000 + g)}
		for i := range readings {
			at := (g*readings + i) * perReading
			a := benchAddition(l, i, all[at:at+perReading], r)
			start := time.Now()
			if _, err := s.AddReading(context.Background(), a); err != nil {
				tb.Fatal(err)
			}
			took += time.Since(start)
		}
	}
	return took
}

func dirSize(tb testing.TB, dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// rssBytes is the process's resident set, from /proc (0 elsewhere).
func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func heapInuse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// BenchmarkStore10kPassages adds one guild's 100 readings of 100 passages
// (10k passages of 768 dimensions), then measures each iteration's load of
// the list into a searchable index. Reported: disk bytes of the data folder,
// the time of one addition, the load, and the heap and RSS the loaded index
// holds.
func BenchmarkStore10kPassages(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	addTook := fill(b, s, 1, 100, 100)
	l := store.List{Guild: "1000"}
	heap0, rss0 := heapInuse(), rssBytes()
	var keep *retrieval.Index
	var loadTook time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		loaded, err := s.LoadList(context.Background(), l, embed.LocalName)
		if err != nil || len(loaded.Index.Passages) != 10000 {
			b.Fatalf("loaded %v, %v", loaded, err)
		}
		loadTook += time.Since(start)
		ix, err := indexfile.NewFromSaved(context.Background(), loaded.Index, retrieval.Options{})
		if err != nil {
			b.Fatal(err)
		}
		keep = ix
	}
	b.StopTimer()
	b.ReportMetric(float64(dirSize(b, dir))/1e6, "disk-MB")
	b.ReportMetric(float64(addTook.Milliseconds())/100, "ms/addition")
	b.ReportMetric(float64(loadTook.Milliseconds())/float64(b.N), "LoadList-ms")
	b.ReportMetric(float64(heapInuse()-heap0)/1e6, "heap-MB")
	b.ReportMetric(float64(rssBytes()-rss0)/1e6, "rss-MB")
	runtime.KeepAlive(keep)
}

var (
	startupOnce sync.Once
	startupDir  string
	startupErr  error
)

// BenchmarkStartup20x50 is a bot's start-up on a data folder of 20 guilds
// with 50 readings each (20 passages a reading: 20,000 passages): open the
// store, list the lists, load each and make its searchable index. store-ms
// is the store's part (open, list, load); the rest is indexfile.NewFromSaved.
func BenchmarkStartup20x50(b *testing.B) {
	startupOnce.Do(func() {
		startupDir, startupErr = os.MkdirTemp("", "footnote-startup-bench-")
		if startupErr != nil {
			return
		}
		s, err := Open(context.Background(), Options{Dir: startupDir})
		if err != nil {
			startupErr = err
			return
		}
		fill(b, s, 20, 50, 20)
		s.Close()
	})
	if startupErr != nil {
		b.Fatal(startupErr)
	}
	ctx := context.Background()
	var storeTook time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		s, err := Open(ctx, Options{Dir: startupDir})
		if err != nil {
			b.Fatal(err)
		}
		lists, err := s.Lists(ctx)
		if err != nil || len(lists) != 20 {
			b.Fatalf("%d lists, %v", len(lists), err)
		}
		n := 0
		storeTook += time.Since(start)
		for _, l := range lists {
			start := time.Now()
			loaded, err := s.LoadList(ctx, l, embed.LocalName)
			if err != nil {
				b.Fatal(err)
			}
			storeTook += time.Since(start)
			ix, err := indexfile.NewFromSaved(ctx, loaded.Index, retrieval.Options{})
			if err != nil {
				b.Fatal(err)
			}
			n += ix.Len()
		}
		if n != 20*50*20 {
			b.Fatalf("%d passages", n)
		}
		s.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(dirSize(b, startupDir))/1e6, "disk-MB")
	b.ReportMetric(float64(storeTook.Milliseconds())/float64(b.N), "store-ms")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if startupDir != "" {
		os.RemoveAll(startupDir)
	}
	os.Exit(code)
}
