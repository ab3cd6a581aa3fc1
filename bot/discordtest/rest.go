package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Discord's limits, checked on every message payload.
const (
	maxContent     = 2000
	maxRows        = 5
	maxRowButtons  = 5
	maxLabel       = 80
	maxCustomID    = 100
	maxThreadName  = 100
	flagEphemeral  = 1 << 6
	callbackMsg    = 4
	callbackDefer  = 5
	callbackUpdate = 7
	// callbackAutocomplete answers an autocomplete interaction with choices.
	callbackAutocomplete = 8
)

type interaction struct {
	id, token   string
	channelID   string
	messageID   string // the message a component was clicked on
	sent        time.Time
	callback    int // response type, 0 until answered
	callbackAt  time.Time
	originalID  string
	followupIDs []string
	user        User
}

// route is a REST handler: it returns a status and a JSON body (nil for 204).
type route func(r *http.Request, body []byte, req *Request) (int, any)

func (s *Server) routes(mux *http.ServeMux) {
	const api = "/api/v9"
	handle := func(pattern string, h route) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+api+path, s.serve(h))
	}
	mux.HandleFunc("GET /gateway", s.serveGateway)
	mux.HandleFunc("GET /gateway/", s.serveGateway)
	mux.HandleFunc("GET "+api+"/gateway", s.lookup(s.serve(s.getGateway)))
	mux.HandleFunc("GET "+api+"/gateway/bot", s.lookup(s.serve(s.getGateway)))
	handle("PUT /applications/{app}/commands", s.putCommands)
	handle("PUT /applications/{app}/guilds/{guild}/commands", s.putCommands)
	handle("POST /interactions/{id}/{token}/callback", s.postCallback)
	handle("PATCH /webhooks/{app}/{token}/messages/{msg}", s.patchWebhookMessage)
	handle("POST /webhooks/{app}/{token}", s.postFollowup)
	handle("POST /channels/{ch}/messages", s.postMessage)
	handle("PATCH /channels/{ch}/messages/{msg}", s.patchMessage)
	handle("POST /channels/{ch}/messages/{msg}/threads", s.postThread)
	handle("GET /channels/{ch}", s.getChannel)
	handle("POST /users/@me/channels", s.postDM)
	handle("PUT /channels/{ch}/messages/{msg}/reactions/{emoji}/@me", s.putReaction)
	mux.HandleFunc("GET /attachments/{id}/{name}", s.serveAttachment)
	mux.HandleFunc("/", s.serve(func(r *http.Request, _ []byte, _ *Request) (int, any) {
		return http.StatusNotFound, apiError(0, "404: Not Found")
	}))
}

func apiError(code int, msg string) map[string]any {
	return map[string]any{"code": code, "message": msg}
}

