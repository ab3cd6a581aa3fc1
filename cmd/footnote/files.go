package main

import (
	"errors"

	"github.com/footnote-bot/footnote/internal/regularfile"
)

// readRegularFile reads a file named on the command line: a regular file of at
// most limit bytes. Anything else (a named pipe, a device, a folder) is a
// usage error, in one line.
func readRegularFile(path string, limit int64) ([]byte, error) {
	data, err := regularfile.Read(path, limit)
	var nr *regularfile.NotRegularError
	if errors.As(err, &nr) {
		return nil, usageError{err.Error()}
	}
	return data, err
}
