package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/footnote-bot/footnote/store"
)

// Conversation returns a conversation with its turns.
func (s *Store) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	if err := s.check(); err != nil {
		return store.Conversation{}, err
	}
	c := store.Conversation{ID: id}
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT guild, parent, updated FROM conversations WHERE id = ?`, id).
		Scan(&c.Guild, &c.Parent, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("conversation %s: %w", id, err)
	}
	c.Updated = fromMS(updated)
	rows, err := s.db.QueryContext(ctx, `SELECT question, answer, at FROM turns WHERE conversation = ? ORDER BY seq`, id)
	if err != nil {
		return c, fmt.Errorf("conversation %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t store.Turn
		var at int64
		if err := rows.Scan(&t.Question, &t.Answer, &at); err != nil {
			return c, fmt.Errorf("conversation %s: %w", id, err)
		}
		t.At = fromMS(at)
		c.Turns = append(c.Turns, t)
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("conversation %s: %w", id, err)
	}
	return c, nil
}

// SaveConversation creates the conversation or updates its guild and parent.
func (s *Store) SaveConversation(ctx context.Context, c store.Conversation) error {
	if err := s.check(); err != nil {
		return err
	}
	if c.ID == "" {
		return fmt.Errorf("save conversation: no id")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, guild, parent, updated) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET guild = excluded.guild, parent = excluded.parent, updated = excluded.updated`,
			c.ID, c.Guild, c.Parent, ms(time.Now()))
		if err != nil {
			return fmt.Errorf("save conversation %s: %w", c.ID, err)
		}
		return nil
	})
}

// AppendTurn adds a turn and drops all but the last keep.
func (s *Store) AppendTurn(ctx context.Context, id string, t store.Turn, keep int) error {
	if err := s.check(); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("append turn: no conversation id")
	}
	if keep <= 0 {
		keep = store.DefaultKeepTurns
	}
	if t.At.IsZero() {
		t.At = time.Now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, guild, parent, updated) VALUES (?, '', '', ?)
			ON CONFLICT (id) DO UPDATE SET updated = excluded.updated`, id, ms(time.Now())); err != nil {
			return fmt.Errorf("append turn to %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO turns (conversation, question, answer, at) VALUES (?, ?, ?, ?)`,
			id, t.Question, t.Answer, ms(t.At)); err != nil {
			return fmt.Errorf("append turn to %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM turns WHERE conversation = ? AND seq NOT IN
			(SELECT seq FROM turns WHERE conversation = ? ORDER BY seq DESC LIMIT ?)`, id, id, keep); err != nil {
			return fmt.Errorf("append turn to %s: %w", id, err)
		}
		return nil
	})
}

// PruneConversations removes conversations last updated before the time.
func (s *Store) PruneConversations(ctx context.Context, before time.Time) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM turns WHERE conversation IN
			(SELECT id FROM conversations WHERE updated < ?)`, ms(before)); err != nil {
			return fmt.Errorf("prune conversations: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE updated < ?`, ms(before))
		if err != nil {
			return fmt.Errorf("prune conversations: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
