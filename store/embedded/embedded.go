// Package embedded keeps a store.Store in a data folder on this machine:
// metadata (readings, conversations, votes) in SQLite through
// modernc.org/sqlite (pure Go), and each reading's document, passages and
// vectors in an index file of its own (package indexfile's format) beside its
// original bytes:
//
//	DIR/footnote.db           SQLite (WAL): readings, list versions, conversations, votes
//	DIR/readings/ID.index     the reading's document, passages and vectors
//	DIR/readings/ID.original  the file as it was added
//
// One index file per reading, not one per list, because readings come and go
// one at a time: adding one writes its own file and never rewrites a list's
// (150 MB for a full list of 100k passages of 384 dimensions), and removing one
// deletes two files. A list is loaded by reading its readings' files and
// joining them (store.Merge) into the one saved index that
// indexfile.NewFromSaved turns into the list's chromem-go collection.
//
// Crash safety: an addition writes its files (temporary name, synced,
// renamed, folder synced) before the transaction that commits its row, so a
// committed row always has whole files; a crash before the commit leaves
// files no row names, which Open removes once they are an hour old (an hour,
// so that another process's addition in flight keeps its files). A removal
// deletes the row, then the files. Several processes may use one folder at
// once (the bot and `footnote readings`): SQLite serialises their writes.
package embedded

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/footnote-bot/footnote/store"
)

// Names in the data folder.
const (
	DBName      = "footnote.db"
	ReadingsDir = "readings"
)

// DefaultOrphanAge is how old a file no reading names must be before Open
// removes it.
const DefaultOrphanAge = time.Hour

// schemaVersion is PRAGMA user_version of the database this package writes;
// a newer database is refused.
const schemaVersion = 1

// DefaultDir returns the default data folder: $XDG_DATA_HOME/footnote, else
// ~/.local/share/footnote.
func DefaultDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "footnote"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data folder: set data_dir or FOOTNOTE_DATA_DIR (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "footnote"), nil
}

// Options configure Open.
type Options struct {
	// Dir is the data folder, created if missing; "" means DefaultDir().
	Dir string
	// OrphanAge: files that no reading names are removed by Open when older;
	// 0 means DefaultOrphanAge, a negative one removes them at once (only
	// safe when no other process is adding to the folder).
	OrphanAge time.Duration
}

// Store is a store.Store in a data folder.
type Store struct {
	dir    string
	db     *sql.DB
	key    atomic.Pointer[[]byte]
	closed atomic.Bool
	// mu serialises this process's writers, so that they queue here rather
	// than spin on SQLite's busy timeout; other processes still contend there.
	mu sync.Mutex
}

var _ store.Store = (*Store)(nil)

// Open opens the store in opts.Dir, creating it when missing, migrating the
// database to this version's schema (a newer one is refused) and removing
// files that a crash left behind.
func Open(ctx context.Context, opts Options) (*Store, error) {
	dir := opts.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(filepath.Join(dir, ReadingsDir), 0o755); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_txlock", "immediate")
	dsn := "file:" + filepath.Join(dir, DBName) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{dir: dir, db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	if err := s.loadKey(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	age := opts.OrphanAge
	switch {
	case age == 0:
		age = DefaultOrphanAge
	case age < 0:
		age = 0
	}
	if err := s.removeOrphans(ctx, age); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return s, nil
}

// Dir returns the data folder.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

func (s *Store) check() error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS readings (
		id TEXT PRIMARY KEY,
		guild TEXT NOT NULL,
		channel TEXT NOT NULL,
		title TEXT NOT NULL,
		authors TEXT NOT NULL,
		year INTEGER NOT NULL,
		url TEXT NOT NULL,
		file_name TEXT NOT NULL,
		sha256 TEXT NOT NULL,
		size INTEGER NOT NULL,
		format TEXT NOT NULL,
		added_by TEXT NOT NULL,
		added_at INTEGER NOT NULL,
		passages INTEGER NOT NULL,
		pages INTEGER NOT NULL,
		embedder TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS readings_list ON readings (guild, channel)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS readings_bytes ON readings (guild, channel, sha256)`,
	`CREATE TABLE IF NOT EXISTS list_versions (
		guild TEXT NOT NULL, channel TEXT NOT NULL, version INTEGER NOT NULL,
		PRIMARY KEY (guild, channel))`,
	`CREATE TABLE IF NOT EXISTS conversations (
		id TEXT PRIMARY KEY, guild TEXT NOT NULL, parent TEXT NOT NULL, updated INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS turns (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
		question TEXT NOT NULL, answer TEXT NOT NULL, at INTEGER NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation, seq)`,
	`CREATE TABLE IF NOT EXISTS votes (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		answer_id TEXT NOT NULL, user TEXT NOT NULL, time INTEGER NOT NULL, helpful INTEGER NOT NULL,
		question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,
		UNIQUE (answer_id, user))`,
	`CREATE TABLE IF NOT EXISTS imports (path TEXT PRIMARY KEY, at INTEGER NOT NULL, votes INTEGER NOT NULL)`,
}

// migrate creates the schema in a new database and refuses a newer one.
func (s *Store) migrate(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > schemaVersion {
			return fmt.Errorf("the database is of schema version %d, newer than this footnote's %d: use a newer footnote", v, schemaVersion)
		}
		if v == schemaVersion {
			return nil
		}
		for _, stmt := range schema {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
		return nil
	})
}

// write runs fn in a write transaction (BEGIN IMMEDIATE), committed when fn
// returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// loadKey reads the votes' HMAC key, making one the first time.
func (s *Store) loadKey(ctx context.Context) error {
	var hexKey string
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('vote_key', ?)`,
			hex.EncodeToString(newKey())); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'vote_key'`).Scan(&hexKey)
	})
	if err != nil {
		return fmt.Errorf("votes key: %w", err)
	}
	key, err := hex.DecodeString(hexKey)
	if err != nil || len(key) < 16 {
		return errors.New("votes key in the database is damaged")
	}
	s.key.Store(&key)
	return nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(n int64) time.Time { return time.UnixMilli(n).UTC() }
