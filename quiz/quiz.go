// Package quiz makes multiple-choice questions from the readings: offline, a
// salient sentence with its key term (a year, a figure, a country, a name)
// hidden and three distractors of the same kind taken from the readings; with
// a language model, short questions the model writes, kept only when their
// answer occurs verbatim in the passage they cite. Every question quotes its
// source: bytes [Start,End) of its document. Asking the questions (Discord
// buttons, scores) is left to the bot.
package quiz

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
)

// Blank stands for the hidden term in a question.
const Blank = "_____"

// MaxQuestions is the most questions one quiz has.
const MaxQuestions = 10

// Citation is where a question comes from: Quote is exactly bytes
// [Start,End) of document Doc.
type Citation struct {
	Doc       string `json:"doc"`
	Title     string `json:"title"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Quote     string `json:"quote"`
	Section   string `json:"-"`
	Paragraph int    `json:"-"`
	Page      int    `json:"-"`
}

// Question is one multiple-choice question. Answer is one of Choices and
// occurs in Citation.Quote.
type Question struct {
	Question string   `json:"question"`
	Choices  []string `json:"choices"`
	Answer   string   `json:"answer"`
	Citation Citation `json:"citation"`
	// Kind is the hidden term's kind (offline questions), or "model".
	Kind Kind `json:"-"`
}

// Library is what a quiz needs from the readings; *answer.Engine is one.
type Library interface {
	// Passages returns every passage of the corpus.
	Passages() []answer.Passage
	// Search returns up to k passages on a topic, best first.
	Search(ctx context.Context, query string, k int) ([]answer.Passage, error)
}

var _ Library = (*answer.Engine)(nil)

// Options say what quiz to make. Zero values are documented defaults.
type Options struct {
	// Topic, when set, draws the questions from the passages on it.
	Topic string
	// N is how many questions; 0 means 5, at most MaxQuestions.
	N int
	// Seed varies which questions are picked and the order of the choices;
	// the same seed gives the same quiz.
	Seed uint64
}

// Errors.
var (
	ErrTooMany    = fmt.Errorf("a quiz has at most %d questions", MaxQuestions)
	ErrNoQuestion = errors.New("the readings have no sentence to make a question from")
)

func (o Options) withDefaults() (Options, error) {
	if o.N == 0 {
		o.N = 5
	}
	if o.N < 0 || o.N > MaxQuestions {
		return o, fmt.Errorf("%w: asked for %d", ErrTooMany, o.N)
	}
	o.Topic = strings.TrimSpace(o.Topic)
	return o, nil
}

// Offline makes a quiz without a language model. It returns fewer questions
// than asked when the readings (or the passages on the topic) hold fewer good
// sentences, and ErrNoQuestion when they hold none.
func Offline(ctx context.Context, lib Library, opts Options) ([]Question, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	all := lib.Passages()
	pool := newPools(all)
	source := all
	topical := map[string]int{} // passage ID -> rank on the topic
	if opts.Topic != "" {
		if source, err = lib.Search(ctx, opts.Topic, 30); err != nil {
			return nil, fmt.Errorf("finding passages on %q: %w", opts.Topic, err)
		}
		for i, p := range source {
			topical[pid(p)] = i
		}
	}
	cands := candidates(source, pool)
	if len(cands) == 0 {
		return nil, ErrNoQuestion
	}
	for i := range cands {
		if r, ok := topical[pid(cands[i].p)]; ok {
			cands[i].score += 2 / float64(1+r)
		}
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	if opts.Seed != 0 { // vary the pick among comparable sentences
		for i := range cands {
			cands[i].score += rng.Float64() * 1.5
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var out []Question
	usedAnswer := map[string]bool{}
	usedPassage := map[string]bool{}
	perKind := map[Kind]int{}
	// First no kind takes more than half the quiz, then any may fill it.
	for _, limit := range []int{max(1, (opts.N+1)/2), opts.N} {
		for _, c := range cands {
			if len(out) == opts.N {
				break
			}
			if usedAnswer[strings.ToLower(c.t.Text)] || usedPassage[pid(c.p)] || perKind[c.t.Kind] >= limit {
				continue
			}
			q, ok := c.question(pool, rng)
			if !ok {
				continue
			}
			usedAnswer[strings.ToLower(c.t.Text)], usedPassage[pid(c.p)] = true, true
			perKind[c.t.Kind]++
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return nil, ErrNoQuestion
	}
	return out, nil
}

func pid(p answer.Passage) string { return fmt.Sprintf("%s#%d", p.Doc, p.Start) }

// candidate is a sentence with a term to hide.
type candidate struct {
	p        answer.Passage
	sentence corpus.Span // in p.Text
	t        term        // in the sentence
	score    float64
}

// kindWeight says how good a question each kind of hidden term makes.
var kindWeight = map[Kind]float64{KindYear: 3, KindCountry: 2.5, KindPercent: 2.5, KindNumber: 2, KindName: 1.5}

// candidates are the sentences of ps with a term whose kind has at least
// three other terms in the readings, and which occurs once in its sentence.
func candidates(ps []answer.Passage, pool pools) []candidate {
	var out []candidate
	for _, p := range ps {
		if p.Kind != "" && p.Kind != string(corpus.KindBody) {
			continue
		}
		for _, sp := range corpus.Sentences(p.Text) {
			s := p.Text[sp.Start:sp.End]
			n := utf8.RuneCountInString(s)
			if n < 50 || n > 320 || strings.ContainsAny(s, "\n\f") && strings.Count(s, "\n") > 2 {
				continue
			}
			ts := termsOf(s)
			kinds := map[Kind]int{}
			for _, t := range ts {
				kinds[t.Kind]++
			}
			for _, t := range ts {
				if occurrences(s, t.Text) != 1 || len(pool[t.Kind]) < 4 { // three others: checked when picked
					continue
				}
				if kinds[t.Kind] >= 3 {
					continue // one of a list ("Brazil, Chile, Peru and Uruguay"): any of its kind would do
				}
				// Prefer sentences of 15-35 words whose term is not at the very start.
				words := len(strings.Fields(s))
				score := kindWeight[t.Kind] - math.Abs(float64(words)-25)/25
				if t.Start < 3 {
					score -= 1
				}
				out = append(out, candidate{p: p, sentence: sp, t: t, score: score})
			}
		}
	}
	return out
}

// question hides the candidate's term and picks three distractors.
func (c candidate) question(pool pools, rng *rand.Rand) (Question, bool) {
	s := c.p.Text[c.sentence.Start:c.sentence.End]
	others := pool.of(c.t.Kind, c.t.Text)
	var picks []string
	for _, o := range rankDistractors(c.t, others) {
		if occurrences(s, o) > 0 || strings.Contains(strings.ToLower(s), strings.ToLower(o)) || sameAsAny(o, picks) {
			continue // a distractor found in the sentence would also fit
		}
		picks = append(picks, o)
		if len(picks) == 3 {
			break
		}
	}
	if len(picks) < 3 {
		return Question{}, false
	}
	choices := append([]string{c.t.Text}, picks...)
	// The answer's place: from the seed and the sentence, never always first.
	h := fnv.New64a()
	h.Write([]byte(s))
	at := int((h.Sum64() + rng.Uint64()) % 4)
	choices[0], choices[at] = choices[at], choices[0]
	start := c.p.Start + c.sentence.Start
	return Question{
		Question: strings.Join(strings.Fields(s[:c.t.Start]+Blank+s[c.t.End:]), " "),
		Choices:  choices,
		Answer:   c.t.Text,
		Kind:     c.t.Kind,
		Citation: Citation{Doc: c.p.Doc, Title: c.p.Title, Start: start, End: start + len(s), Quote: s,
			Section: c.p.Section, Paragraph: c.p.Paragraph, Page: c.p.Page},
	}, true
}

// rankDistractors orders the other terms of a kind: numbers and years by
// closeness of value (plausible, not absurd), others as they come (the pool's
// order: most frequent in the readings first).
func rankDistractors(t term, others []string) []string {
	out := append([]string(nil), others...)
	if v, ok := numericValue(t.Text); ok && (t.Kind == KindYear || t.Kind == KindNumber || t.Kind == KindPercent) {
		dist := func(s string) float64 {
			w, _ := numericValue(s)
			if t.Kind == KindYear {
				return math.Abs(w - v)
			}
			return math.Abs(math.Log1p(math.Abs(w)) - math.Log1p(math.Abs(v)))
		}
		sort.SliceStable(out, func(i, j int) bool { return dist(out[i]) < dist(out[j]) })
	}
	return out
}

// pools are the terms of each kind in the readings, most frequent first.
type pools map[Kind][]string

func newPools(ps []answer.Passage) pools {
	count := map[Kind]map[string]int{}
	for _, p := range ps {
		if p.Kind != "" && p.Kind != string(corpus.KindBody) {
			continue
		}
		for _, t := range termsOf(p.Text) {
			if count[t.Kind] == nil {
				count[t.Kind] = map[string]int{}
			}
			count[t.Kind][t.Text]++
		}
	}
	out := pools{}
	for k, m := range count {
		var list []string
		for s := range m {
			list = append(list, s)
		}
		sort.Slice(list, func(i, j int) bool {
			if m[list[i]] != m[list[j]] {
				return m[list[i]] > m[list[j]]
			}
			return list[i] < list[j]
		})
		out[k] = list
	}
	return out
}

// of returns the terms of kind k other than not (and not the same value: "3,000"
// and "3000" are one number).
func (p pools) of(k Kind, not string) []string {
	var out []string
	nv, nok := numericValue(not)
	for _, s := range p[k] {
		if strings.EqualFold(s, not) {
			continue
		}
		if v, ok := numericValue(s); ok && nok && v == nv {
			continue
		}
		out = append(out, s)
	}
	return out
}

// sameAsAny reports whether s is one of picks, by text or by value.
func sameAsAny(s string, picks []string) bool {
	v, ok := numericValue(s)
	for _, p := range picks {
		if strings.EqualFold(p, s) {
			return true
		}
		if w, ok2 := numericValue(p); ok && ok2 && v == w {
			return true
		}
	}
	return false
}
