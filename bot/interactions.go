package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
)

// onInteraction handles a slash command, a context-menu command or a button.
// Commands that compute something are deferred at once: Discord wants an
// acknowledgement within 3 s, and the answer may take longer.
func (b *Bot) onInteraction(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	r := &interactionReply{b: b, i: i}
	if !b.begin() {
		lctx, cancel := lastWords(ctx)
		defer cancel()
		_ = r.say(lctx, renderShuttingDown())
		return
	}
	defer b.inflight.Done()
	defer b.recovered("interaction", func(errID string) {
		lctx, cancel := lastWords(ctx)
		defer cancel()
		if err := r.say(lctx, renderApology(errID)); err != nil {
			b.log.Warn("could not apologise", "error_id", errID, "err", b.redact(err.Error()))
		}
	})
	user := interactionUser(i)
	if ok, why := b.allowed(s, i.GuildID, i.ChannelID, user, memberRoles(i.Member)); !ok {
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete { // takes choices, not a message
			b.suggest(ctx, i, nil)
			return
		}
		b.tell(ctx, r, why)
		return
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		b.onCommand(ctx, r, user, i.ApplicationCommandData())
	case discordgo.InteractionMessageComponent:
		b.onButton(ctx, r, user, i.MessageComponentData())
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.onAutocomplete(ctx, i)
	default:
		b.log.Debug("ignoring interaction", "type", i.Type.String())
	}
}

func (b *Bot) onCommand(ctx context.Context, r *interactionReply, user string, d discordgo.ApplicationCommandInteractionData) {
	switch d.Name {
	case cmdAsk:
		b.ask(ctx, r, user, optionString(d, "question"), optionBool(d, "private"))
	case cmdQuote:
		b.search(ctx, r, user, cmdQuote, optionString(d, "topic"), optionBool(d, "private"))
	case cmdCheck:
		b.search(ctx, r, user, cmdCheck, optionString(d, "claim"), optionBool(d, "private"))
	case cmdFindSources:
		b.findSources(ctx, r, user, d)
	case cmdSources:
		if a := b.scoped(ctx, r); a != nil {
			b.reply(ctx, r, renderSources(a.Sources()), false)
		}
	case cmdReadings:
		b.onReadings(ctx, r, user, d)
	case cmdAddToReadings:
		b.addToReadings(ctx, r, user, d)
	case cmdReindex:
		b.reindex(ctx, r)
	case cmdCite:
		b.citeCommand(ctx, r, user, optionString(d, "text"), optionString(d, "style"))
	case cmdQuiz:
		b.quizCommand(ctx, r, user, d)
	case cmdHelp:
		b.reply(ctx, r, renderHelp(helpView{Inline: b.opts.Inline, FollowUps: b.opts.MessageContent, DMs: b.opts.DMs, Readings: b.opts.Library != nil}), true)
	default:
		b.tell(ctx, r, fmt.Sprintf("I don't know the command “%s”: it may be left over from an older version of me. "+
			"Type `/help` to see what I can do.", escapeMarkdown(d.Name)))
	}
}

// reply answers at once; a failure is logged (there is no one else to tell).
func (b *Bot) reply(ctx context.Context, r *interactionReply, msgs []message, ephemeral bool) {
	if err := r.respond(ctx, msgs, ephemeral); err != nil {
		b.failed("reply to an interaction", err)
	}
}

// tell says something short to the user alone.
func (b *Bot) tell(ctx context.Context, r *interactionReply, text string) {
	if err := r.say(ctx, text); err != nil {
		b.failed("reply to an interaction", err)
	}
}

// admit runs the checks a question passes before it is acknowledged: that it
// can be asked at all, the user's rate limit, and room in the queue. On
// refusal it tells the user privately and returns nil; on success, a place in
// the queue that the caller must release.
func (b *Bot) admit(ctx context.Context, r *interactionReply, user, q string) *ticket {
	if err := b.ans.CheckQuestion(q); err != nil {
		text, ok := renderQuestionError(err)
		if !ok {
			text = "I can't take that question: " + escapeMarkdown(err.Error())
		}
		b.tell(ctx, r, text)
		return nil
	}
	return b.take(ctx, r, user)
}

