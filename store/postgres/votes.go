package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/store"
)

// HashUser is the HMAC-SHA256 of userID under the store's key, in hex.
func (s *Store) HashUser(userID string) string {
	return store.HashUserWith(*s.key.Load(), userID)
}

// AddVote records a vote, superseding the user's earlier one on the answer.
// It is keyed by (answer, user): a retry lands once.
func (s *Store) AddVote(ctx context.Context, userID string, v store.Vote) error {
	if err := s.check(); err != nil {
		return err
	}
	if v.Time.IsZero() {
		v.Time = time.Now()
	}
	// The key is read again with each vote: another process may have
	// adopted an imported votes file's key since this one opened.
	return s.tx(ctx, "add vote", pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		var key []byte
		if err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'vote_key'`).Scan(&key); err != nil {
			return fmt.Errorf("votes key: %w", err)
		}
		if len(key) >= 16 {
			s.key.Store(&key)
		}
		v.User = s.HashUser(userID)
		return upsertVote(ctx, tx, v)
	})
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// upsertVote stores v as the standing vote of its user on its answer, with a
// new place in the order cast.
func upsertVote(ctx context.Context, q execer, v store.Vote) error {
	cites, err := json.Marshal(v.Citations)
	if err != nil {
		return fmt.Errorf("encode vote: %w", err)
	}
	_, err = q.Exec(ctx, `INSERT INTO votes (answer_id, user_hash, seq, time, helpful, question, answer, citations)
		VALUES ($1, $2, nextval('votes_seq'), $3, $4, $5, $6, $7)
		ON CONFLICT (answer_id, user_hash) DO UPDATE SET seq = excluded.seq, time = excluded.time,
			helpful = excluded.helpful, question = excluded.question, answer = excluded.answer, citations = excluded.citations`,
		v.AnswerID, v.User, v.Time, v.Helpful, v.Question, v.Answer, cites)
	if err != nil {
		return fmt.Errorf("save vote: %w", err)
	}
	return nil
}

// Votes returns the standing votes in the order cast.
func (s *Store) Votes(ctx context.Context) ([]store.Vote, error) {
	var out []store.Vote
	err := s.do(ctx, "votes", func(ctx context.Context) error {
		out = nil
		rows, err := s.pool.Query(ctx, `SELECT answer_id, user_hash, time, helpful, question, answer, citations FROM votes ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("votes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v store.Vote
			var cites []byte
			if err := rows.Scan(&v.AnswerID, &v.User, &v.Time, &v.Helpful, &v.Question, &v.Answer, &cites); err != nil {
				return fmt.Errorf("votes: %w", err)
			}
			v.Time = v.Time.UTC()
			if err := json.Unmarshal(cites, &v.Citations); err != nil {
				return fmt.Errorf("votes: citations: %w", err)
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// ImportVotes imports a votes file of the bot's former format once (by its
// content: the same bytes again import nothing). When the store holds no
// votes yet it takes the file's key as its own, so that imported votes and
// later ones by the same people are told apart alike.
func (s *Store) ImportVotes(ctx context.Context, path string) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("import votes: %w", err)
	}
	raw, err := os.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("import votes: %w", err)
	}
	votes, key, err := store.ReadVotesFile(abs)
	if err != nil {
		return 0, fmt.Errorf("import votes: %w", err)
	}
	sum := store.Hash(raw)
	n := 0
	var adopted []byte
	err = s.tx(ctx, "import votes", pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		n, adopted = 0, nil
		// One import at a time, whichever process.
		if _, err := tx.Exec(ctx, `LOCK TABLE imports IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var done int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM imports WHERE sha256 = $1`, sum).Scan(&done); err != nil {
			return fmt.Errorf("import votes: %w", err)
		}
		if done > 0 {
			return nil
		}
		var existing int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM votes`).Scan(&existing); err != nil {
			return fmt.Errorf("import votes: %w", err)
		}
		if existing == 0 && key != nil {
			if _, err := tx.Exec(ctx, `UPDATE meta SET value = $1 WHERE key = 'vote_key'`, key); err != nil {
				return fmt.Errorf("import votes key: %w", err)
			}
			adopted = key
		}
		for _, v := range votes {
			if err := upsertVote(ctx, tx, v); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO imports (sha256, path, at, votes) VALUES ($1, $2, now(), $3)`, sum, abs, len(votes)); err != nil {
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
