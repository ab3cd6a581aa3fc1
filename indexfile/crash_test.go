package indexfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashEnv, when set to "PATH|N", makes TestCrashDuringWrite the child
// process that writes a new index to PATH and dies after N bytes.
const crashEnv = "FOOTNOTE_TEST_CRASH_WRITE"

// crashIndexPassages is the size of the index the child writes: several
// times the write buffer, so that a crash leaves a partial file on disk.
const crashIndexPassages = 2000

// exitAfter passes n bytes on to w, makes sure they reach the file (as
// everything written before a crash may), and ends the process with status 3.
type exitAfter struct {
	w    io.Writer
	left int64
}

func (e *exitAfter) Write(p []byte) (int, error) {
	if int64(len(p)) < e.left {
		e.left -= int64(len(p))
		return e.w.Write(p)
	}
	e.w.Write(p[:e.left])
	if f, ok := e.w.(interface{ Flush() error }); ok {
		f.Flush()
	}
	os.Exit(3)
	return 0, nil
}

func TestCrashDuringWrite(t *testing.T) {
	if spec := os.Getenv(crashEnv); spec != "" {
		path, n, _ := strings.Cut(spec, "|")
		left, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		s := syntheticSaved(t, crashIndexPassages)
		err = writeAtomic(path, func(w io.Writer) error { return encodeIndex(&exitAfter{w: w, left: left}, s) })
		t.Fatalf("the write finished without crashing: %v", err)
	}
	if testing.Short() {
		t.Skip("starts processes")
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "corpus.idx")
	old, _ := buildTest(t, testFS(time.Now()), nil)
	if err := WriteIndexFile(path, old); err != nil {
		t.Fatal(err)
	}
	oldBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	newer := syntheticSaved(t, crashIndexPassages)
	var full bytes.Buffer
	if err := encodeIndex(&full, newer); err != nil {
		t.Fatal(err)
	}
	total := int64(full.Len())

	// crash runs the child, which dies after n bytes of a new index at p.
	crash := func(t *testing.T, p string, n int64) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringWrite$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+p+"|"+strconv.FormatInt(n, 10))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("the child did not crash as planned: %v\n%s", err, out)
		}
	}
	for _, n := range []int64{0, prefixSize + 3, total / 3, total * 2 / 3, total - 1} {
		t.Run(strconv.FormatInt(n, 10), func(t *testing.T) {
			crash(t, path, n)
			got, err := ReadIndexFile(path)
			if err != nil {
				t.Fatalf("the old index does not load: %v", err)
			}
			sameSaved(t, got, old)
			if now, _ := os.ReadFile(path); !bytes.Equal(now, oldBytes) {
				t.Error("the old index's bytes changed")
			}
			// The crash leaves the partial file behind, under a name
			// nothing reads; it is refused if read anyway.
			temps := tempFiles(t, dir)
			if len(temps) != 1 {
				t.Fatalf("temporary files %v", temps)
			}
			if info, err := os.Stat(temps[0]); err != nil || info.Size() != n {
				t.Fatalf("the crash left %v (%v), want %d bytes", info.Size(), err, n)
			}
			if _, err := ReadIndexFile(temps[0]); !errors.Is(err, ErrIndexDamaged) {
				t.Errorf("the partial file: %v", err)
			}
			// The next write removes it once it is old enough not to be
			// another writer's.
			long := time.Now().Add(-time.Hour)
			if err := os.Chtimes(temps[0], long, long); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := WriteIndexFile(path, newer); err != nil {
		t.Fatal(err)
	}
	got, err := ReadIndexFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sameSaved(t, got, newer)
	if temps := tempFiles(t, dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}

	// With no index before, a crash leaves none.
	fresh := filepath.Join(dir, "fresh.idx")
	crash(t, fresh, total/2)
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a crashed first write left %s: %v", fresh, err)
	}
}
