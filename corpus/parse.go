package corpus

import (
	"bytes"
	"context"
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
	// ErrUnreadable is for files of a supported format that are corrupt,
	// truncated, encrypted or otherwise cannot be read.
	ErrUnreadable = errors.New("cannot read")
)

// A parseFunc turns the bytes of one file into a Document. It sets Text, Title
// and Format; Parse sets Path. One that may take long stops when ctx is done.
type parseFunc func(ctx context.Context, name string, data []byte) (Document, error)

// parserFor returns the parser for a file name's extension, nil if none. To
// support a new format, add a format_<name>.go with its parseFunc and list its
// extensions here.
func parserFor(name string) parseFunc {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".text":
		return parseText
	case ".md", ".markdown":
		return parseMarkdown
	case ".html", ".htm", ".xhtml":
		return parseHTML
	case ".pdf":
		return parsePDF
	case ".docx":
		return parseDOCX
	}
	return nil
}

// Supported reports whether Parse can read files with the name's extension.
func Supported(name string) bool { return parserFor(name) != nil }

// Parse reads one file of a corpus: it picks the format by the extension of
// name (".txt", ".md", ".html", ".pdf", ".docx"), extracts the text and the
// metadata, and returns the Document with Path set to name. Text formats keep
// the file's bytes as Text, so that passage offsets index the original file;
// for the others Text is the extracted text, and offsets index that. Chunk
// the Document to get its passages.
//
// A file that costs more to read than a limit allows fails with the reason:
// ErrTooManyPages, ErrTooMuchText, ErrEngineMemory (see MaxPDFPages,
// MaxPDFPageChars, MaxTextBytes, PDFMemoryLimit). Parse is safe for
// concurrent use.
func Parse(name string, data []byte) (Document, error) {
	return ParseContext(context.Background(), name, data)
}

// ParseContext is Parse, stopped when ctx is done: then, within moments, it
// returns an error that wraps ctx's (context.Canceled or the cause).
func ParseContext(ctx context.Context, name string, data []byte) (Document, error) {
	parse := parserFor(name)
	if parse == nil {
		return Document{}, fmt.Errorf("%s: %w %q", name, ErrUnsupported, path.Ext(name))
	}
	if err := ctx.Err(); err != nil {
		return Document{}, context.Cause(ctx)
	}
	d, err := parse(ctx, name, data)
	if err != nil {
		return Document{}, err
	}
	if d.Format != "txt" && d.Format != "md" && len(d.Text) > MaxTextBytes {
		// Text extracted, not the file's own bytes (which MaxFileBytes bounds).
		return Document{}, fmt.Errorf("%w: %d bytes of text, the limit for one file is %s", ErrTooMuchText, len(d.Text), bytesWord(MaxTextBytes))
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
	if err := checkBinary(data, false); err != nil {
		return err
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

// checkBinary returns an error for data that is empty or, judging by its
// first 8 KiB, not text: NUL bytes or mostly control bytes. With utf16, data
// that starts with a UTF-16 byte order mark passes.
func checkBinary(data []byte, utf16 bool) error {
	if len(data) == 0 {
		return ErrEmpty
	}
	head := data[:min(len(data), 8192)]
	utf16 = utf16 && (bytes.HasPrefix(head, []byte{0xfe, 0xff}) || bytes.HasPrefix(head, []byte{0xff, 0xfe}))
	if bytes.IndexByte(head, 0) >= 0 && !utf16 {
		return fmt.Errorf("%w (contains NUL bytes)", ErrBinary)
	}
	control := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != '\v' && b != 0x1b {
			control++
		}
	}
	if control*10 > len(head) && !utf16 {
		return fmt.Errorf("%w (mostly control bytes)", ErrBinary)
	}
	return nil
}
