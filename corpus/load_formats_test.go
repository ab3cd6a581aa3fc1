package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// readingList writes a folder with a document of every format, broken files
// of every kind, symbolic links (a loop, a broken one, a duplicate) and a
// manifest. It returns the skipped paths with their reasons (prefixes).
func readingList(tb testing.TB, root, outside string) map[string]string {
	tb.Helper()
	encrypted := readingPDF()
	encrypted.Encrypt, encrypted.UserPassword = true, "secret"
	good := makePDF(readingPDF())
	writeFiles(tb, root, map[string]string{
		"notes.txt": "Reading Notes\n\nThe tide turns twice a day. The harbour authority measures it.",
		"essay.md":  "---\ntitle: An Essay\nauthor: Jo Roe\nyear: 2018\n---\n\n# An Essay\n\nThe essay argues for tidal power in small islands.",
		"web/page.html": `<html><head><title>Tidal Page</title><meta name="author" content="Ana Lima"></head><body><nav>Home</nav>` +
			`<main><h1>Tidal Page</h1><p>Islands can run on tides. The page says so.</p></main></body></html>`,
		"papers/reading.pdf": string(good),
		"papers/report.docx": string(makeDOCX([]docxPara{{Style: "Title", Text: "The Report"}, {Text: "The report counts turbines on every island."}}, docxCore{Creator: "Wei Zhang", Created: "2020-01-02T00:00:00Z"})),
		"footnote.yaml": "documents:\n" +
			"  papers/reading.pdf:\n    title: Tidal Energy in Small Islands\n    authors: [Ana Lima, Wei Zhang]\n    year: 2019\n    url: https://example.org/tides\n" +
			"  notes.txt:\n    authors: Jo Roe; Ana Lima\n" +
			"  gone.pdf:\n    title: A File That Is Not There\n",
		"corpus.yaml": "documents: {}\n",

		"broken/empty.txt":      "",
		"broken/empty.pdf":      "",
		"broken/empty.docx":     "",
		"broken/junk.txt":       "\x00\x01\x02\x03binary junk\x00\xff",
		"broken/latin1.txt":     "caf\xe9 au lait",
		"broken/encrypted.pdf":  string(makePDF(encrypted)),
		"broken/scan.pdf":       string(makePDF(pdfDoc{Pages: []pdfPage{{Image: true}}})),
		"broken/truncated.pdf":  string(good[:len(good)/2]),
		"broken/corrupt.docx":   "PK\x03\x04 not really a zip",
		"broken/big.txt":        strings.Repeat("A big file. ", 10_000),
		"broken/ignored.yaml":   "not: a document",
		"broken/ignored.png":    "\x89PNG",
		".hidden/secret.txt":    "Hidden.",
		"papers/.draft.md":      "Hidden draft.",
		"papers/sub/README":     "Not a supported format.",
		"broken/only-nav.html":  "<html><body><nav>Home</nav><footer>Copyright</footer></body></html>",
		"broken/zero-page.html": "<html><head><title>T</title></head></html>",
	})
	writeFiles(tb, outside, map[string]string{"shelf/borrowed.txt": "A Borrowed Book\n\nIt lives outside the corpus folder, behind a link."})
	symlink := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			tb.Fatalf("symbolic link: %v", err)
		}
	}
	symlink("..", "papers/loop")                                      // a loop back to the corpus folder
	symlink("..", "papers/sub/up")                                    // a loop back to papers
	symlink("../papers", "web/papers-again")                          // a second way to a folder
	symlink("missing.pdf", "broken/dangling.pdf")                     // a broken link
	symlink("../notes.txt", "broken/notes-link.txt")                  // a file read twice
	symlink(filepath.Join(outside, "shelf"), "shelf")                 // a folder elsewhere
	symlink(filepath.Join(outside, "shelf", "borrowed.txt"), "b.txt") // a file read through a link first
	skipped := map[string]string{
		"corpus.yaml":           "ignored: footnote.yaml is the manifest",
		"gone.pdf":              "listed in footnote.yaml but not found",
		"broken/empty.txt":      "empty file",
		"broken/empty.pdf":      "empty file",
		"broken/empty.docx":     "empty file",
		"broken/junk.txt":       "binary file",
		"broken/latin1.txt":     "invalid UTF-8 at byte 3",
		"broken/encrypted.pdf":  "encrypted PDF (password-protected)",
		"broken/scan.pdf":       "no extractable text (scanned/image-only PDF?)",
		"broken/truncated.pdf":  "cannot read: not a valid PDF",
		"broken/corrupt.docx":   "cannot read: not a DOCX file (corrupt zip",
		"broken/big.txt":        "file too large",
		"broken/only-nav.html":  "no text",
		"broken/zero-page.html": "no text",
		"broken/dangling.pdf":   "broken symbolic link: no such file or directory",
		"broken/notes-link.txt": "already read as notes.txt",
		"papers/loop":           "symbolic link loop: leads back to the corpus folder",
		"papers/sub/up":         "symbolic link loop: leads back to papers",
		"web/papers-again":      "already read as papers (symbolic link)",
		"shelf/borrowed.txt":    "already read as b.txt (symbolic link)",
	}
	return skipped
}

