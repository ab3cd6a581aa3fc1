package answer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// Index is what the engine needs from a search index.
type Index interface {
	Search(ctx context.Context, query string, k int) ([]retrieval.Hit, error)
	IDF(term string) float64
	Passages() []corpus.Passage
}

var _ Index = (*retrieval.Index)(nil)

// Writer writes an answer from numbered passages with a language model. It calls
// delta with each piece of text as it arrives (delta may be nil) and returns the
// whole text.
//
// Fit returns the leading passages that fit the model's context (the last one
// possibly cut short, still exact document bytes); the engine gives Write only
// those. Rewrite turns a follow-up into a standalone question using the
// earlier turns. OpenAIWriter is the implementation.
type Writer interface {
	Write(ctx context.Context, question string, history []Turn, passages []Passage, delta func(string)) (string, error)
	Fit(passages []Passage) []Passage
	Rewrite(ctx context.Context, history []Turn, question string) (string, error)
}

// Options configure an Engine. Zero values are documented defaults.
type Options struct {
	// K is the number of passages retrieved per question; 0 means DefaultK.
	K int
	// MaxQuestion is the longest question accepted, in characters; 0 means
	// DefaultMaxQuestion.
	MaxQuestion int
	// Writer, when set, writes answers in ModeLLM (and ModeAuto).
	Writer Writer
}

// The defaults of Options and LLMOptions, one place for each: package config
// starts from them, and New and NewOpenAIWriter fill in zero fields with them.
const (
	DefaultK             = 5
	DefaultMaxQuestion   = 1000
	DefaultModel         = "gpt-4o-mini"
	DefaultTemperature   = 0.2
	DefaultTimeout       = 60 * time.Second
	DefaultContextTokens = 6000
	DefaultRetries       = 3
)

// Engine answers questions over one index. It is safe for concurrent use.
type Engine struct {
	docs  map[string]corpus.Document
	order []string
	index Index
	opts  Options

	vocabOnce sync.Once // spell.go: the corpus's words, read on first need
	vocab     *vocabulary

	parasOnce sync.Once // confidence.go: where each paragraph lies
	paras     map[paraKey][2]int

	analysedMu  sync.Mutex // extractive.go: passages' sentences and terms
	analysed    map[analysedKey][]sentence
	paraTerms   map[paraKey]map[string]bool // confidence.go: paragraphs' terms
	docEvidence map[string]docEvidence      // confidence.go: documents' terms and numbers
}

// New returns an engine over the documents of c searched through index.
func New(c *corpus.Corpus, index Index, opts Options) *Engine {
	if opts.K <= 0 {
		opts.K = DefaultK
	}
	if opts.MaxQuestion <= 0 {
		opts.MaxQuestion = DefaultMaxQuestion
	}
	e := &Engine{docs: map[string]corpus.Document{}, index: index, opts: opts}
	for _, d := range c.Docs {
		e.docs[d.Path] = d
		e.order = append(e.order, d.Path)
	}
	return e
}

// Errors for bad questions; callers show them to people as they are.
var (
	ErrEmptyQuestion = errors.New("the question is empty")
	ErrInvalidUTF8   = errors.New("the question is not valid UTF-8 text")
	ErrTooLong       = errors.New("the question is too long")
	ErrNoModel       = errors.New("no language model is configured (set OPENAI_API_KEY or OPENAI_BASE_URL)")
	// ErrNoWords is a query made only of words too common to search for,
	// punctuation or emoji. It wraps retrieval.ErrEmptyQuery.
	ErrNoWords = fmt.Errorf("%w: it has only very common words, punctuation or emoji; use words the documents would contain", retrieval.ErrEmptyQuery)
)

// TooLongError is a question longer than the limit: N characters, at most
// Max allowed. errors.Is(err, ErrTooLong) holds for it.
type TooLongError struct{ N, Max int }

func (e *TooLongError) Error() string {
	return fmt.Sprintf("%s: %d characters, the limit is %d", ErrTooLong, e.N, e.Max)
}

// Is makes errors.Is(err, ErrTooLong) hold.
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// CheckQuestion validates a question's text: nil, ErrInvalidUTF8,
// ErrEmptyQuestion or a *TooLongError.
func (e *Engine) CheckQuestion(q string) error {
	if !utf8.ValidString(q) {
		return ErrInvalidUTF8
	}
	if strings.TrimSpace(q) == "" {
		return ErrEmptyQuestion
	}
	if n := utf8.RuneCountInString(q); n > e.opts.MaxQuestion {
		return &TooLongError{N: n, Max: e.opts.MaxQuestion}
	}
	return nil
}

// Source describes one document of the corpus.
type Source struct {
	Doc      string `json:"doc"`
	Title    string `json:"title"`
	Passages int    `json:"passages"`
}

// Sources lists the corpus's documents in order with their passage counts.
func (e *Engine) Sources() []Source {
	counts := map[string]int{}
	for _, p := range e.index.Passages() {
		counts[p.Doc]++
	}
	var out []Source
	for _, path := range e.order {
		out = append(out, Source{Doc: path, Title: e.docs[path].Title, Passages: counts[path]})
	}
	return out
}

