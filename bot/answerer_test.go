package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
)

// fakeAnswerer is an honest stand-in for answer.Engine over a small corpus: it
// ranks passages by the question's words, answers with the first sentences of
// the best passages quoted verbatim (their offsets are real), abstains when no
// passage shares a word, and streams like a language model when asked to.
//
// A few words in a question steer it, for tests: "stream" streams the answer,
// "essay" writes an answer longer than one Discord message, "slowly" takes
// fakeAnswerer.slow, "panic" panics and "fail" returns an error.
type fakeAnswerer struct {
	docs     []fakeDoc
	passages []answer.Passage

	streamSteps int
	streamDelay time.Duration
	slow        time.Duration
	// panicText is what a "panic" question panics with.
	panicText string

	mu       sync.Mutex
	requests []answer.Request
}

type fakeDoc struct {
	path, title string
	text        string
}

// fakeParagraph is one paragraph of a fake document.
type fakeParagraph struct {
	section string
	page    int
	text    string
}

func newFakeAnswerer() *fakeAnswerer {
	f := &fakeAnswerer{streamSteps: 6, streamDelay: 100 * time.Millisecond, slow: time.Second}
	f.add("federalist-10.md", "The Federalist No. 10", []fakeParagraph{
		{section: "The Union as a Safeguard", text: "Among the numerous advantages promised by a well constructed Union, none deserves to be more accurately developed than its tendency to break and control the violence of faction."},
		{section: "The Union as a Safeguard", text: "By a faction, I understand a number of citizens, whether amounting to a majority or a minority of the whole, who are united and actuated by some common impulse of passion, or of interest."},
		{section: "The Causes of Faction", text: "The latent causes of faction are thus sown in the *nature of man*; and we see them everywhere brought into different degrees of activity. @everyone should read <@123456789> on this_point."},
		{section: "The Causes of Faction", text: "# Not a heading: the smaller the society, the fewer probably will be the distinct parties and interests composing it."},
		{section: "Controlling the Effects", text: "The inference to which we are brought is, that the causes of faction cannot be removed, and that relief is only to be sought in the means of controlling its effects."},
	})
	f.add("wealth-of-nations.txt", "The Wealth of Nations", []fakeParagraph{
		{section: "Of the Division of Labour", page: 7, text: "The greatest improvement in the productive powers of labour seems to have been the effects of the division of labour."},
		{section: "Of the Division of Labour", page: 8, text: "To take an example, a pin-maker could scarce, perhaps, with his utmost industry, make one pin in a day, and certainly could not make twenty."},
		{section: "Of the Division of Labour", page: 9, text: "Ten persons could make among them upwards of forty-eight thousand pins in a day."},
	})
	return f
}

func (f *fakeAnswerer) add(path, title string, paras []fakeParagraph) {
	var text strings.Builder
	text.WriteString("# " + title + "\n\n")
	for i, p := range paras {
		start := text.Len()
		text.WriteString(p.text)
		f.passages = append(f.passages, answer.Passage{Doc: path, Title: title, Section: p.section, Paragraph: i + 1,
			Page: p.page, Start: start, End: text.Len(), Text: p.text, Kind: "body"})
		text.WriteString("\n\n")
	}
	f.docs = append(f.docs, fakeDoc{path: path, title: title, text: text.String()})
}

func (f *fakeAnswerer) lastRequest() answer.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return answer.Request{}
	}
	return f.requests[len(f.requests)-1]
}

func (f *fakeAnswerer) requestFor(question string) (answer.Request, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.requests {
		if r.Question == question {
			return r, true
		}
	}
	return answer.Request{}, false
}

func (f *fakeAnswerer) CheckQuestion(q string) error {
	switch {
	case !utf8.ValidString(q):
		return answer.ErrInvalidUTF8
	case strings.TrimSpace(q) == "":
		return answer.ErrEmptyQuestion
	case utf8.RuneCountInString(q) > 1000:
		return &answer.TooLongError{N: utf8.RuneCountInString(q), Max: 1000}
	}
	return nil
}

var stopWords = map[string]bool{"the": true, "and": true, "what": true, "are": true, "how": true, "its": true,
	"can": true, "does": true, "say": true, "about": true, "with": true, "for": true, "that": true, "this": true,
	"why": true, "who": true, "which": true, "was": true, "were": true, "is": true}

