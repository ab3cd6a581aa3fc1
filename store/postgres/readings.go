package postgres

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/store"
)

const readingColumns = `id, guild, channel, title, authors, year, url, file_name, sha256, size, format,
	added_by, added_at, passages, pages, embedder`

func scanReading(row pgx.Row) (store.Reading, error) {
	var r store.Reading
	err := row.Scan(&r.ID, &r.Guild, &r.Channel, &r.Title, &r.Authors, &r.Year, &r.URL, &r.FileName, &r.SHA256,
		&r.Size, &r.Format, &r.AddedBy, &r.AddedAt, &r.Passages, &r.Pages, &r.Embedder)
	if err != nil {
		return r, err
	}
	if len(r.Authors) == 0 {
		r.Authors = nil
	}
	r.AddedAt = r.AddedAt.UTC()
	r.DocPath = r.ID + "/" + r.FileName
	return r, nil
}

// lockGuild serialises the transactions that change one guild's lists, in
// every process, until the transaction ends.
func lockGuild(ctx context.Context, tx pgx.Tx, guild string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('footnote-guild:' || $1, 0))`, guild); err != nil {
		return fmt.Errorf("lock the guild's lists: %w", err)
	}
	return nil
}

// errLanded: a retried addition found itself committed by the attempt whose
// outcome was lost with the connection.
var errLanded = errors.New("landed")

// AddReading adds the reading, its original, document, passages and vectors
// in one transaction, under the guild's advisory lock, after checking
// duplicates and limits in it.
func (s *Store) AddReading(ctx context.Context, a store.Addition) (store.Reading, error) {
	if err := s.check(); err != nil {
		return store.Reading{}, err
	}
	r, saved, err := a.Prepare(a.ReadingID())
	if err != nil {
		return store.Reading{}, err
	}
	doc := saved.Docs[0]
	rows := make([][]any, len(saved.Passages))
	for i, p := range saved.Passages {
		var text any
		if p.Start < 0 || p.End > len(doc.Text) || p.Text != doc.Text[p.Start:p.End] {
			text = p.Text
		}
		rows[i] = []any{r.ID, i, p.Section, p.Paragraph, p.Page, p.Start, p.End, string(p.Kind), text, encodeVector(saved.Vectors[i])}
	}
	pages := doc.Pages
	if pages == nil {
		pages = []int{}
	}
	authors := r.Authors
	if authors == nil {
		authors = []string{}
	}
	lim := a.Limits.Effective()
	err = s.tx(ctx, "add reading", pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		if err := lockGuild(ctx, tx, r.Guild); err != nil {
			return err
		}
		if err := checkDuplicate(ctx, tx, r); err != nil {
			return err
		}
		var n, held int
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(passages), 0) FROM readings WHERE guild = $1`,
			r.Guild).Scan(&n, &held); err != nil {
			return fmt.Errorf("count the guild's readings: %w", err)
		}
		if lim.MaxReadings >= 0 && n+1 > lim.MaxReadings {
			return &store.LimitError{What: "readings", N: n + 1, Max: lim.MaxReadings}
		}
		if lim.MaxPassages >= 0 && held+r.Passages > lim.MaxPassages {
			return &store.LimitError{What: "passages", N: held + r.Passages, Max: lim.MaxPassages}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO readings (`+readingColumns+`, dim)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			r.ID, r.Guild, r.Channel, r.Title, authors, r.Year, r.URL, r.FileName, r.SHA256, r.Size,
			r.Format, r.AddedBy, r.AddedAt, r.Passages, r.Pages, r.Embedder, saved.Dim); err != nil {
			return fmt.Errorf("insert reading: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO originals (reading, bytes) VALUES ($1, $2)`, r.ID, a.Original); err != nil {
			return fmt.Errorf("insert original: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO documents (reading, text, pages) VALUES ($1, $2, $3)`, r.ID, doc.Text, pages); err != nil {
			return fmt.Errorf("insert document: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"passages"},
			[]string{"reading", "n", "section", "paragraph", "page", "start_at", "end_at", "kind", "text", "vector"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("insert passages: %w", err)
		}
		return bumpVersion(ctx, tx, r.List())
	})
	if errors.Is(err, errLanded) {
		return r, nil
	}
	if err != nil {
		return store.Reading{}, err
	}
	return r, nil
}

// checkDuplicate refuses r when its bytes are in its list or, for a
// channel's reading, in the guild-wide list; it returns errLanded when the
// reading there is r itself (an earlier attempt of this addition).
func checkDuplicate(ctx context.Context, tx pgx.Tx, r store.Reading) error {
	existing, err := scanReading(tx.QueryRow(ctx, `SELECT `+readingColumns+` FROM readings
		WHERE guild = $1 AND channel IN ($2, '') AND sha256 = $3 ORDER BY channel = '' DESC LIMIT 1`,
		r.Guild, r.Channel, r.SHA256))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("look for duplicates: %w", err)
	case existing.ID == r.ID:
		return errLanded
	}
	return &store.DuplicateError{Existing: existing}
}

