package bot

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
)

// aroundParagraphs is how many paragraphs before and after a passage
// "Show the paragraphs around it" adds.
const aroundParagraphs = 2

// onButton handles a click under one of the bot's messages. Passages show to
// the person who clicked alone; votes are stored.
func (b *Bot) onButton(ctx context.Context, r *interactionReply, user string, d discordgo.MessageComponentInteractionData) {
	if b.onStudyButton(ctx, r, user, d.CustomID) { // cite.go, quiz.go
		return
	}
	id, err := parseCustomID(d.CustomID)
	if err != nil {
		b.tell(ctx, r, "This button doesn't work any more: ask again for fresh ones.")
		return
	}
	switch id.Kind {
	case kindPassage, kindContext:
		b.showPassage(ctx, r, id)
	case kindVote:
		b.vote(ctx, r, user, id)
	}
}

func (b *Bot) showPassage(ctx context.Context, r *interactionReply, id customID) {
	n := 0
	if id.Kind == kindContext {
		n = aroundParagraphs
	}
	var s answer.Surroundings
	a := b.scoped(ctx, r) // a passage of a reading another channel or guild sees is not found
	if a == nil {
		return
	}
	doc, ok := b.docPath(a, id.Doc)
	if ok {
		var err error
		if s, err = a.Around(doc, id.Start, n); err != nil {
			b.log.Debug("passage of a button not found", "doc", doc, "start", id.Start, "err", err)
			ok = false
		}
	}
	if !ok {
		b.tell(ctx, r, "That passage is no longer in the sources (they have changed since): ask again for fresh buttons.")
		return
	}
	msgs := renderPassageView(s, n > 0)
	// A click on a passage view (already private) switches it in place.
	if r.i.Message != nil && r.i.Message.Flags&discordgo.MessageFlagsEphemeral != 0 {
		if err := r.update(ctx, msgs); err != nil {
			b.failed("update a passage view", err)
		}
		return
	}
	b.reply(ctx, r, msgs, true)
}

func (b *Bot) vote(ctx context.Context, r *interactionReply, user string, id customID) {
	rec, ok := b.answers.get(id.Answer)
	if !ok && r.i.Message != nil {
		// Given before a restart: keep what the message itself shows.
		rec.Answer = unescapeMarkdown(r.i.Message.Content)
	}
	v := Vote{Time: time.Now().UTC(), Helpful: id.Helpful, AnswerID: id.Answer, Question: rec.Question,
		Answer: rec.Answer, Citations: rec.Citations}
	if err := b.keepVote(ctx, user, v); err != nil {
		b.tell(ctx, r, renderApology(b.failed("store a vote", err)))
		return
	}
	text := "Thanks: noted as helpful."
	if !id.Helpful {
		text = "Thanks: noted as not helpful. It helps us see where the sources or the answers fall short."
	}
	b.tell(ctx, r, text)
}
