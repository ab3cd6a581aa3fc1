package retrieval

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/philippgille/chromem-go"
)

// dense is the passages' vectors as the documents of a chromem-go collection
// (see NewCollection), with the vectors themselves at hand to scan. The
// collection holds each vector as the slice given, without copying it, so the
// rows scanned are the documents' embeddings, in memory once. An unfiltered
// search scans the rows rather than calling Collection.QueryEmbedding, which
// copies the collection's map of documents and funnels every score through one
// locked heap: at 100,000 passages of 768 dimensions the scan took 12 ms,
// QueryEmbedding 147 ms (`footnote bench`; BenchmarkDense_100000/scan against
// /collection). A search restricted to a few documents of a small collection
// asks the collection, with a where filter per document (see
// collectionQueryMax).
type dense struct {
	dim  int
	rows [][]float32 // rows[i] is passage i's vector; a passage with no features has zeros
	coll *chromem.Collection
}

// DocKey is the metadata key of a collection document's corpus.Passage.Doc.
const DocKey = "doc"

// NewCollection creates the collection name in db holding passages as its
// documents: the ID of passage i is i in decimal, its content its text, its
// metadata DocKey → its document's path, and its embedding vecs[i] itself, not
// a copy. vecs[i] must be of unit length (as embed.UnitOrZero makes them), or
// zero for a passage with nothing to embed, which is left out (chromem would
// make it NaNs); chromem would hold a normalised copy of any other. The
// collection embeds nothing: it is queried with vectors
// (Collection.QueryEmbedding).
func NewCollection(ctx context.Context, db *chromem.DB, name string, passages []corpus.Passage, vecs [][]float32) (*chromem.Collection, error) {
	if len(vecs) != len(passages) {
		return nil, fmt.Errorf("collection %s: %d vectors for %d passages", name, len(vecs), len(passages))
	}
	coll, err := db.CreateCollection(name, nil, refuseEmbedding)
	if err != nil {
		return nil, fmt.Errorf("create collection %s: %w", name, err)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(passages)/scanRowsPerWorker))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		from, to := len(passages)*w/workers, len(passages)*(w+1)/workers
		wg.Go(func() {
			var meta map[string]string // shared by a document's passages; chromem copies it
			for i := from; i < to; i++ {
				if (i-from)%1024 == 0 && ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				v := vecs[i]
				if isZero(v) {
					continue
				}
				if meta == nil || meta[DocKey] != passages[i].Doc {
					meta = map[string]string{DocKey: passages[i].Doc}
				}
				if err := coll.AddDocument(ctx, chromem.Document{ID: strconv.Itoa(i), Metadata: meta, Embedding: v, Content: passages[i].Text}); err != nil {
					errs[w] = fmt.Errorf("add passage %d to collection %s: %w", i, name, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return coll, nil
}

// refuseEmbedding is the embedding function of a collection made by
// NewCollection, whose documents come with their vectors.
func refuseEmbedding(context.Context, string) ([]float32, error) {
	return nil, errors.New("this collection is queried with vectors: embed the text with the index's embedder")
}

// newDense makes the collection name of passages in db and keeps the rows it
// holds.
func newDense(ctx context.Context, db *chromem.DB, name string, passages []corpus.Passage, vecs [][]float32) (*dense, error) {
	d := &dense{rows: vecs}
	for i, v := range vecs {
		if i == 0 {
			d.dim = len(v)
		}
		if len(v) != d.dim {
			return nil, fmt.Errorf("passage %d has a vector of %d dimensions, not %d", i, len(v), d.dim)
		}
	}
	coll, err := NewCollection(ctx, db, name, passages, vecs)
	if err != nil {
		return nil, err
	}
	d.coll = coll
	return d, nil
}

// query asks the collection for the n passages most similar to unit vector q
// among those of the documents docs (every passage when docs is empty), best
// first, ties in passage order: one QueryEmbedding per document, merged.
// allow says the same as docs, by passage.
func (d *dense) query(ctx context.Context, q []float32, n int, docs []string, allow []bool) ([]scored, error) {
	n = min(n, d.coll.Count())
	if n <= 0 {
		return nil, nil
	}
	if isZero(q) {
		// chromem would normalise it to NaNs; every passage scores 0.
		return d.search(q, n, allow), nil
	}
	var wheres []map[string]string
	for _, doc := range docs {
		wheres = append(wheres, map[string]string{DocKey: doc})
	}
	if len(wheres) == 0 {
		wheres = append(wheres, nil)
	}
	var out []scored
	for _, where := range wheres {
		res, err := d.coll.QueryEmbedding(ctx, q, n, where, nil)
		if err != nil {
			return nil, fmt.Errorf("dense query: %w", err)
		}
		for _, r := range res {
			i, err := strconv.Atoi(r.ID)
			if err != nil || i < 0 || i >= len(d.rows) {
				return nil, fmt.Errorf("dense query: a document of ID %q", r.ID)
			}
			// Scored as the scan scores, so that both paths agree.
			out = append(out, scored{i: i, score: d.score(q, i)})
		}
	}
	sortScored(out)
	return out[:min(n, len(out))], nil
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
func (d *dense) len() int { return len(d.rows) }

// score is the cosine similarity of unit query vector q with passage i.
func (d *dense) score(q []float32, i int) float64 {
	return float64(dot(q, d.rows[i]))
}

// scanRowsPerWorker is the least number of rows worth a goroutine of its own.
const scanRowsPerWorker = 4096

// search returns the n passages most similar to unit vector q by scanning the
// rows, best first, ties in passage order; with allow, only passages i with
// allow[i].
func (d *dense) search(q []float32, n int, allow []bool) []scored {
	rows := d.len()
	n = min(n, rows)
	if n <= 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, rows/scanRowsPerWorker))
	if workers == 1 {
		return d.scan(q, 0, rows, n, allow).sorted()
	}
	tops := make([]topK, workers)
	var wg sync.WaitGroup
	for w := range workers {
		from, to := rows*w/workers, rows*(w+1)/workers
		wg.Go(func() { tops[w] = d.scan(q, from, to, n, allow) })
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
func (d *dense) scan(q []float32, from, to, n int, allow []bool) topK {
	t := topK{h: make([]scored, 0, n), n: n}
	for i := from; i < to; i++ {
		if allow != nil && !allow[i] {
			continue
		}
		s := float64(dot(q, d.rows[i]))
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
