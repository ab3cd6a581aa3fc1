// Package eval measures Footnote on a question set: retrieval (recall@1, recall@5,
// MRR), answers (accuracy, abstention), quotes (verbatim share) and latency. It
// reads the question-set format of shared/eval/README.md and knows answers only
// through the Asker interface.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/answer"
)

// Item is one question of a question set.
type Item struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Support  []string `json:"support"`
	Doc      *string  `json:"doc"`
	Kind     string   `json:"kind"`
}

// Answerable reports whether the item has an answer in the corpus.
func (it Item) Answerable() bool { return it.Kind != "unanswerable" && len(it.Answers) > 0 }

// Load reads a question set, one JSON object a line; blank lines are skipped.
// Errors name the line.
func Load(r io.Reader) ([]Item, error) {
	var items []Item
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var it Item
		dec := json.NewDecoder(strings.NewReader(text))
		if err := dec.Decode(&it); err != nil {
			return nil, fmt.Errorf("line %d: not a JSON question object: %w", line, err)
		}
		if strings.TrimSpace(it.Question) == "" {
			return nil, fmt.Errorf("line %d: the \"question\" field is missing or empty", line)
		}
		if it.ID == "" {
			it.ID = fmt.Sprintf("line%d", line)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading question set: %w", err)
	}
	if len(items) == 0 {
		return nil, errors.New("the question set holds no questions")
	}
	return items, nil
}

// Asker answers questions.
type Asker interface {
	Ask(ctx context.Context, req answer.Request) (*answer.Answer, error)
}

// Texts returns a document's full text by its path, for checking offsets.
type Texts func(doc string) (string, bool)

// Result is the outcome of one question.
type Result struct {
	ID         string        `json:"id"`
	Kind       string        `json:"kind"`
	Question   string        `json:"question"`
	Answerable bool          `json:"answerable"`
	Rank       int           `json:"rank"` // 1-based rank of the first supporting passage, 0 if none
	Correct    bool          `json:"correct"`
	Abstained  bool          `json:"abstained"`
	Quotes     int           `json:"quotes"`
	Verbatim   int           `json:"verbatim"`
	Latency    time.Duration `json:"latency_ns"`
	Answer     string        `json:"answer"`
	Error      string        `json:"error,omitempty"`
}

// Report sums up a run.
type Report struct {
	Questions    int `json:"questions"`
	Answerable   int `json:"answerable"`
	Unanswerable int `json:"unanswerable"`
	// Retrieval metrics are over answerable questions with support, excluding
	// the crosslingual kind (reported per kind in Kinds).
	RecallAt1 float64 `json:"recall_at_1"`
	RecallAt5 float64 `json:"recall_at_5"`
	MRR       float64 `json:"mrr"`
	// Accuracy is the share of answerable questions answered (not abstained)
	// with an answer containing one of the expected strings.
	Accuracy float64 `json:"answer_accuracy"`
	// AbstainUnanswerable is the share of unanswerable questions abstained on;
	// AbstainAnswerable the share of answerable ones (lower is better).
	AbstainUnanswerable float64 `json:"abstain_unanswerable"`
	AbstainAnswerable   float64 `json:"abstain_answerable"`
	// Verbatim is the share of quotes whose bytes equal their document's bytes
	// at their offsets and lie inside their cited passage.
	Verbatim float64            `json:"verbatim"`
	Quotes   int                `json:"quotes"`
	P50      time.Duration      `json:"latency_p50_ns"`
	P95      time.Duration      `json:"latency_p95_ns"`
	Kinds    map[string]KindSum `json:"kinds"`
	Results  []Result           `json:"results"`
}

// KindSum is recall@5 and accuracy for one kind of question. For the
// unanswerable kind, accuracy is the share abstained on, and recall is 0.
type KindSum struct {
	N         int     `json:"n"`
	RecallAt5 float64 `json:"recall_at_5"`
	Accuracy  float64 `json:"answer_accuracy"`
}

