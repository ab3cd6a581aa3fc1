package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Quizzes: each Discord thread's quiz is one opaque record (the bot's JSON:
// questions, who chose what), replaced whole after every press, so that a
// quiz goes on after a restart. The table is created on first use: it needs
// no migration, and a database without it is still this schema version.

const quizzesTable = `CREATE TABLE IF NOT EXISTS quizzes (
	thread TEXT PRIMARY KEY,
	record BLOB NOT NULL,
	updated INTEGER NOT NULL
)`

// LoadQuiz returns the record saved for thread's quiz, nil when there is none.
func (s *Store) LoadQuiz(ctx context.Context, thread string) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, quizzesTable); err != nil {
		return nil, fmt.Errorf("quizzes: %w", err)
	}
	var rec []byte
	err := s.db.QueryRowContext(ctx, `SELECT record FROM quizzes WHERE thread = ?`, thread).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load quiz %s: %w", thread, err)
	}
	return rec, nil
}

// SaveQuiz replaces the record of thread's quiz.
func (s *Store) SaveQuiz(ctx context.Context, thread string, record []byte) error {
	if err := s.check(); err != nil {
		return err
	}
	if thread == "" || len(record) == 0 {
		return fmt.Errorf("save quiz: no thread or an empty record")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, quizzesTable); err != nil {
			return fmt.Errorf("quizzes: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO quizzes (thread, record, updated) VALUES (?, ?, ?)
			ON CONFLICT(thread) DO UPDATE SET record = excluded.record, updated = excluded.updated`,
			thread, record, time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("save quiz %s: %w", thread, err)
		}
		return nil
	})
}
