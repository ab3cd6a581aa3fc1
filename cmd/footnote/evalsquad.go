package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/eval"
)

// runSquad is `footnote eval --squad FILE`: the SQuAD v2.0 file's articles
// become a corpus (one .txt per article, in a temporary folder), its questions
// are asked in this process, and the figures of shared/eval/squadcheck.py are
// printed beside plain BM25's.
func (o *evalOptions) runSquad(ctx context.Context, m *Main) error {
	stdout := m.Stdout
	data, err := readRegularFile(o.squad, maxEvalFile)
	if err != nil {
		return fmt.Errorf("opening the SQuAD file: %w", err)
	}
	s, err := eval.LoadSquad(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", o.squad, err)
	}
	if o.articles != "" {
		keep := map[int]bool{}
		for _, w := range strings.Split(o.articles, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil || n < 1 || n > len(s.Order) {
				return usagef("--articles %q: give article numbers from 1 to %d, separated by commas", o.articles, len(s.Order))
			}
			keep[n-1] = true
		}
		s = s.Subset(func(a int) bool { return keep[a] })
	}
	dir, err := os.MkdirTemp("", "footnote-squad-")
	if err != nil {
		return fmt.Errorf("making a folder for the SQuAD corpus: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := s.WriteCorpus(dir); err != nil {
		return err
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	cfg.Corpus, cfg.Index = dir, ""
	cfg.Mode = string(answer.ModeExtractive)
	eng, err := buildEngine(ctx, cfg, skippedTo(o.verbose, m.Stderr))
	if err != nil {
		return err
	}
	rep, err := eval.RunSquad(ctx, eng, s, cfg.K)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(stdout, rep)
	}
	_, err = io.WriteString(stdout, renderSquad(rep, o.verbose))
	return err
}

func renderSquad(r eval.SquadReport, verbose bool) string {
	var b strings.Builder
	row := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%-34s %s\n", name, fmt.Sprintf(format, args...))
	}
	row("questions", "%d (%d answerable, %d unanswerable)", r.Questions, r.Answerable, r.Unanswerable)
	fmt.Fprintf(&b, "%-34s %-10s %s\n", "", "footnote", "plain BM25")
	fmt.Fprintf(&b, "%-34s %-10.3f %.3f\n", "recall@1 (gold span in passage 1)", r.RecallAt1, r.BM25At1)
	fmt.Fprintf(&b, "%-34s %-10.3f %.3f\n", "recall@5", r.RecallAt5, r.BM25At5)
	fmt.Fprintf(&b, "%-34s %-10.3f %.3f (its top sentence)\n", "accuracy", r.Accuracy, r.BM25Accuracy)
	row("accuracy, first quote only", "%.3f", r.FirstQuote)
	row("exact (a quote holds a gold span)", "%.3f", r.Exact)
	row("MRR@5", "%.3f (gold paragraph only: @1 %.3f, @5 %.3f)", r.MRR, r.ParaAt1, r.ParaAt5)
	row("answerable abstained", "%d / %d (%.1f%%)", r.AnswerableAbstained, r.Answerable, share(r.AnswerableAbstained, r.Answerable))
	row("unanswerable abstained", "%d / %d (%.1f%%)", r.UnanswerableAbstained, r.Unanswerable, share(r.UnanswerableAbstained, r.Unanswerable))
	row("unanswerable quoting the trap", "%d", r.PlausibleQuoted)
	row("quotes not verbatim", "%d of %d", r.VerbatimBreaks, r.Quotes)
	row("latency p50 / p95", "%s / %s", ms(r.P50), ms(r.P95))
	b.WriteString("\nabstention curve (also abstain below a confidence threshold)\nthreshold  answerable  unanswerable  accuracy\n")
	for _, c := range r.Curve {
		fmt.Fprintf(&b, "%9.2f  %10.3f  %12.3f  %8.3f\n", c.Threshold, c.AnswerableAbstained, c.UnanswerableAbstained, c.Accuracy)
	}
	if verbose {
		b.WriteString("\n")
		for _, res := range r.Results {
			status := outcome(res.Error, res.Answerable, res.Abstained, res.Correct)
			fmt.Fprintf(&b, "%s rank=%d bm25=%d/%v conf=%.2f %s\n    Q: %s\n    G: %s\n    A: %s\n", res.ID, res.Rank, res.BM25Rank, res.BM25OK,
				res.Confidence, status, res.Question, res.Gold, clip(res.Answer, 300))
		}
	}
	return b.String()
}

func share(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
