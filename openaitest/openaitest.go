// Package openaitest is the one fake OpenAI-compatible server for Footnote's
// tests (answer, embed, retrieval, bot, cmd): an httptest.Server that speaks
// POST /v1/chat/completions (a JSON reply, or server-sent events when the
// request asks to stream) and POST /v1/embeddings (deterministic vectors,
// numbered and sent in reverse order, as a client must not rely on it).
// Replies to either can be scripted per test (errors, raw bodies, stalls);
// every request is recorded with its method, path, Authorization header and
// body, and malformed ones are refused the way OpenAI refuses them.
//
// It depends on no client library, so it checks what goes over the wire.
package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Reply is one scripted answer to a chat completion request. The zero Reply
// is an empty, finished answer.
type Reply struct {
	// Status, when not 0 or 200, is sent with Body (or an OpenAI-style error
	// object when Body is "") and Header instead of an answer.
	Status int
	Header http.Header
	Body   string

	// Chunks are the pieces of the answer's content, one SSE event each when
	// the request streams, joined when it does not.
	Chunks []string
	// FinishReason ends the answer; "" means "stop".
	FinishReason string
	// Delay is waited before each chunk.
	Delay time.Duration
	// KeepAlive is how many ": ping" comment lines are sent before each chunk
	// and before [DONE], as some servers do while they think.
	KeepAlive int

	// After the chunks, a streamed reply normally sends the finishing chunk
	// and "data: [DONE]". Instead:
	// Stall sends nothing more and holds the connection open until the client
	// gives up or the server closes.
	Stall bool
	// Cut drops the connection abruptly (the client reads an unexpected EOF).
	Cut bool
	// EndEarly ends the response cleanly without a finishing chunk or [DONE].
	EndEarly bool
	// StreamError, when not "", is sent as an error event
	// (data: {"error": {"message": StreamError}}) and ends the response.
	StreamError string
}

// Answer is a streamed reply of text, cut into pieces of n runes (n <= 0: 3),
// so that citations like "[12]" arrive split across chunks.
func Answer(text string, n int) Reply {
	return Reply{Chunks: Split(text, n)}
}

// Split cuts text into pieces of n runes (n <= 0: 3).
func Split(text string, n int) []string {
	if n <= 0 {
		n = 3
	}
	var out []string
	for text != "" {
		i, k := 0, 0
		for i < len(text) && k < n {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			k++
		}
		out = append(out, text[:i])
		text = text[i:]
	}
	return out
}

// Error is a reply with an HTTP error status and an OpenAI-style error body.
// retryAfter, when not "", is sent as the Retry-After header.
func Error(status int, retryAfter string) Reply {
	r := Reply{Status: status}
	if retryAfter != "" {
		r.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return r
}

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is the part of a chat completion request the fake reads.
type ChatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Stream      bool      `json:"stream"`
	Temperature *float64  `json:"temperature"`
}

// Request is a request the server received.
type Request struct {
	// At is when it arrived.
	At     time.Time
	Method string
	Path   string
	// Auth is the Authorization header, "" when absent.
	Auth string
	Body []byte
	// Chat is the decoded body of a chat completion request.
	Chat ChatRequest
	// Input is the decoded input of an embeddings request.
	Input []string
}

// Server is a fake OpenAI-compatible server. Create it with New.
type Server struct {
	*httptest.Server
	// Key, when not "", is the API key every request must carry as
	// "Authorization: Bearer Key"; others get 401. Set Key, Dims and
	// Unnormalised before the first request.
	Key string
	// Dims is the length of embedding vectors; 0 means 16.
	Dims int
	// Unnormalised scales each embedding by its text's length in bytes, as
	// some compatible servers send vectors that are not of unit length.
	Unnormalised bool

	quit     chan struct{}
	mu       sync.Mutex
	script   []Reply
	embeds   []Reply
	requests []Request
	chunks   []Chunk
}

