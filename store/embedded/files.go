package embedded

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// writeFileAtomic writes data to path through a temporary file in the same
// folder, synced and renamed, then syncs the folder: path holds all of data
// or nothing.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes renames in dir durable where the system can (not Windows).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync()
	return nil
}

// readingFileID returns the reading id a file of the readings folder
// belongs to, and whether it is a finished file (not a temporary one); ok is
// false for a name the store does not make.
func readingFileID(name string) (id string, finished, ok bool) {
	if rest, isTemp := strings.CutPrefix(name, "."); isTemp {
		stem, _, found := strings.Cut(rest, ".tmp-")
		if !found {
			return "", false, false
		}
		id, ok = cutKind(stem)
		return id, false, ok
	}
	id, ok = cutKind(name)
	return id, true, ok
}

func cutKind(name string) (string, bool) {
	for _, ext := range []string{".index", ".original"} {
		if id, found := strings.CutSuffix(name, ext); found && id != "" {
			return id, true
		}
	}
	return "", false
}

// removeOrphans removes the files of the readings folder that no committed
// reading owns (an addition a crash interrupted, a removal whose files
// outlived the row) once they are older than age.
func (s *Store) removeOrphans(ctx context.Context, age time.Duration) error {
	dir := filepath.Join(s.dir, ReadingsDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("readings folder: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM readings`)
	if err != nil {
		return fmt.Errorf("list readings: %w", err)
	}
	known := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("list readings: %w", err)
		}
		known[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list readings: %w", err)
	}
	for _, e := range entries {
		id, finished, ok := readingFileID(e.Name())
		if !ok || !e.Type().IsRegular() || (finished && known[id]) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) >= age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}
