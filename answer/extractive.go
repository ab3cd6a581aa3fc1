package answer

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/terms"
	"github.com/footnote-bot/footnote/terms/related"
)

// Extractive answering: the answer is the one to three sentences of the retrieved
// passages that best answer the question, each quoted verbatim and cited.
//
// A sentence's score mixes how much of the question's weight (IDF of its terms)
// the sentence and its passage cover, whether it holds the kind of information
// the question asks for (a number for "how many", a date for "when", a place for
// "where", a name for "who"), and its passage's retrieval score. The engine
// abstains when its confidence is low (confidence.go) or the question names
// something the corpus never mentions (focus.go).

// maxSentences is the most sentences an extractive answer quotes.
const maxSentences = 3

// questionWords are dropped from questions before scoring: they say what is
// asked, not what it is about.
const questionWords = "how many much often when where which who whom whose what why " +
	"did does do is are was were has have had the a an of in on at to"

// cjkQuestionChars mark CJK bigrams that belong to the question's wording.
const cjkQuestionChars = "哪什麼么誰谁幾几何嗎吗呢是"

var stopTerms = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, t := range terms.Of(questionWords) {
		m[t] = true
	}
	return m
})

// queryTerms are the question's distinct content terms with their weights.
type queryTerms struct {
	terms  []string
	weight map[string]float64
	total  float64
}

func (e *Engine) queryTerms(question string) queryTerms {
	q := queryTerms{weight: map[string]float64{}}
	stop := stopTerms()
	for _, t := range terms.Of(question) {
		if stop[t] || q.weight[t] > 0 || strings.ContainsAny(t, cjkQuestionChars) {
			continue
		}
		w := e.index.IDF(t)
		if w <= 0 {
			continue
		}
		q.terms = append(q.terms, t)
		q.weight[t] = w
		q.total += w
	}
	return q
}

// cover is the share of the question's weight found in terms. A question term
// missing from terms still counts half when it nearly matches one: a Chinese
// bigram whose two characters both occur, an English stem that begins a word
// up to three letters longer ("high", "highest") or is one up to four letters
// longer ("brazilian", "brazil"), or one that shares all but
// its last two letters (five at least) with one ("strategi", "strateg"), or
// a term near it in meaning ("di" for died, "kill"; package terms/related).
func (q queryTerms) cover(terms []string) float64 { return q.coverBy(terms, true) }

// coverStrict is cover without credit for related terms: the evidence that a
// passage is about the question at all, which paraphrase must not stand in for.
func (q queryTerms) coverStrict(terms []string) float64 { return q.coverBy(terms, false) }

func (q queryTerms) coverBy(terms []string, withRelated bool) float64 {
	if q.total == 0 {
		return 0
	}
	have := make(map[string]bool, len(terms))
	for _, t := range terms {
		have[t] = true
	}
	s := 0.0
	for _, t := range q.terms {
		switch {
		case have[t]:
			s += q.weight[t]
		case nearMatch(t, have, terms):
			s += q.weight[t] / 2
		case withRelated && relatedMatch(t, have):
			s += q.weight[t] * relatedShare
		}
	}
	return s / q.total
}

func nearMatch(t string, have map[string]bool, terms []string) bool {
	r := []rune(t)
	if len(r) == 2 && unicode.Is(unicode.Han, r[0]) && unicode.Is(unicode.Han, r[1]) {
		return hasHan(have, r[0]) && hasHan(have, r[1])
	}
	if len(t) < 4 {
		return false
	}
	for _, u := range terms {
		// "high" and "highest": the question's word begins a longer one.
		if len(u) > len(t) && len(u) <= len(t)+3 && strings.HasPrefix(u, t) {
			return true
		}
		// "brazilian" and "brazil": a word of five letters or more begins
		// the question's, which is at most four letters longer.
		if len(u) >= 5 && len(u) < len(t) && len(t) <= len(u)+4 && strings.HasPrefix(t, u) {
			return true
		}
		// "strategi" and "strateg": all but the last two letters agree.
		if len(t) >= 7 && strings.HasPrefix(u, t[:len(t)-2]) {
			return true
		}
	}
	return false
}

// relatedShare is how much of its weight a question term counts when the text
// holds a term near it in meaning ("died" and "killed"; package related).
const relatedShare = 0.5

func relatedMatch(t string, have map[string]bool) bool {
	for _, u := range related.To(t) {
		if have[u] {
			return true
		}
	}
	return false
}

// hasHan reports whether a CJK character occurs in any term.
func hasHan(have map[string]bool, c rune) bool {
	for t := range have {
		if strings.ContainsRune(t, c) {
			return true
		}
	}
	return false
}

