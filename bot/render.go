package bot

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
)

// message is one Discord message as Footnote renders it: content, and buttons
// row by row. Rendering is pure: the same input gives the same message.
type message struct {
	Content string
	Rows    [][]button
}

type button struct {
	Label    string
	CustomID string
	Emoji    string
	Style    discordgo.ButtonStyle
}

const (
	maxShortQuote  = 280 // runes of a quote shown under an answer
	maxPassageText = 600 // runes of a passage shown by /quote and /check
	maxClosest     = 3   // closest passages shown with an abstention
	maxCiteButtons = (maxRows - 1) * maxRowButtons
)

// answerView says how to show an answer.
type answerView struct {
	// ID names the answer in its vote buttons.
	ID string
	// Question, when set, heads the reply (a slash command's options are not
	// shown to the channel, so its question would otherwise be lost).
	Question string
}

// renderAnswer renders an answer: its text with [n] markers, the quotes that
// back it, a line of sources and the buttons. An abstention says so and shows
// the closest passages instead.
func renderAnswer(a *answer.Answer, v answerView) []message {
	var blocks []string
	if v.Question != "" {
		blocks = append(blocks, "**"+escapeMarkdown(oneLine(v.Question, 300))+"**")
	}
	if a.Abstained {
		return renderAbstention(a, v, blocks)
	}
	text := strings.TrimSpace(a.Answer)
	if text == "" {
		text = "(the answer is empty)"
	}
	blocks = append(blocks, escapeMarkdown(text))
	seen := map[[3]int]bool{}
	var cited []int // passage numbers in order of first citation
	for _, c := range a.Citations {
		key := [3]int{c.N, c.Start, c.End}
		if seen[key] {
			continue
		}
		seen[key] = true
		if !slices.Contains(cited, c.N) {
			cited = append(cited, c.N)
		}
		blocks = append(blocks, fmt.Sprintf("**[%d]** %s\n%s", c.N,
			locate(c.Title, c.Authors, c.Year, c.Section, c.Page, c.Paragraph), shortQuote(c.Quote)))
	}
	if line := sourcesLine(a.Citations); line != "" {
		blocks = append(blocks, line)
	}
	var foot []string
	switch a.Mode {
	case answer.ModeExtractive:
		foot = append(foot, "-# Sentences taken from the sources as they are; no language model wrote this.")
	case answer.ModeLLM:
		foot = append(foot, "-# Written by a language model; every quote above is checked word for word against its source.")
	}
	if a.Note != "" {
		foot = append(foot, "-# "+escapeMarkdown(oneLine(a.Note, 400)))
	}
	if len(foot) > 0 {
		blocks = append(blocks, strings.Join(foot, "\n"))
	}
	var bs []button
	for _, n := range cited {
		if p, ok := passageNumbered(a.Passages, n); ok && len(bs) < maxCiteButtons {
			bs = append(bs, passageButton(p))
		}
	}
	return withButtons(strings.Join(blocks, "\n\n"), append(buttonRows(bs), voteRow(v.ID)))
}

func renderAbstention(a *answer.Answer, v answerView, blocks []string) []message {
	blocks = append(blocks, "I couldn't find an answer in the sources: they don't seem to cover this question.")
	if len(a.Missing) > 0 {
		words := make([]string, len(a.Missing))
		for i, w := range a.Missing {
			words[i] = "**" + escapeMarkdown(w) + "**"
		}
		blocks = append(blocks, "No passage mentions "+strings.Join(words, ", ")+".")
	}
	var bs []button
	if len(a.Passages) > 0 {
		blocks = append(blocks, "**Closest passages** (the nearest text I have, not an answer)")
		for i, p := range a.Passages {
			if i == maxClosest {
				break
			}
			blocks = append(blocks, fmt.Sprintf("**[%d]** %s\n%s", p.N,
				locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph), shortQuote(p.Text)))
			bs = append(bs, passageButton(p))
		}
	}
	if a.Note != "" {
		blocks = append(blocks, "-# "+escapeMarkdown(oneLine(a.Note, 400)))
	}
	return withButtons(strings.Join(blocks, "\n\n"), append(buttonRows(bs), voteRow(v.ID)))
}

