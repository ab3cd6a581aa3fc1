package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
)

// SQuAD v2.0 (https://rajpurkar.github.io/SQuAD-explorer/) is a public set of
// Wikipedia paragraphs with questions by crowd workers, half of them written to
// look answerable but not answerable from the paragraph. A SQuAD file becomes a
// corpus of one .txt per article (its title, a blank line, then the paragraphs
// separated by blank lines), exactly as shared/eval/squadcheck.py builds it, so
// the figures here and there agree. The gold answer spans become byte spans of
// those files.

// Squad is a SQuAD v2.0 file turned into a corpus and its questions.
type Squad struct {
	// Files maps a file name (the article's title + ".txt") to its bytes.
	Files map[string][]byte
	// Order lists Files' names in the order of the articles.
	Order     []string
	Paras     []SquadPara
	Questions []SquadQuestion
}

// SquadPara is one paragraph: bytes [Start,End) of file Doc.
type SquadPara struct {
	Doc        string
	Start, End int
	Text       string
	Article    int // index of its article in the file
}

// SquadQuestion is one question with its gold answers as byte spans.
type SquadQuestion struct {
	ID         string
	Question   string
	Para       int // index into Squad.Paras
	Answerable bool
	Spans      []SquadSpan
	Plausible  []string
}

// SquadSpan is a gold answer: Text at bytes [Start,End) of its paragraph's file.
type SquadSpan struct {
	Text       string
	Start, End int
}

type squadFile struct {
	Data []struct {
		Title      string `json:"title"`
		Paragraphs []struct {
			Context string `json:"context"`
			QAs     []struct {
				ID           string `json:"id"`
				Question     string `json:"question"`
				IsImpossible bool   `json:"is_impossible"`
				Answers      []struct {
					Text  string `json:"text"`
					Start int    `json:"answer_start"`
				} `json:"answers"`
				Plausible []struct {
					Text string `json:"text"`
				} `json:"plausible_answers"`
			} `json:"qas"`
		} `json:"paragraphs"`
	} `json:"data"`
}

// LoadSquad reads a SQuAD v2.0 JSON file. Errors name what is wrong.
func LoadSquad(r io.Reader) (*Squad, error) {
	var f squadFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("not a SQuAD v2.0 JSON file: %w", err)
	}
	if len(f.Data) == 0 {
		return nil, errors.New("the SQuAD file holds no articles (no \"data\")")
	}
	s := &Squad{Files: map[string][]byte{}}
	for ai, art := range f.Data {
		if art.Title == "" || strings.ContainsAny(art.Title, "/\\\x00") {
			return nil, fmt.Errorf("article %d: title %q cannot name a file", ai+1, art.Title)
		}
		doc := art.Title + ".txt"
		if _, dup := s.Files[doc]; dup {
			return nil, fmt.Errorf("article %d: title %q appears twice", ai+1, art.Title)
		}
		buf := []byte(strings.ReplaceAll(art.Title, "_", " ") + "\n\n")
		for pi, p := range art.Paragraphs {
			if pi > 0 {
				buf = append(buf, "\n\n"...)
			}
			start := len(buf)
			buf = append(buf, p.Context...)
			s.Paras = append(s.Paras, SquadPara{Doc: doc, Start: start, End: len(buf), Text: p.Context, Article: ai})
			// answer_start counts characters (code points) of the context.
			runeOff := runeOffsets(p.Context)
			for _, qa := range p.QAs {
				q := SquadQuestion{ID: qa.ID, Question: qa.Question, Para: len(s.Paras) - 1, Answerable: !qa.IsImpossible}
				seen := map[SquadSpan]bool{}
				for _, a := range qa.Answers {
					if a.Start < 0 || a.Start >= len(runeOff) {
						return nil, fmt.Errorf("question %s: answer_start %d is outside its paragraph", qa.ID, a.Start)
					}
					bs := runeOff[a.Start]
					if !strings.HasPrefix(p.Context[bs:], a.Text) {
						return nil, fmt.Errorf("question %s: the answer %q is not at answer_start %d", qa.ID, a.Text, a.Start)
					}
					sp := SquadSpan{Text: a.Text, Start: start + bs, End: start + bs + len(a.Text)}
					if !seen[sp] {
						seen[sp] = true
						q.Spans = append(q.Spans, sp)
					}
				}
				sort.Slice(q.Spans, func(i, j int) bool { return q.Spans[i].Start < q.Spans[j].Start })
				for _, pa := range qa.Plausible {
					q.Plausible = append(q.Plausible, pa.Text)
				}
				if q.Answerable && len(q.Spans) == 0 {
					return nil, fmt.Errorf("question %s: answerable but has no answers", qa.ID)
				}
				s.Questions = append(s.Questions, q)
			}
		}
		s.Files[doc] = append(buf, '\n')
		s.Order = append(s.Order, doc)
	}
	if len(s.Questions) == 0 {
		return nil, errors.New("the SQuAD file holds no questions")
	}
	return s, nil
}

