package discordtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// gatewayState is the fake's side of the gateway: the current connection of
// a session, the session it identified, and the events dispatched in it (for
// RESUME replay). With Options.Shards, one such session per shard: an event
// about a guild goes to the shard Discord would pick, (guild_id >> 22) %
// shard_count, with the shard count the bots identified with, and others
// (DMs) to shard 0. Without it, one session, whichever shard identifies.
type gatewayState struct {
	upgrader websocket.Upgrader
	sharded  bool

	// wmu lets one writer at a time write to a connection (gorilla/websocket's
	// rule) and guards each session's conn. Whoever needs both locks takes wmu
	// before Server.mu.
	wmu sync.Mutex

	// guarded by Server.mu (and the map by wmu too):
	shards       map[int]*session
	shardCount   int
	identified   int
	resumed      int
	rejectResume bool
	conns        []*websocket.Conn
}

// session is one shard's gateway session.
type session struct {
	conn *websocket.Conn // guarded by wmu

	// guarded by Server.mu:
	id     string
	seq    int64
	events []event
}

type event struct {
	seq  int64
	body []byte
}

func newGatewayState() *gatewayState {
	return &gatewayState{upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		shards: map[int]*session{0: {}}, shardCount: 1}
}

// shard returns shard n's session, making it; wmu and Server.mu must be held.
func (g *gatewayState) shard(n int) *session {
	if g.shards[n] == nil {
		g.shards[n] = &session{}
	}
	return g.shards[n]
}

// shardOf is the shard that receives an event with data d; Server.mu must be held.
func (g *gatewayState) shardOf(d any) int {
	m, ok := d.(map[string]any)
	if !ok || !g.sharded || g.shardCount <= 1 {
		return 0
	}
	guild, _ := m["guild_id"].(string)
	id, err := strconv.ParseUint(guild, 10, 64)
	if err != nil {
		return 0
	}
	return ShardOf(id, g.shardCount)
}

// ShardOf is the shard Discord sends a guild's events to.
func ShardOf(guildID uint64, shardCount int) int {
	if shardCount <= 1 {
		return 0
	}
	return int((guildID >> 22) % uint64(shardCount))
}

func (g *gatewayState) closeAll() {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
	for _, sh := range g.shards {
		sh.conn = nil
	}
}

// write sends one payload on c. It returns when the payload is written (or
// the write fails).
func (g *gatewayState) write(c *websocket.Conn, v any) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.WriteJSON(v)
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") != "9" || r.URL.Query().Get("encoding") != "json" {
		http.Error(w, "want ?v=9&encoding=json", http.StatusBadRequest)
		return
	}
	c, err := s.gw.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.gw.wmu.Lock()
	s.gw.conns = append(s.gw.conns, c)
	s.gw.wmu.Unlock()
	defer c.Close()
	if err := s.gw.write(c, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.heartbeat.Milliseconds()}}); err != nil {
		return
	}
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			s.gw.wmu.Lock()
			for _, sh := range s.gw.shards {
				if sh.conn == c {
					sh.conn = nil
				}
			}
			s.gw.wmu.Unlock()
			return
		}
		var f struct {
			Op   int             `json:"op"`
			Data json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &f) != nil {
			_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "Error while decoding payload."), time.Now().Add(time.Second))
			return
		}
		s.mu.Lock()
		s.frames = append(s.frames, Frame{At: time.Now(), Op: f.Op, Data: f.Data})
		s.notify()
		s.mu.Unlock()
		switch f.Op {
		case 1: // heartbeat
			_ = s.gw.write(c, map[string]any{"op": 11})
		case 2:
			if !s.identify(c, f.Data) {
				return
			}
		case 6:
			if !s.resume(c, f.Data) {
				return
			}
		}
	}
}

func (s *Server) tokenOK(t string) bool { return t == s.token || t == "Bot "+s.token }

