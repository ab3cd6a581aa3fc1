package cite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

const tidesText = `Tides of the Atlantic Coast

The tide at Brest rises seven metres twice a day. Fishermen plan their work around it.

The harbour of Saint-Malo was walled in the twelfth century. Its tides are among the highest in Europe, reaching thirteen metres. Ships wait for the flood before they enter.

Oyster farms in Cancale were founded in 1850. They export oysters to Paris every week.
`

// libraryOf is an engine over files (with a footnote.yaml manifest, if any).
func libraryOf(tb testing.TB, files map[string]string) *answer.Engine {
	tb.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	c, _, err := corpus.LoadFS(context.Background(), fsys, corpus.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return answer.New(c, ix, answer.Options{})
}

func tidesLibrary(tb testing.TB) *answer.Engine {
	return libraryOf(tb, map[string]string{
		"tides.txt": tidesText,
		"footnote.yaml": "documents:\n  tides.txt:\n    authors: [Ana Lima, Wei Zhang]\n    year: 2019\n" +
			"    url: https://example.org/tides\n",
	})
}

func TestCheckVerbatim(t *testing.T) {
	lib := tidesLibrary(t)
	docs := lib.Documents()
	// Typographic quotes around it, a line break and double spaces inside.
	c, err := CheckQuote(context.Background(), lib, "“Its tides are among the highest\n in  Europe”", APA)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Verbatim || c.Found == nil {
		t.Fatalf("a verbatim quote was not found: %+v", c)
	}
	f := c.Found
	if got := docs[0].Text[f.Start:f.End]; got != f.Quote || f.Quote != "Its tides are among the highest in Europe" {
		t.Errorf("bytes [%d,%d) = %q, quote %q", f.Start, f.End, got, f.Quote)
	}
	if f.Paragraph != 2 || f.Page != 0 {
		t.Errorf("paragraph %d page %d, want paragraph 2, no page", f.Paragraph, f.Page)
	}
	if want := "Its tides are among the highest in Europe, reaching thirteen metres."; f.Sentence != want {
		t.Errorf("sentence around it = %q, want %q", f.Sentence, want)
	}
	if c.Citation.InText != "(Lima & Zhang, 2019, para. 2)" || c.Diff != "" {
		t.Errorf("citation %+v diff %q", c.Citation, c.Diff)
	}
	if !strings.HasPrefix(c.Citation.Reference, "Lima, A., & Zhang, W. (2019). Tides of the Atlantic Coast.") {
		t.Errorf("reference %q", c.Citation.Reference)
	}
	// Part of a word is not a quote.
	if c, _ := CheckQuote(context.Background(), lib, "ides at Bres", APA); c.Verbatim {
		t.Error("a piece of words counted as verbatim")
	}
}

func TestCheckNearMiss(t *testing.T) {
	lib := tidesLibrary(t)
	c, err := CheckQuote(context.Background(), lib, "The harbour of Saint-Malo was walled in the eleventh century, and its tides are among the highest in Europe", MLA)
	if err != nil {
		t.Fatal(err)
	}
	if c.Verbatim || c.Found == nil {
		t.Fatalf("a near miss: want not verbatim with a closest passage, got %+v", c)
	}
	text := lib.Documents()[0].Text
	if text[c.Found.Start:c.Found.End] != c.Found.Quote || !strings.HasPrefix(c.Found.Quote, "The harbour of Saint-Malo") {
		t.Errorf("closest quote %q at [%d,%d)", c.Found.Quote, c.Found.Start, c.Found.End)
	}
	for _, want := range []string{"[-twelfth-]{+eleventh+}", "{+and+}", "[-reaching thirteen metres.-]"} {
		if !strings.Contains(c.Diff, want) {
			t.Errorf("diff %q lacks %q", c.Diff, want)
		}
	}
	if c.Citation.InText != "(Lima and Zhang, par. 2)" {
		t.Errorf("in-text %q", c.Citation.InText)
	}
}

func TestCheckUnrelated(t *testing.T) {
	lib := tidesLibrary(t)
	c, err := CheckQuote(context.Background(), lib, "Quantum computers factor large numbers with Shor's algorithm", Chicago)
	if err != nil {
		t.Fatal(err)
	}
	if c.Verbatim || c.Found != nil || c.Citation.Reference != "" {
		t.Errorf("an unrelated quote got a source: %+v", c)
	}
	for in, want := range map[string]error{"  “ ”  ": ErrEmptyQuote, "\xff": ErrBadQuote, strings.Repeat("a ", MaxQuote): ErrLongQuote} {
		if _, err := CheckQuote(context.Background(), lib, in, APA); !errors.Is(err, want) {
			t.Errorf("CheckQuote(%.20q) error %v, want %v", in, err, want)
		}
	}
}

func TestCheckDefaultCorpus(t *testing.T) {
	c, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	lib := answer.New(c, ix, answer.Options{})
	q := "24 Latin American countries have established 46 Confucius Institutes"
	got, err := CheckQuote(context.Background(), lib, q, APA)
	if err != nil || !got.Verbatim {
		t.Fatalf("%v %+v", err, got)
	}
	d, _ := c.Doc(got.Found.Doc)
	if d.Text[got.Found.Start:got.Found.End] != q || got.Found.Paragraph == 0 {
		t.Errorf("place %+v", got.Found)
	}
}

func TestWordDiff(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"the cat sat on the mat", "the cat sat on the mat", ""},
		{"the cat sat on the mat", "The cat sat on the mat.", ""},
		{"one two three four five six seven eight nine", "one two three four five SIX! seven eight nine ten",
			"… seven eight nine {+ten+}"},
		{"a b c d e f g h i j", "a b x d e f g h i j", "a b [-c-]{+x+} d e f …"},
	} {
		if got := WordDiff(c.a, c.b); got != c.want {
			t.Errorf("WordDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
