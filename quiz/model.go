package quiz

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
)

// Model writes a reply to a prompt; *answer.OpenAIWriter is one.
type Model interface {
	Complete(ctx context.Context, system, user string) (string, error)
}

var _ Model = (*answer.OpenAIWriter)(nil)

// modelPassages is how many passages a model is given to write questions from.
const modelPassages = 8

const modelSystem = `You write multiple-choice quiz questions for students from numbered passages of their readings.
Reply with JSON only, no prose, in this form:
{"questions": [{"passage": 1, "question": "…?", "answer": "…", "distractors": ["…", "…", "…"]}]}
Rules: each answer is a short phrase (a name, number, date, place or term) copied word for word from the passage it cites;
the question must not contain the answer; the three distractors are of the same kind as the answer (other years, other
countries, other figures), preferably taken from the other passages, and none of them may also be a correct answer.`

// WithModel makes a quiz whose questions a language model writes. Each
// question is kept only if its answer occurs verbatim in the passage it cites
// (after white space and quote marks are folded), its question does not give
// the answer away, and its three distractors differ from the answer and do not
// occur in the quoted sentence; the others are dropped, never shown. When the
// model fails or fewer questions pass, offline questions fill the quiz; the
// error, if any, says why the model's were missing.
func WithModel(ctx context.Context, lib Library, m Model, opts Options) ([]Question, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ps, err := modelSource(ctx, lib, opts)
	if err != nil {
		return nil, err
	}
	var user strings.Builder
	fmt.Fprintf(&user, "Write %d questions.\n\n", opts.N)
	for i, p := range ps {
		fmt.Fprintf(&user, "<passage n=\"%d\" title=%q>\n%s\n</passage>\n\n", i+1, p.Title, strings.TrimSpace(p.Text))
	}
	reply, modelErr := m.Complete(ctx, modelSystem, user.String())
	var out []Question
	if modelErr == nil {
		out = checkModelQuestions(reply, ps, opts.N)
	}
	if len(out) < opts.N {
		rest, err := Offline(ctx, lib, Options{Topic: opts.Topic, N: opts.N, Seed: opts.Seed})
		if err != nil && len(out) == 0 {
			return nil, err
		}
		have := map[string]bool{}
		for _, q := range out {
			have[strings.ToLower(q.Answer)] = true
		}
		for _, q := range rest {
			if len(out) == opts.N {
				break
			}
			if !have[strings.ToLower(q.Answer)] {
				out = append(out, q)
			}
		}
	}
	if modelErr != nil {
		return out, fmt.Errorf("the model wrote no questions, so these are made from the readings alone: %w", modelErr)
	}
	return out, nil
}

// modelSource picks the passages a model writes from: the best on the topic,
// or passages spread over the readings.
func modelSource(ctx context.Context, lib Library, opts Options) ([]answer.Passage, error) {
	if opts.Topic != "" {
		ps, err := lib.Search(ctx, opts.Topic, modelPassages)
		if err != nil {
			return nil, fmt.Errorf("finding passages on %q: %w", opts.Topic, err)
		}
		return ps, nil
	}
	var body []answer.Passage
	for _, p := range lib.Passages() {
		if (p.Kind == "" || p.Kind == string(corpus.KindBody)) && len(p.Text) > 200 {
			body = append(body, p)
		}
	}
	if len(body) == 0 {
		return nil, ErrNoQuestion
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 17))
	rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
	return body[:min(len(body), modelPassages)], nil
}

// modelQuestion is a question as the model writes it.
type modelQuestion struct {
	Passage     int      `json:"passage"`
	Question    string   `json:"question"`
	Answer      string   `json:"answer"`
	Distractors []string `json:"distractors"`
}

// checkModelQuestions parses the model's reply and keeps the questions that
// pass the checks, at most n.
func checkModelQuestions(reply string, ps []answer.Passage, n int) []Question {
	a, b := strings.Index(reply, "{"), strings.LastIndex(reply, "}")
	if a < 0 || b < a {
		return nil
	}
	var parsed struct {
		Questions []modelQuestion `json:"questions"`
	}
	if json.Unmarshal([]byte(reply[a:b+1]), &parsed) != nil {
		return nil
	}
	var out []Question
	for _, mq := range parsed.Questions {
		if len(out) == n {
			break
		}
		if q, ok := checkModelQuestion(mq, ps); ok {
			out = append(out, q)
		}
	}
	return out
}

func checkModelQuestion(mq modelQuestion, ps []answer.Passage) (Question, bool) {
	if mq.Passage < 1 || mq.Passage > len(ps) || len(mq.Distractors) != 3 {
		return Question{}, false
	}
	p := ps[mq.Passage-1]
	question := strings.Join(strings.Fields(mq.Question), " ")
	s, e, ok := answer.FindVerbatim(p.Text, strings.TrimSpace(mq.Answer))
	if !ok || question == "" {
		return Question{}, false
	}
	ans := p.Text[s:e] // the readings' own bytes
	if _, _, given := answer.FindVerbatim(question, ans); given {
		return Question{}, false
	}
	// The quote is the sentence (or sentences) holding the answer.
	qs, qe := s, e
	for _, sp := range corpus.Sentences(p.Text) {
		if sp.Start <= s && s < sp.End {
			qs = sp.Start
		}
		if sp.Start < e && e <= sp.End {
			qe = sp.End
		}
	}
	quote := p.Text[qs:qe]
	choices := []string{ans}
	for _, d := range mq.Distractors {
		d = strings.Join(strings.Fields(d), " ")
		if d == "" || sameAsAny(d, choices) {
			return Question{}, false
		}
		if _, _, fits := answer.FindVerbatim(quote, d); fits {
			return Question{}, false
		}
		choices = append(choices, d)
	}
	at := len(question) % 4
	choices[0], choices[at] = choices[at], choices[0]
	return Question{Question: question, Choices: choices, Answer: ans, Kind: "model",
		Citation: Citation{Doc: p.Doc, Title: p.Title, Start: p.Start + qs, End: p.Start + qe, Quote: quote,
			Section: p.Section, Paragraph: p.Paragraph, Page: p.Page}}, true
}