// Run asks every item with k passages (at least 5) and measures the answers.
func Run(ctx context.Context, a Asker, texts Texts, items []Item, k int) (Report, error) {
	if k < 5 {
		k = 5
	}
	var rep Report
	rep.Kinds = map[string]KindSum{}
	var lat []time.Duration
	var retrN, r1, r5 int
	var mrr float64
	var correct, abstAns, abstUn, quotes, verbatim int
	kindN := map[string][3]int{}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		start := time.Now()
		ans, err := a.Ask(ctx, answer.Request{Question: it.Question, K: k, Mode: answer.ModeAuto})
		d := time.Since(start)
		res := Result{ID: it.ID, Kind: it.Kind, Question: it.Question, Answerable: it.Answerable(), Latency: d}
		rep.Questions++
		if err != nil {
			res.Error = err.Error()
			rep.Results = append(rep.Results, res)
			if res.Answerable {
				rep.Answerable++
			} else {
				rep.Unanswerable++
			}
			continue
		}
		lat = append(lat, d)
		res.Answer = ans.Answer
		res.Abstained = ans.Abstained
		res.Rank = supportRank(it, ans, texts)
		for _, c := range ans.Citations {
			res.Quotes++
			if quoteVerbatim(c, ans, texts) {
				res.Verbatim++
			}
		}
		quotes += res.Quotes
		verbatim += res.Verbatim
		kn := kindN[it.Kind]
		kn[0]++
		if res.Answerable {
			rep.Answerable++
			res.Correct = !ans.Abstained && containsAny(ans.Answer, it.Answers)
			if res.Correct {
				correct++
				kn[2]++
			}
			if ans.Abstained {
				abstAns++
			}
			if res.Rank > 0 && res.Rank <= 5 {
				kn[1]++
			}
			if len(it.Support) > 0 && it.Kind != "crosslingual" {
				retrN++
				if res.Rank == 1 {
					r1++
				}
				if res.Rank > 0 && res.Rank <= 5 {
					r5++
				}
				if res.Rank > 0 {
					mrr += 1 / float64(res.Rank)
				}
			}
		} else {
			rep.Unanswerable++
			if ans.Abstained {
				abstUn++
				kn[2]++ // for an unanswerable question, abstaining is the right answer
			}
		}
		kindN[it.Kind] = kn
		rep.Results = append(rep.Results, res)
	}
	rep.RecallAt1 = ratio(r1, retrN)
	rep.RecallAt5 = ratio(r5, retrN)
	rep.MRR = mrr / float64(max(retrN, 1))
	rep.Accuracy = ratio(correct, rep.Answerable)
	rep.AbstainAnswerable = ratio(abstAns, rep.Answerable)
	rep.AbstainUnanswerable = ratio(abstUn, rep.Unanswerable)
	rep.Quotes = quotes
	rep.Verbatim = ratio(verbatim, quotes)
	if quotes == 0 {
		rep.Verbatim = 1
	}
	rep.P50, rep.P95 = percentile(lat, 0.50), percentile(lat, 0.95)
	for kind, kn := range kindN {
		rep.Kinds[kind] = KindSum{N: kn[0], RecallAt5: ratio(kn[1], kn[0]), Accuracy: ratio(kn[2], kn[0])}
	}
	return rep, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// fold lower-cases and folds white space, for containment checks.
func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func containsAny(text string, want []string) bool {
	t := fold(text)
	for _, w := range want {
		if strings.Contains(t, fold(w)) {
			return true
		}
	}
	return false
}

// supportRank is the rank of the first passage that supports the item: it
// contains a support string (white space folded), or overlaps most of one.
func supportRank(it Item, ans *answer.Answer, texts Texts) int {
	if len(it.Support) == 0 {
		return 0
	}
	for _, p := range ans.Passages {
		if it.Doc != nil && p.Doc != *it.Doc {
			continue
		}
		if containsAny(p.Text, it.Support) {
			return p.N
		}
		doc, ok := texts(p.Doc)
		if !ok {
			continue
		}
		for _, s := range it.Support {
			for off := 0; ; {
				i := strings.Index(doc[off:], s)
				if i < 0 {
					break
				}
				a, b := off+i, off+i+len(s)
				overlap := min(b, p.End) - max(a, p.Start)
				if overlap*2 > len(s) {
					return p.N
				}
				off = b
			}
		}
	}
	return 0
}

// quoteVerbatim checks a citation's quote against its document and passage.
func quoteVerbatim(c answer.Citation, ans *answer.Answer, texts Texts) bool {
	doc, ok := texts(c.Doc)
	if !ok || c.Start < 0 || c.End > len(doc) || c.Start >= c.End || doc[c.Start:c.End] != c.Quote {
		return false
	}
	for _, p := range ans.Passages {
		if p.N == c.N {
			return p.Doc == c.Doc && p.Start <= c.Start && c.End <= p.End
		}
	}
	return false
}
