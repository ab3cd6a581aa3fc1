package corpus

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// writeFiles creates files under dir, making folders as needed.
func writeFiles(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestLoadDirErrors(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"file.txt":         "A file, not a folder.",
		"binary/junk.txt":  "\x00\x01\x02binary\x00",
		"binary/image.png": "\x89PNG",
		"other/notes.pdf2": "not a format we read",
	})
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		is      error
		skipped int
	}{
		{"missing", filepath.Join(root, "missing"), fs.ErrNotExist, 0},
		{"a file", filepath.Join(root, "file.txt"), ErrNotDir, 0},
		{"empty", filepath.Join(root, "empty"), ErrNoDocuments, 0},
		{"only binary junk", filepath.Join(root, "binary"), ErrNoDocuments, 1},
		{"only other formats", filepath.Join(root, "other"), ErrNoDocuments, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, skipped, err := LoadDir(context.Background(), tt.dir, LoadOptions{})
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if c != nil {
				t.Errorf("got a corpus with the error")
			}
			if !strings.Contains(err.Error(), tt.dir) {
				t.Errorf("error %q does not name the folder %q", err, tt.dir)
			}
			if len(skipped) != tt.skipped {
				t.Errorf("skipped %v, want %d files", skipped, tt.skipped)
			}
		})
	}
}

func TestLoadDirSkips(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"b.txt":           "Second Title\n\nSome text of the second file.",
		"a.txt":           "Sorted before a/, as paths.",
		"a/first.md":      "# First Title\n\nSome text of the first file.",
		"a/Upper.TXT":     "Upper case extension. It counts.",
		"empty.txt":       "",
		"blank.txt":       " \n\n\t",
		"invalid.txt":     "valid start \xff\xfe then junk",
		"binary.md":       "text\x00with NUL",
		"control.txt":     strings.Repeat("\x01\x02\x03ab", 15),
		"big.txt":         strings.Repeat("Big file. ", 20),
		"ignored.png":     "\x89PNG",
		".hidden/x.txt":   "Hidden folders are ignored.",
		".also-hidden.md": "Hidden files are ignored.",
	})
	wantSkipped := map[string]string{
		"empty.txt":   "empty file",
		"blank.txt":   "no text",
		"invalid.txt": "invalid UTF-8 at byte 12",
		"binary.md":   "binary file (contains NUL bytes)",
		"control.txt": "binary file (mostly control bytes)",
		"big.txt":     "file too large",
	}
	// An unreadable file, unless we run as a user who can read it anyway (root).
	locked := filepath.Join(root, "locked.txt")
	writeFiles(t, root, map[string]string{"locked.txt": "Secret text."})
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(locked); err == nil {
		f.Close()
		t.Log("locked.txt is readable by this user: not testing unreadable files")
		os.Remove(locked)
	} else {
		wantSkipped["locked.txt"] = "unreadable: open: permission denied"
	}

	c, skipped, err := LoadDir(context.Background(), root, LoadOptions{MaxFileBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range c.Docs {
		paths = append(paths, d.Path)
	}
	if want := []string{"a.txt", "a/Upper.TXT", "a/first.md", "b.txt"}; strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("docs %q, want %q", paths, want)
	}
	if d, ok := c.Doc("a/first.md"); !ok || d.Title != "First Title" || d.Format != "md" {
		t.Errorf("a/first.md: %+v", d)
	}
	got := map[string]string{}
	for _, s := range skipped {
		got[s.Path] = s.Reason
	}
	for path, reason := range wantSkipped {
		if !strings.HasPrefix(got[path], reason) {
			t.Errorf("%s skipped for %q, want %q", path, got[path], reason)
		}
	}
	if len(got) != len(wantSkipped) {
		t.Errorf("skipped %v, want %v", got, wantSkipped)
	}
	for _, d := range c.Docs {
		var ps []Passage
		for _, p := range c.Passages {
			if p.Doc == d.Path {
				ps = append(ps, p)
			}
		}
		checkPassages(t, d, ps)
	}
}

func TestLoadFSDefaultLimit(t *testing.T) {
	fsys := fstest.MapFS{
		"ok.txt":  {Data: []byte("Fine text.")},
		"big.txt": {Data: make([]byte, DefaultMaxFileBytes+1)},
	}
	c, skipped, err := LoadFS(context.Background(), fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Docs) != 1 || len(skipped) != 1 || !strings.HasPrefix(skipped[0].Reason, "file too large") {
		t.Errorf("docs %d, skipped %v", len(c.Docs), skipped)
	}
}

func TestLoadFSCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := LoadFS(ctx, fstest.MapFS{"a.txt": {Data: []byte("Text.")}}, LoadOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// lockedFS is a file system in which one file cannot be opened, as a file
// without read permission (which a test running as root cannot make).
type lockedFS struct {
	fstest.MapFS
	locked string
}

func (l lockedFS) Open(name string) (fs.File, error) {
	if name == l.locked {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return l.MapFS.Open(name)
}

func TestLoadFSUnreadable(t *testing.T) {
	fsys := lockedFS{
		MapFS:  fstest.MapFS{"ok.txt": {Data: []byte("Fine text.")}, "locked.txt": {Data: []byte("Secret.")}},
		locked: "locked.txt",
	}
	c, skipped, err := LoadFS(context.Background(), fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Skipped{{Path: "locked.txt", Reason: "unreadable: open: permission denied"}}
	if len(c.Docs) != 1 || len(skipped) != 1 || skipped[0] != want[0] {
		t.Errorf("docs %d, skipped %v, want %v", len(c.Docs), skipped, want)
	}
}

func TestListReuse(t *testing.T) {
	fsys := fstest.MapFS{
		"kept.txt":    {Data: []byte("Text on disk, not read.")},
		"skipped.txt": {Data: []byte("Text on disk, not read either.")},
		"new.txt":     {Data: []byte("New text.")},
		"notes.yaml":  {Data: []byte("not a document")},
	}
	kept := Loaded{Doc: Document{Path: "kept.txt", Title: "Kept", Text: "Earlier text.", Format: "txt"}}
	kept.Passages = Chunk(kept.Doc)
	var read, asked []string
	opts := LoadOptions{
		Reuse: func(path string, info fs.FileInfo) (Loaded, bool) {
			asked = append(asked, path)
			if info.Size() != int64(len(fsys[path].Data)) {
				t.Errorf("%s: size %d", path, info.Size())
			}
			switch path {
			case "kept.txt":
				return kept, true
			case "skipped.txt":
				return Loaded{Reason: "binary file"}, true
			}
			return Loaded{}, false
		},
		Read: func(path string, data []byte) { read = append(read, path) },
	}
	l, err := List(context.Background(), fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range l.Files {
		listed = append(listed, f.Path)
	}
	if want := []string{"kept.txt", "new.txt", "skipped.txt"}; !slices.Equal(listed, want) {
		t.Errorf("listed %v, want %v", listed, want)
	}
	c, skipped, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(asked) // files load in parallel: the hooks are called in no set order
	if !slices.Equal(asked, listed) || !slices.Equal(read, []string{"new.txt"}) {
		t.Errorf("asked about %v, read %v", asked, read)
	}
	if len(c.Docs) != 2 || c.Docs[0].Text != "Earlier text." || c.Docs[1].Path != "new.txt" {
		t.Errorf("docs %+v", c.Docs)
	}
	if want := []Skipped{{Path: "skipped.txt", Reason: "binary file"}}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
}
