// Package postgres keeps a store.Store in PostgreSQL, so that several
// `footnote bot` processes (the shards of one bot, on one host or many) share
// their reading lists, thread histories and votes: a guild that moves to
// another shard finds everything where it was.
//
// Everything is in the database, in the tables of the connection's current
// schema (search_path): readings with their original bytes, extracted text,
// passages and vectors (float32 little-endian in bytea: pgvector is not
// assumed, and vectors are searched in memory by chromem-go, not in SQL),
// list versions, conversations with their turns, votes and the votes' HMAC
// key.
//
// The schema is created and upgraded by numbered SQL files embedded in the
// binary (migrations/NNNN_name.sql), applied by Open under a session advisory
// lock, so that processes starting at once apply each exactly once; the
// versions applied are kept in schema_migrations, and a database newer than
// the binary is refused.
//
// An addition is one transaction that takes a transaction advisory lock on
// its guild before checking duplicates and limits, so that two additions to
// one guild, from any processes, are serialised there.
//
// Freshness across processes: each process loads the lists of the guilds
// its shard serves lazily (package readings, on a list's first question) and
// checks ListVersion, one primary-key lookup (about 40 µs on a local
// server), before every question, reloading a list whose version moved. A
// version check was chosen over LISTEN/NOTIFY because it cannot miss a
// change: a notification sent while a process's listening connection is
// down (the database restarting, a network fault) is lost, so LISTEN would
// still need a version check after each reconnect; it works through
// connection poolers in transaction mode (PgBouncer), where LISTEN does not;
// it needs no connection held per process; and it is the check the embedded
// store already makes, so package readings is the same over both. Its cost,
// one or two lookups per question, is small beside the question itself.
//
// When the database cannot be reached (a restart, a network fault), each
// operation is retried for a few seconds while the pool reconnects, and then
// fails with an error that wraps store.ErrUnavailable. Retrying never doubles
// a write: a reading's bytes land once per list (a retried addition finds
// itself and reports success), a turn carries a key, a vote is keyed by
// (answer, user).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footnote-bot/footnote/internal/redact"
	"github.com/footnote-bot/footnote/store"
)

// DefaultRetryFor is how long an operation keeps retrying while the database
// cannot be reached.
const DefaultRetryFor = 3 * time.Second

// Options configure Open.
type Options struct {
	// URL is a postgres:// (or postgresql://) URL. Its password, if any, is
	// never logged or put in an error (see Redact); PGPASSWORD and
	// ~/.pgpass are read as libpq reads them.
	URL string
	// RetryFor bounds the retries of one operation while the database cannot
	// be reached; 0 means DefaultRetryFor, a negative one no retries.
	RetryFor time.Duration
	// MaxConns bounds the pool; 0 means pgxpool's default (4 or the CPUs).
	MaxConns int32
}

// Store is a store.Store in PostgreSQL.
type Store struct {
	pool     *pgxpool.Pool
	url      string // redacted
	retryFor time.Duration
	key      atomic.Pointer[[]byte]
	closed   atomic.Bool
	applied  int
}

var _ store.Store = (*Store)(nil)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://) rather than a data folder.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact returns the URL with its user and password, and any password in its
// query, replaced by "[redacted]" (package internal/redact), for logs and
// errors.
func Redact(raw string) string {
	return redact.String(raw)
}

// redactedError is an error whose message had a secret removed; it still
// unwraps to the original, for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// scrub removes the URL's password (and the URL itself) from err's message
// wherever a library put it.
func scrub(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	var secrets []string
	if u, perr := url.Parse(rawURL); perr == nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
		if pw := u.Query().Get("password"); pw != "" {
			secrets = append(secrets, pw)
		}
	}
	msg := redact.String(strings.ReplaceAll(err.Error(), rawURL, Redact(rawURL)), secrets...)
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// Open connects to the database, applies the migrations it lacks (under an
// advisory lock) and loads the votes' key. It fails when the database is of
// a newer schema than this binary.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if !IsURL(opts.URL) {
		return nil, fmt.Errorf("database URL %s: want postgres://user@host:port/database", Redact(opts.URL))
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		// pgx's parse errors may quote the string: say only where it failed.
		return nil, fmt.Errorf("database URL %s does not parse", Redact(opts.URL))
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	// Dead connections are found by the health check as well as by use.
	cfg.HealthCheckPeriod = 5 * time.Second
	retryFor := opts.RetryFor
	switch {
	case retryFor == 0:
		retryFor = DefaultRetryFor
	case retryFor < 0:
		retryFor = 0
	}
	s := &Store{url: Redact(opts.URL), retryFor: retryFor}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(fmt.Errorf("database %s: %w", s.url, err), opts.URL)
	}
	s.pool = pool
	err = s.do(ctx, "connect", func(ctx context.Context) error { return pool.Ping(ctx) })
	if err == nil {
		err = s.migrate(ctx)
	}
	if err == nil {
		err = s.loadKey(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, scrub(fmt.Errorf("database %s: %w", s.url, err), opts.URL)
	}
	return s, nil
}

// Applied is how many migrations this Open applied (0 when the schema was
// current).
func (s *Store) Applied() int { return s.applied }

// URL is the database's URL, redacted.
func (s *Store) URL() string { return s.url }

// Pool is the connection pool, for tools and tests that read the tables.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.pool.Close()
	return nil
}

func (s *Store) check() error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// UnavailableError is an operation that failed because the database could
// not be reached; it wraps store.ErrUnavailable and the last cause.
type UnavailableError struct {
	Op  string
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s: the database cannot be reached now (%v); try again", e.Op, e.Err)
}

func (e *UnavailableError) Is(target error) bool { return target == store.ErrUnavailable }

func (e *UnavailableError) Unwrap() error { return e.Err }

// do runs fn, again while it fails because the database cannot be reached,
// for up to s.retryFor; then the error is an *UnavailableError. Only
// operations that are safe to repeat (every one of this store's) go through
// it.
func (s *Store) do(ctx context.Context, op string, fn func(ctx context.Context) error) error {
	if err := s.check(); err != nil {
		return err
	}
	deadline := time.Now().Add(s.retryFor)
	wait := 50 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil || !Transient(err) || ctx.Err() != nil {
			return err
		}
		if s.closed.Load() {
			return store.ErrClosed
		}
		if time.Now().Add(wait).After(deadline) {
			return &UnavailableError{Op: op, Err: err}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// Transient reports whether err comes from losing the database (a restart,
// a network fault, a connection refused) or from a conflict that a retry
// resolves (serialization failure, deadlock), rather than from the request.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, starting up
			pe.Code == "40001", pe.Code == "40P01", // serialization failure, deadlock
			pe.Code == "53300": // too many connections
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err), pgconn.Timeout(err),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgx reports a connection that died under a statement in words only.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe")
}

// tx runs fn in a transaction, committed when fn returns nil, retried as do
// says.
func (s *Store) tx(ctx context.Context, op string, opts pgx.TxOptions, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return s.do(ctx, op, func(ctx context.Context) error {
		return pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error { return fn(ctx, tx) })
	})
}

var readOnly = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
