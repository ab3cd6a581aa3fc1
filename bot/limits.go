package bot

import (
	"context"
	"sync"
	"time"
)

// rateLimiter is a token bucket per user: each user holds up to burst tokens,
// gains one every `every`, and spends one per question.
type rateLimiter struct {
	every time.Duration // <= 0: no limit
	burst float64
	now   func() time.Time

	mu    sync.Mutex
	users map[string]*tokens
}

type tokens struct {
	n    float64
	last time.Time
}

// maxTrackedUsers bounds the limiter's memory: past it, users whose bucket has
// refilled are forgotten (they would start full anyway).
const maxTrackedUsers = 10000

func newRateLimiter(every time.Duration, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{every: every, burst: float64(burst), now: now, users: map[string]*tokens{}}
}

// take spends one of user's tokens. When there is none it returns false and
// how long until there is.
func (r *rateLimiter) take(user string) (bool, time.Duration) {
	if r.every <= 0 {
		return true, 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	t := r.users[user]
	if t == nil {
		if len(r.users) >= maxTrackedUsers {
			r.forgetFull(now)
		}
		t = &tokens{n: r.burst, last: now}
		r.users[user] = t
	}
	t.n = min(r.burst, t.n+float64(now.Sub(t.last))/float64(r.every))
	t.last = now
	if t.n >= 1 {
		t.n--
		return true, 0
	}
	return false, time.Duration((1 - t.n) * float64(r.every))
}

func (r *rateLimiter) forgetFull(now time.Time) {
	for u, t := range r.users {
		if t.n+float64(now.Sub(t.last))/float64(r.every) >= r.burst {
			delete(r.users, u)
		}
	}
}

// gate bounds the answers computed at once: up to `running` at a time, and up
// to `queue` more waiting their turn. Anything past that is turned away at once
// rather than left waiting.
type gate struct {
	slots chan struct{}

	mu       sync.Mutex
	admitted int
	limit    int
}

func newGate(running, queue int) *gate {
	return &gate{slots: make(chan struct{}, running), limit: running + queue}
}

// admit reserves a place for one answer; false means the queue is full. The
// ticket must be released (deferring release is safe: run releases it too).
func (g *gate) admit() (*ticket, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.admitted >= g.limit {
		return nil, false
	}
	g.admitted++
	return &ticket{g: g}, true
}

// ticket is a place in the gate.
type ticket struct {
	g    *gate
	once sync.Once
}

// run waits for a free slot, runs f, and frees the slot and the ticket's
// place. If wait ends first it returns wait's error without running f.
func (t *ticket) run(wait context.Context, f func()) error {
	defer t.release()
	select {
	case t.g.slots <- struct{}{}:
	case <-wait.Done():
		return wait.Err()
	}
	defer func() { <-t.g.slots }()
	f()
	return nil
}

// release gives the place back; calls after the first do nothing.
func (t *ticket) release() {
	t.once.Do(func() {
		t.g.mu.Lock()
		t.g.admitted--
		t.g.mu.Unlock()
	})
}
