package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
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

// LoadDir loads the corpus in the folder dir (see LoadFS). Errors name the
// folder: it does not exist, is not a directory, holds no readable document,
// or has a malformed manifest. Unlike LoadFS, LoadDir follows symbolic links
// to folders, each real folder once: a link that leads back to a folder
// already read (a loop) is skipped with that reason, as is a file reached a
// second time through a link.
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
	realPath := func(name string) (string, error) {
		return filepath.EvalSymlinks(filepath.Join(dir, filepath.FromSlash(name)))
	}
	c, skipped, err := load(ctx, os.DirFS(dir), opts, realPath)
	if err != nil {
		return nil, skipped, fmt.Errorf("corpus folder %q: %w", dir, err)
	}
	return c, skipped, nil
}

// LoadFS loads the corpus in fsys: every file in its tree whose format Parse
// supports (.txt, .md, .html, .pdf, .docx), in lexical order of path, parsed
// and chunked. Other files, and files and folders whose names start with ".",
// are ignored. A file that cannot be read or has no text (binary, invalid
// UTF-8, empty, larger than MaxFileBytes, corrupt, password-protected, a
// scanned PDF, a broken symbolic link) is skipped and listed in the returned
// []Skipped with the reason; the rest is loaded. It is an error if no
// document is left. Symbolic links to folders are not followed (LoadDir
// follows them).
//
// A manifest, footnote.yaml or else corpus.yaml at the root of fsys (see
// parseManifest for its form), sets the title, authors, year and URL of
// documents by path, over what the files say. A manifest that cannot be read
// or parsed is an error naming it; an entry for a path that is not in the
// folder is listed in []Skipped ("listed in footnote.yaml but not found").
// Document paths are slash-separated and relative to the root of fsys.
func LoadFS(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Corpus, []Skipped, error) {
	return load(ctx, fsys, opts, nil)
}

// chunked is one loaded document and its passages.
type chunked struct {
	doc      Document
	passages []Passage
}

// loader walks a corpus folder.
type loader struct {
	ctx      context.Context
	fsys     fs.FS
	limit    int64
	realPath func(name string) (string, error) // nil: do not follow links to folders
	seen     map[string]string                 // real path -> the name it was read as
	manifest *manifest
	links    []string // symbolic links found, to follow after the walk
	loaded   []chunked
	skipped  []Skipped
}

func load(ctx context.Context, fsys fs.FS, opts LoadOptions, realPath func(string) (string, error)) (*Corpus, []Skipped, error) {
	l := &loader{ctx: ctx, fsys: fsys, limit: opts.MaxFileBytes, realPath: realPath, seen: map[string]string{}}
	if l.limit <= 0 {
		l.limit = DefaultMaxFileBytes
	}
	if err := l.readManifest(); err != nil {
		return nil, nil, err
	}
	if realPath != nil {
		if root, err := realPath("."); err == nil {
			l.seen[root] = "."
		}
	}
	if err := l.walk("."); err != nil {
		return nil, l.skipped, err
	}
	if err := l.follow(); err != nil {
		return nil, l.skipped, err
	}
	l.unusedManifestEntries()
	// The walk visits "a/b.txt" before "a.txt"; a corpus is in path order.
	slices.SortFunc(l.loaded, func(a, b chunked) int { return strings.Compare(a.doc.Path, b.doc.Path) })
	slices.SortStableFunc(l.skipped, func(a, b Skipped) int { return strings.Compare(a.Path, b.Path) })
	c := &Corpus{}
	for _, d := range l.loaded {
		c.Docs = append(c.Docs, d.doc)
		c.Passages = append(c.Passages, d.passages...)
	}
	if len(c.Docs) == 0 {
		if len(l.skipped) > 0 {
			return nil, l.skipped, fmt.Errorf("%w (%d skipped)", ErrNoDocuments, len(l.skipped))
		}
		return nil, nil, fmt.Errorf("%w (.txt, .md, .html, .pdf, .docx)", ErrNoDocuments)
	}
	return c, l.skipped, nil
}

func (l *loader) skip(name string, err error) {
	l.skipped = append(l.skipped, Skipped{Path: name, Reason: reason(err)})
}