// serve records the request, applies planned faults and auth, then runs h.
func (s *Server) serve(h route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := Request{At: time.Now(), Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v9"),
			Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
		s.mu.Lock()
		var status int
		var resp any
		if f, ok := s.takeFault(r.Method, req.Path); ok {
			secs := strconv.FormatFloat(f.retryAfter.Seconds(), 'f', 3, 64)
			w.Header().Set("X-RateLimit-Limit", "5")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", secs)
			w.Header().Set("Retry-After", secs)
			status, resp = http.StatusTooManyRequests, map[string]any{
				"message": "You are being rate limited.", "retry_after": f.retryAfter.Seconds(), "global": false}
		} else if !strings.HasPrefix(req.Path, "/webhooks/") && !strings.HasPrefix(req.Path, "/interactions/") &&
			r.Header.Get("Authorization") != "Bot "+s.token {
			status, resp = http.StatusUnauthorized, apiError(0, "401: Unauthorized")
		} else {
			status, resp = h(r, body, &req)
		}
		req.Status = status
		s.requests = append(s.requests, req)
		s.notify()
		s.mu.Unlock()
		if resp == nil {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(resp)
	}
}

func (s *Server) getGateway(r *http.Request, _ []byte, _ *Request) (int, any) {
	ws := "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway"
	return http.StatusOK, map[string]any{"url": ws, "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}
}

func (s *Server) putCommands(r *http.Request, body []byte, _ *Request) (int, any) {
	if r.PathValue("app") != s.BotID {
		return http.StatusNotFound, apiError(10002, "Unknown Application")
	}
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		return http.StatusBadRequest, apiError(50109, "The request body contains invalid JSON.")
	}
	scope := "global"
	if g := r.PathValue("guild"); g != "" {
		scope = g
	}
	s.commands[scope] = append(json.RawMessage(nil), body...)
	for _, c := range cmds {
		c["id"] = s.id()
		c["application_id"] = s.BotID
	}
	return http.StatusOK, cmds
}

// payload is the part of a message body the fake reads.
type payload struct {
	Content         *string          `json:"content"`
	Flags           int              `json:"flags"`
	Components      *json.RawMessage `json:"components"`
	AllowedMentions *json.RawMessage `json:"allowed_mentions"`
	Reference       *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
}

// readPayload decodes a message payload and lists how it breaks the rules.
// checkedPayload is readPayload that also records the payload's problems on
// the request.
func checkedPayload(raw []byte, whole bool, req *Request) (payload, [][]Button, []string) {
	p, rows, problems := readPayload(raw, whole)
	req.Problems = append(req.Problems, problems...)
	return p, rows, problems
}

func readPayload(raw []byte, whole bool) (payload, [][]Button, []string) {
	var p payload
	var problems []string
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, nil, []string{"invalid JSON: " + err.Error()}
	}
	if p.AllowedMentions == nil {
		problems = append(problems, "no allowed_mentions: @everyone and user mentions in the text would ping")
	} else {
		var am struct {
			Parse *[]string `json:"parse"`
			Users []string  `json:"users"`
			Roles []string  `json:"roles"`
		}
		_ = json.Unmarshal(*p.AllowedMentions, &am)
		if am.Parse == nil || len(*am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 {
			problems = append(problems, "allowed_mentions is not {parse: []}: "+string(*p.AllowedMentions))
		}
	}
	if p.Content != nil {
		if n := len(utf16.Encode([]rune(*p.Content))); n > maxContent {
			problems = append(problems, fmt.Sprintf("content is %d characters, the limit is %d", n, maxContent))
		}
	}
	var rows [][]Button
	if p.Components != nil {
		var raws []struct {
			Type       int `json:"type"`
			Components []struct {
				Type     int    `json:"type"`
				Label    string `json:"label"`
				Style    int    `json:"style"`
				CustomID string `json:"custom_id"`
				URL      string `json:"url"`
			} `json:"components"`
		}
		_ = json.Unmarshal(*p.Components, &raws)
		if len(raws) > maxRows {
			problems = append(problems, fmt.Sprintf("%d component rows, the limit is %d", len(raws), maxRows))
		}
		for _, r := range raws {
			if r.Type != 1 {
				problems = append(problems, "top-level component is not an action row")
			}
			if len(r.Components) > maxRowButtons || len(r.Components) == 0 {
				problems = append(problems, fmt.Sprintf("a row has %d buttons, 1 to %d are allowed", len(r.Components), maxRowButtons))
			}
			var row []Button
			for _, b := range r.Components {
				if n := len([]rune(b.Label)); n > maxLabel || n == 0 {
					problems = append(problems, fmt.Sprintf("button label %q is %d characters, 1 to %d are allowed", b.Label, n, maxLabel))
				}
				if len(b.CustomID) > maxCustomID || (b.CustomID == "" && b.URL == "") {
					problems = append(problems, fmt.Sprintf("button custom_id %q is %d bytes, 1 to %d are allowed", b.CustomID, len(b.CustomID), maxCustomID))
				}
				row = append(row, Button{Label: b.Label, CustomID: b.CustomID, Style: b.Style, URL: b.URL})
			}
			rows = append(rows, row)
		}
	}
	if whole && (p.Content == nil || *p.Content == "") && len(rows) == 0 {
		problems = append(problems, "empty message (no content, no components)")
	}
	return p, rows, problems
}

func formError(problems []string) map[string]any {
	return map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": problems}
}

func (s *Server) newMessage(channelID string, p payload, rows [][]Button) *Message {
	m := &Message{ID: s.id(), ChannelID: channelID, Author: User{ID: s.BotID, Name: "Footnote", Bot: true},
		Rows: rows, Flags: p.Flags, Ephemeral: p.Flags&flagEphemeral != 0, Updated: time.Now()}
	if p.Content != nil {
		m.Content = *p.Content
	}
	if p.Reference != nil {
		m.Reference = p.Reference.MessageID
	}
	s.messages[m.ID] = m
	s.order = append(s.order, m.ID)
	return m
}

func (m *Message) apply(p payload, rows [][]Button) {
	if p.Content != nil {
		m.Content = *p.Content
	}
	if p.Components != nil {
		m.Rows = rows
	}
	m.Deferred = false
	m.Edits++
	m.Updated = time.Now()
}

func (s *Server) postCallback(r *http.Request, body []byte, req *Request) (int, any) {
	ix := s.ixs[r.PathValue("token")]
	if ix == nil || ix.id != r.PathValue("id") {
		return http.StatusNotFound, apiError(10062, "Unknown interaction")
	}
	if ix.callback != 0 {
		return http.StatusBadRequest, apiError(40060, "Interaction has already been acknowledged.")
	}
	var cb struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		return http.StatusBadRequest, apiError(50109, "The request body contains invalid JSON.")
	}
	if cb.Type == callbackAutocomplete {
		return s.autocompleteResult(ix, cb.Data, req)
	}
	var p payload
	var rows [][]Button
	if len(cb.Data) > 0 && string(cb.Data) != "null" {
		var problems []string
		p, rows, problems = readPayload(cb.Data, cb.Type == callbackMsg)
		req.Problems = append(req.Problems, problems...)
	} else if cb.Type == callbackMsg || cb.Type == callbackUpdate {
		req.Problems = append(req.Problems, "a message response without data")
	}
	if len(req.Problems) > 0 && cb.Type != callbackDefer {
		return http.StatusBadRequest, formError(req.Problems)
	}
	ix.callback, ix.callbackAt = cb.Type, req.At
	switch cb.Type {
	case callbackMsg, callbackDefer:
		m := s.newMessage(ix.channelID, p, rows)
		m.Interaction = ix.token
		m.Deferred = cb.Type == callbackDefer
		ix.originalID = m.ID
	case callbackUpdate:
		if m := s.messages[ix.messageID]; m != nil {
			m.apply(p, rows)
		}
	case 6: // deferred update: nothing shows
	default:
		return http.StatusBadRequest, apiError(50035, "Invalid Form Body: unknown callback type")
	}
	return http.StatusNoContent, nil
}

