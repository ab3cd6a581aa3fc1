package indexfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// OutputError is the refusal of an index file path that is not, or does not
// lead to, a regular file or a new one: a folder, a device, a named pipe, a
// socket, or a loop of symbolic links.
type OutputError struct {
	Path string
	What string // "a folder", "a device", "a named pipe", ...
}

func (e *OutputError) Error() string {
	return fmt.Sprintf("%s is %s, not an index file: give the index file's name", e.Path, e.What)
}

// OutputTarget returns the file that writing an index to path replaces:
// path itself, or the file a symbolic link at path leads to (link true, and
// the file may not exist yet), so that the link keeps pointing at the new
// index. A path that is or leads to
// anything but a regular file (or nothing yet, in an existing folder) is
// refused with an *OutputError.
func OutputTarget(path string) (target string, link bool, err error) {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, false, nil
	case err != nil:
		return "", false, err
	}
	target = path
	// Follow the links one by one: the last may lead to a file not made yet,
	// which the write creates.
	for hops := 0; info.Mode()&fs.ModeSymlink != 0; hops++ {
		link = true
		if hops == 40 {
			return "", true, &OutputError{Path: path, What: "a loop of symbolic links"}
		}
		to, err := os.Readlink(target)
		if err != nil {
			return "", true, err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(target), to)
		}
		target = to
		info, err = os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			return target, true, nil
		}
		if err != nil {
			return "", true, err
		}
	}
	if what := fileKind(info.Mode()); what != "" {
		if link {
			what = "a symbolic link to " + what + " (" + target + ")"
		}
		return "", link, &OutputError{Path: path, What: what}
	}
	return target, link, nil
}

// fileKind words what a mode is when it is not a regular file's; "" for a
// regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// LockedError is Lock's refusal while another process holds the lock.
type LockedError struct {
	Path string // the index file
	Lock string // the lock file
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another footnote index is writing %s (it holds %s): wait for it to finish and run this again", e.Path, e.Lock)
}

// LockPath is the lock file of the index file path: ".NAME.lock" beside it.
// It is left in place after use: removing it could let two writers lock
// different files of the same name.
func LockPath(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+".lock")
}

// Lock takes the lock of the index file path for this process, without
// waiting: while another holds it, the error is a *LockedError. unlock
// releases it; the lock also ends with the process.
func Lock(path string) (unlock func(), err error) {
	lp := LockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !held {
		f.Close()
		return nil, &LockedError{Path: path, Lock: lp}
	}
	return func() { f.Close() }, nil
}
