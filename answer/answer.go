// Package answer turns a question into a cited answer: it retrieves passages,
// then either extracts the sentences that best answer the question or has a
// language model write an answer, and checks that every quote is verbatim in the
// passage it cites. It knows retrieval and corpus, nothing of Discord.
package answer

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/corpus"
)

// Mode names how an answer was written.
type Mode string

const (
	ModeExtractive Mode = "extractive"
	ModeLLM        Mode = "llm"
	// ModeAuto asks for the model when one is configured, extractive otherwise.
	ModeAuto Mode = "auto"
)

// Turn is an earlier question and answer in a conversation (a Discord thread).
type Turn struct {
	Question string
	Answer   string
}

// Request is one question.
type Request struct {
	Question string
	// History holds earlier turns, oldest first; follow-ups are read against it.
	History []Turn
	// K is how many passages to retrieve; 0 means the engine's default.
	K int
	// Mode is extractive, llm or auto ("" means auto).
	Mode Mode
	// Stream, when set, receives the answer's text as a language model writes it:
	// each call carries the whole text so far (never a half-written citation).
	Stream func(text string)
}

// Passage is a retrieved passage as shown with an answer. Text is
// exactly bytes [Start,End) of document Doc.
type Passage struct {
	N         int     `json:"n"`
	Doc       string  `json:"doc"`
	Title     string  `json:"title"`
	Section   string  `json:"section"`
	Paragraph int     `json:"paragraph"`
	Page      int     `json:"page,omitempty"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
	Kind      string  `json:"kind,omitempty"`
	// Authors, Year and URL come from the document's metadata, when known.
	Authors []string `json:"authors,omitempty"`
	Year    int      `json:"year,omitempty"`
	URL     string   `json:"url,omitempty"`
	// Where is the citation as people read it (see Locate).
	Where string `json:"where"`
}

// Citation is a verbatim quote from passage N. Quote is exactly bytes
// [Start,End) of document Doc.
type Citation struct {
	N         int    `json:"n"`
	Doc       string `json:"doc"`
	Title     string `json:"title"`
	Section   string `json:"section"`
	Paragraph int    `json:"paragraph"`
	Page      int    `json:"page,omitempty"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Quote     string `json:"quote"`
	// Authors, Year and URL come from the document's metadata, when known.
	Authors []string `json:"authors,omitempty"`
	Year    int      `json:"year,omitempty"`
	URL     string   `json:"url,omitempty"`
	// Where is the citation as people read it (see Locate).
	Where string `json:"where"`
}

// Answer is the result of a question. An abstention is an answer too.
type Answer struct {
	Question  string     `json:"question"`
	Answer    string     `json:"answer"`
	Abstained bool       `json:"abstained"`
	Mode      Mode       `json:"mode"`
	Citations []Citation `json:"citations"`
	Passages  []Passage  `json:"passages"`
	// Note is a line for the reader about how the answer was made, e.g. that
	// the model did not answer and the extractive answer is shown instead.
	Note string `json:"note,omitempty"`
	// Missing lists the question's words that no retrieved passage contains,
	// set when the engine abstains.
	Missing []string `json:"missing,omitempty"`
	// Confidence, from 0 to 1, is how well the best sentence carries the
	// evidence the question asks for (extractive answers; an abstention
	// reports the confidence its best sentence had).
	Confidence float64 `json:"confidence"`
	// DidYouMean is the question as searched, when spelling correction
	// changed some of its words.
	DidYouMean string `json:"did_you_mean,omitempty"`
}

// passageOf numbers a corpus passage for showing, with its document's metadata.
func (e *Engine) passageOf(n int, p corpus.Passage, score float64) Passage {
	d := e.docs[p.Doc]
	return Passage{N: n, Doc: p.Doc, Title: p.Title, Section: p.Section, Paragraph: p.Paragraph,
		Page: p.Page, Start: p.Start, End: p.End, Text: p.Text, Score: score, Kind: string(p.Kind),
		Authors: d.Authors, Year: d.Year, URL: d.URL,
		Where: Locate(p.Title, d.Authors, d.Year, p.Section, p.Page, p.Paragraph)}
}

// cite quotes bytes [s,e) of passage p's text.
func cite(p Passage, s, e int) Citation {
	return Citation{N: p.N, Doc: p.Doc, Title: p.Title, Section: p.Section, Paragraph: p.Paragraph, Page: p.Page,
		Start: p.Start + s, End: p.Start + e, Quote: p.Text[s:e], Authors: p.Authors, Year: p.Year, URL: p.URL, Where: p.Where}
}

// Credit is a document's title with its authors and year when known, as a
// citation shows it: "Title (Ada Lovelace and Charles Babbage, 1843)".
func Credit(title string, authors []string, year int) string {
	var by []string
	switch len(authors) {
	case 0:
	case 1, 2:
		by = append(by, strings.Join(authors, " and "))
	default:
		by = append(by, authors[0]+" et al.")
	}
	if year > 0 {
		by = append(by, strconv.Itoa(year))
	}
	if len(by) == 0 {
		return title
	}
	return title + " (" + strings.Join(by, ", ") + ")"
}

// Locate is the one way a citation reads, in the terminal, in Discord and in
// JSON ("where"):
//
//	Title (Authors, Year), Section › Subsection, p. 9, ¶ 3
//
// It runs from coarse to fine: the work, the place in it, the printed page a
// reader can turn to, then the paragraph (counted in the text Footnote reads,
// so it is the finest and goes last). The section is its whole heading path,
// which tells "Origins" in part I from "Origins" in part II; a path longer
// than maxSection characters keeps its innermost headings. A section that
// repeats the title is left out. Empty parts are left out; an empty title
// reads "Untitled".
func Locate(title string, authors []string, year int, section string, page, paragraph int) string {
	if strings.TrimSpace(title) == "" {
		title = "Untitled"
	}
	parts := []string{Credit(title, authors, year)}
	section = strings.TrimPrefix(section, title+corpus.SectionSep)
	if section != "" && section != title {
		parts = append(parts, shortSection(section))
	}
	if pp := PageParagraph(page, paragraph); pp != "" {
		parts = append(parts, pp)
	}
	return strings.Join(parts, ", ")
}

// PageParagraph is the end of a locator, "p. 9, ¶ 3", for labels too short
// for the whole of it; either part is left out when unknown (0).
func PageParagraph(page, paragraph int) string {
	var parts []string
	if page > 0 {
		parts = append(parts, "p. "+strconv.Itoa(page))
	}
	if paragraph > 0 {
		parts = append(parts, "\u00b6 "+strconv.Itoa(paragraph))
	}
	return strings.Join(parts, ", ")
}

// maxSection is the longest section path a locator shows, in characters.
const maxSection = 120

// shortSection cuts a long heading path from the outside in: "… › Inner".
func shortSection(section string) string {
	if utf8.RuneCountInString(section) <= maxSection {
		return section
	}
	heads := strings.Split(section, corpus.SectionSep)
	prefix := ""
	for len(heads) > 1 && utf8.RuneCountInString(strings.Join(heads, corpus.SectionSep))+3 > maxSection {
		heads, prefix = heads[1:], "\u2026"+corpus.SectionSep
	}
	out := strings.Join(heads, corpus.SectionSep)
	if r := []rune(out); len(r)+3 > maxSection {
		out = string(r[:maxSection-4]) + "\u2026"
	}
	return prefix + out
}
