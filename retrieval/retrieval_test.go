package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
)

// handmade is a small mixed English and Chinese corpus, one passage a topic,
// with a reference entry that repeats a body passage's words.
func handmade() []corpus.Passage {
	texts := []struct {
		text string
		kind corpus.Kind
	}{
		{"China also helped Grenada formulate The National Development Strategic Plan and helps Cuba carry out its industrial development plan.", corpus.KindBody},
		{"In addition, the \"Chinese fever\" in Latin America continues to heat up. 24 Latin American countries have established 46 Confucius Institutes and 14 Confucius Classrooms.", corpus.KindBody},
		{"In 2021, the trade volume between China and Latin America was US$451.591 billion, a record high.", corpus.KindBody},
		{"During the pandemic President Xi Jinping had 21 phone calls with leaders of 17 Latin American countries.", corpus.KindBody},
		{"In July 2022, the China-Caribbean Development Center was established in Jinan, China.", corpus.KindBody},
		{"2015年1月8日,中拉論壇首屆部長級會議在北京開幕,向世界發出中拉深化合作的積極信號。", corpus.KindBody},
		{"2018年1月22日,中拉論壇第二屆部長級會議在智利首都圣地亞哥舉行。", corpus.KindBody},
		{"«Confucius Institutes in Latin America», People's Daily, Page 3, 2019.", corpus.KindReference},
		{"Ecuador, Brazil, Argentina, Chile, and Uruguay officially joined the AIIB.", corpus.KindBody},
	}
	ps := make([]corpus.Passage, len(texts))
	start := 0
	for i, t := range texts {
		ps[i] = corpus.Passage{Doc: "handmade.txt", Paragraph: i + 1, Start: start, End: start + len(t.text), Text: t.text, Kind: t.kind}
		start += len(t.text) + 2
	}
	return ps
}

func newTestIndex(tb testing.TB, ps []corpus.Passage, opts Options) *Index {
	tb.Helper()
	ix, err := New(context.Background(), ps, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return ix
}

func TestSearchHandmade(t *testing.T) {
	ps := handmade()
	tests := []struct {
		query string
		want  int // passage index expected first
	}{
		{"How many Confucius Institutes are there in Latin America?", 1},
		{"Which small Caribbean state did China help draw up a national development strategy?", 0},
		{"What was the trade volume with Latin America in 2021?", 2},
		{"How many phone calls did Xi have with Latin American leaders?", 3},
		{"Where was the China-Caribbean Development Center established?", 4},
		{"中拉論壇首屆部長級會議在哪裡開幕?", 5},
		{"中拉論壇第二屆部長級會議在哪裡舉行?", 6},
		{"Which countries joined the AIIB?", 8},
	}
	for _, mode := range []Mode{ModeHybrid, ModeDense, ModeLexical} {
		ix := newTestIndex(t, ps, Options{Mode: mode})
		for _, tt := range tests {
			hits, err := ix.Search(t.Context(), tt.query, 3)
			if err != nil {
				t.Fatalf("%s: Search(%q): %v", mode, tt.query, err)
			}
			if len(hits) == 0 || hits[0].Passage != ps[tt.want] {
				t.Errorf("%s: Search(%q) first = %v, want passage %d", mode, tt.query, firstText(hits), tt.want)
			}
		}
	}
}

func firstText(hits []Hit) string {
	if len(hits) == 0 {
		return "no hits"
	}
	return fmt.Sprintf("%.40q", hits[0].Passage.Text)
}

func TestSearchModesFillTheirFields(t *testing.T) {
	ps := handmade()
	const q = "Confucius Institutes in Latin America"
	for _, tt := range []struct {
		mode             Mode
		dense, lexical   bool
		scoreIsRawScore  bool
		wantEmbedderName string
	}{
		{ModeHybrid, true, true, false, embed.LocalName},
		{ModeDense, true, false, true, embed.LocalName},
		{ModeLexical, false, true, true, embed.LocalName},
		{"", true, true, false, embed.LocalName},
	} {
		ix := newTestIndex(t, ps, Options{Mode: tt.mode})
		if tt.mode == "" && ix.Mode() != ModeHybrid {
			t.Errorf("zero Mode gives %q, want hybrid", ix.Mode())
		}
		if ix.Embedder() != tt.wantEmbedderName {
			t.Errorf("Embedder() = %q", ix.Embedder())
		}
		hits, err := ix.Search(t.Context(), q, 3)
		if err != nil {
			t.Fatal(err)
		}
		h := hits[0]
		if (h.DenseRank != 0) != tt.dense || (h.DenseScore != 0) != tt.dense {
			t.Errorf("%q: dense rank %d score %g, want them filled: %v", tt.mode, h.DenseRank, h.DenseScore, tt.dense)
		}
		if (h.LexicalRank != 0) != tt.lexical || (h.LexicalScore != 0) != tt.lexical {
			t.Errorf("%q: lexical rank %d score %g, want them filled: %v", tt.mode, h.LexicalRank, h.LexicalScore, tt.lexical)
		}
		raw := h.DenseScore + h.LexicalScore
		if h.Passage.Kind == corpus.KindReference {
			raw = ix.fusion.demote(raw)
		}
		if tt.scoreIsRawScore && h.Score != raw {
			t.Errorf("%q: score %g is not the raw score", tt.mode, h.Score)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Errorf("%q: hits not best first: %g then %g", tt.mode, hits[i-1].Score, hits[i].Score)
			}
		}
	}
	if _, err := New(t.Context(), ps, Options{Mode: "semantic"}); err == nil {
		t.Error("New accepted an unknown mode")
	}
}

