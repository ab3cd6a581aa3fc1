package indexfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// staleTemp is how old a temporary file left by an interrupted write must be
// before a later write removes it: younger ones may belong to a write still
// going on in another process, whose file grows by the second.
const staleTemp = 10 * time.Minute

// writeAtomic replaces the file at path with what write writes, so that at
// every moment path holds either its old bytes or all of the new ones: write
// goes to a temporary file in the same folder, which is synced, closed and
// renamed over path, and the folder is synced. On any error the temporary
// file is removed and path is untouched.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return fmt.Errorf("%s: not a file name", path)
	}
	if dir == "" {
		dir = "."
	}
	perm, keepPerm := fs.FileMode(0o666), false
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		perm, keepPerm = info.Mode().Perm(), true
	}
	removeStaleTemps(dir, base)

	f, err := createTemp(dir, base, perm)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if keepPerm {
		// The umask may have taken bits off at creation.
		if err = f.Chmod(perm); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable. Not every system can sync a folder
	// (Windows cannot); the file is whole either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// tempPrefix starts the names of the temporary files of writes to base.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// createTemp creates a new, empty temporary file for base in dir.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, tempPrefix(base)+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// removeStaleTemps removes the temporary files of writes to base in dir that
// a crash left behind, once they are older than staleTemp.
func removeStaleTemps(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix(base)) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