// take checks the user's rate limit and takes a place in the queue: nil, and
// the user told privately, when either refuses.
func (b *Bot) take(ctx context.Context, r *interactionReply, user string) *ticket {
	if ok, wait := b.limiter.take(user); !ok {
		b.tell(ctx, r, renderRateLimited(wait))
		return nil
	}
	tk, ok := b.gate.admit()
	if !ok {
		b.tell(ctx, r, renderBusy())
		return nil
	}
	return tk
}

// deferred acknowledges the interaction (privately or not), runs f in its
// turn in the queue, and releases the ticket. what names the command in logs.
func (b *Bot) deferred(ctx context.Context, r *interactionReply, tk *ticket, private bool, what string, f func()) {
	defer tk.release()
	if err := r.deferReply(ctx, private); err != nil {
		b.failed("defer "+what, err)
		return
	}
	b.inTurn(ctx, tk, r, f)
}

// ask answers /ask: deferred at once, then edited into the answer.
func (b *Bot) ask(ctx context.Context, r *interactionReply, user, q string, private bool) {
	tk := b.admit(ctx, r, user, q)
	if tk == nil {
		return
	}
	b.deferred(ctx, r, tk, private, "/ask", func() {
		b.answer(ctx, r, question{Text: q, ID: r.i.ID, Heading: true, Guild: r.i.GuildID, Channel: r.i.ChannelID})
	})
}

// search answers /quote and /check (and Find sources): passages, verbatim.
func (b *Bot) search(ctx context.Context, r *interactionReply, user, kind, q string, private bool) {
	tk := b.admit(ctx, r, user, q)
	if tk == nil {
		return
	}
	b.deferred(ctx, r, tk, private, "/"+kind, func() {
		sctx, cancel := context.WithTimeout(ctx, b.opts.AnswerTimeout)
		defer cancel()
		a, err := b.answererIn(sctx, r.i.GuildID, r.i.ChannelID)
		if err != nil {
			b.explain(ctx, r, err, "open the reading lists")
			return
		}
		ps, err := a.Search(sctx, q, 0)
		if err != nil {
			b.explain(ctx, r, err, "search")
			return
		}
		msgs := renderQuote(q, ps)
		if kind == cmdCheck {
			msgs = renderCheck(q, ps)
		}
		if err := deliver(sctx, r, msgs); err != nil {
			b.explain(ctx, r, err, "deliver passages")
		}
	})
}

// maxQueueWait bounds the wait for a turn, well inside the 15 minutes an
// interaction's token lives.
const maxQueueWait = 5 * time.Minute

// inTurn runs f when a slot is free. If none frees in time, or the bot stops
// meanwhile, it tells the user in t.
func (b *Bot) inTurn(ctx context.Context, tk *ticket, t target, f func()) {
	wait, cancel := context.WithTimeout(ctx, maxQueueWait)
	defer cancel()
	if err := tk.run(wait, f); err != nil {
		text := renderBusy()
		if ctx.Err() != nil {
			text = renderShuttingDown()
		}
		lctx, cancel := lastWords(ctx)
		defer cancel()
		if err := t.edit(lctx, message{Content: text}, true); err != nil {
			b.log.Warn("could not tell the user their question was dropped", "err", b.redact(err.Error()))
		}
	}
}

// findSources runs /check, privately, on the message it was used on.
func (b *Bot) findSources(ctx context.Context, r *interactionReply, user string, d discordgo.ApplicationCommandInteractionData) {
	var text string
	if d.Resolved != nil {
		if m := d.Resolved.Messages[d.TargetID]; m != nil {
			text = strings.TrimSpace(m.Content)
		}
	}
	if text == "" {
		b.tell(ctx, r, "That message has no text I can look up.")
		return
	}
	claim, _ := cutWords(strings.Join(strings.Fields(text), " "), 1000)
	b.search(ctx, r, user, cmdCheck, claim, true)
}

