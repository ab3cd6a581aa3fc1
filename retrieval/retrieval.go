// Package retrieval owns the search index over passages: a chromem-go
// collection holding the passages with their dense vectors (from a pluggable
// embedder), which answers dense queries, a lexical BM25 index (its own
// inverted index over terms from a bleve analyzer, which can be saved and
// loaded as Postings), and their fusion into one ranking. It knows passages (package corpus) but nothing of answers,
// language models or Discord.
package retrieval

import (
	"context"
	"errors"
	"fmt"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/terms"
	"github.com/philippgille/chromem-go"
)

// Mode selects which rankings a search uses.
type Mode string

const (
	ModeHybrid  Mode = "hybrid"
	ModeDense   Mode = "dense"
	ModeLexical Mode = "lexical"
)

// Hit is one search result.
type Hit struct {
	Passage corpus.Passage
	// Score is the fused score, higher is better; comparable only within one search.
	// In ModeDense it is the cosine similarity, in ModeLexical the BM25 score,
	// in ModeHybrid the reciprocal rank fusion of both; a reference passage's
	// score is scaled down in every mode.
	Score float64
	// DenseRank and LexicalRank are 1-based ranks in each list, 0 when absent.
	DenseRank, LexicalRank int
	// DenseScore is the cosine similarity; LexicalScore the BM25 score. In
	// ModeHybrid DenseScore is filled even when DenseRank is 0; LexicalScore
	// is 0 when the passage is not among the lexical candidates.
	DenseScore, LexicalScore float64
}

// Options configure an index. The zero value is a hybrid index with the local embedder.
type Options struct {
	// Embedder embeds passages and queries; the zero value means embed.Local.
	Embedder embed.Embedder
	// Mode is the ranking used by Search; "" means hybrid.
	Mode Mode
	// Cache, when set, supplies vectors of passages embedded before by the
	// same named embedder and keeps the ones New embeds. Nil means no cache.
	Cache *embed.Cache
	// Vectors, when set, are the passages' vectors, made by Embedder: one a
	// passage, of unit length or zero, all of one dimension. New embeds
	// nothing then, and the index's collection holds these slices.
	Vectors [][]float32
	// Postings, when set, is the passages' lexical index (as Index.Postings
	// gives it), which New then does not make again.
	Postings *Postings
	// Collection names the chromem-go collection of the passages; "" means
	// "passages".
	Collection string
}

// SearchOptions refine one search.
type SearchOptions struct {
	// Mode is the ranking; "" means the index's own.
	Mode Mode
	// Docs, when not empty, restricts the search to the passages of these
	// documents (corpus.Passage.Doc). The dense list then comes from the
	// collection's QueryEmbedding with a where filter per document, while
	// that is the faster way (a few documents of a collection of at most
	// collectionQueryMax passages); otherwise from a scan that skips the
	// other passages.
	Docs []string
	// ViaCollection makes the dense list come from the collection's
	// QueryEmbedding whatever the search, instead of from a scan of the
	// vectors it holds, which is faster (see `footnote bench`); for measuring
	// one against the other. The rankings are the same, but that passages
	// with nothing to embed (zero vectors) are not in the collection.
	ViaCollection bool
}

// A search restricted to documents asks the collection, one QueryEmbedding
// with a where filter per document, when it restricts to at most
// collectionQueryDocs documents of a collection of at most collectionQueryMax
// passages. Each QueryEmbedding walks the collection's whole map to filter it:
// restricted to one document of 100 passages it took 3 ms at 1k and 10k
// passages and 85 ms at 100k, where the scan that skips the other passages'
// rows took 0.05-0.1 ms (BenchmarkDense_*/doc-*). Up to these bounds the
// collection's few milliseconds are nothing beside an answer; beyond them the
// scan serves.
const (
	collectionQueryDocs = 4
	collectionQueryMax  = 10000
)

// ErrEmptyQuery is returned for a query with no searchable terms.
var ErrEmptyQuery = errors.New("query has no searchable words")

// Index is a searchable set of passages. It is safe for concurrent searches.
type Index struct {
	passages []corpus.Passage
	opts     Options
	lex      *lexical
	dense    *dense // nil in ModeLexical
	db       *chromem.DB
	fusion   fusion
}