func bumpVersion(ctx context.Context, tx pgx.Tx, l store.List) error {
	_, err := tx.Exec(ctx, `INSERT INTO list_versions (guild, channel, version) VALUES ($1, $2, 1)
		ON CONFLICT (guild, channel) DO UPDATE SET version = list_versions.version + 1`, l.Guild, l.Channel)
	if err != nil {
		return fmt.Errorf("list version: %w", err)
	}
	return nil
}

// RemoveReading deletes the reading and, by cascade, all it holds.
func (s *Store) RemoveReading(ctx context.Context, guild, id string) (store.Reading, error) {
	var r store.Reading
	found := false // by an attempt whose commit may have been lost
	err := s.tx(ctx, "remove reading", pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx) error {
		if err := lockGuild(ctx, tx, guild); err != nil {
			return err
		}
		got, err := getReading(ctx, tx, guild, id)
		if errors.Is(err, store.ErrNotFound) && found {
			return nil
		}
		if err != nil {
			return err
		}
		r, found = got, true
		if _, err := tx.Exec(ctx, `DELETE FROM readings WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete reading: %w", err)
		}
		return bumpVersion(ctx, tx, r.List())
	})
	if err != nil {
		return store.Reading{}, err
	}
	return r, nil
}

func getReading(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, guild, id string) (store.Reading, error) {
	r, err := scanReading(q.QueryRow(ctx, `SELECT `+readingColumns+` FROM readings WHERE guild = $1 AND id = $2`, guild, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("reading %q of guild %s: %w", id, guild, store.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("reading %q: %w", id, err)
	}
	return r, nil
}

// Reading returns one reading of the guild.
func (s *Store) Reading(ctx context.Context, guild, id string) (store.Reading, error) {
	var r store.Reading
	err := s.do(ctx, "reading", func(ctx context.Context) (err error) {
		r, err = getReading(ctx, s.pool, guild, id)
		return err
	})
	return r, err
}

func queryReadings(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, where string, args ...any) ([]store.Reading, error) {
	rows, err := q.Query(ctx, `SELECT `+readingColumns+` FROM readings `+where+` ORDER BY added_at, seq`, args...)
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
	var out []store.Reading
	err := s.do(ctx, "readings", func(ctx context.Context) (err error) {
		out, err = queryReadings(ctx, s.pool, `WHERE guild = $1`, guild)
		return err
	})
	return out, err
}

// Lists returns every list with a reading.
func (s *Store) Lists(ctx context.Context) ([]store.List, error) {
	var out []store.List
	err := s.do(ctx, "lists", func(ctx context.Context) error {
		out = nil
		rows, err := s.pool.Query(ctx, `SELECT DISTINCT guild COLLATE "C", channel COLLATE "C" FROM readings ORDER BY 1, 2`)
		if err != nil {
			return fmt.Errorf("lists: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var l store.List
			if err := rows.Scan(&l.Guild, &l.Channel); err != nil {
				return fmt.Errorf("lists: %w", err)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// ListVersion returns the list's version; 0 for a list never changed. It
// is one primary-key lookup: the reading lists ask it before every question
// (see package readings) and reload a list when it moved.
func (s *Store) ListVersion(ctx context.Context, l store.List) (int64, error) {
	var v int64
	err := s.do(ctx, "list version", func(ctx context.Context) error {
		v = 0
		err := s.pool.QueryRow(ctx, `SELECT version FROM list_versions WHERE guild = $1 AND channel = $2`, l.Guild, l.Channel).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("version of %s: %w", l, err)
	}
	return v, nil
}

// LoadList reads the list's readings, documents, passages and vectors in one
// read-only snapshot, so that Version is exactly the version of what it holds.
func (s *Store) LoadList(ctx context.Context, l store.List, embedder string) (*store.Loaded, error) {
	var out *store.Loaded
	err := s.tx(ctx, "load list", readOnly, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = loadList(ctx, tx, l, embedder)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", l, err)
	}
	return out, nil
}

// entry is one reading being loaded.
type entry struct {
	r     store.Reading
	saved *indexfile.Saved
	err   error
}

func loadList(ctx context.Context, tx pgx.Tx, l store.List, embedder string) (*store.Loaded, error) {
	out := &store.Loaded{List: l}
	if err := tx.QueryRow(ctx, `SELECT version FROM list_versions WHERE guild = $1 AND channel = $2`, l.Guild, l.Channel).
		Scan(&out.Version); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	readings, err := queryReadings(ctx, tx, `WHERE guild = $1 AND channel = $2`, l.Guild, l.Channel)
	if err != nil {
		return nil, err
	}
	var entries []*entry
	byID := map[string]*entry{}
	for _, r := range readings {
		if r.Embedder != embedder {
			out.Stale = append(out.Stale, r)
			continue
		}
		sum, _ := hex.DecodeString(r.SHA256)
		var sha [32]byte
		copy(sha[:], sum)
		e := &entry{r: r, saved: &indexfile.Saved{
			Embedder: embedder, Created: r.AddedAt, Builder: "footnote store",
			Docs:     []corpus.Document{{Path: r.DocPath, Title: r.Title, Format: r.Format, Authors: r.Authors, Year: r.Year, URL: r.URL}},
			Passages: make([]corpus.Passage, 0, r.Passages), Vectors: make([][]float32, 0, r.Passages),
			Files: []indexfile.SourceFile{{Path: r.DocPath, Size: r.Size, ModTime: r.AddedAt, SHA256: sha}},
		}}
		entries = append(entries, e)
		byID[r.ID] = e
	}
	if len(entries) > 0 {
		if err := loadDocuments(ctx, tx, l, embedder, byID); err != nil {
			return nil, err
		}
		if err := loadPassages(ctx, tx, l, embedder, byID); err != nil {
			return nil, err
		}
	}
	var parts []*indexfile.Saved
	dim := 0
	for _, e := range entries {
		if e.err == nil {
			e.err = fits(e, dim)
		}
		if e.err != nil {
			out.Damaged = append(out.Damaged, store.DamagedReading{Reading: e.r, Err: e.err})
			continue
		}
		dim = e.saved.Dim
		parts = append(parts, e.saved)
		out.Readings = append(out.Readings, e.r)
	}
	out.Index = store.Merge(embedder, parts)
	return out, nil
}

func loadDocuments(ctx context.Context, tx pgx.Tx, l store.List, embedder string, byID map[string]*entry) error {
	rows, err := tx.Query(ctx, `SELECT d.reading, d.text, d.pages FROM documents d JOIN readings r ON r.id = d.reading
		WHERE r.guild = $1 AND r.channel = $2 AND r.embedder = $3`, l.Guild, l.Channel, embedder)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, text string
		var pages []int
		if err := rows.Scan(&id, &text, &pages); err != nil {
			return err
		}
		if e := byID[id]; e != nil {
			if len(pages) == 0 {
				pages = nil
			}
			e.saved.Docs[0].Text, e.saved.Docs[0].Pages = text, pages
		}
	}
	return rows.Err()
}

func loadPassages(ctx context.Context, tx pgx.Tx, l store.List, embedder string, byID map[string]*entry) error {
	rows, err := tx.Query(ctx, `SELECT p.reading, p.n, p.section, p.paragraph, p.page, p.start_at, p.end_at, p.kind, p.text, p.vector
		FROM passages p JOIN readings r ON r.id = p.reading
		WHERE r.guild = $1 AND r.channel = $2 AND r.embedder = $3 ORDER BY p.reading, p.n`, l.Guild, l.Channel, embedder)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		var n int
		var text *string
		var vec []byte
		var p corpus.Passage
		if err := rows.Scan(&id, &n, &p.Section, &p.Paragraph, &p.Page, &p.Start, &p.End, &kind, &text, &vec); err != nil {
			return err
		}
		e := byID[id]
		if e == nil || e.err != nil {
			continue
		}
		doc := &e.saved.Docs[0]
		p.Doc, p.Title, p.Kind = doc.Path, doc.Title, corpus.Kind(kind)
		switch {
		case n != len(e.saved.Passages):
			e.err = fmt.Errorf("reading %s: passage %d is missing", id, len(e.saved.Passages))
			continue
		case text != nil:
			p.Text = *text
		case p.Start < 0 || p.End > len(doc.Text) || p.Start > p.End:
			e.err = fmt.Errorf("reading %s: passage %d [%d,%d) is outside its document's %d bytes", id, n, p.Start, p.End, len(doc.Text))
			continue
		default:
			p.Text = doc.Text[p.Start:p.End]
		}
		v, err := decodeVector(vec)
		if err != nil {
			e.err = fmt.Errorf("reading %s: passage %d: %w", id, n, err)
			continue
		}
		if e.saved.Dim == 0 {
			e.saved.Dim = len(v)
		} else if len(v) != e.saved.Dim {
			e.err = fmt.Errorf("reading %s: passage %d has a vector of %d dimensions, not %d", id, n, len(v), e.saved.Dim)
			continue
		}
		e.saved.Passages = append(e.saved.Passages, p)
		e.saved.Vectors = append(e.saved.Vectors, v)
	}
	return rows.Err()
}

// fits checks that a loaded reading is whole and of the list's dimensions.
func fits(e *entry, dim int) error {
	switch {
	case len(e.saved.Passages) != e.r.Passages:
		return fmt.Errorf("reading %s holds %d passages, not %d", e.r.ID, len(e.saved.Passages), e.r.Passages)
	case dim != 0 && e.saved.Dim != dim:
		return fmt.Errorf("reading %s has vectors of %d dimensions, the list's have %d", e.r.ID, e.saved.Dim, dim)
	}
	return nil
}

// encodeVector is v as float32 little-endian.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 || len(b) == 0 {
		return nil, fmt.Errorf("a vector of %d bytes is not float32s", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// Original returns the reading's original bytes.
func (s *Store) Original(ctx context.Context, guild, id string) ([]byte, error) {
	var b []byte
	var sum string
	err := s.do(ctx, "original", func(ctx context.Context) error {
		err := s.pool.QueryRow(ctx, `SELECT o.bytes, r.sha256 FROM originals o JOIN readings r ON r.id = o.reading
			WHERE r.guild = $1 AND r.id = $2`, guild, id).Scan(&b, &sum)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("reading %q of guild %s: %w", id, guild, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if store.Hash(b) != sum {
		return nil, fmt.Errorf("original of reading %s is damaged: its hash differs", id)
	}
	return b, nil
}
