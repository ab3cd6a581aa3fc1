package postgres

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered SQL file of migrations/.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in order. Their numbers run 1,
// 2, 3 ... without gaps (a test checks).
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, name := range names {
		base := path.Base(name)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", base)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: want version %d (no gaps or repeats)", m.Version, m.Name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, err := Migrations()
	if err != nil {
		panic(err) // the embedded files are checked by the package's tests
	}
	return len(ms)
}

// NewerSchemaError refuses a database whose schema a newer footnote made.
type NewerSchemaError struct {
	Database, Binary int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("the database's schema is at version %d, newer than this footnote's %d: run a footnote at least as new as the one that upgraded it (or point database_url elsewhere)", e.Database, e.Binary)
}

// lockKey is the advisory lock of the migrations of the current schema:
// stores in other schemas of the database migrate independently.
const lockKey = `hashtextextended('footnote-migrate:' || current_schema(), 0)`

// migrate applies the migrations the database lacks, each in its own
// transaction, holding a session advisory lock so that processes starting at
// once apply each exactly once (the second waits, then finds them applied).
func (s *Store) migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	return s.do(ctx, "migrate", func(ctx context.Context) error {
		s.applied = 0
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		var schema *string
		if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		if schema == nil {
			return errors.New("no schema to create the tables in: the search_path names none that exists")
		}
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`); err != nil {
			return fmt.Errorf("lock for migrations: %w", err)
		}
		defer func() {
			// A lost connection releases the lock by itself.
			if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+lockKey+`)`); err != nil {
				conn.Conn().Close(context.Background())
			}
		}()
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now(),
			applied_by text NOT NULL)`); err != nil {
			return fmt.Errorf("schema_migrations: %w", err)
		}
		var current int
		if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		if current > len(ms) {
			return &NewerSchemaError{Database: current, Binary: len(ms)}
		}
		host, _ := os.Hostname()
		by := fmt.Sprintf("footnote pid %d on %s", os.Getpid(), host)
		for _, m := range ms[current:] {
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, m.SQL); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_by) VALUES ($1, $2, $3)`, m.Version, m.Name, by)
				return err
			})
			if err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			s.applied++
		}
		return nil
	})
}

// loadKey reads the votes' HMAC key, making one the first time.
func (s *Store) loadKey(ctx context.Context) error {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return err
	}
	var key []byte
	err := s.do(ctx, "votes key", func(ctx context.Context) error {
		if _, err := s.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('vote_key', $1) ON CONFLICT (key) DO NOTHING`, fresh); err != nil {
			return err
		}
		return s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'vote_key'`).Scan(&key)
	})
	if err != nil {
		return fmt.Errorf("votes key: %w", err)
	}
	if len(key) < 16 {
		return errors.New("votes key in the database is damaged")
	}
	s.key.Store(&key)
	return nil
}