// In hybrid mode the dense score is filled even for a passage only the
// lexical list found.
func TestHybridFillsDenseScore(t *testing.T) {
	ix := newTestIndex(t, handmade(), Options{})
	ix.fusion.depth = 1 // so that lexical hits may be missing from the dense list
	missing := 0
	for _, query := range []string{"Latin America", "China", "Confucius Institutes", "development plan", "中拉論壇"} {
		q, err := ix.queryVector(t.Context(), query)
		if err != nil {
			t.Fatal(err)
		}
		var hits []Hit
		for _, k := range []int{1, 2} { // depth 1, then 2
			hs, err := ix.Search(t.Context(), query, k)
			if err != nil {
				t.Fatal(err)
			}
			hits = append(hits, hs...)
		}
		for _, h := range hits {
			if h.DenseRank == 0 {
				missing++
			}
			i := slices.Index(ix.passages, h.Passage)
			if want := ix.dense.score(q, i); h.DenseScore != want {
				t.Errorf("%q: hit %.30q: dense score %g, want %g", query, h.Passage.Text, h.DenseScore, want)
			}
		}
	}
	if missing == 0 {
		t.Error("every hit was in the dense list; the test tests nothing")
	}
}

func TestSearchBadQueries(t *testing.T) {
	ix := newTestIndex(t, handmade(), Options{})
	for _, q := range []string{"", "   ", "the of and", `"`, ":", "*", "+", "-", "(", ")", "😀", "\x00", "?!"} {
		_, err := ix.Search(t.Context(), q, 5)
		if !errors.Is(err, ErrEmptyQuery) {
			t.Errorf("Search(%q) error = %v, want ErrEmptyQuery", q, err)
		}
	}
	// Query syntax is not syntax here: these are words.
	for _, q := range []string{`foo:bar`, `+China -Cuba`, `"Confucius`, `Confucius*`, `text:Jinan^5`, `/regexp.*/`, `Jinan 😀`, strings.Repeat("Confucius ", 2000)} {
		if _, err := ix.Search(t.Context(), q, 5); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
}

func TestSearchK(t *testing.T) {
	ps := handmade()
	dense := newTestIndex(t, ps, Options{Mode: ModeDense})
	hits, err := dense.Search(t.Context(), "Latin America", 100)
	if err != nil || len(hits) != len(ps) {
		t.Errorf("dense Search with k > Len: %d hits, %v; want %d", len(hits), err, len(ps))
	}
	hybrid := newTestIndex(t, ps, Options{})
	hits, err = hybrid.Search(t.Context(), "Latin America", 100)
	if err != nil || len(hits) != len(ps) {
		t.Errorf("hybrid Search with k > Len: %d hits, %v; want %d", len(hits), err, len(ps))
	}
	seen := map[int]bool{}
	for _, h := range hits {
		if seen[h.Passage.Start] {
			t.Errorf("passage at %d twice", h.Passage.Start)
		}
		seen[h.Passage.Start] = true
	}
	if hits, err := hybrid.Search(t.Context(), "Latin America", 0); err != nil || len(hits) != 0 {
		t.Errorf("Search with k = 0: %d hits, %v", len(hits), err)
	}
}

func TestEmptyIndex(t *testing.T) {
	ix := newTestIndex(t, nil, Options{})
	if ix.Len() != 0 {
		t.Errorf("Len = %d", ix.Len())
	}
	hits, err := ix.Search(t.Context(), "anything", 5)
	if err != nil || len(hits) != 0 {
		t.Errorf("Search on empty index: %v, %v", hits, err)
	}
	if idf := ix.IDF("anything"); math.IsNaN(idf) || idf <= 0 {
		t.Errorf("IDF on empty index = %g", idf)
	}
}

// A reference entry that matches as well as a body passage ranks below it.
func TestReferencesRankBelowBody(t *testing.T) {
	body := "Confucius Institutes in Latin America grow fast."
	ps := []corpus.Passage{
		{Doc: "a.txt", Start: 0, End: len(body), Text: body, Kind: corpus.KindReference},
		{Doc: "a.txt", Start: 100, End: 100 + len(body), Text: body, Kind: corpus.KindBody},
		{Doc: "a.txt", Start: 200, End: 240, Text: "Something else entirely about trade.", Kind: corpus.KindBody},
	}
	for _, mode := range []Mode{ModeHybrid, ModeDense, ModeLexical} {
		ix := newTestIndex(t, ps, Options{Mode: mode})
		hits, err := ix.Search(t.Context(), "Confucius Institutes", 2)
		if err != nil {
			t.Fatal(err)
		}
		if hits[0].Passage.Kind != corpus.KindBody || hits[1].Passage.Kind != corpus.KindReference {
			t.Errorf("%s: got %s then %s, want body then reference", mode, hits[0].Passage.Kind, hits[1].Passage.Kind)
		}
	}
}

func TestIDF(t *testing.T) {
	ix := newTestIndex(t, handmade(), Options{Mode: ModeLexical})
	common, rare, unseen := ix.IDF("latin"), ix.IDF("grenada"), ix.IDF("zanzibar")
	if !(common < rare && rare < unseen) {
		t.Errorf("IDF latin %g, grenada %g, zanzibar %g: want increasing", common, rare, unseen)
	}
	n := float64(ix.Len())
	if want := math.Log(1 + (n+0.5)/0.5); math.Abs(unseen-want) > 1e-12 {
		t.Errorf("IDF of an unseen term = %g, want %g", unseen, want)
	}
	if want := math.Log(1 + (n-1+0.5)/1.5); math.Abs(rare-want) > 1e-12 {
		t.Errorf("IDF of a term in one passage = %g, want %g", rare, want)
	}
}

func TestConcurrentSearch(t *testing.T) {
	ix := newTestIndex(t, handmade(), Options{})
	queries := []string{"Confucius Institutes", "中拉論壇", "trade volume 2021", "Grenada", "AIIB members"}
	want := make([][]Hit, len(queries))
	for i, q := range queries {
		var err error
		if want[i], err = ix.Search(t.Context(), q, 3); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for j := range 20 {
				i := (g + j) % len(queries)
				got, err := ix.Search(context.Background(), queries[i], 3)
				if err != nil {
					t.Error(err)
					return
				}
				if fmt.Sprint(got) != fmt.Sprint(want[i]) {
					t.Errorf("Search(%q) differs under concurrency", queries[i])
				}
			}
		})
	}
	wg.Wait()
}