// renderStreaming shows an answer while a language model is still writing it.
func renderStreaming(text string) string {
	text, cut := cutWords(strings.TrimSpace(text), 1700)
	if cut {
		text += " …"
	}
	return escapeMarkdown(text) + "\n\n-# Writing… the quotes are checked when the answer is complete."
}

// renderPassages renders /quote and /check results: the passages themselves,
// verbatim, best first, each with a button to read it whole.
func renderPassages(heading, note string, ps []answer.Passage) []message {
	blocks := []string{heading}
	if note != "" {
		blocks = append(blocks, note)
	}
	var bs []button
	for _, p := range ps {
		text, cut := cutWords(strings.TrimSpace(p.Text), maxPassageText)
		body := escapeMarkdown(text)
		if cut {
			body += " […]"
		}
		blocks = append(blocks, fmt.Sprintf("**[%d]** %s\n%s", p.N,
			locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph), quoteLines(body)))
		if len(bs) < maxCiteButtons {
			bs = append(bs, passageButton(p))
		}
	}
	return withButtons(strings.Join(blocks, "\n\n"), append(buttonRows(bs), []button{citeButton()}))
}

func renderQuote(topic string, ps []answer.Passage) []message {
	if len(ps) == 0 {
		return []message{{Content: "No passage in the sources matches “" + escapeMarkdown(oneLine(topic, 200)) + "”."}}
	}
	return renderPassages("**Passages on “"+escapeMarkdown(oneLine(topic, 200))+"”**, word for word, best first", "", ps)
}

func renderCheck(claim string, ps []answer.Passage) []message {
	if len(ps) == 0 {
		return []message{{Content: "No passage in the sources bears on “" + escapeMarkdown(oneLine(claim, 200)) +
			"”. The sources may not cover it."}}
	}
	return renderPassages("**Passages that bear on “"+escapeMarkdown(oneLine(claim, 300))+"”**",
		"-# Read them against the claim: Footnote finds the sources, it does not judge the claim.", ps)
}

// renderSources lists the corpus's documents.
func renderSources(srcs []answer.Source) []message {
	total := 0
	for _, s := range srcs {
		total += s.Passages
	}
	lines := []string{fmt.Sprintf("**The sources: %s, %s**", plural(len(srcs), "document"), plural(total, "passage"))}
	for i, s := range srcs {
		title := s.Title
		if title == "" {
			title = s.Doc
		}
		lines = append(lines, fmt.Sprintf("%d. **%s** — %s\n-# %s", i+1, escapeMarkdown(oneLine(title, 200)),
			plural(s.Passages, "passage"), escapeMarkdown(s.Doc)))
	}
	if len(srcs) == 0 {
		lines = append(lines, "The corpus is empty.")
	}
	// One document per block, so a long list splits between documents.
	return withButtons(strings.Join(lines, "\n\n"), nil)
}

// helpView says which features /help describes.
type helpView struct {
	Inline    bool // mentions are answered in the channel, not in a thread
	FollowUps bool // messages in a thread are answered without a mention
	DMs       bool
	Readings  bool // servers keep reading lists (/readings)
}

// helpReadings is /help's part on reading lists.
const helpReadings = "**Reading lists**\n" +
	"`/readings add file` — librarians add a PDF, Word, HTML, Markdown or text file to this server's readings (or this channel's, with `channel_only`); questions here search it at once.\n" +
	"`/readings list` — what questions in this channel search. `/readings remove reading` — librarians take one out.\n" +
	"**Add to readings** — on a message with files: ⋯ › Apps › Add to readings adds them all."

