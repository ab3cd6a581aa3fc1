package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/cite"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/quiz"
)

// citeOptions are the flags of footnote cite.
type citeOptions struct {
	sourceFlags
	style string
	json  bool
}

func citeCommand() command {
	return command{
		name:    "cite",
		args:    "QUOTE",
		summary: "check that a quote is verbatim in the readings and cite it (APA, MLA, Chicago)",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &citeOptions{}
			o.define(fs, "")
			fs.StringVar(&o.style, "style", string(cite.DefaultStyle), "citation style: apa (7th), mla (9th) or chicago (author-date, 17th)")
			fs.BoolVar(&o.json, "json", false, "print JSON")
			return o.run
		},
	}
}

// citeJSON is the output of `footnote cite --json`.
type citeJSON struct {
	Verbatim  bool        `json:"verbatim"`
	Style     cite.Style  `json:"style"`
	Reference string      `json:"reference"`
	InText    string      `json:"in_text"`
	Citation  *cite.Place `json:"citation"`
	Diff      string      `json:"diff"`
}

func (o *citeOptions) run(ctx context.Context, m *Main, args []string) error {
	stdout := m.Stdout
	st, err := cite.ParseStyle(o.style)
	if err != nil {
		return usagef("--style: %v", err)
	}
	quote := strings.Join(args, " ")
	if strings.TrimSpace(quote) == "" {
		return usagef("no quote given: footnote cite \"the words you quote\"")
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	eng, err := buildEngine(ctx, cfg, skippedTo(false, m.Stderr))
	if err != nil {
		return err
	}
	c, err := cite.CheckQuote(ctx, eng, quote, st)
	for _, bad := range []error{cite.ErrEmptyQuote, cite.ErrBadQuote, cite.ErrLongQuote} {
		if errors.Is(err, bad) {
			return usageError{err.Error()}
		}
	}
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(stdout, citeJSON{Verbatim: c.Verbatim, Style: st, Reference: c.Citation.Reference,
			InText: c.Citation.InText, Citation: c.Found, Diff: c.Diff})
	}
	_, err = io.WriteString(stdout, renderCite(c, st))
	return err
}

// renderCite is the human output of `footnote cite`.
func renderCite(c *cite.Check, st cite.Style) string {
	var b strings.Builder
	if c.Found == nil {
		b.WriteString("Not found: nothing in the readings is close to this quote.\n")
		return b.String()
	}
	f := c.Found
	at := f.Title
	if f.Page > 0 {
		at += fmt.Sprintf(", p. %d", f.Page)
	}
	if f.Paragraph > 0 {
		at += fmt.Sprintf(", ¶ %d", f.Paragraph)
	}
	if c.Verbatim {
		fmt.Fprintf(&b, "Verbatim in %s (%s, bytes %d-%d):\n    %s\n", at, f.Doc, f.Start, f.End, fold(f.Sentence))
	} else {
		fmt.Fprintf(&b, "Not verbatim. The closest passage is in %s (%s, bytes %d-%d):\n    %s\n", at, f.Doc, f.Start, f.End, fold(f.Quote))
		fmt.Fprintf(&b, "What differs ([-in the source-] {+in your quote+}):\n    %s\n", c.Diff)
	}
	label := st.Name()
	if !c.Verbatim {
		label += ", paraphrase"
	}
	fmt.Fprintf(&b, "\n%s\n  Reference: %s\n  In-text:   %s\n", label, c.Citation.Reference, c.Citation.InText)
	return b.String()
}

// The bot's live engine serves quote checks and quizzes too.
var (
	_ cite.Library = (*liveEngine)(nil)
	_ quiz.Library = (*liveEngine)(nil)
)

func (l *liveEngine) Documents() []corpus.Document { return l.cur.Load().Documents() }

func (l *liveEngine) Passages() []answer.Passage { return l.cur.Load().Passages() }

func (l *liveEngine) PassageAt(doc string, off int) (answer.Passage, bool) {
	return l.cur.Load().PassageAt(doc, off)
}
