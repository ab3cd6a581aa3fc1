package embedded

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/footnote-bot/footnote/store"
)

func newKey() []byte {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(fmt.Sprintf("embedded: no randomness: %v", err)) // crypto/rand does not fail on supported systems
	}
	return key
}

// HashUser is the HMAC-SHA256 of userID under the store's key, in hex.
func (s *Store) HashUser(userID string) string {
	return store.HashUserWith(*s.key.Load(), userID)
}

// AddVote records a vote, superseding the user's earlier one on the answer.
func (s *Store) AddVote(ctx context.Context, userID string, v store.Vote) error {
	if err := s.check(); err != nil {
		return err
	}
	v.User = s.HashUser(userID)
	if v.Time.IsZero() {
		v.Time = time.Now()
	}
	return s.write(ctx, func(tx *sql.Tx) error { return insertVote(ctx, tx, v) })
}

func insertVote(ctx context.Context, tx *sql.Tx, v store.Vote) error {
	cites, err := json.Marshal(v.Citations)
	if err != nil {
		return fmt.Errorf("encode vote: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE answer_id = ? AND user = ?`, v.AnswerID, v.User); err != nil {
		return fmt.Errorf("save vote: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO votes (answer_id, user, time, helpful, question, answer, citations)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, v.AnswerID, v.User, v.Time.UnixNano(), v.Helpful, v.Question, v.Answer, string(cites)); err != nil {
		return fmt.Errorf("save vote: %w", err)
	}
	return nil
}

// Votes returns the standing votes in the order cast.
func (s *Store) Votes(ctx context.Context) ([]store.Vote, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT answer_id, user, time, helpful, question, answer, citations FROM votes ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("votes: %w", err)
	}
	defer rows.Close()
	var out []store.Vote
	for rows.Next() {
		var v store.Vote
		var t int64
		var cites string
		if err := rows.Scan(&v.AnswerID, &v.User, &t, &v.Helpful, &v.Question, &v.Answer, &cites); err != nil {
			return nil, fmt.Errorf("votes: %w", err)
		}
		v.Time = time.Unix(0, t).UTC()
		if err := json.Unmarshal([]byte(cites), &v.Citations); err != nil {
			return nil, fmt.Errorf("votes: citations: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("votes: %w", err)
	}
	return out, nil
}

// ImportVotes imports a votes file of the bot's former format once. When the
// store holds no votes yet, it takes the file's key as its own, so that the
// imported votes and later ones by the same people are told apart alike.
func (s *Store) ImportVotes(ctx context.Context, path string) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("import votes: %w", err)
	}
	votes, key, err := store.ReadVotesFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("import votes: %w", err)
	}
	n := 0
	var adopted []byte
	err = s.write(ctx, func(tx *sql.Tx) error {
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM imports WHERE path = ?`, abs).Scan(&done); err != nil {
			return fmt.Errorf("import votes: %w", err)
		}
		if done > 0 {
			return nil
		}
		var existing int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM votes`).Scan(&existing); err != nil {
			return fmt.Errorf("import votes: %w", err)
		}
		if existing == 0 && key != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'vote_key'`, hex.EncodeToString(key)); err != nil {
				return fmt.Errorf("import votes key: %w", err)
			}
			adopted = key
		}
		for _, v := range votes {
			if err := insertVote(ctx, tx, v); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO imports (path, at, votes) VALUES (?, ?, ?)`, abs, ms(time.Now()), len(votes)); err != nil {
			return fmt.Errorf("import votes: %w", err)
		}
		n = len(votes)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if adopted != nil {
		s.key.Store(&adopted)
	}
	return n, nil
}