// New builds an index over passages. Embedding the passages is most of the
// work: the local embedder uses every CPU, remote ones send batches.
func New(ctx context.Context, passages []corpus.Passage, opts Options) (*Index, error) {
	switch opts.Mode {
	case "":
		opts.Mode = ModeHybrid
	case ModeHybrid, ModeDense, ModeLexical:
	default:
		return nil, fmt.Errorf("unknown search mode %q (want %s, %s or %s)", opts.Mode, ModeHybrid, ModeDense, ModeLexical)
	}
	ix := &Index{passages: passages, opts: opts, fusion: defaultFusion}
	if ix.opts.Embedder.IsZero() {
		ix.opts.Embedder = embed.Local()
	}
	if ix.opts.Embedder.Weighted != nil {
		ix.fusion = localFusion
	}

	if opts.Vectors != nil && len(opts.Vectors) != len(passages) {
		return nil, fmt.Errorf("%d vectors for %d passages", len(opts.Vectors), len(passages))
	}
	if opts.Collection == "" {
		opts.Collection = "passages"
	}
	ix.db = chromem.NewDB()

	// Embedding and lexical indexing each keep the CPUs busy only part of
	// the time, so they run side by side.
	lexDone := make(chan error, 1)
	go func() {
		var err error
		if opts.Postings != nil {
			ix.lex, err = lexicalOf(*opts.Postings, len(passages))
		} else {
			ix.lex, err = newLexical(ctx, passages)
		}
		lexDone <- err
	}()
	var denseErr error
	if ix.opts.Mode != ModeLexical {
		vecs := opts.Vectors
		if vecs == nil {
			texts := make([]string, len(passages))
			for i, p := range passages {
				texts[i] = p.Text
			}
			vecs, denseErr = embed.All(ctx, texts, ix.opts.Embedder, ix.opts.Cache)
			if denseErr != nil {
				denseErr = fmt.Errorf("embed passages: %w", denseErr)
			} else {
				vecs = contiguous(vecs, ix.opts.Embedder.Name, texts, ix.opts.Cache)
			}
		}
		if denseErr == nil {
			ix.dense, denseErr = newDense(ctx, ix.db, opts.Collection, passages, vecs)
		}
	}
	if err := <-lexDone; err != nil {
		return nil, err
	}
	if denseErr != nil {
		return nil, denseErr
	}
	return ix, nil
}