func terms(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		if len(w) >= 3 && !stopWords[w] && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func (f *fakeAnswerer) Search(ctx context.Context, query string, k int) ([]answer.Passage, error) {
	if err := f.CheckQuestion(query); err != nil {
		return nil, err
	}
	if k <= 0 {
		k = 5
	}
	ts := terms(query)
	var out []answer.Passage
	for _, p := range f.passages {
		text := strings.ToLower(p.Text)
		score := 0
		for _, t := range ts {
			if strings.Contains(text, t) {
				score++
			}
		}
		if score > 0 {
			p.Score = float64(score)
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > k {
		out = out[:k]
	}
	for i := range out {
		out[i].N = i + 1
	}
	return out, ctx.Err()
}

func (f *fakeAnswerer) Sources() []answer.Source {
	var out []answer.Source
	for _, d := range f.docs {
		n := 0
		for _, p := range f.passages {
			if p.Doc == d.path {
				n++
			}
		}
		out = append(out, answer.Source{Doc: d.path, Title: d.title, Passages: n})
	}
	return out
}

func (f *fakeAnswerer) Around(doc string, start, n int) (answer.Surroundings, error) {
	var ps []answer.Passage
	for _, p := range f.passages {
		if p.Doc == doc {
			ps = append(ps, p)
		}
	}
	for i, p := range ps {
		if p.Start == start {
			s := answer.Surroundings{Passage: p}
			s.Before = append(s.Before, ps[max(0, i-n):i]...)
			s.After = append(s.After, ps[i+1:min(len(ps), i+1+n)]...)
			return s, nil
		}
	}
	return answer.Surroundings{}, fmt.Errorf("no passage of %q starts at byte %d", doc, start)
}

func (f *fakeAnswerer) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	if err := f.CheckQuestion(req.Question); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	q := strings.ToLower(req.Question)
	switch {
	case strings.Contains(q, "panic"):
		panic(f.panicText)
	case strings.Contains(q, "fail"):
		return nil, errors.New("the index is on fire")
	case strings.Contains(q, "slowly"):
		select {
		case <-time.After(f.slow):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// Follow-ups are retrieved with the earlier questions too.
	query := req.Question
	for _, t := range req.History {
		query += " " + t.Question
	}
	k := 2
	if strings.Contains(q, "essay") {
		k = len(f.passages)
	}
	ps, err := f.Search(ctx, query, k)
	if err != nil {
		return nil, err
	}
	a := &answer.Answer{Question: req.Question, Mode: answer.ModeExtractive, Passages: ps}
	if len(ps) == 0 {
		a.Abstained = true
		a.Missing = terms(req.Question)
		a.Passages = []answer.Passage{f.passages[0], f.passages[1]}
		a.Passages[0].N, a.Passages[1].N = 1, 2
		return a, nil
	}
	var text []string
	for _, p := range ps {
		quote := firstSentence(p.Text)
		a.Citations = append(a.Citations, answer.Citation{N: p.N, Doc: p.Doc, Title: p.Title, Section: p.Section,
			Paragraph: p.Paragraph, Page: p.Page, Start: p.Start, End: p.Start + len(quote), Quote: quote})
		text = append(text, fmt.Sprintf("%s [%d]", quote, p.N))
	}
	if strings.Contains(q, "essay") { // three paragraphs of all of it, for a long answer
		all := strings.Join(text, " ")
		a.Answer = all + "\n\n" + all + "\n\n" + all
	} else {
		a.Answer = strings.Join(text, " ")
	}
	if strings.Contains(q, "stream") && req.Stream != nil {
		a.Mode = answer.ModeLLM
		for i := 1; i <= f.streamSteps; i++ {
			select {
			case <-time.After(f.streamDelay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			req.Stream(a.Answer[:len(a.Answer)*i/f.streamSteps])
		}
	}
	return a, nil
}

func firstSentence(s string) string {
	for i := 0; i < len(s); i++ {
		if (s[i] == '.' || s[i] == ';') && (i+1 == len(s) || s[i+1] == ' ') {
			return s[:i+1]
		}
	}
	return s
}
