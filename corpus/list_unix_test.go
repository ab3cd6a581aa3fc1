//go:build unix

package corpus

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// Files of a supported format that cannot be read are listed as files and
// skipped with a reason, so that a listing's files are its indexed and
// skipped ones: a name that is not UTF-8 (shown escaped), a named pipe
// (never opened: reading it would block), a link to a device.
func TestListSkipsFilesThatCannotBeRead(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"good.txt": "Good\n\nA sentence that is read."})
	if err := os.WriteFile(filepath.Join(root, "bad\xff.txt"), []byte("Some text."), 0o644); err != nil {
		t.Skip("this file system refuses names that are not UTF-8:", err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "pipe.txt"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	if err := os.Symlink("/dev/null", filepath.Join(root, "null.txt")); err != nil {
		t.Skip(err)
	}
	l, err := List(context.Background(), DirFS(root), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, skipped, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Skipped{
		{`bad\xff.txt`, "the name is not valid UTF-8: rename it"},
		{"null.txt", "not a regular file (a character device)"},
		{"pipe.txt", "not a regular file (a named pipe)"},
	}
	if !slices.Equal(skipped, want) {
		t.Errorf("skipped %q, want %q", skipped, want)
	}
	if len(l.Files) != len(c.Docs)+len(skipped) {
		t.Errorf("%d files listed, %d indexed and %d skipped: they do not add up", len(l.Files), len(c.Docs), len(skipped))
	}
}
