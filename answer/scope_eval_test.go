package answer_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/eval"
	"github.com/footnote-bot/footnote/retrieval"
)

// TestScopedKeepsQuality: questions about the operator's corpus are answered
// as well from a channel whose reading lists hold other documents: the
// union's ranking does not let a list that knows nothing of a question crowd
// out the corpus that does, nor make unanswerable questions answerable.
func TestScopedKeepsQuality(t *testing.T) {
	ctx := context.Background()
	c, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := retrieval.New(ctx, c.Passages, retrieval.Options{Mode: retrieval.ModeLexical}) // the offline default
	if err != nil {
		t.Fatal(err)
	}
	base := answer.New(c, ix, answer.Options{})
	var parts []answer.Part
	for i, topic := range []string{"tides and gulls at the harbour", "the trade of salt in medieval Europe"} {
		var text strings.Builder
		fmt.Fprintf(&text, "# Notes %d\n\n", i)
		for p := 0; p < 60; p++ {
			fmt.Fprintf(&text, "Paragraph %d is about %s, and how the %d ships of the company changed the economy of the region after the war.\n\n", p, topic, p*7)
		}
		d, err := corpus.Parse(fmt.Sprintf("list%d/notes.md", i), []byte(text.String()))
		if err != nil {
			t.Fatal(err)
		}
		pix, err := retrieval.New(ctx, corpus.Chunk(d), retrieval.Options{Mode: retrieval.ModeLexical})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, answer.Part{Docs: []corpus.Document{d}, Index: pix})
	}
	scoped := base.Scoped(true, parts...)

	f, err := os.Open("../eval/testdata/extra.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := eval.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	report := func(e *answer.Engine) eval.Report {
		rep, err := eval.Run(ctx, extractive{e}, e.DocText, items, 5)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	b, s := report(base), report(scoped)
	t.Logf("base:   R@5 %.2f MRR %.2f accuracy %.2f abstain-unanswerable %.2f", b.RecallAt5, b.MRR, b.Accuracy, b.AbstainUnanswerable)
	t.Logf("scoped: R@5 %.2f MRR %.2f accuracy %.2f abstain-unanswerable %.2f", s.RecallAt5, s.MRR, s.Accuracy, s.AbstainUnanswerable)
	for i := range b.Results {
		if b.Results[i].Correct != s.Results[i].Correct {
			t.Logf("%s %q\n base: %s\n scoped: %s", b.Results[i].ID, b.Results[i].Question, b.Results[i].Answer, s.Results[i].Answer)
		}
	}
	if s.RecallAt5 < b.RecallAt5-0.05 || s.Accuracy < b.Accuracy-0.05 || s.AbstainUnanswerable < b.AbstainUnanswerable-0.05 || s.Verbatim < 1 {
		t.Errorf("scoping lost quality: base %+v\nscoped %+v", summary(b), summary(s))
	}
}

type extractive struct{ e *answer.Engine }

func (x extractive) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	req.Mode = answer.ModeExtractive
	return x.e.Ask(ctx, req)
}

func summary(r eval.Report) string {
	return fmt.Sprintf("R@5 %.2f MRR %.2f acc %.2f abstain-un %.2f verbatim %.2f", r.RecallAt5, r.MRR, r.Accuracy, r.AbstainUnanswerable, r.Verbatim)
}
