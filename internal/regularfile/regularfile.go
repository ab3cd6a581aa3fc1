// Package regularfile reads the files a person names on the command line or in
// the configuration (a config file, a question set, a document), safely: only
// regular files, so that a named pipe cannot block the reader forever nor a
// device such as /dev/zero feed it without end, and never more than a limit.
package regularfile

import (
	"fmt"
	"io"
	"os"
)

// NotRegularError is a path that names something other than a regular file.
type NotRegularError struct {
	Path string
	Mode os.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file (%s)", e.Path, Kind(e.Mode))
}

// TooLargeError is a file larger than the limit it is read with.
type TooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes (%d)", e.Path, e.Limit, e.Size)
}

// Check returns path's file info, or a *NotRegularError unless it is a
// regular file (links are followed).
func Check(path string) (os.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	return info, nil
}

// Read reads the regular file at path, of at most limit bytes (else a
// *TooLargeError, also for a file that grows past it while being read).
func Read(path string, limit int64) ([]byte, error) {
	info, err := Check(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: info.Size(), Limit: limit}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// Kind names what a file that is not regular is, for a message.
func Kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}
