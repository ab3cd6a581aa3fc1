package postgres

import (
	"context"
	"fmt"
	"slices"
)

// ConversationIDs lists every conversation, for moving a store elsewhere
// (footnote migrate-store).
func (s *Store) ConversationIDs(ctx context.Context) ([]string, error) {
	var out []string
	err := s.do(ctx, "conversations", func(ctx context.Context) error {
		out = nil
		rows, err := s.pool.Query(ctx, `SELECT id FROM conversations ORDER BY updated, id`)
		if err != nil {
			return fmt.Errorf("conversations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("conversations: %w", err)
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, err
}

// VoteKey is the key of HashUser, for moving the votes elsewhere with it
// (footnote migrate-store writes it beside a votes file for ImportVotes).
func (s *Store) VoteKey() []byte { return slices.Clone(*s.key.Load()) }