func renderHelp(v helpView) []message {
	mention := "Mention me — `@Footnote your question` — and I answer in a new thread named after it."
	if v.Inline {
		mention = "Mention me — `@Footnote your question` — and I answer right there."
	}
	followup := "In that thread, mention me again to ask a follow-up: I remember the earlier questions."
	if v.FollowUps && !v.Inline {
		followup = "In that thread, just write your follow-up: I read it with the earlier questions in mind."
	}
	lines := []string{
		"**Footnote answers from its sources, and shows them.** Every answer quotes the passages it rests on, word for word.",
		"`/ask question` — an answer with [n] markers, each backed by a quote. Set `private` to see it alone.\n" +
			"`/quote topic` — the best passages on a topic, verbatim, no paraphrase.\n" +
			"`/check claim` — the passages that bear on a claim, to check your notes against.\n" +
			"`/sources` — the documents I can quote.\n" +
			"**Find sources** — on any message: ⋯ › Apps › Find sources runs `/check` on it.",
		mention + "\n" + followup,
		"Under an answer, a button per quoted passage shows the whole passage (only to you), and 👍 / 👎 tell us whether it helped.",
		helpStudy,
	}
	if v.Readings {
		lines = append(lines, helpReadings)
	}
	if v.DMs {
		lines = append(lines, "You can also ask me in a direct message.")
	}
	return withButtons(strings.Join(lines, "\n\n"), nil)
}

// renderPassageView shows one passage whole, alone or with the paragraphs
// around it, with a button to switch.
func renderPassageView(s answer.Surroundings, withContext bool) []message {
	p := s.Passage
	head := "**" + locate(p.Title, p.Authors, p.Year, p.Section, 0, 0) + "**"
	blocks := []string{head}
	if !withContext {
		blocks = append(blocks, "-# "+paraLabel(p)+"\n"+quoteLines(escapeMarkdown(strings.TrimSpace(p.Text))))
		b := button{Label: "Show the paragraphs around it", CustomID: passageID(kindContext, p.Doc, p.Start), Style: discordgo.SecondaryButton}
		return withButtons(strings.Join(blocks, "\n\n"), [][]button{{b}})
	}
	for _, q := range s.Before {
		blocks = append(blocks, "-# "+paraLabel(q)+"\n"+quoteLines(escapeMarkdown(strings.TrimSpace(q.Text))))
	}
	blocks = append(blocks, "-# "+paraLabel(p)+" · the cited passage\n"+quoteLines(escapeMarkdown(strings.TrimSpace(p.Text))))
	for _, q := range s.After {
		blocks = append(blocks, "-# "+paraLabel(q)+"\n"+quoteLines(escapeMarkdown(strings.TrimSpace(q.Text))))
	}
	b := button{Label: "Show the passage alone", CustomID: passageID(kindPassage, p.Doc, p.Start), Style: discordgo.SecondaryButton}
	return withButtons(strings.Join(blocks, "\n\n"), [][]button{{b}})
}

// Short replies.

func renderApology(errID string) string {
	return "Sorry — something went wrong on my side and I couldn't finish this. Please try again. (error `" + errID + "`)"
}

func renderRateLimited(wait time.Duration) string {
	secs := int((wait + time.Second - 1) / time.Second)
	return fmt.Sprintf("You're asking faster than I can keep up with: try again in %d s.", max(secs, 1))
}

func renderBusy() string {
	return "I'm answering a lot of questions right now: please try again in a minute."
}

func renderShuttingDown() string {
	return "I'm restarting: please ask again in a minute."
}

// renderQuestionError turns a question the engine refused into words.
func renderQuestionError(err error) (string, bool) {
	var long *answer.TooLongError
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion):
		return "Please write a question: I got an empty one.", true
	case errors.As(err, &long):
		return fmt.Sprintf("That question is too long for me (%d characters, the limit is %d). Please shorten it.", long.N, long.Max), true
	case errors.Is(err, answer.ErrTooLong):
		return "That question is too long for me. Please shorten it.", true
	case errors.Is(err, answer.ErrInvalidUTF8):
		return "I couldn't read that question: it is not valid text.", true
	case errors.Is(err, answer.ErrNoWords):
		return "I found nothing to search for in that: only very common words, punctuation or emoji. Try the words the sources would use.", true
	}
	return "", false
}

