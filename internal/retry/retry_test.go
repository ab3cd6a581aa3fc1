package retry

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestBackoffDoublesWithJitterUpToCap(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Cap: 800 * time.Millisecond}
	want := []time.Duration{100, 200, 400, 800, 800, 800}
	for i := range want {
		want[i] *= time.Millisecond
	}
	seen := map[time.Duration]bool{}
	for n, full := range want {
		for range 200 {
			got := p.Backoff(n + 1)
			if got < full/2 || got > full {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", n+1, got, full/2, full)
			}
			seen[got] = true
		}
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct waits in 1200 draws: no jitter", len(seen))
	}
	if got := (Policy{}).Backoff(1); got < DefaultBase/2 || got > DefaultBase {
		t.Errorf("zero policy's first backoff %v", got)
	}
	if got := (Policy{Base: time.Second}).Backoff(1000); got > DefaultCap {
		t.Errorf("Backoff(1000) = %v, over the default cap", got)
	}
}

func TestWait(t *testing.T) {
	p := Policy{Attempts: 3, Base: 10 * time.Millisecond, Cap: 40 * time.Millisecond, MaxAfter: time.Minute}
	tests := []struct {
		name     string
		p        Policy
		n        int
		after    time.Duration
		min, max time.Duration
		ok       bool
	}{
		{"first failure", p, 1, 0, 5 * time.Millisecond, 10 * time.Millisecond, true},
		{"server asks longer", p, 1, 2 * time.Second, 2 * time.Second, 2 * time.Second, true},
		{"server asks shorter", p, 2, time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, true},
		{"attempts used up", p, 3, 0, 0, 0, false},
		{"server asks too long", p, 1, 2 * time.Minute, 0, 0, false},
		{"MaxAfter defaults to Cap", Policy{Attempts: 5, Cap: time.Second}, 1, 2 * time.Second, 0, 0, false},
		{"zero policy: one attempt", Policy{}, 1, 0, 0, 0, false},
		{"no limit", Policy{Attempts: -1, Base: time.Millisecond, Cap: time.Millisecond}, 1_000_000, 0, 0, time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.p.Wait(tt.n, tt.after)
			if ok != tt.ok || got < tt.min || got > tt.max {
				t.Errorf("Wait(%d, %v) = %v, %v; want within [%v, %v], %v", tt.n, tt.after, got, ok, tt.min, tt.max, tt.ok)
			}
		})
	}
}

func TestDo(t *testing.T) {
	errBusy := errors.New("busy")
	errBad := errors.New("bad request")
	var notified []int
	p := Policy{Attempts: 4, Base: time.Millisecond, Cap: 2 * time.Millisecond,
		Notify: func(n int, err error, wait time.Duration) {
			if !errors.Is(err, errBusy) || wait <= 0 {
				t.Errorf("Notify(%d, %v, %v)", n, err, wait)
			}
			notified = append(notified, n)
		}}
	tests := []struct {
		name   string
		fails  []error // what the calls return, in order; then nil
		err    error
		called int
	}{
		{"succeeds at once", nil, nil, 1},
		{"succeeds on the third", []error{Again(errBusy, 0), Again(errBusy, 0)}, nil, 3},
		{"not retryable", []error{errBad, Again(errBusy, 0)}, errBad, 1},
		{"attempts run out", []error{Again(errBusy, 0), Again(errBusy, 0), Again(errBusy, 0), Again(errBusy, 0), Again(errBusy, 0)}, errBusy, 4},
		{"server asks too long", []error{Again(errBusy, time.Hour)}, errBusy, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notified = nil
			called := 0
			err := p.Do(t.Context(), func(ctx context.Context, n int) error {
				called++
				if n != called {
					t.Errorf("attempt %d numbered %d", called, n)
				}
				if n <= len(tt.fails) {
					return tt.fails[n-1]
				}
				return nil
			})
			if err != tt.err || called != tt.called {
				t.Errorf("Do: %v after %d calls, want %v after %d", err, called, tt.err, tt.called)
			}
			var marked *Error
			if errors.As(err, &marked) {
				t.Errorf("Do returned a marked error %v", err)
			}
			if len(notified) != called-1 {
				t.Errorf("notified of %v, want one per wait (%d)", notified, called-1)
			}
		})
	}
}

// A wait ends with its context, not after the server's Retry-After.
func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("SIGTERM")
	p := Policy{Attempts: -1, MaxAfter: time.Hour,
		Notify: func(int, error, time.Duration) { cancel(stop) }}
	done := make(chan error, 1)
	go func() {
		done <- p.Do(ctx, func(context.Context, int) error { return Again(errors.New("429"), time.Hour) })
	}()
	select {
	case err := <-done:
		if !errors.Is(err, stop) {
			t.Errorf("Do: %v, want the context's cause", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Do still waiting the server's hour after its context ended")
	}
	// A deadline shorter than the wait ends Do at once with the failure.
	dl, cancelDL := context.WithTimeout(context.Background(), time.Hour)
	defer cancelDL()
	busy := errors.New("busy")
	calls := 0
	err := Policy{Attempts: 3, MaxAfter: 2 * time.Hour}.Do(dl, func(context.Context, int) error {
		calls++
		return Again(busy, 90*time.Minute)
	})
	if err != busy || calls != 1 {
		t.Errorf("wait past the deadline: %v after %d calls", err, calls)
	}
}

func TestAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   time.Duration
	}{
		{"nothing", h(), "", 0},
		{"seconds", h("Retry-After", "3"), "", 3 * time.Second},
		{"fractional seconds", h("Retry-After", "0.25"), "", 250 * time.Millisecond},
		{"HTTP date", h("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), "", 90 * time.Second},
		{"HTTP date past", h("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)), "", 0},
		{"garbage", h("Retry-After", "soon"), "", 0},
		{"negative", h("Retry-After", "-5"), "", 0},
		{"absurd", h("Retry-After", "1e300"), "", 24 * time.Hour},
		{"OpenAI milliseconds", h("Retry-After-Ms", "1500", "Retry-After", "2"), "", 1500 * time.Millisecond},
		{"Discord body wins", h("Retry-After", "1"), `{"message": "You are being rate limited.", "retry_after": 0.2, "global": false}`, 200 * time.Millisecond},
		{"body without retry_after", h("Retry-After", "4"), `{"error": {"message": "slow down"}}`, 4 * time.Second},
		{"body not JSON", h("Retry-After", "4"), `<html>`, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := After(tt.header, []byte(tt.body), now); got != tt.want {
				t.Errorf("After = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTemporary(t *testing.T) {
	for status, want := range map[int]bool{200: false, 400: false, 401: false, 404: false, 408: true, 429: true,
		500: true, 501: false, 502: true, 503: true, 504: true, 505: false} {
		if Temporary(status) != want {
			t.Errorf("Temporary(%d) = %v", status, !want)
		}
	}
}
