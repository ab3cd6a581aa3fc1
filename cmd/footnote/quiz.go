package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/quiz"
	"github.com/footnote-bot/footnote/store/embedded"
)

// quizOptions are the flags of footnote quiz.
type quizOptions struct {
	sourceFlags
	topic string
	n     int
	seed  uint64
	json  bool
}

func quizCommand() command {
	return command{
		name:    "quiz",
		args:    "",
		summary: "print a multiple-choice quiz on the readings, with its answer key",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &quizOptions{}
			o.define(fs, "auto (the model writes the questions when one is configured), extractive (never) or llm")
			fs.StringVar(&o.topic, "topic", "", "draw the questions from the passages on this topic")
			fs.IntVar(&o.n, "n", 5, fmt.Sprintf("number of questions, 1 to %d", quiz.MaxQuestions))
			fs.Uint64Var(&o.seed, "seed", 0, "another number gives another quiz")
			fs.BoolVar(&o.json, "json", false, "print JSON")
			return o.run
		},
	}
}

// quizJSON is the output of `footnote quiz --json`.
type quizJSON struct {
	Questions []quiz.Question `json:"questions"`
}

func (o *quizOptions) run(ctx context.Context, m *Main, args []string) error {
	qo := quiz.Options{Topic: strings.TrimSpace(o.topic + " " + strings.Join(args, " ")), N: o.n, Seed: o.seed}
	stdout := m.Stdout
	if qo.N < 1 || qo.N > quiz.MaxQuestions {
		return usagef("-n %d is out of range: use 1 to %d", qo.N, quiz.MaxQuestions)
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	eng, err := buildEngine(ctx, cfg, skippedTo(false, m.Stderr))
	if err != nil {
		return err
	}
	eopts, err := engineOptions(cfg)
	if err != nil {
		return err
	}
	if cfg.Mode == "llm" && eopts.Writer == nil {
		return usagef("--mode llm: no language model is configured (set OPENAI_API_KEY or OPENAI_BASE_URL)")
	}
	var qs []quiz.Question
	if model, ok := eopts.Writer.(quiz.Model); ok {
		qs, err = quiz.WithModel(ctx, eng, model, qo)
		if err != nil && len(qs) > 0 {
			fmt.Fprintf(m.Stderr, "footnote quiz: %s\n", oneLine(err.Error()))
			err = nil
		}
	} else {
		qs, err = quiz.Offline(ctx, eng, qo)
	}
	if errors.Is(err, quiz.ErrNoQuestion) && qo.Topic != "" {
		return fmt.Errorf("no question could be made from the passages on %q: try another topic or none", qo.Topic)
	}
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(stdout, quizJSON{Questions: qs})
	}
	_, err = io.WriteString(stdout, renderQuiz(qs))
	return err
}

// renderQuiz is the human output of `footnote quiz`: the questions, then the
// answer key with each answer's source.
func renderQuiz(qs []quiz.Question) string {
	var b strings.Builder
	letters := "ABCD"
	for i, q := range qs {
		fmt.Fprintf(&b, "%d. %s\n", i+1, q.Question)
		for j, c := range q.Choices {
			fmt.Fprintf(&b, "   %c) %s\n", letters[j], c)
		}
		b.WriteString("\n")
	}
	b.WriteString("Answer key\n")
	for i, q := range qs {
		letter := ' '
		for j, c := range q.Choices {
			if c == q.Answer {
				letter = rune(letters[j])
			}
		}
		at := q.Citation.Title
		if q.Citation.Page > 0 {
			at += fmt.Sprintf(", p. %d", q.Citation.Page)
		}
		if q.Citation.Paragraph > 0 {
			at += fmt.Sprintf(", ¶ %d", q.Citation.Paragraph)
		}
		fmt.Fprintf(&b, "%d. %c) %s — %s\n   “%s”\n", i+1, letter, q.Answer, at, fold(q.Citation.Quote))
	}
	return b.String()
}

var _ bot.QuizStore = (*embedded.Store)(nil)

// studyOptions are the bot's study tools from cfg: the citation style, the
// store that keeps quizzes across restarts, and the model that writes quiz questions when one is
// configured and wanted.
func studyOptions(cfg config.Config, quizzes bot.QuizStore) (bot.Study, error) {
	s := bot.Study{CitationStyle: cfg.Discord.CitationStyle, Quizzes: quizzes}
	eopts, err := engineOptions(cfg)
	if err != nil {
		return s, err
	}
	if model, ok := eopts.Writer.(quiz.Model); ok {
		s.QuizModel = model
	}
	return s, nil
}
