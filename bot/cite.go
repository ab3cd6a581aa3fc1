package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/cite"
)

// Citation buttons: "k::" under an answer or a /quote reply cites the
// passages of the message it is under; "k:<style>:<view>" under a citation
// view shows that view in another style.
const kindCite = "k"

const citeButtonID = kindCite + "::"

// maxCited is how many passages one citation view cites.
const maxCited = 5

func citeButton() button {
	return button{Label: "Cite", Emoji: "📑", CustomID: citeButtonID, Style: discordgo.SecondaryButton}
}

// citeItem is one passage a citation view cites, with the quotes of it an
// answer used ("" quotes: the passage itself is cited).
type citeItem struct {
	N      int
	Doc    string
	Start  int
	Quotes []string
}

// onStudyButton handles the study tools' buttons; false: not one of theirs.
func (b *Bot) onStudyButton(ctx context.Context, r *interactionReply, user string, customID string) bool {
	kind, rest, _ := strings.Cut(customID, ":")
	switch kind {
	case kindCite:
		style, view, ok := strings.Cut(rest, ":")
		if !ok {
			return false
		}
		b.citeView(ctx, r, style, view)
		return true
	case kindQuiz:
		b.quizPress(ctx, r, user, rest)
		return true
	}
	return false
}

// citeView shows, to the person who clicked alone, the citations of the
// passages under the message clicked (view "") or of an earlier view in
// another style.
func (b *Bot) citeView(ctx context.Context, r *interactionReply, styleName, view string) {
	st := b.study.style
	if styleName != "" {
		var err error
		if st, err = cite.ParseStyle(styleName); err != nil {
			b.tell(ctx, r, "This button doesn't work any more: press Cite again.")
			return
		}
	}
	var items []citeItem
	if view == "" {
		items = b.citedUnder(r.i.Message)
		view = r.i.ID
		b.study.views.put(view, items)
	} else {
		var ok bool
		if items, ok = b.study.views.get(view); !ok {
			b.tell(ctx, r, "I no longer have these citations (I may have restarted): press Cite under the answer again.")
			return
		}
	}
	if len(items) == 0 {
		b.tell(ctx, r, "There is no passage under this message to cite.")
		return
	}
	a := b.scoped(ctx, r) // a reading another channel or guild sees is not cited here
	if a == nil {
		return
	}
	var ps []citedPassage
	for _, it := range items {
		doc, ok := b.docPath(a, it.Doc)
		if !ok {
			continue
		}
		s, err := a.Around(doc, it.Start, 0)
		if err != nil {
			b.log.Debug("cited passage not found", "doc", doc, "start", it.Start, "err", err)
			continue
		}
		s.Passage.N = it.N
		ps = append(ps, citedPassage{Passage: s.Passage, Quotes: it.Quotes})
	}
	if len(ps) == 0 {
		b.tell(ctx, r, "Those passages are no longer in the sources (they have changed since): ask again.")
		return
	}
	msgs := renderCitations(ps, st, view)
	if styleName != "" && r.i.Message != nil && r.i.Message.Flags&discordgo.MessageFlagsEphemeral != 0 {
		if err := r.update(ctx, msgs); err != nil {
			b.failed("switch a citation style", err)
		}
		return
	}
	b.reply(ctx, r, msgs, true)
}

// citedUnder lists the passages whose buttons are under m, with the quotes
// the answer took from each (when the answer is still remembered).
func (b *Bot) citedUnder(m *discordgo.Message) []citeItem {
	if m == nil {
		return nil
	}
	var items []citeItem
	var rec record
	haveRec := false
	for _, row := range m.Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			btn, ok := c.(*discordgo.Button)
			if !ok {
				continue
			}
			id, err := parseCustomID(btn.CustomID)
			if err != nil {
				continue
			}
			switch id.Kind {
			case kindPassage:
				if len(items) < maxCited {
					n := 0
					fmt.Sscanf(btn.Label, "[%d]", &n)
					items = append(items, citeItem{N: n, Doc: id.Doc, Start: id.Start})
				}
			case kindVote:
				rec, haveRec = b.answers.get(id.Answer)
			}
		}
	}
	if haveRec {
		for i := range items {
			for _, c := range rec.Citations {
				if c.N == items[i].N && (c.Doc == items[i].Doc || "#"+docHash(c.Doc) == items[i].Doc) {
					items[i].Quotes = append(items[i].Quotes, c.Quote)
				}
			}
		}
	}
	return items
}

var styleLabel = map[cite.Style]string{cite.APA: "APA", cite.MLA: "MLA", cite.Chicago: "Chicago"}

type citedPassage struct {
	Passage answer.Passage
	Quotes  []string
}

// sourceOf is what a citation says about a passage's document.
func sourceOf(p answer.Passage) cite.Source {
	return cite.SourceOf(p.Title, p.Doc, p.Authors, p.Year, p.URL)
}

func locatorOf(page, paragraph int) cite.Locator {
	if page > 0 {
		return cite.Locator{Page: page}
	}
	return cite.Locator{Paragraph: paragraph}
}

// codeBlock shows text as it is, for pasting: Discord does not reformat it.
func codeBlock(lines ...string) string {
	body := strings.ReplaceAll(strings.Join(lines, "\n"), "```", "'''")
	return "```\n" + body + "\n```"
}