func (s *Server) patchWebhookMessage(r *http.Request, body []byte, req *Request) (int, any) {
	ix := s.ixs[r.PathValue("token")]
	if ix == nil || r.PathValue("app") != s.BotID {
		return http.StatusNotFound, apiError(10015, "Unknown Webhook")
	}
	id := r.PathValue("msg")
	if id == "@original" {
		id = ix.originalID
	}
	m := s.messages[id]
	if m == nil || m.Interaction != ix.token {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	p, rows, problems := checkedPayload(body, false, req)
	if len(problems) > 0 {
		return http.StatusBadRequest, formError(problems)
	}
	m.apply(p, rows)
	return http.StatusOK, s.messageJSON(m)
}

func (s *Server) postFollowup(r *http.Request, body []byte, req *Request) (int, any) {
	ix := s.ixs[r.PathValue("token")]
	if ix == nil || r.PathValue("app") != s.BotID {
		return http.StatusNotFound, apiError(10015, "Unknown Webhook")
	}
	if ix.callback == 0 {
		return http.StatusNotFound, apiError(10015, "Unknown Webhook")
	}
	p, rows, problems := checkedPayload(body, true, req)
	if len(problems) > 0 {
		return http.StatusBadRequest, formError(problems)
	}
	m := s.newMessage(ix.channelID, p, rows)
	m.Interaction = ix.token
	ix.followupIDs = append(ix.followupIDs, m.ID)
	return http.StatusOK, s.messageJSON(m)
}

func (s *Server) postMessage(r *http.Request, body []byte, req *Request) (int, any) {
	ch := r.PathValue("ch")
	if _, ok := s.channels[ch]; !ok {
		s.channels[ch] = Channel{ID: ch}
	}
	p, rows, problems := checkedPayload(body, true, req)
	if p.Flags&flagEphemeral != 0 {
		problems = append(problems, "ephemeral flag on a channel message")
		req.Problems = append(req.Problems, problems[len(problems)-1])
	}
	if len(problems) > 0 {
		return http.StatusBadRequest, formError(problems)
	}
	return http.StatusOK, s.messageJSON(s.newMessage(ch, p, rows))
}

func (s *Server) patchMessage(r *http.Request, body []byte, req *Request) (int, any) {
	m := s.messages[r.PathValue("msg")]
	if m == nil || m.ChannelID != r.PathValue("ch") {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	if m.Author.ID != s.BotID {
		return http.StatusForbidden, apiError(50005, "Cannot edit a message authored by another user")
	}
	p, rows, problems := checkedPayload(body, false, req)
	if len(problems) > 0 {
		return http.StatusBadRequest, formError(problems)
	}
	m.apply(p, rows)
	return http.StatusOK, s.messageJSON(m)
}

func (s *Server) postThread(r *http.Request, body []byte, req *Request) (int, any) {
	parent := r.PathValue("ch")
	if c := s.channels[parent]; c.DM || c.Parent != "" {
		return http.StatusBadRequest, apiError(50024, "Cannot execute action on this channel type")
	}
	var t struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(body, &t)
	if n := len([]rune(t.Name)); n == 0 || n > maxThreadName {
		req.Problems = append(req.Problems, fmt.Sprintf("thread name is %d characters, 1 to %d are allowed", n, maxThreadName))
		return http.StatusBadRequest, formError(req.Problems)
	}
	if _, ok := s.messages[r.PathValue("msg")]; !ok {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	c := Channel{ID: r.PathValue("msg"), Parent: parent, Name: t.Name, Owner: s.BotID} // a thread takes its message's ID
	if _, ok := s.channels[c.ID]; ok {
		return http.StatusBadRequest, apiError(160004, "A thread has already been created for this message")
	}
	s.channels[c.ID] = c
	return http.StatusCreated, channelJSON(c, s.guildOf(c))
}

func (s *Server) getChannel(r *http.Request, _ []byte, _ *Request) (int, any) {
	c, ok := s.channels[r.PathValue("ch")]
	if !ok {
		return http.StatusNotFound, apiError(10003, "Unknown Channel")
	}
	return http.StatusOK, channelJSON(c, s.guildOf(c))
}

func channelJSON(c Channel, guild string) map[string]any {
	switch {
	case c.DM:
		return map[string]any{"id": c.ID, "type": 1}
	case c.Parent != "":
		return map[string]any{"id": c.ID, "type": 11, "guild_id": guild, "parent_id": c.Parent, "name": c.Name, "owner_id": c.Owner}
	}
	return map[string]any{"id": c.ID, "type": 0, "guild_id": guild}
}

func (s *Server) postDM(r *http.Request, body []byte, _ *Request) (int, any) {
	var d struct {
		Recipient string `json:"recipient_id"`
	}
	_ = json.Unmarshal(body, &d)
	id := "dm-" + d.Recipient
	s.channels[id] = Channel{ID: id, DM: true}
	return http.StatusOK, map[string]any{"id": id, "type": 1, "recipients": []any{map[string]any{"id": d.Recipient}}}
}

func (s *Server) putReaction(r *http.Request, _ []byte, _ *Request) (int, any) {
	s.reactions = append(s.reactions, r.PathValue("ch")+"/"+r.PathValue("msg")+"/"+r.PathValue("emoji"))
	return http.StatusNoContent, nil
}

// IsMessagePayload reports whether a request carries a message the bot sends
// or edits (these must all carry empty allowed mentions).
func (r Request) IsMessagePayload() bool {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/callback"):
		var cb struct {
			Data json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal(r.Body, &cb)
		return len(cb.Data) > 0 && !bytes.Equal(cb.Data, []byte("null"))
	case strings.HasPrefix(r.Path, "/webhooks/"):
		return r.Method == http.MethodPost || r.Method == http.MethodPatch
	case strings.HasPrefix(r.Path, "/channels/") && strings.Contains(r.Path, "/messages"):
		return (r.Method == http.MethodPost || r.Method == http.MethodPatch) &&
			!strings.HasSuffix(r.Path, "/threads") && !strings.Contains(r.Path, "/reactions/")
	}
	return false
}

// AllowedMentions returns the allowed_mentions of a message payload as JSON,
// "" when there is none.
func (r Request) AllowedMentions() string {
	var p struct {
		AllowedMentions json.RawMessage `json:"allowed_mentions"`
		Data            *struct {
			AllowedMentions json.RawMessage `json:"allowed_mentions"`
		} `json:"data"`
	}
	_ = json.Unmarshal(r.Body, &p)
	if p.Data != nil {
		return string(p.Data.AllowedMentions)
	}
	return string(p.AllowedMentions)
}
