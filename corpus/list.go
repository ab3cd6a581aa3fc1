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
	"time"
	"unicode/utf8"
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
	// Info is what fs.Stat says of it: of what a symbolic link leads to
	// (of the link itself when it leads nowhere).
	Info fs.FileInfo
	// Skip, when not "", is why the file is not read: its name is not
	// UTF-8 (Path then shows its bytes escaped), it is not a regular file
	// (a named pipe, a device), it is a broken symbolic link or was reached
	// before through another. Load lists it as skipped with this reason.
	Skip string
}

// Listing is a corpus folder walked but not yet read: the files LoadFS
// reads and what it skips before reading anything.
type Listing struct {
	// Files are the files of a supported format (by name), in path order:
	// those to read, and those skipped before reading them, with Skip set.
	// Each is either indexed or skipped by Load.
	Files []File
	// Skipped are the other entries skipped: folders that cannot be
	// listed or whose names are not UTF-8, links to folders not followed,
	// loops, folders reached a second time through a link, a second
	// manifest.
	Skipped []Skipped

	fsys     fs.FS
	opts     LoadOptions
	manifest *manifest
	hookMu   sync.Mutex // one opts.Reuse or opts.Read call at a time
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
	links    []link                            // symbolic links found, to follow after the walk
	list     *Listing
}

func (w *walker) skip(name string, err error) {
	w.list.Skipped = append(w.list.Skipped, Skipped{Path: name, Reason: reason(err)})
}

// link is a symbolic link found by walk, and what it says of itself.
type link struct {
	name string
	info fs.FileInfo // nil if unknown
}

// add lists the file name, of which info is what fs.Stat says.
func (w *walker) add(name string, info fs.FileInfo) {
	w.list.Files = append(w.list.Files, File{Path: name, Info: info})
}

// skipFile lists the file name as skipped for the reason err; info is nil
// if unknown.
func (w *walker) skipFile(name string, info fs.FileInfo, err error) {
	if info == nil {
		info = noInfo(path.Base(name))
	}
	w.list.Files = append(w.list.Files, File{Path: name, Info: info, Skip: reason(err)})
}

// noInfo is the fs.FileInfo of a file nothing is known of but its name.
type noInfo string

func (n noInfo) Name() string     { return string(n) }
func (noInfo) Size() int64        { return 0 }
func (noInfo) Mode() fs.FileMode  { return fs.ModeIrregular }
func (noInfo) ModTime() time.Time { return time.Time{} }
func (noInfo) IsDir() bool        { return false }
func (noInfo) Sys() any           { return nil }

// errNotRegular words why a file that is not a regular one is skipped.
func errNotRegular(mode fs.FileMode) error {
	what := "a special file"
	switch {
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeCharDevice != 0:
		what = "a character device"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("not a regular file (%s)", what)
}

// errNameNotUTF8 is why a file or folder whose name is not UTF-8 is
// skipped: its passages could not be cited by name.
var errNameNotUTF8 = errors.New("the name is not valid UTF-8: rename it")

// escapeName shows the bytes of a name that are not UTF-8 as \xNN.
func escapeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, "\\x%02x", name[i])
			i++
			continue
		}
		b.WriteString(name[i : i+n])
		i += n
	}
	return b.String()
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
		case !utf8.ValidString(e.Name()):
			if e.IsDir() {
				w.skip(escapeName(name), errNameNotUTF8)
			} else if Supported(name) {
				info, _ := e.Info()
				w.skipFile(escapeName(name), info, errNameNotUTF8)
			}
		case e.Type()&fs.ModeSymlink != 0:
			info, _ := e.Info()
			w.links = append(w.links, link{name, info})
		case e.IsDir():
			if w.once(name, nil) {
				if err := w.walk(name); err != nil {
					return err
				}
			}
		case !Supported(name):
		case !e.Type().IsRegular():
			info, _ := e.Info()
			w.skipFile(name, info, errNotRegular(e.Type()))
		default:
			info, err := e.Info()
			if err != nil {
				w.skipFile(name, nil, err)
				continue
			}
			if w.once(name, info) {
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
		name := w.links[i].name
		info, err := fs.Stat(w.fsys, name)
		switch {
		case err != nil:
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err
			}
			err = fmt.Errorf("broken symbolic link: %w", err)
			if Supported(name) {
				w.skipFile(name, w.links[i].info, err)
			} else {
				w.skip(name, err)
			}
		case info.IsDir() && w.realPath == nil:
			w.skip(name, errors.New("symbolic link to a folder: not followed"))
		case info.IsDir():
			if w.once(name, nil) {
				if err := w.walk(name); err != nil {
					return err
				}
			}
		case !Supported(name):
		case !info.Mode().IsRegular():
			w.skipFile(name, info, errNotRegular(info.Mode()))
		default:
			if w.once(name, info) {
				w.add(name, info)
			}
		}
	}
	return nil
}

// once reports whether the folder or file name is read for the first time,
// by its real path, and records it; the second time, through a symbolic
// link, it is skipped with the reason. info is what fs.Stat says of a
// file, nil for a folder. Without realPath, always true.
func (w *walker) once(name string, info fs.FileInfo) bool {
	if w.realPath == nil {
		return true
	}
	skip := func(err error) {
		if info != nil {
			w.skipFile(name, info, err)
		} else {
			w.skip(name, err)
		}
	}
	real, err := w.realPath(name)
	if err != nil {
		skip(err)
		return false
	}
	if first, ok := w.seen[real]; ok {
		switch {
		case first == ".":
			skip(errors.New("symbolic link loop: leads back to the corpus folder"))
		case strings.HasPrefix(name, first+"/"):
			skip(fmt.Errorf("symbolic link loop: leads back to %s", first))
		default:
			skip(fmt.Errorf("already read as %s (symbolic link)", first))
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
