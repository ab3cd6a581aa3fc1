// Package discordtest is a fake Discord for tests: the REST routes a bot uses
// and a gateway websocket (HELLO, IDENTIFY, READY, heartbeats, RESUME, dispatch),
// served by httptest on a loopback port. A real discordgo.Session reaches it when
// its REST requests are sent to Server.URL (the gateway lookup then hands out the
// fake's own websocket address).
//
// The fake records every REST request and gateway frame, keeps the messages the
// bot sent as a user would see them (content, buttons, ephemeral or not, edits),
// and checks Discord's limits and the bot's allowed mentions on every payload,
// listing what it finds in Request.Problems. It knows nothing of Footnote.
package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The IDs of the fake's bot (also its application) and of its one guild.
const (
	BotID   = "900000000000000001"
	GuildID = "800000000000000001"
)

// Options configure a Server. Zero values are documented defaults.
type Options struct {
	// Token is the bot token the fake accepts, without "Bot "; "" means "test-token".
	Token string
	// HeartbeatInterval is sent in HELLO; 0 means 41.25 s as Discord does.
	HeartbeatInterval time.Duration
	// Shards keeps one gateway session per shard the bots identify as, and
	// dispatches each guild's events to the shard Discord would pick (see
	// ShardOf), for several bot processes sharing the fake; without it the
	// fake has one session, that of the last bot to identify.
	Shards bool
}

// User is someone who talks to the bot.
type User struct {
	ID    string
	Name  string
	Roles []string
	Bot   bool
	// Admin gives the user the Administrator permission in the guild.
	Admin bool
	// Permissions are the user's other permissions in the guild (a bit set
	// as Discord's, e.g. 1<<5 for Manage Server); View Channels is always set.
	Permissions int64
}

// Channel is where something happens: a guild channel, a thread, or a DM.
type Channel struct {
	ID string
	// DM makes the channel a direct message with the bot (no guild, no member).
	DM bool
	// Parent is the channel a thread was started in; "" for other channels.
	Parent string
	// Name is a thread's name.
	Name string
	// Owner is the user who started a thread.
	Owner string
	// Guild is the guild of the channel; "" means the fake's GuildID (a
	// thread is in its parent's guild).
	Guild string
}

// Button is one button as shown under a message.
type Button struct {
	Label    string
	CustomID string
	Style    int
	URL      string
}

// Message is a message as users see it.
type Message struct {
	ID        string
	ChannelID string
	Author    User
	Content   string
	// Rows holds the buttons, row by row.
	Rows      [][]Button
	Flags     int
	Ephemeral bool
	// Deferred is true while an interaction's response shows "thinking…".
	Deferred bool
	// Reference is the ID of the message this one replies to.
	Reference string
	Edits     int
	// Updated is when the message was posted or last edited.
	Updated time.Time
	// Interaction is the token of the interaction this message answers, if any.
	Interaction string
	// Attachments are the files a user's message carries.
	Attachments []Attachment
}

// Buttons lists all buttons, row after row.
func (m Message) Buttons() []Button {
	var out []Button
	for _, r := range m.Rows {
		out = append(out, r...)
	}
	return out
}

// Request is one REST request the fake received.
type Request struct {
	At     time.Time
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	Status int
	// Problems are the ways the request broke Discord's rules or the bot's own
	// (a message without allowed mentions, content over 2,000 characters, …).
	Problems []string
}

// Frame is one gateway payload the bot sent.
type Frame struct {
	At   time.Time
	Op   int
	Data json.RawMessage
}

// Server is a fake Discord.
type Server struct {
	// URL is the base URL to give the bot as its API base (DISCORD_API_BASE).
	URL string
	// BotID is the bot's user ID, which is also its application ID.
	BotID string
	// GuildID is the one guild the bot is in.
	GuildID string

	token     string
	heartbeat time.Duration
	http      *httptest.Server

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever state changes
	nextID    int64
	requests  []Request
	frames    []Frame
	messages  map[string]*Message
	order     []string // message IDs in creation order
	channels  map[string]Channel
	ixs       map[string]*interaction // by token
	faults    []fault
	gw        *gatewayState
	commands  map[string]json.RawMessage // route -> last commands PUT
	reactions []string                   // "channel/message/emoji"

	lookupFault LookupFault
	lookupFails int           // how many more lookups fail; negative: all
	quit        chan struct{} // closed by Close
	closeOnce   sync.Once
	files       map[string][]byte   // attachment ID -> bytes, served by the CDN route
	choices     map[string][]Choice // interaction token -> autocomplete choices
}

