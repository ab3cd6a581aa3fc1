package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/store"
)

// Conversation returns a conversation with its turns.
func (s *Store) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	var c store.Conversation
	err := s.tx(ctx, "conversation", readOnly, func(ctx context.Context, tx pgx.Tx) error {
		c = store.Conversation{ID: id}
		err := tx.QueryRow(ctx, `SELECT guild, parent, updated FROM conversations WHERE id = $1`, id).Scan(&c.Guild, &c.Parent, &c.Updated)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("conversation %s: %w", id, err)
		}
		c.Updated = c.Updated.UTC()
		rows, err := tx.Query(ctx, `SELECT question, answer, at FROM turns WHERE conversation = $1 ORDER BY seq`, id)
		if err != nil {
			return fmt.Errorf("conversation %s: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var t store.Turn
			if err := rows.Scan(&t.Question, &t.Answer, &t.At); err != nil {
				return fmt.Errorf("conversation %s: %w", id, err)
			}
			t.At = t.At.UTC()
			c.Turns = append(c.Turns, t)
		}
		return rows.Err()
	})
	return c, err
}

// SaveConversation creates the conversation or updates its guild and parent.
func (s *Store) SaveConversation(ctx context.Context, c store.Conversation) error {
	if c.ID == "" {
		return fmt.Errorf("save conversation: no id")
	}
	return s.do(ctx, "save conversation", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO conversations (id, guild, parent, updated) VALUES ($1, $2, $3, now())
			ON CONFLICT (id) DO UPDATE SET guild = excluded.guild, parent = excluded.parent, updated = excluded.updated`,
			c.ID, c.Guild, c.Parent)
		if err != nil {
			return fmt.Errorf("save conversation %s: %w", c.ID, err)
		}
		return nil
	})
}

// turnKey identifies a turn, so that an AppendTurn retried after a lost
// commit does not add it twice.
func turnKey(t store.Turn) string {
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(t.At.UnixMicro(), 10)))
	h.Write([]byte{0})
	h.Write([]byte(t.Question))
	h.Write([]byte{0})
	h.Write([]byte(t.Answer))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// AppendTurn adds a turn and drops all but the last keep.
func (s *Store) AppendTurn(ctx context.Context, id string, t store.Turn, keep int) error {
	if id == "" {
		return fmt.Errorf("append turn: no conversation id")
	}
	if keep <= 0 {
		keep = store.DefaultKeepTurns
	}
	if t.At.IsZero() {
		t.At = time.Now()
	}
	t.At = t.At.Truncate(time.Microsecond)
	key := turnKey(t)
	return s.tx(ctx, "append turn", pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, guild, parent, updated) VALUES ($1, '', '', now())
			ON CONFLICT (id) DO UPDATE SET updated = excluded.updated`, id); err != nil {
			return fmt.Errorf("append turn to %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO turns (conversation, key, question, answer, at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (conversation, key) DO NOTHING`, id, key, t.Question, t.Answer, t.At); err != nil {
			return fmt.Errorf("append turn to %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM turns WHERE conversation = $1 AND seq NOT IN
			(SELECT seq FROM turns WHERE conversation = $1 ORDER BY seq DESC LIMIT $2)`, id, keep); err != nil {
			return fmt.Errorf("append turn to %s: %w", id, err)
		}
		return nil
	})
}

// PruneConversations removes conversations last updated before the time,
// with their turns (by cascade).
func (s *Store) PruneConversations(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.do(ctx, "prune conversations", func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM conversations WHERE updated < $1`, before)
		if err != nil {
			return fmt.Errorf("prune conversations: %w", err)
		}
		n += tag.RowsAffected()
		return nil
	})
	return int(n), err
}
