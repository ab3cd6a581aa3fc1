package embedded

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/store"
)

const readingColumns = `id, guild, channel, title, authors, year, url, file_name, sha256, size, format,
	added_by, added_at, passages, pages, embedder`

type scanner interface{ Scan(dest ...any) error }

func scanReading(sc scanner) (store.Reading, error) {
	var r store.Reading
	var authors string
	var added int64
	err := sc.Scan(&r.ID, &r.Guild, &r.Channel, &r.Title, &authors, &r.Year, &r.URL, &r.FileName, &r.SHA256,
		&r.Size, &r.Format, &r.AddedBy, &added, &r.Passages, &r.Pages, &r.Embedder)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(authors), &r.Authors); err != nil {
		return r, fmt.Errorf("reading %s: authors: %w", r.ID, err)
	}
	r.AddedAt = fromMS(added)
	r.DocPath = r.ID + "/" + r.FileName
	return r, nil
}

func (s *Store) indexPath(id string) string { return filepath.Join(s.dir, ReadingsDir, id+".index") }
func (s *Store) originalPath(id string) string {
	return filepath.Join(s.dir, ReadingsDir, id+".original")
}

// AddReading writes the reading's files, then commits its row after checking
// duplicates and limits in the same transaction.
func (s *Store) AddReading(ctx context.Context, a store.Addition) (store.Reading, error) {
	if err := s.check(); err != nil {
		return store.Reading{}, err
	}
	r, saved, err := a.Prepare(a.ReadingID())
	if err != nil {
		return store.Reading{}, err
	}
	// Refuse a duplicate before writing anything; the transaction checks again.
	if err := s.checkDuplicate(ctx, s.db, r); err != nil {
		return store.Reading{}, err
	}
	if err := ctx.Err(); err != nil {
		return store.Reading{}, err
	}
	committed := false
	defer func() {
		if !committed && !s.committed(r.ID) {
			os.Remove(s.originalPath(r.ID))
			os.Remove(s.indexPath(r.ID))
		}
	}()
	if err := writeFileAtomic(s.originalPath(r.ID), a.Original); err != nil {
		return store.Reading{}, fmt.Errorf("save reading: %w", err)
	}
	if err := indexfile.WriteIndexFile(s.indexPath(r.ID), saved); err != nil {
		return store.Reading{}, fmt.Errorf("save reading: %w", err)
	}
	authors, err := json.Marshal(r.Authors)
	if err != nil {
		return store.Reading{}, fmt.Errorf("save reading: %w", err)
	}
	lim := a.Limits.Effective()
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkDuplicate(ctx, tx, r); err != nil {
			return err
		}
		var n, passages int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(passages), 0) FROM readings WHERE guild = ?`,
			r.Guild).Scan(&n, &passages); err != nil {
			return fmt.Errorf("count the guild's readings: %w", err)
		}
		if lim.MaxReadings >= 0 && n+1 > lim.MaxReadings {
			return &store.LimitError{What: "readings", N: n + 1, Max: lim.MaxReadings}
		}
		if lim.MaxPassages >= 0 && passages+r.Passages > lim.MaxPassages {
			return &store.LimitError{What: "passages", N: passages + r.Passages, Max: lim.MaxPassages}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO readings (`+readingColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Guild, r.Channel, r.Title, string(authors), r.Year, r.URL, r.FileName, r.SHA256, r.Size,
			r.Format, r.AddedBy, ms(r.AddedAt), r.Passages, r.Pages, r.Embedder); err != nil {
			return fmt.Errorf("insert reading: %w", err)
		}
		return bumpVersion(ctx, tx, r.List())
	})
	if err != nil {
		return store.Reading{}, err
	}
	committed = true
	return r, nil
}

