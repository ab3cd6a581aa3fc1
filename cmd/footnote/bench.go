package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/internal/synthetic"
	"github.com/footnote-bot/footnote/retrieval"
)

// The bench command prints a table of what Footnote's work costs on this
// machine: start-up on the embedded corpus, answers, and search at growing
// sizes of synthetic passages. The same measures, with allocations, are Go
// benchmarks (see README, "Performance").

// benchOptions are the flags of footnote bench.
type benchOptions struct {
	benchMax int
	benchN   int
}

func benchCommand() command {
	return command{
		name:    "bench",
		summary: "measure start-up, answers and search at 1k-100k passages; print a table",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &benchOptions{}
			fs.IntVar(&o.benchMax, "max", 10000, "largest synthetic index to measure (1000, 10000 or 100000)")
			fs.IntVar(&o.benchN, "n", 200, "questions/queries per measurement")
			return func(ctx context.Context, m *Main, args []string) error {
				return runBench(ctx, o, args, m.Stdout, m.Stderr)
			}
		},
	}
}

type benchRow struct {
	what       string
	size       string
	p50, p95   time.Duration
	note       string
	singleShot bool
}

func runBench(ctx context.Context, o *benchOptions, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usagef("bench takes no arguments")
	}
	if o.benchMax != 1000 && o.benchMax != 10000 && o.benchMax != 100000 {
		return usagef("-max %d: use 1000, 10000 or 100000", o.benchMax)
	}
	if o.benchN < 1 {
		return usagef("-n must be at least 1")
	}
	var rows []benchRow

	t0 := time.Now()
	c, err := corpus.Default()
	if err != nil {
		return err
	}
	load := time.Since(t0)
	rows = append(rows, benchRow{what: "load + chunk embedded corpus", size: fmt.Sprintf("%d passages", len(c.Passages)), p50: load, singleShot: true})

	t0 = time.Now()
	ix, err := retrieval.New(ctx, c.Passages, retrieval.Options{})
	if err != nil {
		return err
	}
	build := time.Since(t0)
	rows = append(rows, benchRow{what: "build index (local embedder + BM25)", size: fmt.Sprintf("%d passages", len(c.Passages)), p50: build, singleShot: true})

	eng := answer.New(c, ix, answer.Options{})
	qs := questionsFrom(c.Passages, o.benchN)
	lat, err := timeEach(qs, func(q string) error {
		_, err := eng.Ask(ctx, answer.Request{Question: q, Mode: answer.ModeExtractive})
		return err
	})
	if err != nil {
		return err
	}
	rows = append(rows, benchRow{what: "ask, extractive", size: fmt.Sprintf("%d passages", len(c.Passages)), p50: pct(lat, .5), p95: pct(lat, .95)})
	ix.Close()

	for _, n := range []int{1000, 10000, 100000} {
		if n > o.benchMax {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ps, queries := synthetic.Passages(n, o.benchN)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		six, err := retrieval.New(ctx, ps, retrieval.Options{})
		if err != nil {
			return err
		}
		built := time.Since(t0)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		allocs, allocated := after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
		runtime.GC()
		runtime.ReadMemStats(&after)
		size := fmt.Sprintf("%d synthetic", n)
		rows = append(rows, benchRow{what: "build index", size: size, p50: built, singleShot: true,
			note: fmt.Sprintf("%d MiB in %.2fM allocs; heap %d MiB after GC", allocated>>20, float64(allocs)/1e6,
				(int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20)})
		for _, m := range []struct {
			what string
			so   retrieval.SearchOptions
		}{
			{"search, hybrid", retrieval.SearchOptions{Mode: retrieval.ModeHybrid}},
			{"search, dense (scan)", retrieval.SearchOptions{Mode: retrieval.ModeDense}},
			{"search, dense (chromem QueryEmbedding)", retrieval.SearchOptions{Mode: retrieval.ModeDense, ViaCollection: true}},
			{"search, lexical", retrieval.SearchOptions{Mode: retrieval.ModeLexical}},
		} {
			lat, err := timeEach(queries, func(q string) error {
				_, err := six.SearchWith(ctx, q, 5, m.so)
				return err
			})
			if err != nil {
				return err
			}
			rows = append(rows, benchRow{what: m.what, size: size, p50: pct(lat, .5), p95: pct(lat, .95)})
		}
		six.Close()
	}
	printBench(stdout, rows)
	return nil
}

// questionsFrom makes n questions from body passages: a run of words from a
// sentence, as a reader who half-remembers it would type.
func questionsFrom(ps []corpus.Passage, n int) []string {
	r := rand.New(rand.NewPCG(3, 5))
	var body []corpus.Passage
	for _, p := range ps {
		if p.Kind == corpus.KindBody {
			body = append(body, p)
		}
	}
	out := make([]string, 0, n)
	for len(out) < n && len(body) > 0 {
		p := body[r.IntN(len(body))]
		ss := corpus.Sentences(p.Text)
		s := ss[r.IntN(len(ss))]
		words := strings.Fields(p.Text[s.Start:s.End])
		if len(words) < 4 {
			out = append(out, p.Text[s.Start:s.End])
			continue
		}
		k := min(len(words), 4+r.IntN(6))
		at := r.IntN(len(words) - k + 1)
		out = append(out, strings.Join(words[at:at+k], " ")+"?")
	}
	return out
}

func timeEach(qs []string, f func(string) error) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, len(qs))
	for _, q := range qs {
		t0 := time.Now()
		if err := f(q); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t0))
	}
	return lat, nil
}

func pct(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func printBench(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "what\tsize\tp50 / once\tp95\tnote\t\n")
	for _, r := range rows {
		p95 := ms(r.p95)
		if r.singleShot {
			p95 = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.what, r.size, ms(r.p50), p95, r.note)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%s, %d CPUs, %s\n", runtime.Version(), runtime.NumCPU(), runtime.GOARCH)
}