// contiguous copies vecs, one allocation each, into rows of one matrix, so
// that the scan reads memory in order: rows scattered over a heap that had
// held other indexes made the scan of 10k passages 2-3x slower (2.8-4.1 ms
// against 1.3 ms, BenchmarkDense_10000/scan after the 1k one). The cache, when there is one, is given the rows in place of
// the vectors it held, so that each vector is still held once.
func contiguous(vecs [][]float32, name string, texts []string, cache *embed.Cache) [][]float32 {
	if len(vecs) == 0 {
		return vecs
	}
	dim := len(vecs[0])
	flat := make([]float32, len(vecs)*dim)
	rows := make([][]float32, len(vecs))
	for i, v := range vecs {
		rows[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
		copy(rows[i], v)
		if cache != nil && name != "" {
			cache.Put(embed.KeyOf(name, texts[i]), rows[i])
		}
	}
	return rows
}

// Close releases the index. It holds nothing but memory, so Close does nothing
// and returns nil; callers close an Index anyway, in case that changes. The
// Index must not be used after.
func (ix *Index) Close() error { return nil }

// Len is the number of passages.
func (ix *Index) Len() int { return len(ix.passages) }

// Passages returns the indexed passages in corpus order.
func (ix *Index) Passages() []corpus.Passage { return ix.passages }

// Embedder is the name of the embedder of the index's vectors.
func (ix *Index) Embedder() string { return ix.opts.Embedder.Name }

// Mode is the ranking Search uses.
func (ix *Index) Mode() Mode { return ix.opts.Mode }

// Postings is the index's lexical index, to save (see Options.Postings).
func (ix *Index) Postings() *Postings { return &ix.lex.Postings }

// Collection is the chromem-go collection holding the passages and their
// vectors; nil for a lexical-only index. Its documents' IDs are passage
// indexes (see NewCollection).
func (ix *Index) Collection() *chromem.Collection {
	if ix.dense == nil {
		return nil
	}
	return ix.dense.coll
}

// DB is the chromem-go database of the index's collections, where more can
// be made with NewCollection.
func (ix *Index) DB() *chromem.DB { return ix.db }

// IDF is the inverse document frequency of an analysed term (see Terms); a term
// that occurs in no passage gets the highest value.
func (ix *Index) IDF(term string) float64 { return ix.lex.idf(term) }

// Search returns up to k passages, best first. A query with no searchable
// words (see Terms) is ErrEmptyQuery. With k larger than Len, ModeDense and
// ModeHybrid return every passage, ModeLexical every one that shares a term
// with the query.
func (ix *Index) Search(ctx context.Context, query string, k int) ([]Hit, error) {
	return ix.SearchMode(ctx, query, k, ix.opts.Mode)
}

// SearchMode is Search with another ranking than the index's own ("" means
// hybrid), for measuring one against another on the same index.
func (ix *Index) SearchMode(ctx context.Context, query string, k int, mode Mode) ([]Hit, error) {
	if mode == "" {
		mode = ModeHybrid
	}
	return ix.SearchWith(ctx, query, k, SearchOptions{Mode: mode})
}

// SearchWith is Search with options: another ranking, or only some
// documents' passages.
func (ix *Index) SearchWith(ctx context.Context, query string, k int, so SearchOptions) ([]Hit, error) {
	mode := so.Mode
	if mode == "" {
		mode = ix.opts.Mode
	}
	if mode != ModeLexical && ix.dense == nil {
		return nil, fmt.Errorf("search mode %s needs dense vectors, and this index was built lexical-only", mode)
	}
	terms := terms.Of(query)
	if len(terms) == 0 {
		return nil, ErrEmptyQuery
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if k <= 0 || len(ix.passages) == 0 {
		return nil, nil
	}
	var allow []bool
	candidates := len(ix.passages)
	if len(so.Docs) > 0 {
		want := make(map[string]bool, len(so.Docs))
		for _, d := range so.Docs {
			want[d] = true
		}
		allow = make([]bool, len(ix.passages))
		candidates = 0
		for i, p := range ix.passages {
			if want[p.Doc] {
				allow[i] = true
				candidates++
			}
		}
		if candidates == 0 {
			return nil, nil
		}
	}
	depth := min(max(k, ix.fusion.depth), candidates)

	// The lexical search runs while the query is embedded, which may mean a
	// round trip to a server.
	var lexList []scored
	lexErr := make(chan error, 1)
	if mode != ModeDense {
		go func() {
			var err error
			lexList, err = ix.lex.search(ctx, terms, depth, allow)
			lexErr <- err
		}()
	} else {
		lexErr <- nil
	}
	var q []float32
	var denseList []scored
	if mode != ModeLexical {
		var err error
		q, err = ix.queryVector(ctx, query)
		if err != nil {
			<-lexErr
			return nil, err
		}
		if so.ViaCollection || len(so.Docs) > 0 && len(so.Docs) <= collectionQueryDocs && ix.dense.len() <= collectionQueryMax {
			denseList, err = ix.dense.query(ctx, q, depth, so.Docs, allow)
			if err != nil {
				<-lexErr
				return nil, err
			}
		} else {
			denseList = ix.dense.search(q, depth, allow)
		}
	}
	if err := <-lexErr; err != nil {
		return nil, err
	}

	var fs []fused
	switch mode {
	case ModeHybrid:
		fs = ix.fusion.fuse(denseList, lexList)
	case ModeDense:
		for r, s := range denseList {
			fs = append(fs, fused{i: s.i, score: s.score, denseRank: r + 1, denseScore: s.score})
		}
	case ModeLexical:
		for r, s := range lexList {
			fs = append(fs, fused{i: s.i, score: s.score, lexRank: r + 1, lexScore: s.score})
		}
	}
	for j := range fs {
		if ix.passages[fs[j].i].Kind == corpus.KindReference {
			fs[j].score = ix.fusion.demote(fs[j].score)
		}
	}
	sortFused(fs)
	fs = fs[:min(k, len(fs))]

	hits := make([]Hit, len(fs))
	for j, f := range fs {
		if q != nil && f.denseRank == 0 {
			f.denseScore = ix.dense.score(q, f.i)
		}
		hits[j] = Hit{
			Passage:      ix.passages[f.i],
			Score:        f.score,
			DenseRank:    f.denseRank,
			LexicalRank:  f.lexRank,
			DenseScore:   f.denseScore,
			LexicalScore: f.lexScore,
		}
	}
	return hits, nil
}

// queryVector embeds a query as a unit vector of the index's dimension.
func (ix *Index) queryVector(ctx context.Context, query string) ([]float32, error) {
	if w := ix.opts.Embedder.Weighted; w != nil {
		return w(query, ix.IDF), nil
	}
	v, err := ix.opts.Embedder.One(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(v) != ix.dense.dim && ix.dense.len() > 0 {
		return nil, fmt.Errorf("embed query: %w: a vector of %d dimensions for an index of %d", embed.ErrResponse, len(v), ix.dense.dim)
	}
	return embed.UnitOrZero(v), nil
}