// Chunk is one piece of content a streamed reply sent.
type Chunk struct {
	// At is when the chunk was flushed to the client.
	At time.Time
	// Request is the index, in Requests, of the request it answers.
	Request int
	Content string
}

// New starts a server that is closed when the test ends. Its API lives under
// URL()+"/v1". Script its chat replies with Script.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{quit: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.chat)
	mux.HandleFunc("/v1/embeddings", s.embeddings)
	s.Server = httptest.NewServer(mux)
	tb.Cleanup(s.Close)
	return s
}

// BaseURL is the URL to configure a client with: the server's URL plus "/v1".
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Close releases stalled replies, then shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// Script sets the replies to the next chat requests, in order. When they run
// out the last one is repeated; with none, requests get 500.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append([]Reply(nil), replies...)
}

// ScriptEmbeddings sets the replies to the next embeddings requests, in
// order. A Reply with a Status other than 0 or 200, a Body or Stall is sent
// as it says (Body as is, with Status or 200); any other Reply, and every
// request once the script runs out, gets the embeddings.
func (s *Server) ScriptEmbeddings(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embeds = append([]Reply(nil), replies...)
}

func (s *Server) nextEmbedding() (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.embeds) == 0 {
		return Reply{}, false
	}
	r := s.embeds[0]
	s.embeds = s.embeds[1:]
	return r, true
}

// EmbeddingRequests returns the embeddings requests received so far.
func (s *Server) EmbeddingRequests() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/embeddings") {
			out = append(out, r)
		}
	}
	return out
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Chunks returns the content chunks of streamed replies sent so far, oldest
// first: when the client could first see each token.
func (s *Server) Chunks() []Chunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Chunk(nil), s.chunks...)
}

// ChatRequests returns the chat completion requests received so far.
func (s *Server) ChatRequests() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/chat/completions") {
			out = append(out, r)
		}
	}
	return out
}

// record keeps r and returns its index in Requests.
func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests) - 1
}

func (s *Server) sent(request int, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunks = append(s.chunks, Chunk{At: time.Now(), Request: request, Content: content})
}

func (s *Server) next() (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch len(s.script) {
	case 0:
		return Reply{}, false
	case 1:
		return s.script[0], true
	}
	r := s.script[0]
	s.script = s.script[1:]
	return r, true
}

// admit reads the request and checks method, content type, key and JSON
// body; it writes the refusal and returns false when one fails.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, into any) (Request, bool) {
	req := Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization")}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	req.Body = body
	if err == nil && r.Method == http.MethodPost {
		err = json.Unmarshal(req.Body, into)
	}
	switch {
	case r.Method != http.MethodPost:
		writeError(w, http.StatusMethodNotAllowed, "method not allowed: "+r.Method, nil)
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		writeError(w, http.StatusUnsupportedMediaType, "content type must be application/json", nil)
	case s.Key != "" && req.Auth != "Bearer "+s.Key:
		// Echoed whole, the worst a server may do: clients must redact it.
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided: "+strings.TrimPrefix(req.Auth, "Bearer ")+".", nil)
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error(), nil)
	default:
		return req, true
	}
	return req, false
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var chat ChatRequest
	req, ok := s.admit(w, r, &chat)
	req.Chat = chat
	id := s.record(req)
	if !ok {
		return
	}
	if chat.Model == "" || len(chat.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "model and messages are required", nil)
		return
	}
	reply, ok := s.next()
	if !ok {
		writeError(w, http.StatusInternalServerError, "no reply scripted", nil)
		return
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		if reply.Body != "" {
			for k, v := range reply.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(reply.Status)
			fmt.Fprint(w, reply.Body)
			return
		}
		writeError(w, reply.Status, http.StatusText(reply.Status), reply.Header)
		return
	}
	finish := reply.FinishReason
	if finish == "" {
		finish = "stop"
	}
	if !chat.Stream {
		for range reply.Chunks {
			if !s.sleep(r, reply.Delay) {
				return
			}
		}
		if reply.Stall {
			s.hold(r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion", "created": 1, "model": chat.Model,
			"choices": []any{map[string]any{
				"index":         0,
				"message":       map[string]any{"role": "assistant", "content": strings.Join(reply.Chunks, "")},
				"finish_reason": finish,
			}},
			"usage": map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
		})
		return
	}
	s.stream(w, r, id, chat.Model, reply, finish)
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, id int, model string, reply Reply, finish string) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	event := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	ping := func() {
		for range reply.KeepAlive {
			fmt.Fprint(w, ": ping\n\n")
		}
	}
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	event(map[string]any{"role": "assistant", "content": ""}, nil)
	flush()
	for _, c := range reply.Chunks {
		ping()
		flush()
		if !s.sleep(r, reply.Delay) {
			return
		}
		event(map[string]any{"content": c}, nil)
		flush()
		s.sent(id, c)
	}
	switch {
	case reply.Stall:
		ping()
		flush()
		s.hold(r)
		return
	case reply.Cut:
		// The server recovers this panic and drops the connection without
		// ending the chunked body.
		panic(http.ErrAbortHandler)
	case reply.EndEarly:
		return
	case reply.StreamError != "":
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": reply.StreamError, "type": "server_error"}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		flush()
		return
	}
	ping()
	event(map[string]any{}, finish)
	fmt.Fprint(w, "data: [DONE]\n\n")
	flush()
}

