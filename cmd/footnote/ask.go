package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/footnote-bot/footnote/answer"
)

func askCommand() command {
	return command{
		name:    "ask",
		args:    "QUESTION",
		summary: "answer a question with verbatim, cited quotes",
		flags: func(fs *flag.FlagSet, o *options) {
			commonFlags(fs, o)
			fs.StringVar(&o.mode, "mode", "", "who writes the answer: auto, extractive or llm (default auto: the model when one is configured)")
		},
		run: runAsk,
	}
}

func runAsk(ctx context.Context, o *options, args []string, stdout, stderr io.Writer) error {
	question := strings.Join(args, " ")
	if strings.TrimSpace(question) == "" {
		return usagef("no question given: footnote ask \"your question\"")
	}
	if err := o.loadConfig(); err != nil {
		return err
	}
	eng, err := buildEngine(ctx, o.cfg, stderr)
	if err != nil {
		return err
	}
	ans, err := eng.Ask(ctx, answer.Request{Question: question, Mode: answer.Mode(o.cfg.Mode)})
	if err != nil {
		return askError(err)
	}
	if o.json {
		return writeJSON(stdout, ans)
	}
	_, err = io.WriteString(stdout, renderAnswer(ans))
	return err
}

// askError turns a bad question into a usage error; other errors pass.
func askError(err error) error {
	for _, bad := range []error{answer.ErrEmptyQuestion, answer.ErrInvalidUTF8, answer.ErrTooLong, answer.ErrNoModel} {
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