// New starts a fake Discord and stops it when the test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	s := &Server{
		BotID:     BotID,
		GuildID:   GuildID,
		token:     opts.Token,
		heartbeat: opts.HeartbeatInterval,
		changed:   make(chan struct{}),
		nextID:    1000,
		messages:  map[string]*Message{},
		channels:  map[string]Channel{},
		ixs:       map[string]*interaction{},
		commands:  map[string]json.RawMessage{},
		gw:        newGatewayState(),
		quit:      make(chan struct{}),
		files:     map[string][]byte{},
		choices:   map[string][]Choice{},
	}
	mux := http.NewServeMux()
	s.routes(mux)
	s.http = httptest.NewServer(mux)
	s.URL = s.http.URL
	s.gw.sharded = opts.Shards
	tb.Cleanup(s.Close)
	return s
}

// Close cuts the gateway and stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.quit) })
	s.gw.closeAll()
	s.http.CloseClientConnections()
	s.http.Close()
}

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.token }

// notify wakes everyone waiting for a change; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// id returns a fresh snowflake-like ID; s.mu must be held.
func (s *Server) id() string {
	s.nextID++
	return strconv.FormatInt(1_100_000_000_000_000_000+s.nextID, 10)
}

// NewID returns a fresh ID for a user, channel or message made up by a test.
func (s *Server) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id()
}

// Wait calls cond under the fake's lock until it returns true, or fails the
// test after timeout. It returns when cond does.
func (s *Server) Wait(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !s.waitUntil(timeout, cond) {
		tb.Fatalf("discordtest: timed out after %v waiting for %s", timeout, what)
	}
}

func (s *Server) waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// Requests returns every REST request so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Frames returns every gateway payload the bot sent, oldest first.
func (s *Server) Frames() []Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Frame(nil), s.frames...)
}

// FramesWithOp returns the gateway payloads with the given opcode.
func (s *Server) FramesWithOp(op int) []Frame {
	var out []Frame
	for _, f := range s.Frames() {
		if f.Op == op {
			out = append(out, f)
		}
	}
	return out
}

// Message returns a message by ID.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return m.clone(), true
}

// ChannelMessages returns the messages of a channel, oldest first.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channelMessages(channelID)
}

func (s *Server) channelMessages(channelID string) []Message {
	var out []Message
	for _, id := range s.order {
		if m := s.messages[id]; m.ChannelID == channelID {
			out = append(out, m.clone())
		}
	}
	return out
}

// Threads returns the threads started in a channel.
func (s *Server) Threads(parent string) []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, c := range s.channels {
		if c.Parent == parent {
			out = append(out, c)
		}
	}
	return out
}

// Commands returns the last command list registered on a route:
// "global" or a guild ID.
func (s *Server) Commands(scope string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[scope]
}

// Reactions lists the reactions the bot added, as "channel/message/emoji".
func (s *Server) Reactions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reactions...)
}

func (m *Message) clone() Message {
	c := *m
	c.Rows = make([][]Button, len(m.Rows))
	for i, r := range m.Rows {
		c.Rows[i] = append([]Button(nil), r...)
	}
	return c
}

// fault is a planned failure of the next matching request.
type fault struct {
	method, prefix string
	retryAfter     time.Duration
}

// RateLimitNext makes the next request with this method whose path starts with
// prefix (after /api/v9) fail with a 429 asking the client to retry after d.
func (s *Server) RateLimitNext(method, prefix string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, prefix: prefix, retryAfter: d})
}

func (s *Server) takeFault(method, path string) (fault, bool) {
	for i, f := range s.faults {
		if f.method == method && strings.HasPrefix(path, f.prefix) {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return f, true
		}
	}
	return fault{}, false
}

func (s *Server) user() map[string]any {
	return map[string]any{"id": s.BotID, "username": "Footnote", "discriminator": "0", "bot": true}
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "discriminator": "0", "bot": u.Bot}
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "flags": m.Flags,
		"author": userJSON(m.Author), "timestamp": time.Now().UTC().Format(time.RFC3339),
		"components": rowsJSON(m.Rows),
	}
	if c := s.channels[m.ChannelID]; !c.DM {
		out["guild_id"] = s.guildOf(c)
	}
	if len(m.Attachments) > 0 {
		out["attachments"] = attachmentsJSON(m.Attachments)
	}
	return out
}

func rowsJSON(rows [][]Button) []any {
	out := []any{}
	for _, r := range rows {
		var bs []any
		for _, b := range r {
			bs = append(bs, map[string]any{"type": 2, "label": b.Label, "style": b.Style, "custom_id": b.CustomID, "url": b.URL})
		}
		out = append(out, map[string]any{"type": 1, "components": bs})
	}
	return out
}

func (s *Server) String() string { return fmt.Sprintf("discordtest.Server(%s)", s.URL) }
