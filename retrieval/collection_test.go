package retrieval

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/terms"
	"github.com/philippgille/chromem-go"
)

// synthPassages spreads synthetic passages over a few documents.
func synthPassages(n int) ([]corpus.Passage, []string) {
	ps, qs := synthetic(n, 20)
	for i := range ps {
		ps[i].Doc = fmt.Sprintf("doc%d.txt", i%5)
	}
	return ps, qs
}

// The collection holds the index's vectors as given: the rows the scan reads
// are the documents' embeddings, not copies.
func TestCollectionSharesVectors(t *testing.T) {
	ps, _ := synthPassages(300)
	ix := newTestIndex(t, ps, Options{})
	coll := ix.Collection()
	if coll == nil || coll.Count() == 0 {
		t.Fatal("no collection")
	}
	q := ix.dense.rows[7]
	res, err := coll.QueryEmbedding(t.Context(), q, coll.Count(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != coll.Count() {
		t.Fatalf("%d results of %d documents", len(res), coll.Count())
	}
	for _, r := range res {
		i, err := strconv.Atoi(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if &r.Embedding[0] != &ix.dense.rows[i][0] {
			t.Fatalf("document %s holds a copy of its vector", r.ID)
		}
		if r.Content != ps[i].Text || r.Metadata[DocKey] != ps[i].Doc {
			t.Fatalf("document %s: content or metadata is not passage %d's", r.ID, i)
		}
	}
}

// Given Options.Vectors, New embeds nothing and the collection holds those
// very slices.
func TestNewWithVectorsHoldsThem(t *testing.T) {
	ps, qs := synthPassages(200)
	built := newTestIndex(t, ps, Options{})
	loaded := newTestIndex(t, ps, Options{Vectors: built.dense.rows, Postings: built.Postings()})
	for i := range ps {
		if &loaded.dense.rows[i][0] != &built.dense.rows[i][0] {
			t.Fatalf("row %d was copied", i)
		}
	}
	for _, q := range qs {
		a, err := built.Search(t.Context(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		b, err := loaded.Search(t.Context(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Fatalf("%q: built %v, loaded %v", q, a, b)
		}
	}
	if _, err := New(t.Context(), ps, Options{Vectors: built.dense.rows[1:]}); err == nil {
		t.Error("too few vectors accepted")
	}
}

// Both dense paths rank alike.
func TestDensePathsAgree(t *testing.T) {
	ps, qs := synthPassages(500)
	ix := newTestIndex(t, ps, Options{})
	for _, q := range qs {
		for _, mode := range []Mode{ModeDense, ModeHybrid} {
			scan, err := ix.SearchWith(t.Context(), q, 10, SearchOptions{Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			coll, err := ix.SearchWith(t.Context(), q, 10, SearchOptions{Mode: mode, ViaCollection: true})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(scan, coll) {
				t.Errorf("%s %q: scan %v, collection %v", mode, q, ids(scan), ids(coll))
			}
		}
	}
}

// A search restricted to documents returns only their passages, ranked as
// the unrestricted search ranks them.
func TestSearchRestrictedToDocs(t *testing.T) {
	ps, qs := synthPassages(500)
	ix := newTestIndex(t, ps, Options{})
	// Two documents ask the collection; five (past collectionQueryDocs)
	// make the scan skip the other passages.
	for _, docs := range [][]string{{"doc1.txt", "doc3.txt"}, {"doc0.txt", "doc1.txt", "doc2.txt", "doc3.txt", "none.txt"}} {
		testSearchRestricted(t, ix, qs, docs)
	}
	got, err := ix.SearchWith(t.Context(), qs[0], 5, SearchOptions{Docs: []string{"nowhere.txt"}})
	if err != nil || len(got) != 0 {
		t.Errorf("an unknown document: %v, %v", got, err)
	}
}

func testSearchRestricted(t *testing.T, ix *Index, qs, docs []string) {
	t.Helper()
	for _, q := range qs {
		for _, mode := range []Mode{ModeDense, ModeLexical, ModeHybrid} {
			got, err := ix.SearchWith(t.Context(), q, 5, SearchOptions{Mode: mode, Docs: docs})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && mode != ModeLexical {
				t.Fatalf("%s %q: no hits", mode, q)
			}
			for _, h := range got {
				if !slices.Contains(docs, h.Passage.Doc) {
					t.Fatalf("%s %q: a hit in %s", mode, q, h.Passage.Doc)
				}
			}
			if mode == ModeHybrid {
				continue // fusion over restricted lists may reorder
			}
			all, err := ix.SearchWith(t.Context(), q, ix.Len(), SearchOptions{Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			var want []Hit
			for _, h := range all {
				if slices.Contains(docs, h.Passage.Doc) && len(want) < 5 {
					h.DenseRank, h.LexicalRank = 0, 0
					want = append(want, h)
				}
			}
			for j := range got {
				got[j].DenseRank, got[j].LexicalRank = 0, 0
			}
			if !slices.Equal(got, want) {
				t.Errorf("%v, %s %q: got %v, want %v", docs, mode, q, ids(got), ids(want))
			}
		}
	}
}

func ids(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Passage.ID())
	}
	return out
}

// NewCollection makes a collection for any set of passages in any database.
func TestNewCollection(t *testing.T) {
	ps, _ := synthPassages(50)
	ix := newTestIndex(t, ps, Options{})
	db := chromem.NewDB()
	coll, err := NewCollection(t.Context(), db, "list", ps[:10], ix.dense.rows[:10])
	if err != nil {
		t.Fatal(err)
	}
	if coll.Count() != 10 || db.GetCollection("list", nil) == nil {
		t.Fatalf("count %d", coll.Count())
	}
	if _, err := NewCollection(t.Context(), db, "bad", ps[:10], ix.dense.rows[:9]); err == nil {
		t.Error("9 vectors for 10 passages accepted")
	}
	if _, err := coll.Query(t.Context(), "words", 1, nil, nil); err == nil {
		t.Error("the collection embedded a query")
	}
}

// Postings that do not fit the passages are refused, never searched.
func TestPostingsCheck(t *testing.T) {
	ps, _ := synthPassages(50)
	good := *newTestIndex(t, ps, Options{Mode: ModeLexical}).Postings()
	if err := good.Check(len(ps)); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(p *Postings){
		"offset past the end": func(p *Postings) { p.Start = slices.Clone(p.Start); p.Start[len(p.Start)-1]++ },
		"offsets decrease":    func(p *Postings) { p.Start = slices.Clone(p.Start); p.Start[1], p.Start[2] = p.Start[2]+1, p.Start[1] },
		"terms unsorted":      func(p *Postings) { p.Terms = slices.Clone(p.Terms); p.Terms[0], p.Terms[1] = p.Terms[1], p.Terms[0] },
		"lengths":             func(p *Postings) { p.Lengths = p.Lengths[1:] },
		"data cut short":      func(p *Postings) { p.Data = p.Data[:len(p.Data)-1] },
	}
	for name, spoil := range bad {
		p := good
		spoil(&p)
		if err := p.Check(len(ps)); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := New(t.Context(), ps, Options{Mode: ModeLexical, Postings: &p}); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

// Damaged postings that Check lets through (it reads no posting) make a
// search that reads them fail, never go out of bounds.
func TestDamagedPostingsFailSearch(t *testing.T) {
	ps, qs := synthPassages(50)
	good := *newTestIndex(t, ps, Options{Mode: ModeLexical}).Postings()
	qterms := terms.Of(qs[0])
	g, ok := good.term(qterms[0])
	if !ok {
		t.Fatalf("no term %q", qterms[0])
	}
	from, to := good.Start[g], good.Start[g+1]
	bad := map[string]func(d []byte){
		"passage out of range": func(d []byte) { d[from+1] = 0x7f }, // the first passage's number, past 50
		"count past the end":   func(d []byte) { d[from] = byte(to - from) },
		"count short":          func(d []byte) { d[from]-- },
	}
	for name, spoil := range bad {
		p := good
		p.Data = slices.Clone(good.Data)
		spoil(p.Data)
		ix, err := New(t.Context(), ps, Options{Mode: ModeLexical, Postings: &p})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := ix.Search(t.Context(), qs[0], 5); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("%s: search gave %v", name, err)
		}
	}
}
