package discordtest

import (
	"strconv"
	"testing"
	"time"
)

// Option is one option of a slash command.
type Option struct {
	Name  string
	Value any // string, bool or Attachment
	// Focused marks the option being typed in an Autocomplete.
	Focused bool
}

// Interaction is an interaction a user made: a command or a button click.
type Interaction struct {
	ID, Token string
	// Sent is when INTERACTION_CREATE was written to the gateway.
	Sent time.Time

	s *Server
}

func (s *Server) placeJSON(payload map[string]any, u User, ch Channel) {
	s.mu.Lock()
	if _, ok := s.channels[ch.ID]; !ok {
		s.channels[ch.ID] = ch
	}
	s.mu.Unlock()
	payload["channel_id"] = ch.ID
	if ch.DM {
		payload["user"] = userJSON(u)
		return
	}
	s.mu.Lock()
	payload["guild_id"] = s.guildOf(ch)
	s.mu.Unlock()
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	perms := strconv.FormatInt(u.Permissions|1024, 10) // View Channels
	if u.Admin {
		perms = "8" // Administrator
	}
	payload["member"] = map[string]any{"user": userJSON(u), "roles": roles, "permissions": perms}
}

func (s *Server) interact(u User, ch Channel, typ int, data map[string]any, clicked *Message) *Interaction {
	s.mu.Lock()
	ix := &interaction{id: s.id(), channelID: ch.ID, user: u}
	ix.token = "ixtoken-" + ix.id
	if clicked != nil {
		ix.messageID = clicked.ID
	}
	s.ixs[ix.token] = ix
	s.mu.Unlock()
	payload := map[string]any{"id": ix.id, "application_id": s.BotID, "type": typ, "data": data,
		"token": ix.token, "version": 1, "locale": "en-US"}
	if clicked != nil {
		s.mu.Lock()
		payload["message"] = s.messageJSON(clicked)
		s.mu.Unlock()
	}
	s.placeJSON(payload, u, ch)
	sent := s.Dispatch("INTERACTION_CREATE", payload)
	s.mu.Lock()
	ix.sent = sent
	s.mu.Unlock()
	return &Interaction{ID: ix.id, Token: ix.token, Sent: sent, s: s}
}

// Slash runs a chat command, e.g. Slash(u, ch, "ask", Option{"question", "Why?"}).
func (s *Server) Slash(u User, ch Channel, name string, opts ...Option) *Interaction {
	var list []any
	for _, o := range opts {
		typ := 3
		if _, ok := o.Value.(bool); ok {
			typ = 5
		}
		list = append(list, map[string]any{"name": o.Name, "type": typ, "value": o.Value})
	}
	return s.interact(u, ch, 2, map[string]any{"id": s.NewID(), "name": name, "type": 1, "options": list}, nil)
}

// MessageCommand runs a message context-menu command on target.
func (s *Server) MessageCommand(u User, ch Channel, name string, target Message) *Interaction {
	s.mu.Lock()
	tm := s.messageJSON(&target)
	s.mu.Unlock()
	return s.interact(u, ch, 2, map[string]any{"id": s.NewID(), "name": name, "type": 3, "target_id": target.ID,
		"resolved": map[string]any{"messages": map[string]any{target.ID: tm}}}, nil)
}

// Click presses a button under message m.
func (s *Server) Click(u User, m Message, customID string) *Interaction {
	s.mu.Lock()
	ch := s.channels[m.ChannelID]
	if ch.ID == "" {
		ch = Channel{ID: m.ChannelID}
	}
	s.mu.Unlock()
	return s.interact(u, ch, 3, map[string]any{"custom_id": customID, "component_type": 2}, &m)
}

// Say posts a message as user u in ch; mentionBot prefixes it with the bot's
// mention (and lists the bot in mentions), as the Discord client does.
func (s *Server) Say(u User, ch Channel, content string, mentionBot bool) Message {
	return s.SayWithFiles(u, ch, content, mentionBot)
}

// SayWithFiles is Say with files attached to the message (see Attach).
func (s *Server) SayWithFiles(u User, ch Channel, content string, mentionBot bool, atts ...Attachment) Message {
	s.mu.Lock()
	if _, ok := s.channels[ch.ID]; !ok {
		s.channels[ch.ID] = ch
	}
	m := &Message{ID: s.id(), ChannelID: ch.ID, Author: u, Content: content, Attachments: atts}
	if mentionBot {
		m.Content = "<@" + s.BotID + "> " + content
	}
	s.messages[m.ID] = m
	s.order = append(s.order, m.ID)
	payload := map[string]any{"id": m.ID, "channel_id": ch.ID, "content": m.Content, "author": userJSON(u),
		"timestamp": time.Now().UTC().Format(time.RFC3339), "mentions": []any{}, "type": 0,
		"attachments": attachmentsJSON(atts)}
	if mentionBot {
		payload["mentions"] = []any{s.user()}
	}
	if !ch.DM {
		payload["guild_id"] = s.guildOf(s.channels[ch.ID])
		payload["member"] = map[string]any{"roles": append([]string{}, u.Roles...)}
	}
	out := m.clone()
	s.mu.Unlock()
	s.Dispatch("MESSAGE_CREATE", payload)
	return out
}

// Response is what became of an interaction.
type Response struct {
	// Type is the callback type (4 message, 5 deferred, 7 update), 0 if none yet.
	Type int
	// At is when the callback arrived.
	At time.Time
	// Original is the response message (for types 4 and 5).
	Original Message
	// Followups are the follow-up messages, oldest first.
	Followups []Message
}

// Messages returns the original response (if any) and the follow-ups.
func (r Response) Messages() []Message {
	var out []Message
	if r.Original.ID != "" {
		out = append(out, r.Original)
	}
	return append(out, r.Followups...)
}

// Response returns the interaction's state now.
func (ix *Interaction) Response() Response {
	ix.s.mu.Lock()
	defer ix.s.mu.Unlock()
	return ix.response()
}

func (ix *Interaction) response() Response {
	st := ix.s.ixs[ix.Token]
	r := Response{Type: st.callback, At: st.callbackAt}
	if m := ix.s.messages[st.originalID]; m != nil {
		r.Original = m.clone()
	}
	for _, id := range st.followupIDs {
		r.Followups = append(r.Followups, ix.s.messages[id].clone())
	}
	return r
}

// Wait waits until cond holds for the interaction's response and returns it.
func (ix *Interaction) Wait(tb testing.TB, timeout time.Duration, what string, cond func(Response) bool) Response {
	tb.Helper()
	var r Response
	if !ix.s.waitUntil(timeout, func() bool {
		r = ix.response()
		return cond(r)
	}) {
		tb.Fatalf("discordtest: timed out after %v waiting for %s; the interaction has response type %d, "+
			"original %q (deferred %v), %d follow-ups", timeout, what, r.Type, r.Original.Content, r.Original.Deferred, len(r.Followups))
	}
	return r
}

// WaitAcked waits for the interaction's callback.
func (ix *Interaction) WaitAcked(tb testing.TB, timeout time.Duration) Response {
	tb.Helper()
	return ix.Wait(tb, timeout, "the interaction to be acknowledged", func(r Response) bool { return r.Type != 0 })
}

// WaitDone waits until the original response is no longer "thinking…" and
// shows its final form: done reports whether a response counts as final.
func (ix *Interaction) WaitDone(tb testing.TB, timeout time.Duration, done func(Response) bool) Response {
	tb.Helper()
	return ix.Wait(tb, timeout, "the interaction's final response", func(r Response) bool {
		return r.Type != 0 && !r.Original.Deferred && done(r)
	})
}