func TestLoadDirReadingList(t *testing.T) {
	root := t.TempDir()
	wantSkipped := readingList(t, root, t.TempDir())
	c, skipped, err := LoadDir(context.Background(), root, LoadOptions{MaxFileBytes: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range c.Docs {
		paths = append(paths, d.Path)
	}
	wantDocs := []string{"b.txt", "essay.md", "notes.txt", "papers/reading.pdf", "papers/report.docx", "web/page.html"}
	if !slices.Equal(paths, wantDocs) {
		t.Errorf("docs %q, want %q", paths, wantDocs)
	}
	got := map[string]string{}
	for _, s := range skipped {
		got[s.Path] = s.Reason
	}
	for p, r := range wantSkipped {
		if !strings.HasPrefix(got[p], r) {
			t.Errorf("%s skipped for %q, want %q", p, got[p], r)
		}
	}
	for p, r := range got {
		if _, ok := wantSkipped[p]; !ok {
			t.Errorf("%s skipped for %q, unexpectedly", p, r)
		}
	}

	meta := map[string]Document{}
	for _, d := range c.Docs {
		meta[d.Path] = d
		var ps []Passage
		for _, p := range c.Passages {
			if p.Doc == d.Path {
				ps = append(ps, p)
			}
		}
		checkPassages(t, d, ps)
		for _, p := range ps {
			if (d.Format == "pdf") != (p.Page > 0) {
				t.Errorf("%s: passage %q on page %d", d.Path, p.Text, p.Page)
			}
		}
	}
	tests := []struct {
		path, title string
		authors     []string
		year        int
		url         string
	}{
		{"papers/reading.pdf", "Tidal Energy in Small Islands", []string{"Ana Lima", "Wei Zhang"}, 2019, "https://example.org/tides"},
		{"notes.txt", "Reading Notes", []string{"Jo Roe", "Ana Lima"}, 0, ""},
		{"essay.md", "An Essay", []string{"Jo Roe"}, 2018, ""},
		{"papers/report.docx", "The Report", []string{"Wei Zhang"}, 2020, ""},
		{"web/page.html", "Tidal Page", []string{"Ana Lima"}, 0, ""},
		{"b.txt", "A Borrowed Book", nil, 0, ""},
	}
	for _, tt := range tests {
		d := meta[tt.path]
		if d.Title != tt.title || !slices.Equal(d.Authors, tt.authors) || d.Year != tt.year || d.URL != tt.url {
			t.Errorf("%s: %q %q %d %q, want %q %q %d %q", tt.path, d.Title, d.Authors, d.Year, d.URL, tt.title, tt.authors, tt.year, tt.url)
		}
	}
	for _, p := range c.Passages {
		if p.Doc == "papers/reading.pdf" && p.Title != "Tidal Energy in Small Islands" {
			t.Errorf("passage title %q: the manifest's title is not on the passages", p.Title)
			break
		}
	}
}

func TestLoadManifestErrors(t *testing.T) {
	tests := []struct {
		name, manifest, want string
	}{
		{"not YAML", "documents:\n  a.txt: [unclosed\n", "manifest footnote.yaml: yaml:"},
		{"unknown key", "documents:\n  a.txt:\n    year: 2019\n    titel: Typo\n",
			`manifest footnote.yaml, line 4: a.txt: unknown key "titel" (known keys: title, authors, author, year, url)`},
		{"unknown top key", "document:\n  a.txt:\n    title: T\n", `manifest footnote.yaml, line 1: unknown key "document" (the known key is "documents")`},
		{"entry not a mapping", "documents:\n  a.txt: A Title\n", `manifest footnote.yaml, line 2: a.txt: expected title, authors, author, year, url under it`},
		{"a list for the title", "documents:\n  a.txt:\n    title: [a, b]\n", `manifest footnote.yaml: a.txt: line 3: cannot unmarshal`},
		{"bad year", "documents:\n  a.txt:\n    year: soon\n", `manifest footnote.yaml: a.txt: year "soon" is not a year`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"a.txt": "Some text.", "footnote.yaml": tt.manifest})
			_, _, err := LoadDir(context.Background(), root, LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), root) {
				t.Errorf("err = %v, want it to name the folder and say %q", err, tt.want)
			}
		})
	}
}

func TestLoadFSSymlinkedFolder(t *testing.T) {
	// LoadFS cannot tell where a link leads, so it does not follow links to
	// folders; a link to a file is read.
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"a/doc.txt": "Some text."})
	if err := os.Symlink("a", filepath.Join(root, "b")); err != nil {
		t.Skip(err)
	}
	c, skipped, err := LoadFS(context.Background(), os.DirFS(root), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Docs) != 1 || len(skipped) != 1 || skipped[0].Path != "b" || !strings.Contains(skipped[0].Reason, "not followed") {
		t.Errorf("docs %d, skipped %v", len(c.Docs), skipped)
	}
}

func TestLoadFSManifest(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":       {Data: []byte("Some text.")},
		"corpus.yaml": {Data: []byte("documents:\n  ./a.txt:\n    title: Given Title\n    author: Ana Lima\n    year: 2001-05-06\n")},
	}
	c, skipped, err := LoadFS(context.Background(), fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Docs[0]
	if len(skipped) != 0 || d.Title != "Given Title" || !slices.Equal(d.Authors, []string{"Ana Lima"}) || d.Year != 2001 || c.Passages[0].Title != "Given Title" {
		t.Errorf("doc %+v, skipped %v", d, skipped)
	}
	if _, _, err := LoadFS(context.Background(), fstest.MapFS{"corpus.yaml": {Data: []byte("documents: {}")}}, LoadOptions{}); !errors.Is(err, ErrNoDocuments) {
		t.Errorf("a manifest alone: err = %v, want ErrNoDocuments", err)
	}
}