// walk loads the folder dir and its subfolders, leaving symbolic links for
// follow, so that a file or folder is read under its own name rather than
// through a link when it can be.
func (l *loader) walk(dir string) error {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		if dir == "." {
			return err
		}
		l.skip(dir, err)
		// ReadDir may return the entries it read before the error.
	}
	for _, e := range entries {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		name := path.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.Type()&fs.ModeSymlink != 0:
			l.links = append(l.links, name)
		case e.IsDir():
			if l.once(name) {
				if err := l.walk(name); err != nil {
					return err
				}
			}
		case e.Type().IsRegular() && Supported(name):
			if l.once(name) {
				l.file(name)
			}
		}
	}
	return nil
}

// follow reads what the symbolic links found by walk lead to, and the links
// found there in turn.
func (l *loader) follow() error {
	for i := 0; i < len(l.links); i++ {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		name := l.links[i]
		info, err := fs.Stat(l.fsys, name)
		switch {
		case err != nil:
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err
			}
			l.skip(name, fmt.Errorf("broken symbolic link: %w", err))
		case info.IsDir() && l.realPath == nil:
			l.skip(name, errors.New("symbolic link to a folder: not followed"))
		case info.IsDir():
			if l.once(name) {
				if err := l.walk(name); err != nil {
					return err
				}
			}
		case info.Mode().IsRegular() && Supported(name):
			if l.once(name) {
				l.file(name)
			}
		}
	}
	return nil
}

// once reports whether the folder or file name is read for the first time,
// by its real path, and records it; the second time, through a symbolic
// link, it is skipped with the reason. Without realPath, always true.
func (l *loader) once(name string) bool {
	if l.realPath == nil {
		return true
	}
	real, err := l.realPath(name)
	if err != nil {
		l.skip(name, err)
		return false
	}
	if first, ok := l.seen[real]; ok {
		switch {
		case first == ".":
			l.skip(name, errors.New("symbolic link loop: leads back to the corpus folder"))
		case strings.HasPrefix(name, first+"/"):
			l.skip(name, fmt.Errorf("symbolic link loop: leads back to %s", first))
		default:
			l.skip(name, fmt.Errorf("already read as %s (symbolic link)", first))
		}
		return false
	}
	l.seen[real] = name
	return true
}

// file loads the file name.
func (l *loader) file(name string) {
	data, err := readFile(l.fsys, name, l.limit)
	if err != nil {
		l.skip(name, err)
		return
	}
	doc, err := Parse(name, data)
	if err != nil {
		l.skip(name, err)
		return
	}
	if l.manifest != nil {
		if m, ok := l.manifest.docs[name]; ok {
			m.apply(&doc)
		}
	}
	ps := Chunk(doc)
	if len(ps) == 0 {
		l.skip(name, ErrNoText)
		return
	}
	l.loaded = append(l.loaded, chunked{doc, ps})
}

// readManifest reads the folder's manifest, if it has one.
func (l *loader) readManifest() error {
	for _, name := range ManifestNames() {
		if _, err := fs.Stat(l.fsys, name); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if l.manifest != nil {
			l.skip(name, fmt.Errorf("ignored: %s is the manifest", l.manifest.name))
			continue
		}
		data, err := readFile(l.fsys, name, l.limit)
		if err != nil {
			return fmt.Errorf("manifest %s: %w", name, err)
		}
		m, err := parseManifest(name, data)
		if err != nil {
			return err
		}
		l.manifest = m
	}
	return nil
}

// unusedManifestEntries lists the manifest's entries for paths that are
// neither loaded nor skipped.
func (l *loader) unusedManifestEntries() {
	if l.manifest == nil {
		return
	}
	known := map[string]bool{}
	for _, d := range l.loaded {
		known[d.doc.Path] = true
	}
	for _, s := range l.skipped {
		known[s.Path] = true
	}
	var missing []string
	for p := range l.manifest.docs {
		if !known[p] {
			missing = append(missing, p)
		}
	}
	slices.Sort(missing)
	for _, p := range missing {
		l.skipped = append(l.skipped, Skipped{Path: p, Reason: "listed in " + l.manifest.name + " but not found"})
	}
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
