package bot

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// noMentions lets nothing a message says ping anyone: not @everyone, not a
// user or role, not the author of the message replied to. Every message the
// bot sends or edits carries it.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func components(rows [][]button) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	for _, r := range rows {
		var bs []discordgo.MessageComponent
		for _, b := range r {
			btn := discordgo.Button{Label: b.Label, CustomID: b.CustomID, Style: b.Style}
			if b.Emoji != "" {
				btn.Emoji = &discordgo.ComponentEmoji{Name: b.Emoji}
			}
			bs = append(bs, btn)
		}
		out = append(out, discordgo.ActionsRow{Components: bs})
	}
	return out
}

// target is where an answer goes: a first message that is edited as the answer
// comes in (an interaction's deferred response, or a placeholder in a
// channel), and further messages after it when the answer is long.
type target interface {
	// edit replaces the first message's content, and its buttons when
	// withRows is set.
	edit(ctx context.Context, m message, withRows bool) error
	// send posts a further message.
	send(ctx context.Context, m message) error
}

// deliver shows msgs: the first replaces the first message, the rest follow.
func deliver(ctx context.Context, t target, msgs []message) error {
	for i, m := range msgs {
		var err error
		if i == 0 {
			err = t.edit(ctx, m, true)
		} else {
			err = t.send(ctx, m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// interactionReply answers one interaction and remembers how far it got, so
// that a failure can still reach the user the right way.
type interactionReply struct {
	b         *Bot
	i         *discordgo.Interaction
	ephemeral bool

	mu       sync.Mutex
	acked    bool // a response (deferred or not) was sent
	deferred bool // the response is a "thinking…" to be edited
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

func (r *interactionReply) callback(ctx context.Context, typ discordgo.InteractionResponseType, m message) error {
	data := &discordgo.InteractionResponseData{Content: m.Content, Components: components(m.Rows), AllowedMentions: noMentions()}
	if typ != discordgo.InteractionResponseUpdateMessage { // an update keeps the message's flags
		data.Flags = flags(r.ephemeral)
	}
	_, err := r.b.interactionCall(ctx, http.MethodPost, interactionCallbackURL(r.i), &discordgo.InteractionResponse{Type: typ, Data: data})
	if err == nil {
		r.mu.Lock()
		r.acked, r.deferred = true, typ == discordgo.InteractionResponseDeferredChannelMessageWithSource
		r.mu.Unlock()
	}
	return err
}

// deferReply acknowledges the interaction with "thinking…", to be edited later.
func (r *interactionReply) deferReply(ctx context.Context, ephemeral bool) error {
	r.ephemeral = ephemeral
	return r.callback(ctx, discordgo.InteractionResponseDeferredChannelMessageWithSource, message{})
}

// respond answers at once with msgs (the first as the response, the rest as
// follow-ups).
func (r *interactionReply) respond(ctx context.Context, msgs []message, ephemeral bool) error {
	r.ephemeral = ephemeral
	return r.answerWith(ctx, discordgo.InteractionResponseChannelMessageWithSource, msgs)
}

// update replaces the message a button was clicked on with msgs[0].
func (r *interactionReply) update(ctx context.Context, msgs []message) error {
	r.ephemeral = r.i.Message != nil && r.i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	return r.answerWith(ctx, discordgo.InteractionResponseUpdateMessage, msgs)
}

func (r *interactionReply) answerWith(ctx context.Context, typ discordgo.InteractionResponseType, msgs []message) error {
	if err := r.callback(ctx, typ, msgs[0]); err != nil {
		return err
	}
	for _, m := range msgs[1:] {
		if err := r.send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// edit changes the original response.
func (r *interactionReply) edit(ctx context.Context, m message, withRows bool) error {
	e := &discordgo.WebhookEdit{Content: &m.Content, AllowedMentions: noMentions()}
	if withRows {
		cs := components(m.Rows)
		e.Components = &cs
	}
	_, err := r.b.interactionCall(ctx, http.MethodPatch, webhookMessageURL(r.i, "@original"), e)
	return err
}

// send posts a follow-up message.
func (r *interactionReply) send(ctx context.Context, m message) error {
	_, err := r.b.interactionCall(ctx, http.MethodPost, followupURL(r.i), &discordgo.WebhookParams{
		Content: m.Content, Components: components(m.Rows), AllowedMentions: noMentions(), Flags: flags(r.ephemeral),
	})
	return err
}

// say tells the user something short, whatever state the interaction is in:
// a private response if there was none yet, else an edit of the "thinking…",
// else a follow-up.
func (r *interactionReply) say(ctx context.Context, text string) error {
	r.mu.Lock()
	acked, deferred := r.acked, r.deferred
	r.mu.Unlock()
	m := message{Content: text}
	switch {
	case !acked:
		return r.respond(ctx, []message{m}, true)
	case deferred:
		return r.edit(ctx, m, true)
	}
	return r.send(ctx, m)
}

// channelReply answers in a channel or thread: a placeholder message that is
// edited, replying to the question's message when ref is set.
type channelReply struct {
	s       *discordgo.Session
	channel string
	ref     *discordgo.MessageReference
	first   string // the placeholder's ID once sent
}

func (c *channelReply) start(ctx context.Context, text string) error {
	m, err := c.s.ChannelMessageSendComplex(c.channel, &discordgo.MessageSend{
		Content: text, AllowedMentions: noMentions(), Reference: c.ref,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return err
	}
	c.first = m.ID
	return nil
}

func (c *channelReply) edit(ctx context.Context, m message, withRows bool) error {
	if c.first == "" {
		return c.send(ctx, m)
	}
	e := &discordgo.MessageEdit{ID: c.first, Channel: c.channel, Content: &m.Content, AllowedMentions: noMentions()}
	if withRows {
		cs := components(m.Rows)
		e.Components = &cs
	}
	_, err := c.s.ChannelMessageEditComplex(e, discordgo.WithContext(ctx))
	return err
}

func (c *channelReply) send(ctx context.Context, m message) error {
	sent, err := c.s.ChannelMessageSendComplex(c.channel, &discordgo.MessageSend{
		Content: m.Content, Components: components(m.Rows), AllowedMentions: noMentions(), Reference: c.ref,
	}, discordgo.WithContext(ctx))
	if err == nil && c.first == "" {
		c.first = sent.ID
	}
	return err
}

// streamer shows an answer's partial text while a language model writes it:
// the first text at once, then at most one edit every `every`; stop returns
// only when no edit is in flight, so the final edit always comes last.
type streamer struct {
	show  func(ctx context.Context, text string) error
	every time.Duration

	mu   sync.Mutex
	text string
	news chan struct{} // holds a signal while there is text not yet shown

	once sync.Once
	quit chan struct{}
	done chan struct{}
}

func startStreamer(ctx context.Context, every time.Duration, show func(context.Context, string) error, onErr func(error)) *streamer {
	st := &streamer{show: show, every: every, news: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go st.loop(ctx, onErr)
	return st
}

// update takes the whole text so far (Request.Stream's contract). It never
// blocks: the model's stream must not wait for Discord.
func (st *streamer) update(text string) {
	st.mu.Lock()
	st.text = text
	st.mu.Unlock()
	select {
	case st.news <- struct{}{}:
	default:
	}
}

func (st *streamer) loop(ctx context.Context, onErr func(error)) {
	defer close(st.done)
	shown := ""
	var last time.Time
	for {
		select {
		case <-st.quit:
			return
		case <-ctx.Done():
			return
		case <-st.news:
		}
		if wait := time.Until(last.Add(st.every)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-st.quit:
				t.Stop()
				return
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		st.mu.Lock()
		text := st.text
		st.mu.Unlock()
		if text == "" || text == shown {
			continue
		}
		select {
		case <-st.quit: // stopping: the final edit is about to be made
			return
		default:
		}
		if err := st.show(ctx, text); err != nil && onErr != nil {
			onErr(err)
		}
		shown, last = text, time.Now()
	}
}

// stop ends the streaming and waits for an edit in flight; it may be called
// more than once.
func (st *streamer) stop() {
	st.once.Do(func() { close(st.quit) })
	<-st.done
}
