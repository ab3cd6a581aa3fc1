package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/footnote-bot/footnote/corpus"
)

// extractOptions are the flags of footnote extract.
type extractOptions struct {
	json bool
}

// extract prints the text Footnote reads from a file: for PDF, HTML and Word
// files, the extracted text that citations' start/end offsets index.
func extractCommand() command {
	return command{
		name:    "extract",
		args:    "FILE",
		summary: "print the text footnote reads from a file (what start/end offsets index)",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &extractOptions{}
			fs.BoolVar(&o.json, "json", false, "print the document and its passages as JSON")
			return o.run
		},
	}
}

func (o *extractOptions) run(ctx context.Context, m *Main, args []string) error {
	if len(args) != 1 {
		return usagef("give one file: footnote extract FILE")
	}
	data, err := readRegularFile(args[0], corpus.DefaultMaxFileBytes)
	if err != nil {
		return err
	}
	doc, err := corpus.ParseContext(ctx, filepath.Base(args[0]), data)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if !o.json {
		// To a terminal, control characters are made visible; to a file or
		// a pipe, the exact text (the bytes offsets index), with a final
		// newline after it when it has none.
		text := doc.Text
		if m.StdoutIsTerminal {
			text = terminalText(text)
		}
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		_, err = io.WriteString(m.Stdout, text)
		return err
	}
	type passage struct {
		Section   string `json:"section"`
		Paragraph int    `json:"paragraph"`
		Page      int    `json:"page,omitempty"`
		Start     int    `json:"start"`
		End       int    `json:"end"`
		Kind      string `json:"kind"`
		Text      string `json:"text"`
	}
	out := struct {
		Doc      string    `json:"doc"`
		Title    string    `json:"title"`
		Authors  []string  `json:"authors,omitempty"`
		Year     int       `json:"year,omitempty"`
		URL      string    `json:"url,omitempty"`
		Format   string    `json:"format"`
		Text     string    `json:"text"`
		Passages []passage `json:"passages"`
	}{Doc: doc.Path, Title: doc.Title, Authors: doc.Authors, Year: doc.Year, URL: doc.URL, Format: doc.Format, Text: doc.Text}
	for _, p := range corpus.Chunk(doc) {
		out.Passages = append(out.Passages, passage{p.Section, p.Paragraph, p.Page, p.Start, p.End, string(p.Kind), p.Text})
	}
	return writeJSON(m.Stdout, out)
}
