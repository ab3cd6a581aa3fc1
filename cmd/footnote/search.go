package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/footnote-bot/footnote/answer"
)

// searchOptions are the flags of footnote search.
type searchOptions struct {
	sourceFlags
	json    bool
	verbose bool
}

func searchCommand() command {
	return command{
		name:    "search",
		args:    "QUERY",
		summary: "list the passages that best match a query, verbatim",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &searchOptions{}
			o.define(fs, "")
			fs.BoolVar(&o.json, "json", false, "print JSON")
			fs.BoolVar(&o.verbose, "v", false, "list the files of --corpus that were skipped, and why")
			return o.run
		},
	}
}

// searchHit is one hit of `footnote search --json`.
type searchHit struct {
	Doc       string  `json:"doc"`
	Title     string  `json:"title"`
	Section   string  `json:"section"`
	Paragraph int     `json:"paragraph"`
	Page      int     `json:"page,omitempty"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
	Where     string  `json:"where"`
}

// searchOutput is what `footnote search --json` prints.
type searchOutput struct {
	Query string      `json:"query"`
	Hits  []searchHit `json:"hits"`
	// Weak is set when nothing matched well (the evidence ask abstains on);
	// Missing lists the query's words that no hit (or no document) contains.
	Weak    bool     `json:"weak"`
	Missing []string `json:"missing,omitempty"`
	// Error is set, with no hits, for a query footnote cannot search for
	// (exit status 2).
	Error string `json:"error,omitempty"`
}

func (o *searchOptions) run(ctx context.Context, m *Main, args []string) error {
	query := strings.Join(args, " ")
	if strings.TrimSpace(query) == "" {
		return usagef("no query given: footnote search \"words to look for\"")
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	eng, err := buildEngine(ctx, cfg, skippedTo(o.verbose, m.Stderr))
	if err != nil {
		return err
	}
	res, err := eng.Match(ctx, query, cfg.K)
	if errors.Is(err, answer.ErrNoWords) && o.json {
		if err := writeJSON(m.Stdout, searchOutput{Query: query, Hits: []searchHit{}, Error: err.Error()}); err != nil {
			return err
		}
	}
	if err != nil {
		return askError(err)
	}
	if o.json {
		out := searchOutput{Query: query, Hits: []searchHit{}, Weak: res.Weak, Missing: res.Missing}
		for _, p := range res.Passages {
			out.Hits = append(out.Hits, searchHit{Doc: p.Doc, Title: p.Title, Section: p.Section, Paragraph: p.Paragraph,
				Page: p.Page, Start: p.Start, End: p.End, Text: p.Text, Score: p.Score, Where: p.Where})
		}
		return writeJSON(m.Stdout, out)
	}
	_, err = io.WriteString(m.Stdout, terminalText(renderSearch(query, res)))
	return err
}
