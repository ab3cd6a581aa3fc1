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

// gatewayState is the fake's side of the gateway: the current connection, the
// session it identified, and the events dispatched in it (for RESUME replay).
type gatewayState struct {
	upgrader websocket.Upgrader

	// wmu lets one writer at a time write to a connection (gorilla/websocket's
	// rule). Whoever needs both locks takes wmu before Server.mu.
	wmu  sync.Mutex
	conn *websocket.Conn

	// guarded by Server.mu:
	session      string
	seq          int64
	events       []event
	identified   int
	resumed      int
	rejectResume bool
	conns        []*websocket.Conn
}

type event struct {
	seq  int64
	body []byte
}

func newGatewayState() *gatewayState {
	return &gatewayState{upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}}
}

func (g *gatewayState) closeAll() {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
	g.conn = nil
}

// write sends one payload on c, or on the current connection when c is nil.
// It returns when the payload is written (or the write fails).
func (g *gatewayState) write(c *websocket.Conn, v any) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if c == nil {
		c = g.conn
	}
	if c == nil {
		return websocket.ErrCloseSent
	}
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
			if s.gw.conn == c {
				s.gw.conn = nil
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
	}
	_ = json.Unmarshal(raw, &d)
	if !s.tokenOK(d.Token) {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(time.Second))
		return false
	}
	// The writer lock first, then s.mu: nothing is dispatched between READY
	// and the connection becoming current.
	s.gw.wmu.Lock()
	s.mu.Lock()
	s.gw.identified++
	s.gw.session = "session-" + strconv.Itoa(s.gw.identified)
	s.gw.seq = 0
	s.gw.events = nil
	ready := s.dispatchFrame("READY", map[string]any{
		"v": 9, "session_id": s.gw.session, "user": s.user(),
		"application":        map[string]any{"id": s.BotID, "flags": 0},
		"guilds":             []any{map[string]any{"id": s.GuildID, "unavailable": true}},
		"resume_gateway_url": "ws" + s.URL[len("http"):] + "/gateway",
	})
	s.notify()
	s.mu.Unlock()
	s.gw.conn = c
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
	if s.gw.rejectResume || d.SessionID != s.gw.session {
		s.gw.rejectResume = false
		s.mu.Unlock()
		_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = c.WriteJSON(map[string]any{"op": 9, "d": false})
		return true
	}
	var replay [][]byte
	for _, e := range s.gw.events {
		if e.seq > d.Seq {
			replay = append(replay, e.body)
		}
	}
	resumed := s.dispatchFrame("RESUMED", map[string]any{})
	s.gw.resumed++
	s.notify()
	s.mu.Unlock()
	s.gw.conn = c
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	for _, b := range replay {
		_ = c.WriteMessage(websocket.TextMessage, b)
	}
	_ = c.WriteJSON(resumed)
	return true
}

// dispatchFrame numbers a dispatch and keeps it for replay; s.mu must be held.
func (s *Server) dispatchFrame(t string, d any) map[string]any {
	s.gw.seq++
	f := map[string]any{"op": 0, "t": t, "s": s.gw.seq, "d": d}
	body, _ := json.Marshal(f)
	s.gw.events = append(s.gw.events, event{seq: s.gw.seq, body: body})
	return f
}

// Dispatch sends an event to the bot (or keeps it for the RESUME that follows a
// drop) and returns the time it was written.
func (s *Server) Dispatch(t string, d any) time.Time {
	s.gw.wmu.Lock()
	defer s.gw.wmu.Unlock()
	s.mu.Lock()
	f := s.dispatchFrame(t, d)
	s.mu.Unlock()
	at := time.Now()
	if s.gw.conn != nil {
		_ = s.gw.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_ = s.gw.conn.WriteJSON(f)
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

// Drop cuts the gateway connection without a close frame, as a network fault
// would; events dispatched until the bot resumes are replayed to it.
func (s *Server) Drop() {
	s.gw.wmu.Lock()
	defer s.gw.wmu.Unlock()
	if s.gw.conn != nil {
		_ = s.gw.conn.UnderlyingConn().Close()
		s.gw.conn = nil
	}
}

// RejectNextResume answers the next RESUME with INVALID_SESSION, so the bot
// must identify again.
func (s *Server) RejectNextResume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.rejectResume = true
}