// runeOffsets maps a character index of s to its byte offset (len(s) at the end).
func runeOffsets(s string) []int {
	out := make([]int, 0, utf8.RuneCountInString(s)+1)
	for i := range s {
		out = append(out, i)
	}
	return append(out, len(s))
}

// WriteCorpus writes the articles as .txt files into dir.
func (s *Squad) WriteCorpus(dir string) error {
	for _, name := range s.Order {
		if err := os.WriteFile(filepath.Join(dir, name), s.Files[name], 0o644); err != nil {
			return fmt.Errorf("writing the SQuAD corpus: %w", err)
		}
	}
	return nil
}

// Subset keeps the questions of the articles whose index keep accepts (the
// corpus stays whole), for a split into tuning and held-out articles.
func (s *Squad) Subset(keep func(article int) bool) *Squad {
	out := *s
	out.Questions = nil
	for _, q := range s.Questions {
		if keep(s.Paras[q.Para].Article) {
			out.Questions = append(out.Questions, q)
		}
	}
	return &out
}

// SquadResult is the outcome of one SQuAD question.
type SquadResult struct {
	ID         string        `json:"id"`
	Question   string        `json:"question"`
	Answerable bool          `json:"answerable"`
	Rank       int           `json:"rank"`      // first top-5 passage in the gold paragraph holding a gold span, 0 if none
	ParaRank   int           `json:"para_rank"` // first top-5 passage overlapping the gold paragraph
	Abstained  bool          `json:"abstained"`
	Correct    bool          `json:"correct"`     // answer or a quote holds a gold answer text
	FirstQuote bool          `json:"first_quote"` // the first quote alone does
	Exact      bool          `json:"exact"`       // a quote holds a gold span at its very bytes
	Plausible  bool          `json:"plausible"`   // (unanswerable) the answer quotes the plausible trap
	Confidence float64       `json:"confidence"`
	BM25Rank   int           `json:"bm25_rank"`
	BM25OK     bool          `json:"bm25_ok"`
	Answer     string        `json:"answer"`
	Gold       string        `json:"gold"`
	Error      string        `json:"error,omitempty"`
	Latency    time.Duration `json:"latency_ns"`
}

