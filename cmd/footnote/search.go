package main

import (
	"context"
	"io"
	"strings"
)

func searchCommand() command {
	return command{
		name:    "search",
		args:    "QUERY",
		summary: "list the passages that best match a query, verbatim",
		flags:   commonFlags,
		run:     runSearch,
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

func runSearch(ctx context.Context, o *options, args []string, stdout, stderr io.Writer) error {
	query := strings.Join(args, " ")
	if strings.TrimSpace(query) == "" {
		return usagef("no query given: footnote search \"words to look for\"")
	}
	if err := o.loadConfig(); err != nil {
		return err
	}
	eng, err := buildEngine(ctx, o.cfg, stderr)
	if err != nil {
		return err
	}
	ps, err := eng.Search(ctx, query, o.cfg.K)
	if err != nil {
		return askError(err)
	}
	if o.json {
		out := struct {
			Query string      `json:"query"`
			Hits  []searchHit `json:"hits"`
		}{Query: query, Hits: []searchHit{}}
		for _, p := range ps {
			out.Hits = append(out.Hits, searchHit{Doc: p.Doc, Title: p.Title, Section: p.Section, Paragraph: p.Paragraph,
				Page: p.Page, Start: p.Start, End: p.End, Text: p.Text, Score: p.Score, Where: p.Where})
		}
		return writeJSON(stdout, out)
	}
	_, err = io.WriteString(stdout, renderSearch(query, ps))
	return err
}
