package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/store"
)

// Library is what the bot needs to keep the reading lists of guilds and
// channels: an engine over what one channel sees, and the lists themselves.
type Library interface {
	// In returns an engine over what a question in scope searches: the
	// operator's corpus (as configured) and the scope's reading lists.
	In(ctx context.Context, s readings.Scope) (*answer.Engine, error)
	// Add reads a file into a list, reporting progress; a file that cannot be
	// added is a *readings.Refusal.
	Add(ctx context.Context, up readings.Upload, progress func(readings.Progress)) (store.Reading, error)
	// Remove removes a reading of guild (store.ErrNotFound for another's).
	Remove(ctx context.Context, guild, id string) (store.Reading, error)
	// Readings lists every reading of a guild, guild-wide and each channel's.
	Readings(ctx context.Context, guild string) ([]store.Reading, error)
}

var _ Library = (*readings.Library)(nil)

// Conversations is what the bot needs to keep the history of its threads
// across restarts.
type Conversations interface {
	Conversation(ctx context.Context, id string) (store.Conversation, error)
	SaveConversation(ctx context.Context, c store.Conversation) error
	AppendTurn(ctx context.Context, id string, t store.Turn, keep int) error
}

var _ Conversations = (store.Store)(nil)

// Votes is what the bot needs to keep votes in the store.
type Votes interface {
	// AddVote records a vote by userID, kept hashed.
	AddVote(ctx context.Context, userID string, v store.Vote) error
}

var _ Votes = (store.Store)(nil)

// keepVote stores a vote: in the store when there is one, else in the votes file.
func (b *Bot) keepVote(ctx context.Context, user string, v Vote) error {
	if b.opts.VoteStore == nil {
		v.User = b.votes.hashUser(user)
		return b.votes.add(v)
	}
	return b.opts.VoteStore.AddVote(ctx, user, store.Vote{Time: v.Time, Helpful: v.Helpful, AnswerID: v.AnswerID,
		Question: v.Question, Answer: v.Answer, Citations: v.Citations})
}

// answererIn is the answerer for a question in a guild's channel (or a
// thread, which counts as its parent channel; guild "" for a DM): with
// reading lists, an engine over the operator's corpus and the lists the
// channel sees; without, the one answerer the bot was made with.
func (b *Bot) answererIn(ctx context.Context, guild, channel string) (Answerer, error) {
	if b.opts.Library == nil {
		return b.ans, nil
	}
	s := readings.Scope{Guild: guild}
	if guild != "" {
		s.Channel = b.scopeChannel(ctx, channel)
	}
	eng, err := b.opts.Library.In(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("reading lists: %w", err)
	}
	return eng, nil
}

// scoped is the answerer for an interaction's channel; nil when the reading
// lists cannot be opened, and the user was told.
func (b *Bot) scoped(ctx context.Context, r *interactionReply) Answerer {
	a, err := b.answererIn(ctx, r.i.GuildID, r.i.ChannelID)
	if err != nil {
		b.tell(ctx, r, renderApology(b.failed("open the reading lists", err)))
		return nil
	}
	return a
}

// scopeChannel is the channel whose reading list a channel sees: a thread's
// parent, else the channel itself. What is not known yet is asked of Discord
// once and remembered.
func (b *Bot) scopeChannel(ctx context.Context, channel string) string {
	if c, ok := b.convs.get(channel); ok && c.Parent != "" {
		return c.Parent
	}
	if p, ok := b.parents.get(channel); ok {
		return p
	}
	parent := channel
	ch, err := b.s.State.Channel(channel)
	if err != nil {
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ch, err = b.s.Channel(channel, discordgo.WithContext(lctx))
		cancel()
	}
	if err == nil && ch.IsThread() && ch.ParentID != "" {
		parent = ch.ParentID
	} else if err != nil {
		// A thread of unknown parent sees its own (empty) list and the
		// guild's: never another channel's.
		b.log.Debug("could not look up a channel for its reading list", "err", b.redact(err.Error()))
		return parent
	}
	b.parents.put(channel, parent)
	return parent
}

// conversationOf returns a conversation from memory or, after a restart,
// from the store.
func (b *Bot) conversationOf(ctx context.Context, id string) (conversation, bool) {
	if c, ok := b.convs.get(id); ok {
		return c, true
	}
	if b.opts.ConversationStore == nil {
		return conversation{}, false
	}
	sc, err := b.opts.ConversationStore.Conversation(ctx, id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			b.log.Warn("could not load a conversation", "err", b.redact(err.Error()))
		}
		return conversation{}, false
	}
	c := conversation{Parent: sc.Parent}
	for _, t := range sc.Turns {
		c.Turns = append(c.Turns, answer.Turn{Question: t.Question, Answer: t.Answer})
	}
	if n := len(c.Turns) - b.opts.HistoryTurns; n > 0 {
		c.Turns = slices.Clone(c.Turns[n:])
	}
	b.convs.update(id, func(old conversation, ok bool) conversation {
		if ok { // remembered meanwhile: that is newer
			return old
		}
		return c
	})
	return c, true
}

// keepConversation records a new conversation in the store.
func (b *Bot) keepConversation(ctx context.Context, id, guild, parent string) {
	if b.opts.ConversationStore == nil {
		return
	}
	if err := b.opts.ConversationStore.SaveConversation(ctx, store.Conversation{ID: id, Guild: guild, Parent: parent}); err != nil {
		b.log.Warn("could not store a conversation", "err", b.redact(err.Error()))
	}
}

// keepTurn adds a turn to a stored conversation.
func (b *Bot) keepTurn(ctx context.Context, id string, t answer.Turn) {
	if b.opts.ConversationStore == nil {
		return
	}
	turn := store.Turn{Question: t.Question, Answer: t.Answer, At: time.Now().UTC()}
	err := b.opts.ConversationStore.AppendTurn(ctx, id, turn, b.opts.HistoryTurns)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		// Kept in memory and written when the store is back (pending.go).
		if n := b.pending.add(pendingTurn{conversation: id, turn: turn, keep: b.opts.HistoryTurns}); n > 0 {
			b.log.Warn("the store is still unavailable: dropped the oldest waiting turns", "dropped", n)
		} else {
			b.log.Info("the store is unavailable: a conversation's turn will be written when it is back")
		}
	case err != nil:
		b.log.Warn("could not store a turn of a conversation", "err", b.redact(err.Error()))
	}
}

// pendingRetryEvery is how often turns waiting for the store are tried again.
const pendingRetryEvery = 2 * time.Second

// flushTurns writes the turns waiting for the store, every pendingRetryEvery,
// until ctx ends; then it tries once more, briefly.
func (b *Bot) flushTurns(ctx context.Context) {
	if b.opts.ConversationStore == nil {
		return
	}
	flush := func(ctx context.Context) {
		if b.pending.len() == 0 {
			return
		}
		left, errs := b.pending.flush(ctx, b.opts.ConversationStore)
		for _, err := range errs {
			b.log.Warn("could not store a turn of a conversation", "err", b.redact(err.Error()))
		}
		if left == 0 {
			b.log.Info("the store is back: wrote the conversations' waiting turns")
		}
	}
	t := time.NewTicker(pendingRetryEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			last, cancel := lastWords(ctx)
			defer cancel()
			flush(last)
			if n := b.pending.len(); n > 0 {
				b.log.Warn("stopping with turns the store could not take", "turns", n)
			}
			return
		case <-t.C:
			flush(ctx)
		}
	}
}