// SquadReport holds the figures squadcheck.py prints, for Footnote and for plain
// BM25 in the same run.
type SquadReport struct {
	Questions    int `json:"questions"`
	Answerable   int `json:"answerable"`
	Unanswerable int `json:"unanswerable"`
	// Recall is over answerable questions: a top passage lies in the gold
	// paragraph and holds a gold answer span whole (ParaAt: in the paragraph).
	RecallAt1 float64 `json:"recall_at_1"`
	RecallAt5 float64 `json:"recall_at_5"`
	MRR       float64 `json:"mrr_at_5"`
	ParaAt1   float64 `json:"paragraph_at_1"`
	ParaAt5   float64 `json:"paragraph_at_5"`
	// Accuracy: not abstained, and the answer or a quote holds a gold answer
	// text; FirstQuote: the first quote alone does; Exact: a quote holds a
	// gold span at its very bytes.
	Accuracy              float64 `json:"accuracy"`
	FirstQuote            float64 `json:"accuracy_first_quote"`
	Exact                 float64 `json:"exact"`
	AnswerableAbstained   int     `json:"answerable_abstained"`
	UnanswerableAbstained int     `json:"unanswerable_abstained"`
	// PlausibleQuoted counts answered unanswerable questions whose answer
	// holds SQuAD's plausible (trap) answer.
	PlausibleQuoted int `json:"plausible_quoted"`
	Quotes          int `json:"quotes"`
	VerbatimBreaks  int `json:"verbatim_breaks"`
	// Plain BM25 in the same run: paragraphs for recall, its top sentence of
	// its top 5 paragraphs for accuracy.
	BM25At1      float64       `json:"bm25_recall_at_1"`
	BM25At5      float64       `json:"bm25_recall_at_5"`
	BM25Accuracy float64       `json:"bm25_accuracy"`
	P50          time.Duration `json:"latency_p50_ns"`
	P95          time.Duration `json:"latency_p95_ns"`
	// Curve is false abstention against unanswerable abstention as the
	// confidence threshold rises: what a threshold would have given.
	Curve   []CurvePoint  `json:"curve"`
	Results []SquadResult `json:"results"`
}

// CurvePoint is the abstention a confidence threshold gives.
type CurvePoint struct {
	Threshold             float64 `json:"threshold"`
	AnswerableAbstained   float64 `json:"answerable_abstained"`
	UnanswerableAbstained float64 `json:"unanswerable_abstained"`
	Accuracy              float64 `json:"accuracy"`
}