func TestSearchCancelled(t *testing.T) {
	ix := newTestIndex(t, handmade(), Options{Mode: ModeLexical})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ix.Search(ctx, "Confucius", 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Search with a cancelled context: %v", err)
	}
}

// A lexical index embeds nothing and fills no chromem-go collection: the
// collection is for embedding models. A search that needs vectors is refused.
func TestLexicalIndexHasNoCollection(t *testing.T) {
	called := false
	e := embed.FromBatch("counting", func(context.Context, []string) ([][]float32, error) {
		called = true
		return nil, errors.New("not to be called")
	})
	ix := newTestIndex(t, handmade(), Options{Mode: ModeLexical, Embedder: e})
	if called || ix.Collection() != nil || len(ix.DB().ListCollections()) != 0 {
		t.Errorf("embedded %v, collection %v, collections %v", called, ix.Collection(), ix.DB().ListCollections())
	}
	if hits, err := ix.Search(t.Context(), "Confucius Institutes", 3); err != nil || len(hits) == 0 {
		t.Errorf("lexical search: %v, %v", hits, err)
	}
	if _, err := ix.SearchMode(t.Context(), "Confucius Institutes", 3, ModeHybrid); err == nil || !strings.Contains(err.Error(), "lexical-only") {
		t.Errorf("hybrid search of a lexical index: %v", err)
	}
}
