package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Errors that Parse returns, wrapped, for files it cannot read as text. The
// loader reports them as the reasons files were skipped.
var (
	ErrUnsupported = errors.New("unsupported format")
	ErrEmpty       = errors.New("empty file")
	ErrNoText      = errors.New("no text")
	ErrBinary      = errors.New("binary file")
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
)

// A parseFunc turns the bytes of one file into a Document. It sets Text, Title
// and Format; Parse sets Path.
type parseFunc func(name string, data []byte) (Document, error)

// parserFor returns the parser for a file name's extension, nil if none. To
// support a new format, add a format_<name>.go with its parseFunc and list its
// extensions here.
func parserFor(name string) parseFunc {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".text":
		return parseText
	case ".md", ".markdown":
		return parseMarkdown
	}
	return nil
}

// Supported reports whether Parse can read files with the name's extension.
func Supported(name string) bool { return parserFor(name) != nil }

// Parse reads one file of a corpus: it picks the format by the extension of
// name (".txt", ".md"), extracts the text and the title, and returns the
// Document with Path set to name. Text formats keep the file's bytes as Text,
// so that passage offsets index the original file. Chunk the Document to get
// its passages.
func Parse(name string, data []byte) (Document, error) {
	parse := parserFor(name)
	if parse == nil {
		return Document{}, fmt.Errorf("%s: %w %q", name, ErrUnsupported, path.Ext(name))
	}
	d, err := parse(name, data)
	if err != nil {
		return Document{}, err
	}
	d.Path = name
	if d.Title == "" {
		d.Title = baseName(name)
	}
	return d, nil
}

// baseName returns the file name of name without directory and extension.
func baseName(name string) string {
	b := path.Base(name)
	return strings.TrimSuffix(b, path.Ext(b))
}

// checkText returns an error unless data is non-empty UTF-8 text.
func checkText(data []byte) error {
	if len(data) == 0 {
		return ErrEmpty
	}
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%w (contains NUL bytes)", ErrBinary)
	}
	control := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != '\v' && b != 0x1b {
			control++
		}
	}
	if control*10 > len(head) {
		return fmt.Errorf("%w (mostly control bytes)", ErrBinary)
	}
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return fmt.Errorf("%w at byte %d", ErrInvalidUTF8, at)
	}
	if len(bytes.TrimFunc(data, isSpace)) == 0 {
		return fmt.Errorf("%w (only white space)", ErrNoText)
	}
	return nil
}
