package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// LookupFault is a way the gateway lookup (GET /gateway or /gateway/bot,
// the first request a bot makes) fails.
type LookupFault struct {
	// Status, when not 0, is answered instead of the gateway's address: 429
	// as Discord sends it (retry_after in the body, Retry-After and
	// X-RateLimit headers, all saying RetryAfter), others with an API error.
	Status     int
	RetryAfter time.Duration
	// Garbage answers 200 with an HTML page, as a captive portal or a
	// misconfigured proxy does.
	Garbage bool
	// Hang sends nothing until the client gives up or the server closes.
	Hang bool
	// Drop closes the connection without an answer.
	Drop bool
}

// FailLookups makes the next n gateway lookups fail as f; n < 0 makes every
// one fail until FailLookups is called again (n = 0 ends the failures).
func (s *Server) FailLookups(n int, f LookupFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lookupFault, s.lookupFails = f, n
}

// Lookups is how many gateway lookups the fake has received, failed or not.
func (s *Server) Lookups() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookups()
}

func (s *Server) lookups() int {
	n := 0
	for _, r := range s.requests {
		if isLookup(r.Path) {
			n++
		}
	}
	return n
}

func isLookup(path string) bool { return path == "/gateway" || path == "/gateway/bot" }

// WaitLookups waits until the fake has received n gateway lookups in all.
func (s *Server) WaitLookups(tb testing.TB, n int, timeout time.Duration) {
	tb.Helper()
	s.Wait(tb, timeout, fmt.Sprintf("%d gateway lookups", n), func() bool { return s.lookups() >= n })
}

// lookup serves a gateway lookup: a planned fault, else next.
func (s *Server) lookup(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.lookupFails == 0 {
			s.mu.Unlock()
			next(w, r)
			return
		}
		if s.lookupFails > 0 {
			s.lookupFails--
		}
		f := s.lookupFault
		req := Request{At: time.Now(), Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v9"),
			Query: r.URL.RawQuery, Header: r.Header.Clone(), Status: f.Status}
		s.requests = append(s.requests, req)
		s.notify()
		s.mu.Unlock()
		switch {
		case f.Hang:
			select {
			case <-r.Context().Done():
			case <-s.quit:
			}
		case f.Drop:
			panic(http.ErrAbortHandler) // the server drops the connection
		case f.Garbage:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><head><title>Sign in to the network</title></head><body>...</body></html>")
		case f.Status == http.StatusTooManyRequests:
			secs := strconv.FormatFloat(f.RetryAfter.Seconds(), 'f', 3, 64)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-RateLimit-Limit", "1")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", secs)
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Seconds()+0.999)))
			w.WriteHeader(f.Status)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"message": "You are being rate limited.", "retry_after": f.RetryAfter.Seconds(), "global": false})
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			_ = json.NewEncoder(w).Encode(apiError(0, fmt.Sprintf("%d: %s", f.Status, http.StatusText(f.Status))))
		}
	}
}
