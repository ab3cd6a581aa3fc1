package corpus

// Listing a corpus folder: which files LoadFS reads and which it passes over,
// following symbolic links once, before any file is read.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// DirFS returns the folder dir as an fs.FS, like os.DirFS, that List and
// LoadFS know the real paths of: through it they follow symbolic links to
// folders as LoadDir does.
func DirFS(dir string) fs.FS {
	return &dirFS{fsys: os.DirFS(dir), dir: dir}
}

type dirFS struct {
	fsys fs.FS
	dir  string
}

func (d *dirFS) Open(name string) (fs.File, error)          { return d.fsys.Open(name) }
func (d *dirFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(d.fsys, name) }
func (d *dirFS) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(d.fsys, name) }

// realPath returns the path of name with every symbolic link resolved.
func (d *dirFS) realPath(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "realpath", Path: name, Err: fs.ErrInvalid}
	}
	return filepath.EvalSymlinks(filepath.Join(d.dir, filepath.FromSlash(name)))
}

// File is a file of a corpus folder that LoadFS would read.
type File struct {
	// Path is slash-separated and relative to the folder.
	Path string
	// Info is what fs.Stat says of it: of what a symbolic link leads to.
	Info fs.FileInfo
}

// Listing is a corpus folder walked but not yet read: the files LoadFS
// reads and what it skips before reading anything.
type Listing struct {
	// Files are the files to read, in path order.
	Files []File
	// Skipped are the entries skipped without reading them: folders that
	// cannot be listed, broken symbolic links, links to folders not
	// followed, loops, things reached a second time through a link, a
	// second manifest.
	Skipped []Skipped

	fsys     fs.FS
	opts     LoadOptions
	manifest *manifest
	readMu   sync.Mutex // one opts.Read call at a time
}

// List walks the corpus in fsys as LoadFS does, reading only its manifest,
// for Listing.Load to read the files. opts are kept for Load. The error is
// LoadFS's for a root that cannot be listed, a malformed manifest or ctx
// done; the Listing returned with it, if any, holds what was skipped.
func List(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Listing, error) {
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	w := &walker{ctx: ctx, fsys: fsys, list: &Listing{fsys: fsys, opts: opts}, seen: map[string]string{}}
	if d, ok := fsys.(*dirFS); ok {
		w.realPath = d.realPath
	}
	if err := w.readManifest(); err != nil {
		return nil, err
	}
	if w.realPath != nil {
		if root, err := w.realPath("."); err == nil {
			w.seen[root] = "."
		}
	}
	if err := w.walk("."); err != nil {
		return w.list, err
	}
	if err := w.follow(); err != nil {
		return w.list, err
	}
	// The walk visits "a/b.txt" before "a.txt"; a corpus is in path order.
	slices.SortFunc(w.list.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	slices.SortStableFunc(w.list.Skipped, func(a, b Skipped) int { return strings.Compare(a.Path, b.Path) })
	return w.list, nil
}

// walker walks a corpus folder into a Listing.
type walker struct {
	ctx      context.Context
	fsys     fs.FS
	realPath func(name string) (string, error) // nil: do not follow links to folders
	seen     map[string]string                 // real path -> the name it was read as
	links    []string                          // symbolic links found, to follow after the walk
	list     *Listing
}

func (w *walker) skip(name string, err error) {
	w.list.Skipped = append(w.list.Skipped, Skipped{Path: name, Reason: reason(err)})
}

// add lists the file name, of which info is what fs.Stat says.
func (w *walker) add(name string, info fs.FileInfo) {
	w.list.Files = append(w.list.Files, File{Path: name, Info: info})
}

// walk lists the folder dir and its subfolders, leaving symbolic links for
// follow, so that a file or folder is read under its own name rather than
// through a link when it can be.
func (w *walker) walk(dir string) error {
	entries, err := fs.ReadDir(w.fsys, dir)
	if err != nil {
		if dir == "." {
			return err
		}
		w.skip(dir, err)
		// ReadDir may return the entries it read before the error.
	}
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := path.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.Type()&fs.ModeSymlink != 0:
			w.links = append(w.links, name)
		case e.IsDir():
			if w.once(name) {
				if err := w.walk(name); err != nil {
					return err
				}
			}
		case e.Type().IsRegular() && Supported(name):
			info, err := e.Info()
			if err != nil {
				w.skip(name, err)
				continue
			}
			if w.once(name) {
				w.add(name, info)
			}
		}
	}
	return nil
}

// follow lists what the symbolic links found by walk lead to, and the links
// found there in turn.
func (w *walker) follow() error {
	for i := 0; i < len(w.links); i++ {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := w.links[i]
		info, err := fs.Stat(w.fsys, name)
		switch {
		case err != nil:
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err
			}
			w.skip(name, fmt.Errorf("broken symbolic link: %w", err))
		case info.IsDir() && w.realPath == nil:
			w.skip(name, errors.New("symbolic link to a folder: not followed"))
		case info.IsDir():
			if w.once(name) {
				if err := w.walk(name); err != nil {
					return err
				}
			}
		case info.Mode().IsRegular() && Supported(name):
			if w.once(name) {
				w.add(name, info)
			}
		}
	}
	return nil
}

// once reports whether the folder or file name is read for the first time,
// by its real path, and records it; the second time, through a symbolic
// link, it is skipped with the reason. Without realPath, always true.
func (w *walker) once(name string) bool {
	if w.realPath == nil {
		return true
	}
	real, err := w.realPath(name)
	if err != nil {
		w.skip(name, err)
		return false
	}
	if first, ok := w.seen[real]; ok {
		switch {
		case first == ".":
			w.skip(name, errors.New("symbolic link loop: leads back to the corpus folder"))
		case strings.HasPrefix(name, first+"/"):
			w.skip(name, fmt.Errorf("symbolic link loop: leads back to %s", first))
		default:
			w.skip(name, fmt.Errorf("already read as %s (symbolic link)", first))
		}
		return false
	}
	w.seen[real] = name
	return true
}

// readManifest reads the folder's manifest, if it has one.
func (w *walker) readManifest() error {
	for _, name := range ManifestNames() {
		if _, err := fs.Stat(w.fsys, name); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if w.list.manifest != nil {
			w.skip(name, fmt.Errorf("ignored: %s is the manifest", w.list.manifest.name))
			continue
		}
		data, err := readFile(w.fsys, name, w.list.opts.MaxFileBytes)
		if err != nil {
			return fmt.Errorf("manifest %s: %w", name, err)
		}
		m, err := parseManifest(name, data)
		if err != nil {
			return err
		}
		w.list.manifest = m
	}
	return nil
}
