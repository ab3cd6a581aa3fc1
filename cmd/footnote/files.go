package main

import (
	"fmt"
	"io"
	"os"
)

// checkRegular returns an error, in one line, unless path is a regular file
// (following links): a named pipe would block a reader forever, a device
// such as /dev/zero never ends.
func checkRegular(what, path string) (os.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if !info.Mode().IsRegular() {
		return nil, usagef("%s %s is not a regular file (%s)", what, path, fileKind(info.Mode()))
	}
	return info, nil
}

// readRegularFile reads the regular file at path, of at most limit bytes.
func readRegularFile(path string, limit int64) ([]byte, error) {
	info, err := checkRegular("file", path)
	if err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes: more than the %d read from one file", path, info.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s grew past %d bytes while being read", path, limit)
	}
	return data, nil
}

// fileKind names what a file that is not regular is.
func fileKind(m os.FileMode) string {
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
