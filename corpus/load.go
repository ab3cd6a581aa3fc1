package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// DefaultMaxFileBytes is the size limit of a corpus file when
// LoadOptions.MaxFileBytes is 0.
const DefaultMaxFileBytes = 20 << 20

// Errors of LoadDir and LoadFS, wrapped.
var (
	ErrNotDir      = errors.New("not a directory")
	ErrNoDocuments = errors.New("no readable text files")
	ErrTooLarge    = errors.New("file too large")
)

// LoadOptions tune loading a corpus. The zero value is ready to use.
type LoadOptions struct {
	// MaxFileBytes skips larger files; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
}

// LoadDir loads the corpus in the folder dir: every .txt and .md file in its
// tree (see LoadFS). Errors name the folder: it does not exist, is not a
// directory, or holds no readable text file.
func LoadDir(ctx context.Context, dir string, opts LoadOptions) (*Corpus, []Skipped, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("corpus folder %q does not exist: %w", dir, fs.ErrNotExist)
	case err != nil:
		return nil, nil, fmt.Errorf("corpus folder %q: %w", dir, err)
	case !info.IsDir():
		return nil, nil, fmt.Errorf("corpus folder %q: %w", dir, ErrNotDir)
	}
	c, skipped, err := LoadFS(ctx, os.DirFS(dir), opts)
	if err != nil {
		return nil, skipped, fmt.Errorf("corpus folder %q: %w", dir, err)
	}
	return c, skipped, nil
}

// LoadFS loads the corpus in fsys: every file in its tree whose format Parse
// supports (.txt, .md), in lexical order of path, parsed and chunked. Other
// files, and files and folders whose names start with ".", are ignored. A file
// that cannot be read or is not text (binary, invalid UTF-8, empty, larger than
// MaxFileBytes) is skipped and listed in the returned []Skipped with the reason;
// the rest is loaded. It is an error if no document is left.
// Document paths are slash-separated and relative to the root of fsys.
func LoadFS(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Corpus, []Skipped, error) {
	limit := opts.MaxFileBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	type chunked struct {
		doc      Document
		passages []Passage
	}
	var loaded []chunked
	var skipped []Skipped
	skip := func(name string, err error) {
		skipped = append(skipped, Skipped{Path: name, Reason: reason(err)})
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if name != "." && strings.HasPrefix(path.Base(name), ".") {
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err != nil {
			if name == "." {
				return err
			}
			skip(name, err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !Supported(name) {
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		data, err := readFile(fsys, name, limit)
		if err != nil {
			skip(name, err)
			return nil
		}
		doc, err := Parse(name, data)
		if err != nil {
			skip(name, err)
			return nil
		}
		ps := Chunk(doc)
		if len(ps) == 0 {
			skip(name, ErrNoText)
			return nil
		}
		loaded = append(loaded, chunked{doc, ps})
		return nil
	})
	if err != nil {
		return nil, skipped, err
	}
	// WalkDir visits "a/b.txt" before "a.txt"; a corpus is in path order.
	slices.SortFunc(loaded, func(a, b chunked) int { return strings.Compare(a.doc.Path, b.doc.Path) })
	c := &Corpus{}
	for _, l := range loaded {
		c.Docs = append(c.Docs, l.doc)
		c.Passages = append(c.Passages, l.passages...)
	}
	if len(c.Docs) == 0 {
		if len(skipped) > 0 {
			return nil, skipped, fmt.Errorf("%w (%d skipped)", ErrNoDocuments, len(skipped))
		}
		return nil, nil, fmt.Errorf("%w (.txt, .md)", ErrNoDocuments)
	}
	return c, skipped, nil
}

// readFile reads the file name of fsys, failing with ErrTooLarge past limit bytes.
func readFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, info.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over the limit of %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}

// reason words the error that made a file be skipped.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "unreadable: " + pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}
