package discordtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Several guilds, files and autocomplete: a channel names its guild
// (Channel.Guild), users carry permissions (User.Permissions), files are
// served from a fake CDN on the fake's own host and port
// (/attachments/{id}/{name}, as cdn.discordapp.com serves them), slash
// commands take subcommands and attachments, and autocomplete interactions
// record the choices the bot offers.

// guildOf is the guild of a channel; s.mu must be held.
func (s *Server) guildOf(c Channel) string {
	for i := 0; i < 8 && c.Guild == "" && c.Parent != ""; i++ {
		c = s.channels[c.Parent]
	}
	if c.Guild != "" {
		return c.Guild
	}
	return s.GuildID
}

// Attachment is a file as Discord describes it in a message or an
// interaction's resolved data.
type Attachment struct {
	ID       string
	Filename string
	// Size is the size Discord declares; Attach sets the file's length.
	Size        int
	ContentType string
	// URL is where the file is served: the fake's CDN route, unless a test
	// points it elsewhere.
	URL string
}

// Attach stores a file on the fake CDN and returns its attachment.
func (s *Server) Attach(name string, data []byte) Attachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	s.files[id] = append([]byte(nil), data...)
	return Attachment{ID: id, Filename: name, Size: len(data), ContentType: "application/octet-stream",
		URL: s.URL + "/attachments/" + id + "/" + url.PathEscape(name)}
}

func attachmentsJSON(atts []Attachment) []any {
	out := []any{}
	for _, a := range atts {
		out = append(out, map[string]any{"id": a.ID, "filename": a.Filename, "size": a.Size,
			"content_type": a.ContentType, "url": a.URL, "proxy_url": a.URL})
	}
	return out
}

// serveAttachment is the fake CDN. Every download is recorded as a request.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.files[r.PathValue("id")]
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
	}
	s.requests = append(s.requests, Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Status: status})
	s.notify()
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// Sub is a subcommand with its options, for SlashSub.
type Sub struct {
	Name    string
	Options []Option
}

// optionsJSON turns options into an interaction's, collecting attachments
// (an Option whose Value is an Attachment) into resolved.
func optionsJSON(opts []Option, resolved map[string]any) []any {
	list := []any{}
	for _, o := range opts {
		switch v := o.Value.(type) {
		case bool:
			list = append(list, map[string]any{"name": o.Name, "type": 5, "value": v})
		case Attachment:
			list = append(list, map[string]any{"name": o.Name, "type": 11, "value": v.ID})
			resolved[v.ID] = attachmentsJSON([]Attachment{v})[0]
		default:
			m := map[string]any{"name": o.Name, "type": 3, "value": v}
			if o.Focused {
				m["focused"] = true
			}
			list = append(list, m)
		}
	}
	return list
}

// SlashSub runs a subcommand of a chat command, e.g.
// SlashSub(u, ch, "readings", Sub{"add", []Option{{Name: "file", Value: att}}}).
func (s *Server) SlashSub(u User, ch Channel, name string, sub Sub) *Interaction {
	atts := map[string]any{}
	data := map[string]any{"id": s.NewID(), "name": name, "type": 1,
		"options": []any{map[string]any{"name": sub.Name, "type": 1, "options": optionsJSON(sub.Options, atts)}}}
	if len(atts) > 0 {
		data["resolved"] = map[string]any{"attachments": atts}
	}
	return s.interact(u, ch, 2, data, nil)
}

// Autocomplete sends what a user has typed so far in a subcommand's options
// (the one being typed has Focused set); the bot's choices are in Choices.
func (s *Server) Autocomplete(u User, ch Channel, name string, sub Sub) *Interaction {
	data := map[string]any{"id": s.NewID(), "name": name, "type": 1,
		"options": []any{map[string]any{"name": sub.Name, "type": 1, "options": optionsJSON(sub.Options, map[string]any{})}}}
	return s.interact(u, ch, 4, data, nil)
}

// Choice is one suggestion the bot made to an autocomplete interaction.
type Choice struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Choices returns the choices the bot answered an autocomplete with, and
// whether it answered yet.
func (ix *Interaction) Choices() ([]Choice, bool) {
	ix.s.mu.Lock()
	defer ix.s.mu.Unlock()
	c, ok := ix.s.choices[ix.Token]
	return c, ok
}

// autocompleteResult records an autocomplete callback, checking Discord's
// limits: at most 25 choices, names of 1 to 100 characters.
func (s *Server) autocompleteResult(ix *interaction, data json.RawMessage, req *Request) (int, any) {
	var d struct {
		Choices []Choice `json:"choices"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		req.Problems = append(req.Problems, "autocomplete result: "+err.Error())
	}
	if len(d.Choices) > 25 {
		req.Problems = append(req.Problems, "more than 25 autocomplete choices")
	}
	for _, c := range d.Choices {
		if n := len([]rune(c.Name)); n == 0 || n > 100 {
			req.Problems = append(req.Problems, "an autocomplete choice name of "+strconv.Itoa(n)+" characters")
		}
	}
	if len(req.Problems) > 0 {
		return http.StatusBadRequest, formError(req.Problems)
	}
	ix.callback, ix.callbackAt = callbackAutocomplete, req.At
	if d.Choices == nil {
		d.Choices = []Choice{}
	}
	s.choices[ix.token] = d.Choices
	return http.StatusNoContent, nil
}
