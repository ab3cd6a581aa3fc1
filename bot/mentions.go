package bot

import (
	"context"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
)

// threadArchiveMinutes is how long a quiet answer thread stays open.
const threadArchiveMinutes = 1440

// onMessage answers "@Footnote question" in a channel (in a new thread named
// after the question, or inline), any message in a thread it answers in (a
// follow-up, read with the earlier questions) and, when enabled, DMs.
// Messages from bots, the bot itself included, are ignored.
func (b *Bot) onMessage(ctx context.Context, s *discordgo.Session, m *discordgo.Message) {
	self := selfID(s)
	if m.Author == nil || m.Author.Bot || self == "" || m.Author.ID == self {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	dm := m.GuildID == ""
	_, known := b.convs.get(m.ChannelID)
	mentioned := mentions(m, self)
	if !known && !mentioned && !dm && b.opts.MessageContent && b.opts.ConversationStore != nil {
		_, known = b.conversationOf(ctx, m.ChannelID) // a thread of its own from before a restart
	}
	switch {
	case dm && !b.opts.DMs:
		return
	case dm, known, mentioned:
	default:
		return
	}
	if !b.begin() {
		return
	}
	defer b.inflight.Done()
	c := &channelReply{s: s, channel: m.ChannelID, ref: m.SoftReference()}
	defer b.recovered("message", func(errID string) {
		lctx, cancel := lastWords(ctx)
		defer cancel()
		if err := c.edit(lctx, message{Content: renderApology(errID)}, true); err != nil {
			b.log.Warn("could not apologise", "error_id", errID, "err", b.redact(err.Error()))
		}
	})
	var roles []string
	if m.Member != nil {
		roles = m.Member.Roles
	}
	if ok, why := b.allowed(s, m.GuildID, m.ChannelID, m.Author.ID, roles); !ok {
		b.log.Debug("not answering a message", "reason", why)
		return
	}
	q := strings.TrimSpace(stripMention(m.Content, self))
	if q == "" {
		if mentioned { // with the content intent off, others' thread messages arrive empty: stay quiet
			b.send(ctx, c, "Ask me something after the mention — `@Footnote what does the text say about …?` — or type `/help`.")
		}
		return
	}
	if err := b.ans.CheckQuestion(q); err != nil {
		text, ok := renderQuestionError(err)
		if !ok {
			text = "I can't take that question: " + escapeMarkdown(err.Error())
		}
		b.send(ctx, c, text)
		return
	}
	if ok, wait := b.limiter.take(m.Author.ID); !ok {
		b.tellPrivately(ctx, s, m, renderRateLimited(wait))
		return
	}
	tk, ok := b.gate.admit()
	if !ok {
		b.send(ctx, c, renderBusy())
		return
	}
	defer tk.release()

	conv := b.whereToAnswer(ctx, s, m, q, self, dm || known, c)
	if err := c.start(ctx, "Looking through the sources…"); err != nil {
		b.failed("post the placeholder of an answer", err)
		return
	}
	var history []answer.Turn
	if conv != "" {
		if cv, ok := b.conversationOf(ctx, conv); ok {
			history = cv.Turns
		}
	}
	b.inTurn(ctx, tk, c, func() {
		b.answer(ctx, c, question{Text: q, History: history, ID: m.ID, Conv: conv, Guild: m.GuildID, Channel: c.channel})
	})
}

// whereToAnswer points c at the channel the answer goes to, opening a thread
// for a new question in a channel (unless answers are inline). It returns the
// conversation the question belongs to, "" for none.
func (b *Bot) whereToAnswer(ctx context.Context, s *discordgo.Session, m *discordgo.Message, q, self string, conversing bool, c *channelReply) string {
	if conversing { // a DM, or a thread the bot answers in
		return m.ChannelID
	}
	if parent, isThread, ours := threadInfo(ctx, s, m.ChannelID, self); isThread {
		if ours { // a thread of its own from before a restart: converse again
			if _, ok := b.conversationOf(ctx, m.ChannelID); !ok {
				b.convs.put(m.ChannelID, conversation{Parent: parent})
			}
			return m.ChannelID
		}
		return ""
	}
	if b.opts.Inline {
		return ""
	}
	th, err := s.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
		Name: oneLine(q, maxThreadName-1), AutoArchiveDuration: threadArchiveMinutes,
	}, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("could not open a thread: answering in the channel", "err", b.redact(err.Error()))
		return ""
	}
	b.convs.put(th.ID, conversation{Parent: m.ChannelID})
	b.keepConversation(ctx, th.ID, m.GuildID, m.ChannelID)
	c.channel, c.ref = th.ID, nil
	return th.ID
}

// threadInfo says whether a channel is a thread, its parent, and whether the
// bot started it.
func threadInfo(ctx context.Context, s *discordgo.Session, channelID, self string) (parent string, isThread, ours bool) {
	ch, err := s.State.Channel(channelID)
	if err != nil {
		if ch, err = s.Channel(channelID, discordgo.WithContext(ctx)); err != nil {
			return "", false, false
		}
	}
	if !ch.IsThread() {
		return "", false, false
	}
	return ch.ParentID, true, ch.OwnerID == self
}

// remember adds a question and its answer to a conversation's history.
func (b *Bot) remember(ctx context.Context, conv, q string, a *answer.Answer) {
	text := a.Answer
	if a.Abstained {
		text = "(not answered: the sources do not seem to cover this)"
	}
	b.keepTurn(ctx, conv, answer.Turn{Question: q, Answer: text})
	b.convs.update(conv, func(c conversation, _ bool) conversation {
		turns := append(slices.Clone(c.Turns), answer.Turn{Question: q, Answer: text})
		if n := len(turns) - b.opts.HistoryTurns; n > 0 {
			turns = turns[n:]
		}
		c.Turns = turns
		return c
	})
}

// send posts a short message where the question was asked.
func (b *Bot) send(ctx context.Context, c *channelReply, text string) {
	if err := c.send(ctx, message{Content: text}); err != nil {
		b.failed("reply to a message", err)
	}
}

// tellPrivately tells the author of m something in a DM; if that fails
// (their DMs may be closed) it reacts to m with ⏳ instead.
func (b *Bot) tellPrivately(ctx context.Context, s *discordgo.Session, m *discordgo.Message, text string) {
	channel := m.ChannelID
	if m.GuildID != "" {
		ch, err := s.UserChannelCreate(m.Author.ID, discordgo.WithContext(ctx))
		if err != nil {
			channel = ""
		} else {
			channel = ch.ID
		}
	}
	if channel != "" {
		_, err := s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{Content: text, AllowedMentions: noMentions()},
			discordgo.WithContext(ctx))
		if err == nil {
			return
		}
	}
	if err := s.MessageReactionAdd(m.ChannelID, m.ID, "⏳", discordgo.WithContext(ctx)); err != nil {
		b.log.Debug("could not tell a user about their rate limit", "err", b.redact(err.Error()))
	}
}

// mentions reports whether m mentions the user self.
func mentions(m *discordgo.Message, self string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == self {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+self+">") || strings.Contains(m.Content, "<@!"+self+">")
}

func stripMention(content, self string) string {
	content = strings.ReplaceAll(content, "<@"+self+">", "")
	return strings.ReplaceAll(content, "<@!"+self+">", "")
}