// Ask answers one question. Bad questions return the errors above (test with
// errors.Is); an abstention is an answer, not an error.
func (e *Engine) Ask(ctx context.Context, req Request) (*Answer, error) {
	if err := e.CheckQuestion(req.Question); err != nil {
		return nil, err
	}
	mode := req.Mode
	if mode == "" {
		mode = ModeAuto
	}
	if mode == ModeLLM && e.opts.Writer == nil {
		return nil, ErrNoModel
	}
	k := req.K
	if k <= 0 {
		k = e.opts.K
	}
	ans := &Answer{Question: req.Question, Mode: ModeExtractive, Citations: []Citation{}, Passages: []Passage{}}
	useModel := mode != ModeExtractive && e.opts.Writer != nil
	req, modelErr := e.followUp(ctx, req, useModel) // llmask.go

	// Unknown words corrected to the corpus's (spell.go).
	if fixed, changed := e.correctSpelling(req.Question); changed {
		req.Question, ans.DidYouMean = fixed, fixed
		defer noteDidYouMean(ans)
	}
	depth := k
	if !useModel {
		depth = max(k, rerankDepth) // the extractive answer reranks (rerank.go)
	}
	hits, err := e.index.Search(ctx, retrievalQuery(req), depth)
	if errors.Is(err, retrieval.ErrEmptyQuery) {
		ans.Abstained = true
		ans.Answer = "The question has no words to search for. Ask about a topic in the documents."
		return ans, nil
	}
	if err != nil {
		return nil, fmt.Errorf("retrieving passages: %w", err)
	}
	if !useModel {
		hits = e.rerank(req.Question, hits, k)
	}
	for i, h := range hits {
		ans.Passages = append(ans.Passages, e.passageOf(i+1, h.Passage, h.Score))
	}
	if useModel {
		e.answerLLM(ctx, req, hits, ans, modelErr) // llmask.go
		return ans, nil
	}
	e.answerExtractive(req.Question, hits, ans)
	return ans, nil
}

// retrievalQuery is what is searched for: the question, and for a follow-up
// also the previous question, so that "and in 2016?" finds its topic.
func retrievalQuery(req Request) string {
	if len(req.History) == 0 {
		return req.Question
	}
	return req.Question + "\n" + req.History[len(req.History)-1].Question
}

// answerExtractive fills ans with quoted sentences from hits, or abstains.
func (e *Engine) answerExtractive(question string, hits []retrieval.Hit, ans *Answer) {
	ans.Mode = ModeExtractive
	picked, confidence, weak, never := e.judge(question, hits)
	ans.Confidence = confidence
	if weak {
		ans.Abstained = true
		ans.Answer = "The corpus does not seem to cover this question."
		if len(never) > 0 {
			ans.Missing = never
			ans.Answer += " It never mentions " + strings.Join(quoteAll(never), ", ") + "."
		} else if ans.Missing = missingWords(question, hits, stopTerms()); len(ans.Missing) > 0 {
			ans.Answer += " No retrieved passage mentions " + strings.Join(quoteAll(ans.Missing), ", ") + "."
		}
		if len(hits) > 0 {
			ans.Answer += " The closest passages are listed below."
		}
		return
	}
	var parts []string
	for _, c := range picked {
		ct := cite(ans.Passages[c.hit], c.span.Start, c.span.End)
		quote := ct.Quote
		ans.Citations = append(ans.Citations, ct)
		parts = append(parts, fmt.Sprintf("%s [%d]", normSpace(quote), c.hit+1))
	}
	ans.Answer = strings.Join(parts, " ")
}

// judge weighs how well hits answer question: the sentences that would
// answer it, the confidence that they do, whether the evidence is too weak
// to answer (Ask abstains on it,
// search warns on it), and the question's words the corpus never mentions.
func (e *Engine) judge(question string, hits []retrieval.Hit) (picked []candidate, confidence float64, weak bool, never []string) {
	picked, coverage := e.extract(question, hits)
	confidence = e.confidence(question, picked, hits, coverage) // confidence.go
	never = e.neverMentioned(question)
	return picked, confidence, len(picked) == 0 || confidence < minConfidence || len(never) > 0, never
}

// Matches are a search's passages with a word on how well they match.
type Matches struct {
	Passages []Passage `json:"passages"`
	// Weak is set when the passages do not match the query well: the same
	// evidence on which Ask abstains.
	Weak bool `json:"weak"`
	// Missing lists, when Weak, the query's words that the corpus never
	// mentions, or else that no listed passage contains.
	Missing []string `json:"missing,omitempty"`
}

// Match is Search with a judgement of the result: up to k passages for
// query, best first, and whether they match it well.
func (e *Engine) Match(ctx context.Context, query string, k int) (Matches, error) {
	if err := e.CheckQuestion(query); err != nil {
		return Matches{}, err
	}
	if k <= 0 {
		k = e.opts.K
	}
	hits, err := e.index.Search(ctx, query, k)
	if errors.Is(err, retrieval.ErrEmptyQuery) {
		return Matches{}, ErrNoWords
	}
	if err != nil {
		return Matches{}, err
	}
	m := Matches{Passages: make([]Passage, len(hits))}
	for i, h := range hits {
		m.Passages[i] = e.passageOf(i+1, h.Passage, h.Score)
	}
	_, _, m.Weak, m.Missing = e.judge(query, hits)
	if m.Weak && len(m.Missing) == 0 {
		m.Missing = missingWords(query, hits, stopTerms())
	}
	return m, nil
}

func quoteAll(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = "\u201c" + w + "\u201d"
	}
	return out
}

// DocText returns the text of a document by path: the bytes that offsets index.
func (e *Engine) DocText(path string) (string, bool) {
	d, ok := e.docs[path]
	return d.Text, ok
}
