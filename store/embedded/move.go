package embedded

import (
	"context"
	"fmt"
	"slices"
)

// ConversationIDs lists every conversation, for moving a store elsewhere
// (footnote migrate-store).
func (s *Store) ConversationIDs(ctx context.Context) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM conversations ORDER BY updated, id`)
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("conversations: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// VoteKey is the key of HashUser, for moving the votes elsewhere with it
// (footnote migrate-store writes it beside a votes file for ImportVotes).
func (s *Store) VoteKey() []byte { return slices.Clone(*s.key.Load()) }

// QuizThreads lists the threads with a quiz, for moving a store elsewhere.
func (s *Store) QuizThreads(ctx context.Context) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, quizzesTable); err != nil {
		return nil, fmt.Errorf("quizzes: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT thread FROM quizzes ORDER BY updated, thread`)
	if err != nil {
		return nil, fmt.Errorf("quizzes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("quizzes: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
