package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/eval"
)

// evalOptions are the flags of footnote eval.
type evalOptions struct {
	sourceFlags
	json     bool
	verbose  bool
	squad    string
	articles string
}

func evalCommand() command {
	return command{
		name:    "eval",
		args:    "FILE.jsonl | --squad FILE.json",
		summary: "measure retrieval, answers, quotes and latency on a question set",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &evalOptions{}
			o.define(fs, "who writes the answers: auto, extractive or llm")
			fs.BoolVar(&o.json, "json", false, "print JSON")
			fs.BoolVar(&o.verbose, "v", false, "list every question's outcome, and the files of --corpus that were skipped")
			fs.StringVar(&o.squad, "squad", "", "a SQuAD v2.0 `file`: its articles become the corpus, its questions are asked")
			fs.StringVar(&o.articles, "articles", "", "with --squad, ask only the questions of these articles (`list` of numbers from 1, e.g. 1,3)")
			return o.run
		},
	}
}

// maxEvalFile bounds a question set's size.
const maxEvalFile = 64 << 20

func (o *evalOptions) run(ctx context.Context, m *Main, args []string) error {
	if o.squad != "" {
		if len(args) != 0 {
			return usagef("give either --squad FILE.json or a question file FILE.jsonl, not both")
		}
		return o.runSquad(ctx, m)
	}
	if o.articles != "" {
		return usagef("--articles needs --squad")
	}
	if len(args) != 1 {
		return usagef("give one question file: footnote eval FILE.jsonl")
	}
	data, err := readRegularFile(args[0], maxEvalFile)
	if err != nil {
		return fmt.Errorf("opening question set: %w", err)
	}
	items, err := eval.Load(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	eng, err := buildEngine(ctx, cfg, skippedTo(o.verbose, m.Stderr))
	if err != nil {
		return err
	}
	rep, err := eval.Run(ctx, eng, eng.DocText, items, cfg.K)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(m.Stdout, rep)
	}
	_, err = io.WriteString(m.Stdout, terminalText(renderReport(rep, o.verbose)))
	return err
}

func renderReport(r eval.Report, verbose bool) string {
	var b strings.Builder
	row := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%-28s %s\n", name, fmt.Sprintf(format, args...))
	}
	row("questions", "%d (%d answerable, %d unanswerable)", r.Questions, r.Answerable, r.Unanswerable)
	row("recall@1", "%.3f", r.RecallAt1)
	row("recall@5", "%.3f", r.RecallAt5)
	row("MRR", "%.3f", r.MRR)
	row("answer accuracy", "%.3f", r.Accuracy)
	row("abstained, unanswerable", "%.3f (higher is better)", r.AbstainUnanswerable)
	row("abstained, answerable", "%.3f (lower is better)", r.AbstainAnswerable)
	row("quotes verbatim", "%.3f of %d", r.Verbatim, r.Quotes)
	row("latency p50 / p95", "%s / %s", ms(r.P50), ms(r.P95))
	kinds := make([]string, 0, len(r.Kinds))
	for k := range r.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	b.WriteString("\nkind            n  recall@5  accuracy\n")
	for _, k := range kinds {
		s := r.Kinds[k]
		recall := fmt.Sprintf("%8.3f", s.RecallAt5)
		if k == "unanswerable" {
			recall = fmt.Sprintf("%8s", "-") // accuracy: the share abstained on
		}
		fmt.Fprintf(&b, "%-14s %2d  %s  %8.3f\n", k, s.N, recall, s.Accuracy)
	}
	if verbose {
		b.WriteString("\n")
		for _, res := range r.Results {
			status := outcome(res.Error, res.Answerable, res.Abstained, res.Correct)
			fmt.Fprintf(&b, "%s %-12s rank=%d %s\n    Q: %s\n    A: %s\n", res.ID, res.Kind, res.Rank, status, res.Question, clip(res.Answer, 300))
		}
	}
	return b.String()
}

// ms shows a duration in milliseconds, with two decimals below 10 ms.
func ms(d time.Duration) string {
	x := float64(d.Microseconds()) / 1000
	if x < 10 {
		return fmt.Sprintf("%.2f ms", x)
	}
	return fmt.Sprintf("%.1f ms", x)
}

// outcome words one question's result for eval -v: ok, ERROR, ABSTAINED,
// WRONG or ANSWERED-UNANSWERABLE.
func outcome(errMsg string, answerable, abstained, correct bool) string {
	switch {
	case errMsg != "":
		return "ERROR " + errMsg
	case answerable && abstained:
		return "ABSTAINED"
	case answerable && !correct:
		return "WRONG"
	case !answerable && !abstained:
		return "ANSWERED-UNANSWERABLE"
	}
	return "ok"
}