// sleep waits d unless the client or the server goes away first.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.quit:
	}
	return false
}

// hold blocks until the client gives up or the server closes.
func (s *Server) hold(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.quit:
	}
}

type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var er embeddingRequest
	req, ok := s.admit(w, r, &er)
	var inputs []string
	if ok {
		if err := json.Unmarshal(er.Input, &inputs); err != nil {
			var one string
			if err := json.Unmarshal(er.Input, &one); err != nil {
				s.record(req)
				writeError(w, http.StatusBadRequest, "input must be a string or an array of strings", nil)
				return
			}
			inputs = []string{one}
		}
	}
	req.Input = inputs
	s.record(req)
	if !ok {
		return
	}
	if er.Model == "" || len(inputs) == 0 {
		writeError(w, http.StatusBadRequest, "model and input are required", nil)
		return
	}
	if er.EncodingFormat != "" && er.EncodingFormat != "float" {
		writeError(w, http.StatusBadRequest, "this fake sends only encoding_format float, not "+er.EncodingFormat, nil)
		return
	}
	if reply, ok := s.nextEmbedding(); ok && (reply.Stall || reply.Body != "" || (reply.Status != 0 && reply.Status != http.StatusOK)) {
		switch {
		case reply.Stall:
			s.hold(r)
		case reply.Body != "":
			for k, v := range reply.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(max(reply.Status, http.StatusOK))
			fmt.Fprint(w, reply.Body)
		default:
			writeError(w, reply.Status, http.StatusText(reply.Status), reply.Header)
		}
		return
	}
	dims := s.Dims
	if dims <= 0 {
		dims = 16
	}
	// Numbered, and sent last first: clients must use the index.
	data := make([]any, 0, len(inputs))
	for i := len(inputs) - 1; i >= 0; i-- {
		v := Vector(inputs[i], dims)
		if s.Unnormalised {
			for j := range v {
				v[j] *= float32(len(inputs[i]))
			}
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": er.Model,
		"usage": map[string]int{"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
	})
}

// Vector is the embedding the server returns for text: a deterministic unit
// vector of dims numbers in which texts sharing lower-cased words point in
// similar directions.
func Vector(text string, dims int) []float32 {
	v := make([]float64, dims)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := fnv.New64a()
		h.Write([]byte(strings.Trim(w, ".,;:!?\"'()")))
		x := h.Sum64()
		v[x%uint64(dims)] += 1
		v[(x>>32)%uint64(dims)] += 0.5
	}
	norm := 0.0
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

func writeError(w http.ResponseWriter, status int, msg string, h http.Header) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": "fake_error", "code": status,
	}})
}
