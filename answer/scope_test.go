package answer

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

func partOf(t *testing.T, name, text string) (Part, []corpus.Passage) {
	t.Helper()
	d, err := corpus.Parse(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	ps := corpus.Chunk(d)
	ix, err := retrieval.New(context.Background(), ps, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return Part{Docs: []corpus.Document{d}, Index: ix}, ps
}

// TestScopedUnion: a scoped engine answers from a part beside the base
// corpus, with the union's term statistics those of one index over all.
func TestScopedUnion(t *testing.T) {
	ctx := context.Background()
	c, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := retrieval.New(ctx, c.Passages, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := New(c, ix, Options{})
	part, ps := partOf(t, "r1/notes.md", "# Ferns\n\nThe quillwort fern reproduces by spores released from sporangia at the base of its leaves.\n\nIt grows in shallow lakes.\n")
	scoped := base.Scoped(true, part)
	if base.Scoped(true) != base {
		t.Error("Scoped(true) with no parts is not the engine itself")
	}

	// A term weighs what it weighs in the part where it is most specific; a
	// term no part has, what it would in one index over all.
	all, err := retrieval.New(ctx, append(append([]corpus.Passage{}, c.Passages...), ps...), retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pix := part.Index
	for term, want := range map[string]float64{
		"quillwort": pix.IDF("quillwort"),
		"brazil":    ix.IDF("brazil"),
		unseen:      all.IDF(unseen),
	} {
		if got := scoped.index.IDF(term); math.Abs(got-want) > 1e-9 {
			t.Errorf("IDF(%q) = %v, want %v", term, got, want)
		}
	}
	if scoped.index.IDF("quillwort") >= scoped.index.IDF(unseen) || scoped.index.IDF("brazil") >= scoped.index.IDF(unseen) {
		t.Error("a term one part has weighs as much as one no part has")
	}

	a, err := scoped.Ask(ctx, Request{Question: "How does the quillwort fern reproduce?", Mode: ModeExtractive})
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || len(a.Citations) == 0 || a.Citations[0].Doc != "r1/notes.md" || !strings.Contains(a.Citations[0].Quote, "spores") {
		t.Fatalf("answer not from the part: %+v", a)
	}
	if len(scoped.Sources()) != len(base.Sources())+1 {
		t.Errorf("sources: %d, want %d", len(scoped.Sources()), len(base.Sources())+1)
	}
	if _, err := scoped.Around("r1/notes.md", a.Citations[0].Start-(a.Citations[0].Start-ps[0].Start), 0); err != nil {
		t.Errorf("Around a part's passage: %v", err)
	}

	only := base.Scoped(false, part)
	if got := only.Sources(); len(got) != 1 || got[0].Doc != "r1/notes.md" {
		t.Errorf("without the base: sources %+v", got)
	}
	b, err := base.Ask(ctx, Request{Question: "How does the quillwort fern reproduce?", Mode: ModeExtractive})
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range b.Citations {
		if ct.Doc == "r1/notes.md" {
			t.Error("the base engine cites a part it was not given")
		}
	}
}
