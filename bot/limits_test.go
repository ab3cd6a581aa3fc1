package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	r := newRateLimiter(10*time.Second, 2, func() time.Time { return now })
	steps := []struct {
		advance  time.Duration
		user     string
		ok       bool
		wantWait time.Duration
	}{
		{0, "ann", true, 0},
		{0, "ann", true, 0},
		{0, "ann", false, 10 * time.Second}, // the burst is spent
		{0, "bob", true, 0},                 // buckets are per user
		{4 * time.Second, "ann", false, 6 * time.Second},
		{6 * time.Second, "ann", true, 0},   // one token back after 10 s
		{0, "ann", false, 10 * time.Second}, // and spent
		{time.Hour, "ann", true, 0},         // refills to the burst, no more
		{0, "ann", true, 0},
		{0, "ann", false, 10 * time.Second},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, wait := r.take(s.user)
		if ok != s.ok || wait != s.wantWait {
			t.Errorf("step %d (%s after %v): take = %v, %v; want %v, %v", i, s.user, s.advance, ok, wait, s.ok, s.wantWait)
		}
	}
	if ok, _ := newRateLimiter(-1, 1, time.Now).take("x"); !ok {
		t.Error("a negative interval should mean no limit")
	}
}

func TestGate(t *testing.T) {
	g := newGate(2, 3)
	var tickets []*ticket
	for i := 0; i < 5; i++ {
		tk, ok := g.admit()
		if !ok {
			t.Fatalf("admit %d refused; 2 running + 3 queued fit", i)
		}
		tickets = append(tickets, tk)
	}
	if _, ok := g.admit(); ok {
		t.Fatal("a sixth question was admitted past the queue")
	}
	var running, peak atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, tk := range tickets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tk.release() // as callers do: a second release is harmless
			_ = tk.run(context.Background(), func() {
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				<-release
				running.Add(-1)
			})
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Errorf("%d answers ran at once, want 2", p)
	}
	for i := 0; i < 5; i++ {
		if _, ok := g.admit(); !ok {
			t.Fatalf("places were not all given back: admit %d refused", i)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g2 := newGate(1, 1)
	g2.slots <- struct{}{} // the only slot is busy
	tk, _ := g2.admit()
	if err := tk.run(ctx, func() { t.Error("ran after its context ended") }); err == nil {
		t.Error("run returned nil for an ended context")
	}
}

func TestStreamer(t *testing.T) {
	var mu sync.Mutex
	var edits []time.Time
	var texts []string
	every := 100 * time.Millisecond
	st := startStreamer(context.Background(), every, func(_ context.Context, text string) error {
		mu.Lock()
		edits = append(edits, time.Now())
		texts = append(texts, text)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // an edit takes a while
		return nil
	}, nil)
	for i := 1; i <= 40; i++ { // a model writing for ~400 ms
		st.update(string(rune('a' + i%26)))
		time.Sleep(10 * time.Millisecond)
	}
	st.stop()
	stopped := time.Now()
	st.stop() // twice is fine
	time.Sleep(3 * every)
	mu.Lock()
	defer mu.Unlock()
	if len(edits) < 2 || len(edits) > 5 {
		t.Errorf("%d edits in ~400 ms at most one per %v; want 2 to 5", len(edits), every)
	}
	for i := 1; i < len(edits); i++ {
		if gap := edits[i].Sub(edits[i-1]); gap < every*8/10 {
			t.Errorf("edits %d and %d are %v apart, under %v", i-1, i, gap, every)
		}
	}
	for _, e := range edits {
		if e.After(stopped) {
			t.Error("an edit came after stop returned")
		}
	}
}