// question is a question on its way to an answer.
type question struct {
	Text    string
	History []answer.Turn
	// ID names the answer (the interaction or the question's message).
	ID string
	// Heading repeats the question above the answer.
	Heading bool
	// Conv is the conversation (thread or DM) whose history gains this turn;
	// "" for none.
	Conv string
	// Guild and Channel are where it was asked, for the reading lists it sees.
	Guild, Channel string
}

// answer computes an answer into t, showing it as it streams, and returns it;
// nil means it failed and the user was told why.
func (b *Bot) answer(ctx context.Context, t target, q question) *answer.Answer {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, b.opts.AnswerTimeout)
	defer cancel()
	st := startStreamer(actx, b.opts.StreamEvery, func(ctx context.Context, text string) error {
		return t.edit(ctx, message{Content: renderStreaming(text)}, false)
	}, func(err error) { b.log.Debug("streaming edit failed", "err", b.redact(err.Error())) })
	defer st.stop()
	eng, err := b.answererIn(actx, q.Guild, q.Channel)
	if err != nil {
		b.explain(ctx, t, err, "open the reading lists")
		return nil
	}
	a, err := eng.Ask(actx, answer.Request{Question: q.Text, History: q.History, Mode: b.opts.Mode, Stream: st.update})
	st.stop()
	if err == nil && a == nil {
		err = fmt.Errorf("the engine returned no answer and no error")
	}
	if err != nil {
		b.explain(ctx, t, err, "answer a question")
		return nil
	}
	heading := ""
	if q.Heading {
		heading = q.Text
	}
	b.answers.put(q.ID, record{Question: q.Text, Answer: a.Answer, Citations: a.Citations})
	if q.Conv != "" { // before the answer shows, so a quick follow-up sees it
		b.remember(ctx, q.Conv, q.Text, a)
	}
	msgs := renderAnswer(a, answerView{ID: q.ID, Question: heading})
	// Not actx: an answer that was ready as the deadline ran out (the
	// extractive one, when the model was too slow) must still be shown.
	if err := deliver(ctx, t, msgs); err != nil {
		b.explain(ctx, t, err, "deliver an answer")
		return nil
	}
	b.log.Debug("answered", "id", q.ID, "mode", a.Mode, "abstained", a.Abstained, "citations", len(a.Citations),
		"messages", len(msgs), "follow_up", len(q.History) > 0, "took", time.Since(start))
	return a
}

// explain tells the user why something failed: a refused question in words,
// anything else as an apology with an error ID, whose details go to the log.
func (b *Bot) explain(ctx context.Context, t target, err error, what string) {
	text, ok := renderQuestionError(err)
	if !ok {
		if ctx.Err() != nil {
			text = renderShuttingDown()
		} else {
			text = renderApology(b.failed(what, err))
		}
	}
	lctx, cancel := lastWords(ctx)
	defer cancel()
	if err := t.edit(lctx, message{Content: text}, true); err != nil {
		b.log.Warn("could not tell the user about a failure", "err", b.redact(err.Error()))
	}
}

func interactionUser(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

func memberRoles(m *discordgo.Member) []string {
	if m == nil {
		return nil
	}
	return m.Roles
}

// reindex answers /reindex: administrators reload the index; questions in
// flight finish on the old one.
func (b *Bot) reindex(ctx context.Context, r *interactionReply) {
	m := r.i.Member
	if b.opts.Reload == nil || m == nil || m.Permissions&discordgo.PermissionAdministrator == 0 {
		b.tell(ctx, r, "Only server administrators can reload the index.")
		return
	}
	if err := r.deferReply(ctx, true); err != nil {
		b.failed("defer /reindex", err)
		return
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	summary, err := b.opts.Reload(rctx)
	text := "Reloaded the index. " + escapeMarkdown(summary)
	if err != nil {
		errID := newErrorID()
		b.log.Error("reindex failed", "error_id", errID, "err", b.redact(err.Error()))
		text = fmt.Sprintf("The index could not be reloaded, so I keep answering from the old one (error %s): %s", errID, escapeMarkdown(err.Error()))
	} else {
		b.log.Info("index reloaded", "summary", summary)
	}
	if err := r.edit(ctx, message{Content: splitLine(text, 1900)[0]}, false); err != nil {
		b.failed("reply to /reindex", err)
	}
}
