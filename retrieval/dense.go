package retrieval

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/philippgille/chromem-go"
)

// dense holds the passages' unit vectors twice over without copying them: as
// one row-major matrix that search scans, and as the documents of an in-memory
// chromem-go collection (document ID = passage index) that shares the rows, for
// whoever persists or inspects the index with chromem's tools. Searching scans
// the matrix rather than calling Collection.Query, which copies the documents
// out of a map and funnels every score through one locked heap: at 100,000
// passages of 768 dimensions the scan took 10 ms, Query 75 ms
// (BenchmarkDenseScan_100000 against BenchmarkChromemQuery_100000).
type dense struct {
	dim  int
	vecs []float32 // len = passages*dim; a passage with no features is zeros
	coll *chromem.Collection
}

func newDense(ctx context.Context, passages []corpus.Passage, vecs [][]float32, embed chromem.EmbeddingFunc) (*dense, error) {
	d := &dense{}
	if len(vecs) > 0 {
		d.dim = len(vecs[0])
	}
	d.vecs = make([]float32, len(vecs)*d.dim)
	docs := make([]chromem.Document, 0, len(vecs))
	for i, v := range vecs {
		row := d.vecs[i*d.dim : (i+1)*d.dim : (i+1)*d.dim]
		copy(row, v)
		if isZero(row) {
			continue // chromem would normalise it to NaNs
		}
		docs = append(docs, chromem.Document{ID: strconv.Itoa(i), Embedding: row, Content: passages[i].Text})
	}

	coll, err := chromem.NewDB().CreateCollection("passages", nil, embed)
	if err != nil {
		return nil, fmt.Errorf("create dense collection: %w", err)
	}
	if len(docs) > 0 {
		if err := coll.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
			return nil, fmt.Errorf("add passages to dense collection: %w", err)
		}
	}
	d.coll = coll
	return d, nil
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// len is the number of rows.
func (d *dense) len() int {
	if d.dim == 0 {
		return 0
	}
	return len(d.vecs) / d.dim
}

// score is the cosine similarity of unit query vector q with passage i.
func (d *dense) score(q []float32, i int) float64 {
	return float64(dot(q, d.vecs[i*d.dim:(i+1)*d.dim]))
}

// scanRowsPerWorker is the least number of rows worth a goroutine of its own.
const scanRowsPerWorker = 4096

// search returns the n passages most similar to unit vector q, best first,
// ties in passage order.
func (d *dense) search(q []float32, n int) []scored {
	rows := d.len()
	n = min(n, rows)
	if n <= 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, rows/scanRowsPerWorker))
	if workers == 1 {
		return d.scan(q, 0, rows, n).sorted()
	}
	tops := make([]topK, workers)
	var wg sync.WaitGroup
	for w := range workers {
		from, to := rows*w/workers, rows*(w+1)/workers
		wg.Go(func() { tops[w] = d.scan(q, from, to, n) })
	}
	wg.Wait()
	all := tops[0]
	for _, t := range tops[1:] {
		for _, s := range t.h {
			all.push(s)
		}
	}
	return all.sorted()
}

// scan scores rows [from,to) and keeps the best n.
func (d *dense) scan(q []float32, from, to, n int) topK {
	t := topK{h: make([]scored, 0, n), n: n}
	dim := d.dim
	for i := from; i < to; i++ {
		s := float64(dot(q, d.vecs[i*dim:(i+1)*dim]))
		t.push(scored{i: i, score: s})
	}
	return t
}

// dot is the dot product of two vectors of the same length, with four
// accumulators so that the additions do not wait on one another.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// topK keeps the n best scored items seen, in a min-heap on (score, -index) so
// that among equal scores the earlier passage wins.
type topK struct {
	h []scored
	n int
}

// worse reports whether a ranks below b.
func worse(a, b scored) bool {
	return a.score < b.score || a.score == b.score && a.i > b.i
}

func (t *topK) push(s scored) {
	if len(t.h) < t.n {
		t.h = append(t.h, s)
		// sift up
		for j := len(t.h) - 1; j > 0; {
			p := (j - 1) / 2
			if !worse(t.h[j], t.h[p]) {
				break
			}
			t.h[j], t.h[p] = t.h[p], t.h[j]
			j = p
		}
		return
	}
	if !worse(t.h[0], s) {
		return
	}
	t.h[0] = s
	// sift down
	for j := 0; ; {
		l, r, m := 2*j+1, 2*j+2, j
		if l < len(t.h) && worse(t.h[l], t.h[m]) {
			m = l
		}
		if r < len(t.h) && worse(t.h[r], t.h[m]) {
			m = r
		}
		if m == j {
			break
		}
		t.h[j], t.h[m] = t.h[m], t.h[j]
		j = m
	}
}

// sorted returns the kept items best first.
func (t topK) sorted() []scored {
	out := t.h
	sortScored(out)
	return out
}
