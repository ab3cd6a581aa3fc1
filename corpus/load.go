package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultMaxFileBytes is the size limit of a corpus file when
// LoadOptions.MaxFileBytes is 0.
const DefaultMaxFileBytes = 20 << 20

// Errors of LoadDir and LoadFS, wrapped.
var (
	ErrNotDir      = errors.New("not a directory")
	ErrNoDocuments = errors.New("no readable text files")
	ErrTooLarge    = errors.New("file too large")
)

// LoadOptions tune loading a corpus. The zero value is ready to use.
type LoadOptions struct {
	// MaxFileBytes skips larger files; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
	// Reuse, when set, is asked about each file before it is read, one call
	// at a time (files are read in parallel), with its path and what
	// fs.Stat says of it (of what a symbolic link leads to).
	// When it returns true, the file is not read and its Loaded is used as
	// it is: a program that keeps an earlier load, such as an index, hands
	// back its result for files that have not changed.
	Reuse func(path string, info fs.FileInfo) (Loaded, bool)
	// Read, when set, is called with the bytes of each file read, before
	// they are parsed, one call at a time (files are read in parallel).
	Read func(path string, data []byte)
}

// Loaded is what loading one file gave: its document and passages, or the
// reason it was skipped.
type Loaded struct {
	Doc      Document
	Passages []Passage
	// Reason, when not "", is why the file was skipped.
	Reason string
}

// LoadDir loads the corpus in the folder dir, as LoadFS does DirFS(dir).
// Errors name the folder: it does not exist, is not a directory, holds no
// readable document, or has a malformed manifest. Unlike LoadFS of another
// fs.FS, LoadDir follows symbolic links to folders, each real folder once: a
// link that leads back to a folder already read (a loop) is skipped with that
// reason, as is a file reached a second time through a link.
func LoadDir(ctx context.Context, dir string, opts LoadOptions) (*Corpus, []Skipped, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("corpus folder %q does not exist: %w", dir, fs.ErrNotExist)
	case err != nil:
		return nil, nil, fmt.Errorf("corpus folder %q: %w", dir, err)
	case !info.IsDir():
		return nil, nil, fmt.Errorf("corpus folder %q: %w", dir, ErrNotDir)
	}
	c, skipped, err := LoadFS(ctx, DirFS(dir), opts)
	if err != nil {
		return nil, skipped, fmt.Errorf("corpus folder %q: %w", dir, err)
	}
	return c, skipped, nil
}

// LoadFS loads the corpus in fsys: every file in its tree whose format Parse
// supports (.txt, .md, .html, .pdf, .docx), in lexical order of path, parsed
// and chunked. Other files, and files and folders whose names start with ".",
// are ignored. A file that cannot be read or has no text (binary, invalid
// UTF-8, empty, larger than MaxFileBytes, corrupt, password-protected, a
// scanned PDF, a broken symbolic link) is skipped and listed in the returned
// []Skipped with the reason; the rest is loaded. It is an error if no
// document is left. Symbolic links to folders are followed only when fsys
// is from DirFS (see LoadDir); otherwise they are skipped.
//
// A manifest, footnote.yaml or else corpus.yaml at the root of fsys (see
// parseManifest for its form), sets the title, authors, year and URL of
// documents by path, over what the files say. A manifest that cannot be read
// or parsed is an error naming it; an entry for a path that is not in the
// folder is listed in []Skipped ("listed in footnote.yaml but not found").
// Document paths are slash-separated and relative to the root of fsys.
//
// LoadFS is List followed by Listing.Load.
func LoadFS(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Corpus, []Skipped, error) {
	l, err := List(ctx, fsys, opts)
	if err != nil {
		var skipped []Skipped
		if l != nil {
			skipped = l.Skipped
		}
		return nil, skipped, err
	}
	return l.Load(ctx)
}

