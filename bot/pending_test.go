package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/internal/redact"
	"github.com/footnote-bot/footnote/store"
)

// flakyConversations is a conversation store that is unavailable while down
// is set, as the PostgreSQL store is while its database restarts.
type flakyConversations struct {
	mu    sync.Mutex
	down  bool
	other error // returned instead of a write, once
	turns map[string][]store.Turn
}

func (f *flakyConversations) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return store.Conversation{ID: id, Turns: f.turns[id]}, nil
}

func (f *flakyConversations) SaveConversation(ctx context.Context, c store.Conversation) error {
	return nil
}

func (f *flakyConversations) AppendTurn(ctx context.Context, id string, t store.Turn, keep int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return store.ErrUnavailable
	}
	if err := f.other; err != nil {
		f.other = nil
		return err
	}
	if f.turns == nil {
		f.turns = map[string][]store.Turn{}
	}
	f.turns[id] = append(f.turns[id], t)
	return nil
}

func (f *flakyConversations) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *flakyConversations) questions(id string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var qs []string
	for _, t := range f.turns[id] {
		qs = append(qs, t.Question)
	}
	return qs
}

// A turn answered while the store is unavailable is written, in order, when
// it is back: a follow-up after the outage carries it.
func TestTurnsWaitForTheStore(t *testing.T) {
	fs := &flakyConversations{down: true}
	b := &Bot{opts: Options{ConversationStore: fs, HistoryTurns: 6}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), redactor: redact.New("")}
	ctx := context.Background()
	b.keepTurn(ctx, "thread", answer.Turn{Question: "q1", Answer: "a1"})
	b.keepTurn(ctx, "thread", answer.Turn{Question: "q2", Answer: "a2"})
	if got := fs.questions("thread"); len(got) != 0 || b.pending.len() != 2 {
		t.Fatalf("while down: stored %v, %d waiting", got, b.pending.len())
	}
	if left, _ := b.pending.flush(ctx, fs); left != 2 {
		t.Errorf("a flush while down left %d, want 2", left)
	}
	fs.setDown(false)
	b.keepTurn(ctx, "other", answer.Turn{Question: "q3", Answer: "a3"}) // written at once
	left, errs := b.pending.flush(ctx, fs)
	if left != 0 || len(errs) != 0 {
		t.Fatalf("flush when back: %d left, %v", left, errs)
	}
	if got := fs.questions("thread"); len(got) != 2 || got[0] != "q1" || got[1] != "q2" {
		t.Errorf("stored %v, want q1, q2", got)
	}
	// A turn the store refuses for another reason is dropped with its error,
	// not retried forever.
	fs.setDown(true)
	b.keepTurn(ctx, "thread", answer.Turn{Question: "q4"})
	fs.setDown(false)
	fs.mu.Lock()
	fs.other = errors.New("disk full")
	fs.mu.Unlock()
	if left, errs := b.pending.flush(ctx, fs); left != 0 || len(errs) != 1 {
		t.Errorf("a refused turn: %d left, errors %v", left, errs)
	}
}

// The queue is bounded: past maxPendingTurns the oldest are dropped.
func TestTurnQueueBounded(t *testing.T) {
	var q turnQueue
	dropped := 0
	for i := range maxPendingTurns + 10 {
		dropped += q.add(pendingTurn{conversation: "c", turn: store.Turn{Question: string(rune('a' + i%26))}})
	}
	if q.len() != maxPendingTurns || dropped != 10 {
		t.Errorf("%d waiting, %d dropped", q.len(), dropped)
	}
}

// flushTurns writes the waiting turns in the background and, when the bot
// stops, tries once more before returning.
func TestFlushTurnsOnStop(t *testing.T) {
	fs := &flakyConversations{down: true}
	b := &Bot{opts: Options{ConversationStore: fs}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), redactor: redact.New("")}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.flushTurns(ctx)
	}()
	b.keepTurn(ctx, "thread", answer.Turn{Question: "q1"})
	fs.setDown(false)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("flushTurns did not return after its context ended")
	}
	if got := fs.questions("thread"); len(got) != 1 {
		t.Errorf("stored %v after the last try", got)
	}
}
