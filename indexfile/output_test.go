//go:build unix

package indexfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOutputTarget(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "real.idx")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.idx")
	if err := os.Symlink("real.idx", link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.idx")
	if err := os.Symlink("nowhere.idx", dangling); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.idx")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop.idx")
	if err := os.Symlink("loop.idx", loop); err != nil {
		t.Fatal(err)
	}
	toDir := filepath.Join(dir, "todir.idx")
	if err := os.Symlink(dir, toDir); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, target string
		link         bool
		what         string // refusal
	}{
		{file, file, false, ""},
		{filepath.Join(dir, "new.idx"), filepath.Join(dir, "new.idx"), false, ""},
		{link, file, true, ""},
		{dir, "", false, "a folder"},
		{fifo, "", false, "a named pipe"},
		{"/dev/null", "", false, "a device"},
		{dangling, filepath.Join(dir, "nowhere.idx"), true, ""},
		{loop, "", true, "a loop of symbolic links"},
		{toDir, "", true, "a symbolic link to a folder"},
	} {
		target, isLink, err := OutputTarget(tt.path)
		var oe *OutputError
		switch {
		case tt.what == "" && err != nil:
			t.Errorf("%s: %v", tt.path, err)
		case tt.what != "" && (!errors.As(err, &oe) || !strings.Contains(err.Error(), tt.what)):
			t.Errorf("%s: err = %v, want one saying %q", tt.path, err, tt.what)
		case target != tt.target || isLink != tt.link:
			t.Errorf("%s: target %q link %v, want %q %v", tt.path, target, isLink, tt.target, tt.link)
		}
	}
}

// Writing through a symbolic link replaces its target, and the link still
// leads to the new index; a named pipe or a device is refused, and reading
// one does not wait.
func TestWriteIndexFileThroughLinkAndRefusals(t *testing.T) {
	s, _ := buildTest(t, testFS(time.Now().Add(-time.Hour)), nil)
	dir := t.TempDir()
	real := filepath.Join(dir, "real.idx")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.idx")
	if err := os.Symlink("real.idx", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteIndexFile(link, s); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	got, err := ReadIndexFile(real)
	if err != nil {
		t.Fatal(err)
	}
	sameSaved(t, got, s)

	fifo := filepath.Join(dir, "fifo.idx")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/null", dir} {
		var oe *OutputError
		if err := WriteIndexFile(p, s); !errors.As(err, &oe) {
			t.Errorf("write %s: %v", p, err)
		}
		done := make(chan error, 1)
		go func() { _, err := ReadIndexFile(p); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotIndexFile) {
				t.Errorf("read %s: %v", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("reading %s hangs", p)
		}
	}
}

// One lock holder at a time; the loser is told who holds it, and the lock is
// free again once released.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus.idx")
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(path)
	var le *LockedError
	if !errors.As(err, &le) || le.Path != path || le.Lock != LockPath(path) || !strings.Contains(err.Error(), "another footnote index is writing") {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	unlock2, err := Lock(path)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
}
