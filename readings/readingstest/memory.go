// Package readingstest holds an in-memory store of reading lists and
// conversations for tests of packages readings and bot: it checks additions
// as the real store does (store.Addition.Prepare, duplicates, limits) and
// keeps everything in maps. Two bots given the same Memory share their data,
// as two processes on one data folder would.
package readingstest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/store"
)

// Memory is an in-memory store of reading lists and conversations.
type Memory struct {
	mu       sync.Mutex
	readings []entry
	versions map[store.List]int64
	convs    map[string]store.Conversation
	votes    []store.Vote
	// Adds counts the calls of AddReading that stored a reading.
	Adds int
}

type entry struct {
	r     store.Reading
	saved *indexfile.Saved
}

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{versions: map[store.List]int64{}, convs: map[string]store.Conversation{}}
}

func (m *Memory) AddReading(ctx context.Context, a store.Addition) (store.Reading, error) {
	if err := ctx.Err(); err != nil {
		return store.Reading{}, err
	}
	r, saved, err := a.Prepare(store.NewID())
	if err != nil {
		return store.Reading{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	readings, passages := 0, 0
	for _, e := range m.readings {
		if e.r.Guild != r.Guild {
			continue
		}
		readings++
		passages += e.r.Passages
		if e.r.SHA256 == r.SHA256 && (e.r.Channel == r.Channel || e.r.Channel == "") {
			return store.Reading{}, &store.DuplicateError{Existing: e.r}
		}
	}
	lim := a.Limits.Effective()
	if lim.MaxReadings >= 0 && readings+1 > lim.MaxReadings {
		return store.Reading{}, &store.LimitError{What: "readings", N: readings + 1, Max: lim.MaxReadings}
	}
	if lim.MaxPassages >= 0 && passages+r.Passages > lim.MaxPassages {
		return store.Reading{}, &store.LimitError{What: "passages", N: passages + r.Passages, Max: lim.MaxPassages}
	}
	m.readings = append(m.readings, entry{r: r, saved: saved})
	m.versions[r.List()]++
	m.Adds++
	return r, nil
}

func (m *Memory) RemoveReading(_ context.Context, guild, id string) (store.Reading, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.readings {
		if e.r.Guild == guild && e.r.ID == id {
			m.readings = slices.Delete(m.readings, i, i+1)
			m.versions[e.r.List()]++
			return e.r, nil
		}
	}
	return store.Reading{}, fmt.Errorf("reading %s of guild %s: %w", id, guild, store.ErrNotFound)
}

func (m *Memory) Readings(_ context.Context, guild string) ([]store.Reading, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Reading
	for _, e := range m.readings {
		if e.r.Guild == guild {
			out = append(out, e.r)
		}
	}
	return out, nil
}

func (m *Memory) LoadList(_ context.Context, l store.List, embedder string) (*store.Loaded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := &store.Loaded{List: l, Version: m.versions[l]}
	var parts []*indexfile.Saved
	for _, e := range m.readings {
		if e.r.List() != l {
			continue
		}
		if e.r.Embedder != embedder {
			out.Stale = append(out.Stale, e.r)
			continue
		}
		out.Readings = append(out.Readings, e.r)
		parts = append(parts, e.saved)
	}
	out.Index = store.Merge(embedder, parts)
	return out, nil
}

func (m *Memory) ListVersion(_ context.Context, l store.List) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.versions[l], nil
}

func (m *Memory) Conversation(_ context.Context, id string) (store.Conversation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.convs[id]
	if !ok {
		return store.Conversation{}, fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
	}
	c.Turns = slices.Clone(c.Turns)
	return c, nil
}

func (m *Memory) SaveConversation(_ context.Context, c store.Conversation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.convs[c.ID]
	old.ID, old.Guild, old.Parent, old.Updated = c.ID, c.Guild, c.Parent, time.Now()
	m.convs[c.ID] = old
	return nil
}

func (m *Memory) AppendTurn(_ context.Context, id string, t store.Turn, keep int) error {
	if keep <= 0 {
		keep = store.DefaultKeepTurns
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.convs[id]
	c.ID = id
	c.Turns = append(c.Turns, t)
	if n := len(c.Turns) - keep; n > 0 {
		c.Turns = slices.Clone(c.Turns[n:])
	}
	c.Updated = time.Now()
	m.convs[id] = c
	return nil
}

// AddVote keeps a vote, with the user id as it came (no hashing here).
func (m *Memory) AddVote(_ context.Context, userID string, v store.Vote) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	v.User = userID
	m.votes = append(m.votes, v)
	return nil
}

// Votes returns the votes added, in order.
func (m *Memory) Votes(context.Context) ([]store.Vote, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.votes), nil
}