// Load reads, parses and chunks the listed files, as LoadFS does, asking
// the options' Reuse first about each.
func (l *Listing) Load(ctx context.Context) (*Corpus, []Skipped, error) {
	skipped := slices.Clone(l.Skipped)
	// Files are read, parsed and chunked on every CPU, each worker taking
	// the next file; the results keep the listing's order.
	results := make([]Loaded, len(l.Files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(l.Files))) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(l.Files) || ctx.Err() != nil {
					return
				}
				results[i] = l.LoadFile(ctx, l.Files[i])
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, skipped, err
	}
	var loaded []Loaded
	for i, r := range results {
		if r.Reason != "" {
			skipped = append(skipped, Skipped{Path: l.Files[i].Path, Reason: r.Reason})
			continue
		}
		loaded = append(loaded, r)
	}
	skipped = l.unusedManifestEntries(loaded, skipped)
	slices.SortStableFunc(skipped, func(a, b Skipped) int { return strings.Compare(a.Path, b.Path) })
	c := &Corpus{}
	for _, d := range loaded {
		c.Docs = append(c.Docs, d.Doc)
		c.Passages = append(c.Passages, d.Passages...)
	}
	if len(c.Docs) == 0 {
		if len(skipped) > 0 {
			return nil, skipped, fmt.Errorf("%w (%d skipped)", ErrNoDocuments, len(skipped))
		}
		return nil, nil, fmt.Errorf("%w (.txt, .md, .html, .pdf, .docx)", ErrNoDocuments)
	}
	return c, skipped, nil
}

// LoadFile is what Load does with the listed file f: it asks the options'
// Reuse, else reads, parses and chunks f. A file that cannot be indexed
// has the reason in Loaded.Reason; when ctx is done, the result is to be
// dropped. LoadFile is safe for concurrent use, for callers that read
// several files at once; Reuse and Read are then called from the
// goroutines that call it, but one call at a time.
func (l *Listing) LoadFile(ctx context.Context, f File) Loaded {
	if f.Skip != "" {
		return Loaded{Reason: f.Skip}
	}
	if l.opts.Reuse != nil {
		l.hookMu.Lock()
		r, ok := l.opts.Reuse(f.Path, f.Info)
		l.hookMu.Unlock()
		if ok {
			return r
		}
	}
	name := f.Path
	data, err := readFile(l.fsys, name, l.opts.MaxFileBytes)
	if err != nil {
		return Loaded{Reason: reason(err)}
	}
	if l.opts.Read != nil {
		l.hookMu.Lock()
		l.opts.Read(name, data)
		l.hookMu.Unlock()
	}
	doc, err := ParseContext(ctx, name, data)
	if err != nil {
		return Loaded{Reason: reason(err)}
	}
	if l.manifest != nil {
		if m, ok := l.manifest.docs[name]; ok {
			m.apply(&doc)
		}
	}
	ps, err := ChunkContext(ctx, doc)
	if err != nil {
		return Loaded{Reason: reason(err)}
	}
	if len(ps) == 0 {
		return Loaded{Reason: reason(ErrNoText)}
	}
	return Loaded{Doc: doc, Passages: ps}
}

// unusedManifestEntries adds to skipped the manifest's entries for paths
// that are neither loaded nor skipped.
func (l *Listing) unusedManifestEntries(loaded []Loaded, skipped []Skipped) []Skipped {
	if l.manifest == nil {
		return skipped
	}
	known := map[string]bool{}
	for _, d := range loaded {
		known[d.Doc.Path] = true
	}
	for _, s := range skipped {
		known[s.Path] = true
	}
	var missing []string
	for p := range l.manifest.docs {
		if !known[p] {
			missing = append(missing, p)
		}
	}
	slices.Sort(missing)
	for _, p := range missing {
		skipped = append(skipped, Skipped{Path: p, Reason: "listed in " + l.manifest.name + " but not found"})
	}
	return skipped
}

// readFile reads the file name of fsys, failing with ErrTooLarge past limit bytes.
func readFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, info.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over the limit of %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}

// reason words the error that made a file be skipped.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "unreadable: " + pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}