// RunSquad asks every question of s (k passages, at least 5) and scores the
// answers as squadcheck.py does, with plain BM25 anchors computed beside.
func RunSquad(ctx context.Context, a Asker, s *Squad, k int) (SquadReport, error) {
	const K = 5
	if k < K {
		k = K
	}
	var rep SquadReport
	bm := newSquadBM25(s)
	var lat []time.Duration
	type conf struct {
		c          float64
		answerable bool
		abstained  bool
		correct    bool
	}
	var confs []conf
	for _, q := range s.Questions {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		start := time.Now()
		ans, err := a.Ask(ctx, answer.Request{Question: q.Question, K: k, Mode: answer.ModeExtractive})
		d := time.Since(start)
		lat = append(lat, d)
		res := SquadResult{ID: q.ID, Question: q.Question, Answerable: q.Answerable, Latency: d, Gold: squadGold(q)}
		res.BM25Rank, res.BM25OK = bm.anchor(q)
		rep.Questions++
		if q.Answerable {
			rep.Answerable++
		} else {
			rep.Unanswerable++
		}
		if err != nil {
			res.Error = err.Error()
			rep.Results = append(rep.Results, res)
			continue
		}
		res.Answer, res.Abstained, res.Confidence = ans.Answer, ans.Abstained, ans.Confidence
		for _, c := range ans.Citations {
			rep.Quotes++
			f := s.Files[c.Doc]
			if c.Start < 0 || c.End > len(f) || c.Start > c.End || string(f[c.Start:c.End]) != c.Quote {
				rep.VerbatimBreaks++
			}
		}
		para := s.Paras[q.Para]
		inPara := func(doc string, st, en int) bool { return doc == para.Doc && min(en, para.End) > max(st, para.Start) }
		holds := func(doc string, st, en int) bool {
			if !inPara(doc, st, en) {
				return false
			}
			for _, sp := range q.Spans {
				if st <= sp.Start && sp.End <= en {
					return true
				}
			}
			return false
		}
		for i, p := range ans.Passages {
			if i == K {
				break
			}
			if res.Rank == 0 && holds(p.Doc, p.Start, p.End) {
				res.Rank = i + 1
			}
			if res.ParaRank == 0 && inPara(p.Doc, p.Start, p.End) {
				res.ParaRank = i + 1
			}
		}
		texts := []string{ans.Answer}
		for _, c := range ans.Citations {
			texts = append(texts, c.Quote)
			if holds(c.Doc, c.Start, c.End) {
				res.Exact = true
			}
		}
		all := fold(strings.Join(texts, " "))
		first := ""
		if len(ans.Citations) > 0 {
			first = fold(ans.Citations[0].Quote)
		}
		for _, sp := range q.Spans {
			if !res.Abstained && strings.Contains(all, fold(sp.Text)) {
				res.Correct = true
			}
			if !res.Abstained && strings.Contains(first, fold(sp.Text)) {
				res.FirstQuote = true
			}
		}
		for _, pl := range q.Plausible {
			if !res.Abstained && strings.Contains(all, fold(pl)) {
				res.Plausible = true
			}
		}
		confs = append(confs, conf{ans.Confidence, q.Answerable, ans.Abstained, res.Correct})
		rep.Results = append(rep.Results, res)
	}
	var r1, r5, p1, p5, acc, acc1, exact, b1, b5, bacc int
	for _, r := range rep.Results {
		if !r.Answerable {
			if r.Abstained {
				rep.UnanswerableAbstained++
			}
			if r.Plausible {
				rep.PlausibleQuoted++
			}
			continue
		}
		if r.Rank == 1 {
			r1++
		}
		if r.Rank > 0 {
			r5++
			rep.MRR += 1 / float64(r.Rank)
		}
		if r.ParaRank == 1 {
			p1++
		}
		if r.ParaRank > 0 {
			p5++
		}
		if r.Correct {
			acc++
		}
		if r.FirstQuote {
			acc1++
		}
		if r.Exact {
			exact++
		}
		if r.Abstained {
			rep.AnswerableAbstained++
		}
		if r.BM25Rank == 1 {
			b1++
		}
		if r.BM25Rank > 0 {
			b5++
		}
		if r.BM25OK {
			bacc++
		}
	}
	n := rep.Answerable
	rep.RecallAt1, rep.RecallAt5 = ratio(r1, n), ratio(r5, n)
	rep.MRR /= float64(max(n, 1))
	rep.ParaAt1, rep.ParaAt5 = ratio(p1, n), ratio(p5, n)
	rep.Accuracy, rep.FirstQuote, rep.Exact = ratio(acc, n), ratio(acc1, n), ratio(exact, n)
	rep.BM25At1, rep.BM25At5, rep.BM25Accuracy = ratio(b1, n), ratio(b5, n), ratio(bacc, n)
	rep.P50, rep.P95 = percentile(lat, 0.50), percentile(lat, 0.95)
	// The curve: abstain also when confidence < t, for rising t.
	for _, t := range []float64{0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8} {
		var aa, ua, ok int
		for _, c := range confs {
			abst := c.abstained || c.c < t
			switch {
			case c.answerable && abst:
				aa++
			case c.answerable && c.correct:
				ok++
			case !c.answerable && abst:
				ua++
			}
		}
		rep.Curve = append(rep.Curve, CurvePoint{Threshold: t, AnswerableAbstained: ratio(aa, n),
			UnanswerableAbstained: ratio(ua, rep.Unanswerable), Accuracy: ratio(ok, n)})
	}
	return rep, nil
}

func squadGold(q SquadQuestion) string {
	var ts []string
	seen := map[string]bool{}
	for _, sp := range q.Spans {
		if !seen[sp.Text] {
			seen[sp.Text] = true
			ts = append(ts, sp.Text)
		}
	}
	if len(ts) == 0 {
		return "(plausible: " + strings.Join(q.Plausible, " | ") + ")"
	}
	return strings.Join(ts, " | ")
}

// squadBM25 is the plain BM25 anchor of squadcheck.py: k1 1.2, b 0.75,
// lower-case alphanumeric tokens, a small stop list; over paragraphs for
// recall, over the sentences of its top 5 paragraphs for the answer.
type squadBM25 struct {
	s        *Squad
	paras    *bm25
	sents    *bm25
	sentText []string
	sentsOf  map[int][]int
}

var (
	reBMToken = regexp.MustCompile(`[a-z0-9]+`)
	reBMSplit = regexp.MustCompile(`[.?!] +`)
	bmStop    = stopSet("a an the of in on at to for from by with and or but not no is are was were be been being " +
		"it its this that these those as which what who whom whose when where why how do does did " +
		"has have had there their they he she his her i you we")
)

func stopSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func bmTokens(s string) []string {
	var out []string
	for _, t := range reBMToken.FindAllString(strings.ToLower(s), -1) {
		if !bmStop[t] {
			out = append(out, t)
		}
	}
	return out
}

// bmSentences splits as Python's re.split(r"(?<=[.?!]) +") does.
func bmSentences(p string) []string {
	var out []string
	last := 0
	for _, m := range reBMSplit.FindAllStringIndex(p, -1) {
		out = append(out, p[last:m[0]+1])
		last = m[1]
	}
	out = append(out, p[last:])
	var keep []string
	for _, s := range out {
		if strings.TrimSpace(s) != "" {
			keep = append(keep, s)
		}
	}
	return keep
}

type bm25 struct {
	docs []map[string]int
	lens []float64
	avg  float64
	idf  map[string]float64
}

func newBM25(texts []string) *bm25 {
	b := &bm25{idf: map[string]float64{}}
	df := map[string]int{}
	total := 0.0
	for _, t := range texts {
		d := map[string]int{}
		n := 0
		for _, tok := range bmTokens(t) {
			d[tok]++
			n++
		}
		for tok := range d {
			df[tok]++
		}
		b.docs = append(b.docs, d)
		b.lens = append(b.lens, float64(n))
		total += float64(n)
	}
	b.avg = total / float64(max(len(texts), 1))
	n := float64(len(texts))
	for t, f := range df {
		b.idf[t] = math.Log(1 + (n-float64(f)+0.5)/(float64(f)+0.5))
	}
	return b
}

func (b *bm25) score(q []string, i int) float64 {
	const k1, bb = 1.2, 0.75
	s := 0.0
	d := b.docs[i]
	for _, t := range q {
		if tf, ok := d[t]; ok {
			f := float64(tf)
			s += b.idf[t] * f * (k1 + 1) / (f + k1*(1-bb+bb*b.lens[i]/b.avg))
		}
	}
	return s
}

func (b *bm25) rank(query string, among []int) []int {
	seen := map[string]bool{}
	var q []string
	for _, t := range bmTokens(query) {
		if !seen[t] {
			seen[t] = true
			q = append(q, t)
		}
	}
	sc := make(map[int]float64, len(among))
	for _, i := range among {
		sc[i] = b.score(q, i)
	}
	out := append([]int(nil), among...)
	sort.SliceStable(out, func(x, y int) bool {
		if sc[out[x]] != sc[out[y]] {
			return sc[out[x]] > sc[out[y]]
		}
		return out[x] < out[y]
	})
	return out
}

func newSquadBM25(s *Squad) *squadBM25 {
	b := &squadBM25{s: s, sentsOf: map[int][]int{}}
	var texts []string
	for pi, p := range s.Paras {
		texts = append(texts, p.Text)
		for _, st := range bmSentences(p.Text) {
			b.sentsOf[pi] = append(b.sentsOf[pi], len(b.sentText))
			b.sentText = append(b.sentText, st)
		}
	}
	b.paras = newBM25(texts)
	b.sents = newBM25(b.sentText)
	return b
}

// anchor is BM25's rank of the gold paragraph (0: not in the top 5) and
// whether its top sentence holds a gold answer.
func (b *squadBM25) anchor(q SquadQuestion) (int, bool) {
	all := make([]int, len(b.s.Paras))
	for i := range all {
		all[i] = i
	}
	top := b.paras.rank(q.Question, all)[:min(5, len(all))]
	rank := 0
	var among []int
	for i, p := range top {
		if p == q.Para {
			rank = i + 1
		}
		among = append(among, b.sentsOf[p]...)
	}
	if len(among) == 0 {
		return rank, false
	}
	best := fold(b.sentText[b.sents.rank(q.Question, among)[0]])
	for _, sp := range q.Spans {
		if strings.Contains(best, fold(sp.Text)) {
			return rank, true
		}
	}
	return rank, false
}