// renderCitations is a citation view: for each passage its reference entry
// and the in-text citation of its quotes, with buttons to switch styles.
func renderCitations(ps []citedPassage, st cite.Style, view string) []message {
	blocks := []string{"**Citations** · " + st.Name() + " · paste them as they are"}
	for _, c := range ps {
		p := c.Passage
		src := sourceOf(p)
		ct := cite.Of(st, src, locatorOf(p.Page, p.Paragraph))
		head := locate(p.Title, p.Authors, p.Year, p.Section, p.Page, p.Paragraph)
		if p.N > 0 {
			head = fmt.Sprintf("**[%d]** %s", p.N, head)
		}
		lines := []string{"Reference:", ct.Reference, "In-text:"}
		if len(c.Quotes) == 0 {
			lines = append(lines, ct.InText)
		}
		for _, q := range c.Quotes {
			short, cut := cutWords(strings.Join(strings.Fields(q), " "), 200)
			if cut {
				short += " …"
			}
			lines = append(lines, "\u201c"+short+"\u201d "+ct.InText)
		}
		blocks = append(blocks, head+"\n"+codeBlock(lines...))
	}
	var row []button
	for _, s := range cite.Styles() {
		style := discordgo.SecondaryButton
		if s == st {
			style = discordgo.PrimaryButton
		}
		row = append(row, button{Label: styleLabel[s], CustomID: kindCite + ":" + string(s) + ":" + view, Style: style})
	}
	return withButtons(strings.Join(blocks, "\n\n"), [][]button{row})
}

// cite answers /cite: is the text verbatim in the readings, where, and its
// citation; else the closest passage, what differs, and its citation as a
// paraphrase. The reply is private: it is about the student's own essay.
func (b *Bot) citeCommand(ctx context.Context, r *interactionReply, user, text, styleName string) {
	st := b.study.style
	if styleName != "" {
		var err error
		if st, err = cite.ParseStyle(styleName); err != nil {
			b.tell(ctx, r, escapeMarkdown(err.Error()))
			return
		}
	}
	a := b.scoped(ctx, r) // what this channel sees: the operator's corpus and its reading lists
	if a == nil {
		return
	}
	lib, ok := a.(cite.Library)
	if !ok {
		b.tell(ctx, r, "Quote checks are not available with these sources.")
		return
	}
	if ok, wait := b.limiter.take(user); !ok {
		b.tell(ctx, r, renderRateLimited(wait))
		return
	}
	tk, ok := b.gate.admit()
	if !ok {
		b.tell(ctx, r, renderBusy())
		return
	}
	defer tk.release()
	if err := r.deferReply(ctx, true); err != nil {
		b.failed("defer /cite", err)
		return
	}
	b.inTurn(ctx, tk, r, func() {
		cctx, cancel := context.WithTimeout(ctx, b.opts.AnswerTimeout)
		defer cancel()
		c, err := cite.CheckQuote(cctx, lib, text, st)
		if errors.Is(err, cite.ErrEmptyQuote) || errors.Is(err, cite.ErrBadQuote) || errors.Is(err, cite.ErrLongQuote) {
			_ = r.edit(ctx, message{Content: "I can't check that: " + escapeMarkdown(err.Error()) + "."}, true)
			return
		}
		if err != nil {
			b.explain(ctx, r, err, "check a quote")
			return
		}
		if err := deliver(cctx, r, renderQuoteCheck(c, st)); err != nil {
			b.explain(ctx, r, err, "deliver a quote check")
		}
	})
}

// renderQuoteCheck shows the outcome of /cite.
func renderQuoteCheck(c *cite.Check, st cite.Style) []message {
	if c.Found == nil {
		return []message{{Content: "**Not found.** Nothing in the readings is close to this quote, so I can't cite it. " +
			"Check its wording, or use `/quote` to find the passages on its topic."}}
	}
	f := c.Found
	where := "**" + escapeMarkdown(orUntitled(f.Title)) + "**"
	if f.Page > 0 {
		where += ", p. " + strconv.Itoa(f.Page)
	}
	if f.Paragraph > 0 {
		where += ", ¶ " + strconv.Itoa(f.Paragraph)
	}
	var blocks []string
	label := st.Name()
	if c.Verbatim {
		blocks = append(blocks, "**Verbatim**: your quote is word for word in "+where+". The sentence around it:",
			quoteLines(escapeMarkdown(shorten(f.Sentence, maxPassageText))))
	} else {
		label += " · paraphrase"
		blocks = append(blocks, "**Not verbatim.** The closest passage is in "+where+":",
			quoteLines(escapeMarkdown(shorten(f.Quote, maxPassageText))),
			"**What differs**: [-words of the source you dropped or changed-] {+your words+}\n"+codeBlock(shorten(c.Diff, 900)))
	}
	blocks = append(blocks, "**"+label+"**\n"+codeBlock("Reference:", c.Citation.Reference, "In-text:", c.Citation.InText))
	return withButtons(strings.Join(blocks, "\n\n"), nil)
}

func shorten(s string, n int) string {
	s, cut := cutWords(strings.Join(strings.Fields(s), " "), n)
	if cut {
		s += " …"
	}
	return s
}

// helpStudy is what /help says of the study tools, with an example each.
const helpStudy = "**For essays and exams**\n" +
	"**📑 Cite** — under an answer or `/quote`: each passage's reference entry and in-text citation, for you alone, " +
	"in APA 7th, MLA 9th or Chicago. E.g. `Lima, A., & Zhang, W. (2019). Tidal Energy. (Lima & Zhang, 2019, p. 12)`\n" +
	"`/cite text style` — is your quote word for word in the readings? Where, and its citation; if not, the closest " +
	"passage and what differs. E.g. `/cite text:the latent causes of faction are sown in the nature of man`\n" +
	"`/quiz topic count` — a multiple-choice quiz from the readings in a new thread; one answer each per question, " +
	"scores at the end (`/quiz stop:True` ends it early). E.g. `/quiz topic:trade count:5`"
