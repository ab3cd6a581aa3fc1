package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// LoadQuiz returns the record saved for thread's quiz, nil when there is none.
func (s *Store) LoadQuiz(ctx context.Context, thread string) ([]byte, error) {
	var rec []byte
	err := s.do(ctx, "load quiz", func(ctx context.Context) error {
		rec = nil
		err := s.pool.QueryRow(ctx, `SELECT record FROM quizzes WHERE thread = $1`, thread).Scan(&rec)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load quiz %s: %w", thread, err)
	}
	return rec, nil
}

// SaveQuiz replaces the record of thread's quiz (a retry writes the same).
func (s *Store) SaveQuiz(ctx context.Context, thread string, record []byte) error {
	if thread == "" || len(record) == 0 {
		return fmt.Errorf("save quiz: no thread or an empty record")
	}
	return s.do(ctx, "save quiz", func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO quizzes (thread, record, updated) VALUES ($1, $2, now())
			ON CONFLICT (thread) DO UPDATE SET record = excluded.record, updated = excluded.updated`, thread, record)
		if err != nil {
			return fmt.Errorf("save quiz %s: %w", thread, err)
		}
		return nil
	})
}

// QuizThreads lists the threads with a quiz, for moving a store elsewhere.
func (s *Store) QuizThreads(ctx context.Context) ([]string, error) {
	var out []string
	err := s.do(ctx, "quizzes", func(ctx context.Context) error {
		out = nil
		rows, err := s.pool.Query(ctx, `SELECT thread FROM quizzes ORDER BY updated, thread`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("quizzes: %w", err)
	}
	return out, nil
}