func (s *Server) identify(c *websocket.Conn, raw json.RawMessage) bool {
	var d struct {
		Token string `json:"token"`
		Shard []int  `json:"shard"`
	}
	_ = json.Unmarshal(raw, &d)
	if !s.tokenOK(d.Token) {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(time.Second))
		return false
	}
	shard, count := 0, 1
	if len(d.Shard) == 2 {
		shard, count = d.Shard[0], d.Shard[1]
	}
	if count < 1 || shard < 0 || shard >= count {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4010, "Invalid shard."), time.Now().Add(time.Second))
		return false
	}
	// The writer lock first, then s.mu: nothing is dispatched between READY
	// and the connection becoming current.
	s.gw.wmu.Lock()
	s.mu.Lock()
	s.gw.identified++
	s.gw.shardCount = count
	key := shard
	if !s.gw.sharded {
		key = 0
	}
	sh := s.gw.shard(key)
	sh.id = "session-" + strconv.Itoa(s.gw.identified)
	sh.seq = 0
	sh.events = nil
	guilds := []any{}
	if id, err := strconv.ParseUint(s.GuildID, 10, 64); !s.gw.sharded || err == nil && ShardOf(id, count) == shard {
		guilds = append(guilds, map[string]any{"id": s.GuildID, "unavailable": true})
	}
	ready := s.dispatchFrame(sh, "READY", map[string]any{
		"v": 9, "session_id": sh.id, "user": s.user(),
		"application":        map[string]any{"id": s.BotID, "flags": 0},
		"guilds":             guilds,
		"shard":              []int{shard, count},
		"resume_gateway_url": "ws" + s.URL[len("http"):] + "/gateway",
	})
	s.notify()
	s.mu.Unlock()
	sh.conn = c
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_ = c.WriteJSON(ready)
	s.gw.wmu.Unlock()
	return true
}

func (s *Server) resume(c *websocket.Conn, raw json.RawMessage) bool {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(raw, &d)
	if !s.tokenOK(d.Token) {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(time.Second))
		return false
	}
	// The writer lock first, then s.mu, so that an event dispatched meanwhile
	// is either in the replay or written after it, never lost or doubled.
	s.gw.wmu.Lock()
	defer s.gw.wmu.Unlock()
	s.mu.Lock()
	var sh *session
	for _, x := range s.gw.shards {
		if x.id != "" && x.id == d.SessionID {
			sh = x
		}
	}
	if s.gw.rejectResume || sh == nil {
		s.gw.rejectResume = false
		s.mu.Unlock()
		_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = c.WriteJSON(map[string]any{"op": 9, "d": false})
		return true
	}
	var replay [][]byte
	for _, e := range sh.events {
		if e.seq > d.Seq {
			replay = append(replay, e.body)
		}
	}
	resumed := s.dispatchFrame(sh, "RESUMED", map[string]any{})
	s.gw.resumed++
	s.notify()
	s.mu.Unlock()
	sh.conn = c
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	for _, b := range replay {
		_ = c.WriteMessage(websocket.TextMessage, b)
	}
	_ = c.WriteJSON(resumed)
	return true
}

// dispatchFrame numbers a dispatch in sh and keeps it for replay; s.mu must be held.
func (s *Server) dispatchFrame(sh *session, t string, d any) map[string]any {
	sh.seq++
	f := map[string]any{"op": 0, "t": t, "s": sh.seq, "d": d}
	body, _ := json.Marshal(f)
	sh.events = append(sh.events, event{seq: sh.seq, body: body})
	return f
}

// Dispatch sends an event to the bot, on the session of the shard that
// Discord would pick for its guild (or keeps it for the RESUME that follows
// a drop), and returns the time it was written.
func (s *Server) Dispatch(t string, d any) time.Time {
	s.gw.wmu.Lock()
	defer s.gw.wmu.Unlock()
	s.mu.Lock()
	sh := s.gw.shard(s.gw.shardOf(d))
	f := s.dispatchFrame(sh, t, d)
	s.mu.Unlock()
	at := time.Now()
	if sh.conn != nil {
		_ = sh.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = sh.conn.WriteJSON(f)
	}
	return at
}

// WaitReady waits until the bot has identified (n = 1 for the first READY).
func (s *Server) WaitReady(tb testing.TB, n int, timeout time.Duration) {
	tb.Helper()
	s.Wait(tb, timeout, "the bot to identify", func() bool { return s.gw.identified >= n })
}

// Identified is how many times the bot identified; Resumed how many times it resumed.
func (s *Server) Identified() (identified, resumed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.identified, s.gw.resumed
}

// WaitResumed waits until the bot has resumed n times in all.
func (s *Server) WaitResumed(tb testing.TB, n int, timeout time.Duration) {
	tb.Helper()
	s.Wait(tb, timeout, "the bot to resume", func() bool { return s.gw.resumed >= n })
}

// Drop cuts the gateway connections (every shard's) without a close frame,
// as a network fault would; events dispatched until the bot resumes are
// replayed to it.
func (s *Server) Drop() {
	s.gw.wmu.Lock()
	defer s.gw.wmu.Unlock()
	for _, sh := range s.gw.shards {
		if sh.conn != nil {
			_ = sh.conn.UnderlyingConn().Close()
			sh.conn = nil
		}
	}
}

// RejectNextResume answers the next RESUME with INVALID_SESSION, so the bot
// must identify again.
func (s *Server) RejectNextResume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.rejectResume = true
}
