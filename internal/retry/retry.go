// Package retry is Footnote's one policy for calling a server again after a
// failure: exponential backoff with jitter and a cap, the wait a server asks
// for (Retry-After, retry-after-ms, Discord's retry_after) honoured, and
// waits that end with their context. The Discord REST calls, the gateway
// lookup at start-up, chat completions and embeddings all use it; each
// decides for itself which failures are worth another attempt.
package retry

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy says how often and how long to wait between attempts. The zero
// Policy makes one attempt.
type Policy struct {
	// Attempts is the most calls made, the first included; 0 means 1 (no
	// retry), negative means no limit.
	Attempts int
	// Base is the backoff after the first failure, doubled after each next
	// one; 0 means 500ms.
	Base time.Duration
	// Cap is the longest backoff; 0 means 30s. A server may ask for longer.
	Cap time.Duration
	// MaxAfter is the longest wait a server may ask for: one asking for
	// longer is not retried, and Do returns the failure. 0 means Cap.
	MaxAfter time.Duration
	// Notify, when set, is called before each wait with the number of the
	// attempt that failed (from 1), its error and the wait.
	Notify func(attempt int, err error, wait time.Duration)
}

// Defaults of a Policy's zero fields.
const (
	DefaultBase = 500 * time.Millisecond
	DefaultCap  = 30 * time.Second
)

func (p Policy) base() time.Duration {
	if p.Base <= 0 {
		return DefaultBase
	}
	return p.Base
}

func (p Policy) cap() time.Duration {
	if p.Cap <= 0 {
		return DefaultCap
	}
	return p.Cap
}

func (p Policy) maxAfter() time.Duration {
	if p.MaxAfter <= 0 {
		return p.cap()
	}
	return p.MaxAfter
}

// Backoff is the wait after the nth failed attempt (n from 1): Base doubled
// n-1 times, at most Cap, with jitter: a random wait between half of that
// and all of it. Successive backoffs never shrink.
func (p Policy) Backoff(n int) time.Duration {
	w, c := p.base(), p.cap()
	for i := 1; i < n && w < c; i++ {
		w *= 2
	}
	w = min(w, c)
	return w/2 + rand.N(w/2+1)
}

// Wait is the wait after the nth failed attempt when the server asked for
// after (0: it did not say): the backoff, or longer when the server asks.
// ok is false when no attempt should follow: the attempts are used up, or
// the server asks for more than MaxAfter.
func (p Policy) Wait(n int, after time.Duration) (wait time.Duration, ok bool) {
	if p.Attempts >= 0 && n >= max(p.Attempts, 1) {
		return 0, false
	}
	if after > p.maxAfter() {
		return 0, false
	}
	return max(p.Backoff(n), after), true
}

// Error marks a failure worth another attempt. Make one with Again.
type Error struct {
	Err error
	// After is how long the server asked to wait; 0 when it did not say.
	After time.Duration
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Again marks err as worth another attempt after at least after (0: the
// backoff alone decides).
func Again(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err, After: after}
}

// Do calls call until it returns nil or an error not marked with Again, the
// attempts run out, or the server asks for too long a wait; it returns the
// last call's error, unmarked. A context that ends while Do waits ends it
// with context.Cause(ctx); a deadline that would pass during a wait ends it
// at once with the last error.
func (p Policy) Do(ctx context.Context, call func(ctx context.Context, attempt int) error) error {
	for n := 1; ; n++ {
		err := call(ctx, n)
		if err == nil {
			return nil
		}
		var again *Error
		if !errors.As(err, &again) {
			return err
		}
		wait, ok := p.Wait(n, again.After)
		if !ok {
			return again.Err
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return again.Err
		}
		if p.Notify != nil {
			p.Notify(n, again.Err, wait)
		}
		if err := Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Sleep waits d, or until ctx ends: then it returns context.Cause(ctx).
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Temporary says whether an HTTP status may pass if the request is sent
// again: 408, 429 and 5xx other than 501 and 505.
func Temporary(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return true
	case status == http.StatusNotImplemented, status == http.StatusHTTPVersionNotSupported:
		return false
	}
	return status >= 500 && status <= 599
}

// After reads how long a response asks its client to wait before trying
// again; 0 when it does not say. In order: Discord's JSON body
// {"retry_after": seconds}, OpenAI's retry-after-ms header, and Retry-After
// in seconds or as an HTTP date (counted from now).
func After(h http.Header, body []byte, now time.Time) time.Duration {
	if b := strings.TrimSpace(string(body)); strings.HasPrefix(b, "{") {
		var d struct {
			RetryAfter *float64 `json:"retry_after"`
		}
		if json.Unmarshal(body, &d) == nil && d.RetryAfter != nil {
			return seconds(*d.RetryAfter, time.Second)
		}
	}
	if ms, err := strconv.ParseFloat(strings.TrimSpace(h.Get("Retry-After-Ms")), 64); err == nil {
		return seconds(ms, time.Millisecond)
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return seconds(s, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// seconds converts n units to a duration: 0 for negative or NaN values, at
// most a day (no policy waits that long).
func seconds(n float64, unit time.Duration) time.Duration {
	if !(n > 0) {
		return 0
	}
	if n*float64(unit) > float64(24*time.Hour) {
		return 24 * time.Hour
	}
	return time.Duration(n * float64(unit))
}