// Pieces.

// withButtons splits content into messages and puts the buttons under the last.
func withButtons(content string, rows [][]button) []message {
	var out []message
	for _, c := range splitMessage(content, maxContent) {
		out = append(out, message{Content: c})
	}
	if len(out) == 0 {
		out = []message{{Content: "(nothing to show)"}}
	}
	var keep [][]button
	for _, r := range rows {
		if len(r) > 0 && len(keep) < maxRows {
			keep = append(keep, r)
		}
	}
	out[len(out)-1].Rows = keep
	return out
}

func buttonRows(bs []button) [][]button {
	var rows [][]button
	for len(bs) > 0 {
		n := min(len(bs), maxRowButtons)
		rows = append(rows, bs[:n])
		bs = bs[n:]
	}
	return rows
}

func passageButton(p answer.Passage) button {
	label := fmt.Sprintf("[%d] %s", p.N, orUntitled(p.Title))
	if pp := answer.PageParagraph(p.Page, p.Paragraph); pp != "" {
		label += ", " + pp
	}
	if short, cut := cutWords(label, maxLabel-1); cut {
		label = short + "…"
	}
	return button{Label: label, CustomID: passageID(kindPassage, p.Doc, p.Start), Style: discordgo.SecondaryButton}
}

func voteRow(answerID string) []button {
	if answerID == "" {
		return nil
	}
	return []button{
		{Label: "Helpful", Emoji: "👍", CustomID: voteID(true, answerID), Style: discordgo.SecondaryButton},
		{Label: "Not helpful", Emoji: "👎", CustomID: voteID(false, answerID), Style: discordgo.SecondaryButton},
		citeButton(),
	}
}

// locate is the citation's locator (answer.Locate), escaped: the same words
// as in the terminal and in JSON.
func locate(title string, authors []string, year int, section string, page, paragraph int) string {
	return escapeMarkdown(answer.Locate(title, authors, year, section, page, paragraph))
}

// paraLabel is the end of a locator, "p. 9, ¶ 3".
func paraLabel(p answer.Passage) string {
	if s := answer.PageParagraph(p.Page, p.Paragraph); s != "" {
		return s
	}
	return "passage"
}

// shortQuote is a verbatim quote in a block quote, shortened with " […]".
func shortQuote(q string) string {
	q, cut := cutWords(strings.TrimSpace(q), maxShortQuote)
	body := escapeMarkdown(q)
	if cut {
		body += " […]"
	}
	return quoteLines("\"" + body + "\"")
}

// sourcesLine names the cited documents with their paragraphs.
func sourcesLine(cs []answer.Citation) string {
	var docs []string
	paras := map[string][]int{}
	titles := map[string]string{}
	for _, c := range cs {
		if _, ok := paras[c.Doc]; !ok {
			docs = append(docs, c.Doc)
			titles[c.Doc] = c.Title
			paras[c.Doc] = nil
		}
		if c.Paragraph > 0 && !slices.Contains(paras[c.Doc], c.Paragraph) {
			paras[c.Doc] = append(paras[c.Doc], c.Paragraph)
		}
	}
	if len(docs) == 0 {
		return ""
	}
	items := make([]string, len(docs))
	for i, d := range docs {
		items[i] = escapeMarkdown(orUntitled(titles[d]))
		if ps := paras[d]; len(ps) > 0 {
			nums := make([]string, len(ps))
			for j, p := range ps {
				nums[j] = "¶ " + strconv.Itoa(p)
			}
			items[i] += " (" + strings.Join(nums, ", ") + ")"
		}
	}
	return "**Sources:** " + strings.Join(items, " · ")
}

func passageNumbered(ps []answer.Passage, n int) (answer.Passage, bool) {
	for _, p := range ps {
		if p.N == n {
			return p, true
		}
	}
	return answer.Passage{}, false
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if short, cut := cutWords(s, n); cut {
		return short + "…"
	}
	return s
}

func orUntitled(title string) string {
	if strings.TrimSpace(title) == "" {
		return "Untitled"
	}
	return title
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