// minNewWeight is the share of the question's weight that a further sentence
// must add to the sentences already quoted. Measured on SQuAD, requiring more
// than nothing new loses answers: the answer is often in a sentence that
// repeats the question's words the first one had.
const minNewWeight = 0

// matched lists the question's terms among terms.
func (q queryTerms) matched(terms []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range terms {
		if q.weight[t] > 0 && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// weightOf sums the weights of terms not in except.
func (q queryTerms) weightOf(terms []string, except map[string]bool) float64 {
	s := 0.0
	for _, t := range terms {
		if !except[t] {
			s += q.weight[t]
		}
	}
	return s
}

type candidate struct {
	hit     int         // index into hits
	span    corpus.Span // sentence within the passage text
	score   float64
	cover   float64
	matched []string // the question's terms the sentence contains
	typed   bool     // holds the kind of information the question asks for
	bigrams float64  // share of the question's adjacent term pairs found adjacent
	from    int      // where its quote starts: the sentence before, when it opens with a pronoun
}

// bigramShare is the share of the question's adjacent content-term pairs that
// occur adjacent in ts: "Duchy of Normandy" matches as a phrase, not two words.
func (q queryTerms) bigramShare(ts []string) float64 {
	if len(q.terms) < 2 {
		return 0
	}
	have := map[[2]string]bool{}
	for i := 1; i < len(ts); i++ {
		have[[2]string{ts[i-1], ts[i]}] = true
	}
	n := 0
	for i := 1; i < len(q.terms); i++ {
		if have[[2]string{q.terms[i-1], q.terms[i]}] {
			n++
		}
	}
	return float64(n) / float64(len(q.terms)-1)
}

// sentence is one sentence of a passage with its terms.
type sentence struct {
	span  corpus.Span
	text  string
	terms []string
}

// sentencesOf returns the sentences of p with their terms. Analysed
// passages are kept (up to maxAnalysed, then the memory starts over): the
// reranker and the extractor read the same passages, and a bot the same
// passages again.
func (e *Engine) sentencesOf(p corpus.Passage) []sentence {
	key := analysedKey{p.Doc, p.Start}
	e.analysedMu.Lock()
	s, ok := e.analysed[key]
	e.analysedMu.Unlock()
	if ok {
		return s
	}
	for _, sp := range corpus.Sentences(p.Text) {
		text := p.Text[sp.Start:sp.End]
		s = append(s, sentence{span: sp, text: text, terms: terms.Of(digitsOnly(text))})
	}
	e.analysedMu.Lock()
	if e.analysed == nil || len(e.analysed) >= maxAnalysed {
		e.analysed = map[analysedKey][]sentence{}
	}
	e.analysed[key] = s
	e.analysedMu.Unlock()
	return s
}

// maxAnalysed bounds the analysed passages an engine keeps.
const maxAnalysed = 4096

type analysedKey struct {
	doc   string
	start int
}

// passageTerms is the terms of all of a passage's sentences.
func passageTerms(sents []sentence) []string {
	var out []string
	for _, s := range sents {
		out = append(out, s.terms...)
	}
	return out
}

// Scoring weights of a sentence (see extract).
const (
	wSentence = 0.7  // the sentence's own coverage of the question
	wPassage  = 0.2  // its passage's coverage
	wRank     = 0.1  // its passage's retrieval score, relative to the best
	wBigram   = 0.3  // the question's adjacent term pairs found adjacent
	wTyped    = 0.2  // holds the kind of answer asked for
	wUntyped  = 0.1  // does not
	wSoftType = 0.05 // gives examples ("such as") or a name ("called") when asked for one
	wReferent = 0.9  // share of the coverage a sentence opening with a pronoun takes with the one before
	// A further sentence is quoted when it scores at least minScoreShare of
	// the best one and covers at least minCoverShare of what it covers.
	minScoreShare = 0.7
	minCoverShare = 0.4
)

// extract picks the sentences that answer question from hits. It returns them
// best first, and the best passage coverage (without related terms).
//
// A sentence's score is its coverage of the question's weight, the share of
// the question's adjacent term pairs it holds as pairs, its passage's
// coverage and retrieval score, and whether it holds the kind of answer asked
// for. The place of a sentence in its passage counts for nothing.
func (e *Engine) extract(question string, hits []retrieval.Hit) ([]candidate, float64) {
	q := e.queryTerms(question)
	w := questionWants(question)
	var cands []candidate
	best := 0.0
	top := 0.0
	for _, h := range hits {
		top = max(top, h.Score)
	}
	for i, h := range hits {
		sents := e.sentencesOf(h.Passage)
		pterms := passageTerms(sents)
		pcov := q.cover(pterms)
		best = max(best, q.coverStrict(pterms))
		rel := 0.0
		if top > 0 {
			rel = h.Score / top
		}
		for j, st := range sents {
			scov, bi := q.cover(st.terms), q.bigramShare(st.terms)
			from := st.span.Start
			if j > 0 && refersBack(st.text) {
				from = sents[j-1].span.Start
				// "It was commissioned by Odo": the sentence is about what
				// the one before it names.
				both := append(append([]string(nil), sents[j-1].terms...), st.terms...)
				scov = max(scov, wReferent*q.cover(both))
			}
			typed := w != wantAny && satisfies(w, st.text, question)
			c := candidate{hit: i, span: st.span, cover: scov, matched: q.matched(st.terms), from: from}
			c.typed = typed
			c.bigrams = bi
			c.score = e.scoreSentence(c, w, pcov, rel, h, st.text)
			cands = append(cands, c)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	// The best sentence, then up to two more that score nearly as well and say
	// something about the question the sentences before them did not: another
	// of its terms (an answer to "who and when" may take two sentences), never
	// the same facts again.
	var out []candidate
	said := map[string]bool{}
	for _, c := range cands {
		if len(out) == maxSentences {
			break
		}
		if len(out) > 0 && (c.score < minScoreShare*out[0].score || c.cover < minCoverShare*out[0].cover) {
			break
		}
		if c.from < c.span.Start {
			// A quote that opens with "It" or "He" is quoted with the
			// sentence that says who or what that is, unless that one is
			// quoted already.
			wide := c
			wide.span.Start = c.from
			if !duplicate(out, wide, hits) {
				c = wide
			}
		}
		if duplicate(out, c, hits) {
			continue
		}
		if len(out) > 0 && q.weightOf(c.matched, said) < minNewWeight*q.total {
			continue
		}
		out = append(out, c)
		for _, t := range c.matched {
			said[t] = true
		}
	}
	return out, best
}

func (e *Engine) scoreSentence(c candidate, w want, pcov, rel float64, h retrieval.Hit, text string) float64 {
	s := wSentence*c.cover + wPassage*pcov + wRank*rel
	if w == wantExample || w == wantName { // soft kinds: examples and names are not always marked
		if c.typed {
			s += wSoftType
		}
	} else if w != wantAny {
		if c.typed {
			s += wTyped
		} else {
			s -= wUntyped
		}
	}
	s += wBigram * c.bigrams
	if h.Passage.Kind == corpus.KindReference {
		s *= 0.6
	}
	if words(text) < 5 {
		s *= 0.5
	}
	return s
}

// duplicate reports whether c says what a chosen quote says: the same text,
// or text overlapping it in the same passage.
func duplicate(chosen []candidate, c candidate, hits []retrieval.Hit) bool {
	text := normSpace(hits[c.hit].Passage.Text[c.span.Start:c.span.End])
	for _, o := range chosen {
		if normSpace(hits[o.hit].Passage.Text[o.span.Start:o.span.End]) == text {
			return true
		}
		if o.hit == c.hit && o.span.Start < c.span.End && c.span.Start < o.span.End {
			return true
		}
	}
	return false
}

// missingWords lists the question's words that none of the passages contain.
func missingWords(question string, hits []retrieval.Hit, stop map[string]bool) []string {
	have := map[string]bool{}
	for _, h := range hits {
		for _, t := range terms.Of(h.Passage.Text) {
			have[t] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, word := range strings.FieldsFunc(question, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '-' && r != '\''
	}) {
		ts := terms.Of(word)
		if len(ts) == 0 || seen[strings.ToLower(word)] {
			continue
		}
		found := false
		for _, t := range ts {
			if have[t] || stop[t] {
				found = true
				break
			}
		}
		if !found {
			seen[strings.ToLower(word)] = true
			out = append(out, word)
		}
	}
	return out
}

func words(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		for _, r := range f {
			if unicode.Is(unicode.Han, r) {
				n++
			}
		}
		n++
	}
	return n
}

// normSpace folds runs of white space into one space.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// reReferent is a sentence that opens by pointing back: "It was commissioned
// by Odo", "Their style was", "This is usually taken to be".
var reReferent = regexp.MustCompile(`^(?:It|Its|They|Their|Them|He|His|She|Her|This|These|Those|Such)\b`)

func refersBack(s string) bool { return reReferent.MatchString(strings.TrimLeft(s, " \t\n\"'(")) }