// committed reports whether the reading's row is in the database, or
// whether that cannot be told: after a commit that failed, its files are
// removed only when the row is certainly not there.
func (s *Store) committed(id string) bool {
	var n int
	err := s.db.QueryRowContext(context.Background(), `SELECT count(*) FROM readings WHERE id = ?`, id).Scan(&n)
	return err != nil || n > 0
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkDuplicate refuses r when its bytes are in its list or, for a
// channel's reading, in the guild-wide list.
func (s *Store) checkDuplicate(ctx context.Context, q querier, r store.Reading) error {
	row := q.QueryRowContext(ctx, `SELECT `+readingColumns+` FROM readings
		WHERE guild = ? AND channel IN (?, '') AND sha256 = ? ORDER BY channel = '' DESC LIMIT 1`,
		r.Guild, r.Channel, r.SHA256)
	existing, err := scanReading(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("look for duplicates: %w", err)
	}
	return &store.DuplicateError{Existing: existing}
}

func bumpVersion(ctx context.Context, tx *sql.Tx, l store.List) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO list_versions (guild, channel, version) VALUES (?, ?, 1)
		ON CONFLICT (guild, channel) DO UPDATE SET version = version + 1`, l.Guild, l.Channel)
	if err != nil {
		return fmt.Errorf("list version: %w", err)
	}
	return nil
}

// RemoveReading deletes the reading's row, then its files.
func (s *Store) RemoveReading(ctx context.Context, guild, id string) (store.Reading, error) {
	if err := s.check(); err != nil {
		return store.Reading{}, err
	}
	var r store.Reading
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = s.getReading(ctx, tx, guild, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM readings WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete reading: %w", err)
		}
		return bumpVersion(ctx, tx, r.List())
	})
	if err != nil {
		return store.Reading{}, err
	}
	// A crash before these leaves files that Open removes.
	os.Remove(s.indexPath(id))
	os.Remove(s.originalPath(id))
	return r, nil
}

func (s *Store) getReading(ctx context.Context, q querier, guild, id string) (store.Reading, error) {
	r, err := scanReading(q.QueryRowContext(ctx, `SELECT `+readingColumns+` FROM readings WHERE guild = ? AND id = ?`, guild, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("reading %q of guild %s: %w", id, guild, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("reading %q: %w", id, err)
	}
	return r, nil
}

// Reading returns one reading of the guild.
func (s *Store) Reading(ctx context.Context, guild, id string) (store.Reading, error) {
	if err := s.check(); err != nil {
		return store.Reading{}, err
	}
	return s.getReading(ctx, s.db, guild, id)
}

func (s *Store) queryReadings(ctx context.Context, query string, args ...any) ([]store.Reading, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+readingColumns+` FROM readings `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("list readings: %w", err)
	}
	defer rows.Close()
	var out []store.Reading
	for rows.Next() {
		r, err := scanReading(rows)
		if err != nil {
			return nil, fmt.Errorf("list readings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list readings: %w", err)
	}
	return out, nil
}

// Readings returns every reading of the guild, oldest first.
func (s *Store) Readings(ctx context.Context, guild string) ([]store.Reading, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.queryReadings(ctx, `WHERE guild = ? ORDER BY added_at, rowid`, guild)
}

// Lists returns every list with a reading.
func (s *Store) Lists(ctx context.Context) ([]store.List, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT guild, channel FROM readings ORDER BY guild, channel`)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	defer rows.Close()
	var out []store.List
	for rows.Next() {
		var l store.List
		if err := rows.Scan(&l.Guild, &l.Channel); err != nil {
			return nil, fmt.Errorf("lists: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	return out, nil
}

// ListVersion returns the list's version; 0 for a list never changed.
func (s *Store) ListVersion(ctx context.Context, l store.List) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	return listVersion(ctx, s.db, l)
}

func listVersion(ctx context.Context, q querier, l store.List) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT version FROM list_versions WHERE guild = ? AND channel = ?`, l.Guild, l.Channel).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("version of %s: %w", l, err)
	}
	return v, nil
}

// LoadList reads the index files of the list's readings and joins them.
func (s *Store) LoadList(ctx context.Context, l store.List, embedder string) (*store.Loaded, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	// The version is read first: a change in between makes the readings newer
	// than the version, so that the holder reloads once more, never too few.
	version, err := listVersion(ctx, s.db, l)
	if err != nil {
		return nil, err
	}
	readings, err := s.queryReadings(ctx, `WHERE guild = ? AND channel = ? ORDER BY added_at, rowid`, l.Guild, l.Channel)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", l, err)
	}

	out := &store.Loaded{List: l, Version: version}
	var parts []*indexfile.Saved
	dim := 0
	for _, r := range readings {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.Embedder != embedder {
			out.Stale = append(out.Stale, r)
			continue
		}
		saved, err := indexfile.ReadIndexFile(s.indexPath(r.ID))
		if err == nil {
			err = fits(saved, r, dim)
		}
		if err != nil {
			out.Damaged = append(out.Damaged, store.DamagedReading{Reading: r, Err: err})
			continue
		}
		dim = saved.Dim
		parts = append(parts, saved)
		out.Readings = append(out.Readings, r)
	}
	out.Index = store.Merge(embedder, parts)
	return out, nil
}

// fits checks that a reading's saved index is the one its row describes.
func fits(s *indexfile.Saved, r store.Reading, dim int) error {
	switch {
	case len(s.Docs) != 1 || s.Docs[0].Path != r.DocPath:
		return fmt.Errorf("index file of reading %s does not hold its document", r.ID)
	case len(s.Passages) != r.Passages:
		return fmt.Errorf("index file of reading %s holds %d passages, not %d", r.ID, len(s.Passages), r.Passages)
	case s.Embedder != r.Embedder:
		return fmt.Errorf("index file of reading %s was made by embedder %s, not %s", r.ID, s.Embedder, r.Embedder)
	case dim != 0 && s.Dim != dim:
		return fmt.Errorf("reading %s has vectors of %d dimensions, the list's have %d", r.ID, s.Dim, dim)
	}
	return nil
}

// Original returns the reading's original bytes.
func (s *Store) Original(ctx context.Context, guild, id string) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	r, err := s.Reading(ctx, guild, id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.originalPath(r.ID))
	if err != nil {
		return nil, fmt.Errorf("original of reading %s: %w", r.ID, err)
	}
	if store.Hash(b) != r.SHA256 {
		return nil, fmt.Errorf("original of reading %s is damaged: its hash differs", r.ID)
	}
	return b, nil
}
