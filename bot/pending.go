package bot

import (
	"context"
	"errors"
	"sync"

	"github.com/footnote-bot/footnote/store"
)

// maxPendingTurns bounds the turns kept in memory while the store cannot be
// reached; past it the oldest are dropped, with a warning.
const maxPendingTurns = 1000

// pendingTurn is a thread's turn the store could not take yet.
type pendingTurn struct {
	conversation string
	turn         store.Turn
	keep         int
}

// turnQueue holds the turns of conversations that the store refused as
// unavailable (the database restarting, the network down), to be written
// when it is back: a follow-up after the outage still carries them. A turn
// is written with the same time as when it was answered, so a write that
// landed but reported a failure is not doubled (stores key turns by it).
type turnQueue struct {
	mu      sync.Mutex
	turns   []pendingTurn
	dropped int
}

// add queues a turn; it reports how many turns were dropped to make room.
func (q *turnQueue) add(t pendingTurn) (dropped int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.turns = append(q.turns, t)
	if over := len(q.turns) - maxPendingTurns; over > 0 {
		q.turns = q.turns[over:]
		q.dropped += over
		return over
	}
	return 0
}

// len is the number of turns waiting.
func (q *turnQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.turns)
}

// flush writes the waiting turns in order, stopping at the first one the
// store still refuses as unavailable; a turn refused for another reason is
// dropped and its error returned among errs. It returns how many are left.
func (q *turnQueue) flush(ctx context.Context, s Conversations) (left int, errs []error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.turns) > 0 {
		t := q.turns[0]
		err := s.AppendTurn(ctx, t.conversation, t.turn, t.keep)
		if err != nil && (errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil) {
			break
		}
		if err != nil {
			errs = append(errs, err)
		}
		q.turns = q.turns[1:]
	}
	return len(q.turns), errs
}
