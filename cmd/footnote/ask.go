package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/footnote-bot/footnote/answer"
)

// askOptions are the flags of footnote ask.
type askOptions struct {
	sourceFlags
	json    bool
	verbose bool
}

func askCommand() command {
	return command{
		name:    "ask",
		args:    "QUESTION",
		summary: "answer a question with verbatim, cited quotes (the question may come on standard input)",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &askOptions{}
			o.define(fs, "who writes the answer: auto, extractive or llm (default auto: the model when one is configured)")
			fs.BoolVar(&o.json, "json", false, "print JSON")
			fs.BoolVar(&o.verbose, "v", false, "list the files of --corpus that were skipped, and why")
			return o.run
		},
	}
}

// maxStdinQuestion bounds a question read from standard input, in bytes: far
// above any question's limit, so that the limit's own message is the one shown.
const maxStdinQuestion = 1 << 20

func (o *askOptions) run(ctx context.Context, m *Main, args []string) error {
	question := strings.Join(args, " ")
	if len(args) == 0 && !m.StdinIsTerminal && m.Stdin != nil {
		q, err := readQuestion(m.Stdin)
		if err != nil {
			return err
		}
		question = q
	}
	if strings.TrimSpace(question) == "" {
		return usagef("no question given: footnote ask \"your question\" (or give it on standard input)")
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	eng, err := buildEngine(ctx, cfg, skippedTo(o.verbose, m.Stderr))
	if err != nil {
		return err
	}
	ans, err := eng.Ask(ctx, answer.Request{Question: question, Mode: answer.Mode(cfg.Mode)})
	if err != nil {
		return askError(err)
	}
	if o.json {
		return writeJSON(m.Stdout, ans)
	}
	_, err = io.WriteString(m.Stdout, terminalText(renderAnswer(ans)))
	return err
}

// readQuestion reads a question from standard input, to its end.
func readQuestion(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStdinQuestion+1))
	if err != nil {
		return "", fmt.Errorf("reading the question from standard input: %w", err)
	}
	if len(data) > maxStdinQuestion {
		return "", usagef("the question on standard input is longer than %d bytes", maxStdinQuestion)
	}
	return strings.TrimSpace(string(data)), nil
}

// askError turns a bad question into a usage error; other errors pass.
func askError(err error) error {
	for _, bad := range []error{answer.ErrEmptyQuestion, answer.ErrInvalidUTF8, answer.ErrTooLong, answer.ErrNoModel, answer.ErrNoWords} {
		if errors.Is(err, bad) {
			return usageError{err.Error()}
		}
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
