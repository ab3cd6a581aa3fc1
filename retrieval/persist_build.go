package retrieval

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/footnote-bot/footnote/corpus"
)

// BuildOptions configure Build. The zero value builds from scratch with the
// local embedder.
type BuildOptions struct {
	// Options choose the embedder (Embed, EmbedBatch, Embedder) as for New.
	// Its Cache, when set, is used too; its Mode is not.
	Options
	// Previous is the index to update, nil for none. Its documents are kept
	// for files that have not changed, and its vectors for passages whose
	// text has not, when it was made by the same Builder and embedder.
	Previous *Saved
	// Root is recorded as Saved.Root: the folder being indexed.
	Root string
	// Builder is recorded as Saved.Builder; see there.
	Builder string
	// Load is passed on to corpus.LoadFS.
	Load corpus.LoadOptions
	// Progress, when set, is called as files are read and passages embedded,
	// from the goroutine that called Build.
	Progress func(BuildProgress)
}

// BuildProgress is how far Build has got.
type BuildProgress struct {
	// Stage is "reading" (Done and Total count files to read) or "embedding"
	// (they count passages).
	Stage       string
	Done, Total int
}

// BuildStats says what Build did.
type BuildStats struct {
	// Files is the number of files in formats the corpus reads, skipped ones
	// included.
	Files int
	// Read is the number of files whose bytes were read: new and changed
	// files, and files whose time changed but not their size, which are read
	// to compare their hash.
	Read int
	// Unchanged is the number of files whose documents (or reasons for being
	// skipped) were kept from Previous, read or not.
	Unchanged int
	// Removed is the number of Previous's files that are gone.
	Removed int
	// Skipped lists the files (and folders) not indexed, with the reasons,
	// in path order.
	Skipped []corpus.Skipped
	// Docs and Passages count the index's documents and passages.
	Docs, Passages int
	// Embedded is the number of texts the embedder was given; Reused the
	// number of passages whose vectors came from Previous or Options.Cache.
	Embedded, Reused int
	// Notes say why Previous could not be used in full, if it could not.
	Notes []string
}

// racyWindow is how close to the start of the previous build a file's
// modification time must be for its size and time not to prove it unchanged:
// a file changed again within the clock's resolution (two seconds on FAT)
// after it was read may keep both.
const racyWindow = 2 * time.Second

// embedChunk is how many passages are embedded between progress reports.
const embedChunk = 1024

// Build reads the corpus in fsys as corpus.LoadFS does and embeds its
// passages, returning the index to save with WriteIndexFile and what it did.
//
// With a Previous index, it updates it: a file whose size and modification
// time are as Previous recorded them is not read; one whose time changed but
// not its size is read and, if its SHA-256 is unchanged, kept without being
// parsed; others are parsed afresh. Files that are gone are dropped, with
// their passages. Passages whose text is unchanged keep their vectors.
// Previous is used only in part when it was made by another Builder or the
// folder's manifest (see corpus.ManifestNames) changed (every file is parsed
// again), or with another embedder (every passage is embedded again);
// Stats.Notes says so.
//
// Files that cannot be indexed are listed in the stats with the reason. It is
// an error (wrapping corpus.ErrNoDocuments) if no document is left.
func Build(ctx context.Context, fsys fs.FS, opts BuildOptions) (*Saved, BuildStats, error) {
	started := time.Now()
	var st BuildStats
	batch, name := passageEmbedder(opts.Options)
	if name == "" {
		return nil, st, errors.New("build index: the embedder has no name (set Options.Embedder)")
	}
	limit := opts.Load.MaxFileBytes
	if limit <= 0 {
		limit = corpus.DefaultMaxFileBytes
	}
	list, err := listFiles(ctx, fsys)
	if err != nil {
		return nil, st, err
	}
	st.Files = len(list.files)

	prev := opts.Previous
	if prev == nil {
		prev = &Saved{}
	}
	keepDocs := opts.Previous != nil
	switch {
	case opts.Previous == nil:
	case prev.Builder != opts.Builder:
		keepDocs = false
		st.Notes = append(st.Notes, fmt.Sprintf("the index was made by %s: every file is read again", orUnknown(prev.Builder)))
	case !sameFiles(prev.Manifests, list.manifests):
		keepDocs = false
		st.Notes = append(st.Notes, "the folder's manifest changed: every file is read again")
	}
	keepVecs := opts.Previous != nil && prev.Embedder == name
	if opts.Previous != nil && !keepVecs {
		st.Notes = append(st.Notes, fmt.Sprintf("the index was made with embedder %s: every passage is embedded again with %s", prev.Embedder, name))
	}
	// Only a file's hash proves it unchanged when the folder is another one.
	trustStat := keepDocs && prev.Root == opts.Root

	prevFiles := make(map[string]SourceFile, len(prev.Files))
	for _, f := range prev.Files {
		prevFiles[f.Path] = f
	}
	prevDocs := make(map[string]corpus.Document, len(prev.Docs))
	for _, d := range prev.Docs {
		prevDocs[d.Path] = d
	}
	prevPassages := map[string][]corpus.Passage{}
	for _, p := range prev.Passages {
		prevPassages[p.Doc] = append(prevPassages[p.Doc], p)
	}

	// Keep what has not changed; list the rest to load.
	type loaded struct {
		doc      corpus.Document
		passages []corpus.Passage
	}
	var docs []loaded
	var records []SourceFile
	var skipped []corpus.Skipped
	listed := make(map[string]SourceFile, len(list.files))
	toLoad := map[string]bool{}
	for _, f := range list.files {
		listed[f.Path] = f
		old, ok := prevFiles[f.Path]
		_, hasDoc := prevDocs[f.Path]
		// A file skipped before is judged again unless its bytes were:
		// it may have been skipped because it could not be read.
		unhashed := old.SHA256 == [32]byte{}
		if !keepDocs || !ok || old.Size != f.Size || old.Skipped == "" && !hasDoc || old.Skipped != "" && unhashed {
			toLoad[f.Path] = true
			continue
		}
		same := trustStat && old.ModTime.Equal(f.ModTime) && old.ModTime.Before(prev.Created.Add(-racyWindow))
		if !same && !unhashed && f.Size <= limit {
			sum, err := hashFile(fsys, f.Path)
			st.Read++
			same = err == nil && sum == old.SHA256
		}
		if !same {
			toLoad[f.Path] = true
			continue
		}
		st.Unchanged++
		rec := f
		rec.SHA256, rec.Skipped = old.SHA256, old.Skipped
		records = append(records, rec)
		if old.Skipped != "" {
			skipped = append(skipped, corpus.Skipped{Path: f.Path, Reason: old.Skipped})
			continue
		}
		docs = append(docs, loaded{prevDocs[f.Path], prevPassages[f.Path]})
	}
	for _, f := range prev.Files {
		if _, ok := listed[f.Path]; !ok {
			st.Removed++
		}
	}

	// Load the new and changed files through a view of fsys that shows only
	// them, the manifest, and what the listing could not make sense of (for
	// corpus.LoadFS to say why it skips it), and hashes what is read.
	sub := newSubsetFS(fsys, toLoad, list.odd)
	sub.opened = func(n int) {
		if opts.Progress != nil {
			opts.Progress(BuildProgress{Stage: "reading", Done: n, Total: len(toLoad)})
		}
	}
	c, loadSkipped, err := corpus.LoadFS(ctx, sub, opts.Load)
	if err != nil && !errors.Is(err, corpus.ErrNoDocuments) {
		return nil, st, err
	}
	st.Read += sub.count()
	if c != nil {
		byDoc := map[string][]corpus.Passage{}
		for _, p := range c.Passages {
			byDoc[p.Doc] = append(byDoc[p.Doc], p)
		}
		for _, d := range c.Docs {
			docs = append(docs, loaded{d, byDoc[d.Path]})
			rec := listed[d.Path]
			rec.SHA256, _ = sub.sum(d.Path)
			records = append(records, rec)
		}
	}
	for _, s := range loadSkipped {
		rec, isFile := listed[s.Path]
		switch {
		case toLoad[s.Path]:
			rec.SHA256, _ = sub.sum(s.Path)
			rec.Skipped = s.Reason
			records = append(records, rec)
		case isFile:
			// Hidden from LoadFS, which thinks it missing (a manifest entry).
			continue
		}
		skipped = append(skipped, s)
	}
	// A file that vanished between listing and loading is in neither.

	slices.SortFunc(docs, func(a, b loaded) int { return strings.Compare(a.doc.Path, b.doc.Path) })
	slices.SortFunc(records, func(a, b SourceFile) int { return strings.Compare(a.Path, b.Path) })
	slices.SortStableFunc(skipped, func(a, b corpus.Skipped) int { return strings.Compare(a.Path, b.Path) })
	st.Skipped = skipped
	s := &Saved{Embedder: name, Created: started, Builder: opts.Builder, Root: opts.Root, Files: records, Manifests: list.manifests}
	for _, l := range docs {
		s.Docs = append(s.Docs, l.doc)
		s.Passages = append(s.Passages, l.passages...)
	}
	st.Docs, st.Passages = len(s.Docs), len(s.Passages)
	if len(s.Docs) == 0 {
		if len(skipped) > 0 {
			return nil, st, fmt.Errorf("%w (%d skipped)", corpus.ErrNoDocuments, len(skipped))
		}
		return nil, st, corpus.ErrNoDocuments
	}

	cache := opts.Cache
	if cache == nil {
		cache = &VectorCache{}
	}
	if keepVecs {
		for i, p := range prev.Passages {
			cache.Put(KeyOf(name, p.Text), prev.Vectors[i])
		}
	}
	s.Vectors, err = embedPassages(ctx, s.Passages, batch, name, cache, &st, opts.Progress)
	if err != nil {
		return nil, st, fmt.Errorf("embed passages: %w", err)
	}
	s.Dim = len(s.Vectors[0])
	return s, st, nil
}

// sameFiles reports whether a and b list the same files with the same bytes.
func sameFiles(a, b []SourceFile) bool {
	return slices.EqualFunc(a, b, func(x, y SourceFile) bool { return x.Path == y.Path && x.SHA256 == y.SHA256 })
}

// embedPassages returns the vectors of passages, from cache or else embedded
// (and put in cache), counting both in st.
func embedPassages(ctx context.Context, passages []corpus.Passage, batch BatchEmbedFunc, name string, cache *VectorCache,
	st *BuildStats, progress func(BuildProgress)) ([][]float32, error) {
	var sent int
	counted := func(ctx context.Context, texts []string) ([][]float32, error) {
		sent += len(texts)
		return batch(ctx, texts)
	}
	texts := make([]string, len(passages))
	for i, p := range passages {
		texts[i] = p.Text
		if _, ok := cache.Get(KeyOf(name, p.Text)); ok {
			st.Reused++
		}
	}
	vecs := make([][]float32, 0, len(passages))
	for at := 0; at < len(texts); at += embedChunk {
		vs, err := embedAll(ctx, texts[at:min(at+embedChunk, len(texts))], counted, name, cache)
		if err != nil {
			return nil, err
		}
		vecs = append(vecs, vs...)
		if progress != nil {
			progress(BuildProgress{Stage: "embedding", Done: len(vecs), Total: len(texts)})
		}
	}
	if len(vecs) > 0 {
		for i, v := range vecs {
			if len(v) != len(vecs[0]) {
				return nil, fmt.Errorf("%w: vectors of %d and %d dimensions (passage %d)", ErrEmbedResponse, len(vecs[0]), len(v), i)
			}
		}
	}
	st.Embedded = sent
	return vecs, nil
}

// listing is what Build finds in a corpus folder before reading it.
type listing struct {
	// files are the files corpus.LoadFS would read, with their sizes and
	// times (of what a symbolic link leads to).
	files []SourceFile
	// odd are what LoadFS would skip before reading anything, which it
	// words: folders that cannot be listed, broken symbolic links and links
	// to folders.
	odd map[string]bool
	// manifests are the folder's manifest files, hashed.
	manifests []SourceFile
}

// listFiles lists fsys as corpus.LoadFS walks it.
func listFiles(ctx context.Context, fsys fs.FS) (listing, error) {
	l := listing{odd: map[string]bool{}}
	var walk func(dir string) error
	walk = func(dir string) error {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			if dir == "." {
				return err
			}
			l.odd[dir] = true
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := path.Join(dir, e.Name())
			switch {
			case strings.HasPrefix(e.Name(), "."):
			case e.Type()&fs.ModeSymlink != 0:
				info, err := fs.Stat(fsys, name)
				switch {
				case err != nil || info.IsDir():
					l.odd[name] = true
				case info.Mode().IsRegular() && corpus.Supported(name):
					l.files = append(l.files, SourceFile{Path: name, Size: info.Size(), ModTime: info.ModTime()})
				}
			case e.IsDir():
				if err := walk(name); err != nil {
					return err
				}
			case e.Type().IsRegular() && corpus.Supported(name):
				info, err := e.Info()
				if err != nil {
					l.odd[name] = true
					continue
				}
				l.files = append(l.files, SourceFile{Path: name, Size: info.Size(), ModTime: info.ModTime()})
			}
		}
		return nil
	}
	if err := walk("."); err != nil {
		return l, err
	}
	slices.SortFunc(l.files, func(a, b SourceFile) int { return strings.Compare(a.Path, b.Path) })
	for _, name := range corpus.ManifestNames() {
		info, err := fs.Stat(fsys, name)
		if err != nil {
			continue
		}
		sum, _ := hashFile(fsys, name)
		l.manifests = append(l.manifests, SourceFile{Path: name, Size: info.Size(), ModTime: info.ModTime(), SHA256: sum})
	}
	return l, nil
}

// hashFile returns the SHA-256 of a file of fsys.
func hashFile(fsys fs.FS, name string) ([32]byte, error) {
	var sum [32]byte
	f, err := fsys.Open(name)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	h.Sum(sum[:0])
	return sum, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown program"
	}
	return s
}

// subsetFS shows only some files of an fs.FS, the folders on their way, the
// manifest, and some other entries to pass through untouched; it hashes each
// of the files as it is read to the end.
type subsetFS struct {
	fsys  fs.FS
	files map[string]bool
	other map[string]bool
	dirs  map[string]bool
	// opened is called with the number of files read so far, as each
	// one's reading begins.
	opened func(n int)

	mu     sync.Mutex
	n      int
	hashes map[string][32]byte
}

func newSubsetFS(fsys fs.FS, files, other map[string]bool) *subsetFS {
	s := &subsetFS{fsys: fsys, files: files, other: map[string]bool{}, dirs: map[string]bool{".": true}, hashes: map[string][32]byte{}}
	for _, m := range corpus.ManifestNames() {
		s.other[m] = true
	}
	for o := range other {
		s.other[o] = true
	}
	for _, set := range []map[string]bool{files, s.other} {
		for f := range set {
			for d := path.Dir(f); d != "."; d = path.Dir(d) {
				s.dirs[d] = true
			}
		}
	}
	return s
}

func (s *subsetFS) shows(name string) bool { return s.files[name] || s.other[name] || s.dirs[name] }

func (s *subsetFS) Open(name string) (fs.File, error) {
	if !s.shows(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := s.fsys.Open(name)
	if err != nil || !s.files[name] {
		return f, err
	}
	return &hashingFile{File: f, h: sha256.New(), read: s.read, done: func(sum [32]byte) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hashes[name] = sum
	}}, nil
}

// Stat stats what it shows without opening it, which would count as a read.
func (s *subsetFS) Stat(name string) (fs.FileInfo, error) {
	if !s.shows(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return fs.Stat(s.fsys, name)
}

// read counts a file whose reading began.
func (s *subsetFS) read() {
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	if s.opened != nil {
		s.opened(n)
	}
}

func (s *subsetFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !s.dirs[name] && !s.other[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(s.fsys, name)
	var kept []fs.DirEntry
	for _, e := range entries {
		if s.shows(path.Join(name, e.Name())) {
			kept = append(kept, e)
		}
	}
	return kept, err
}

// count is the number of files read.
func (s *subsetFS) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// sum returns the hash of a file read to its end.
func (s *subsetFS) sum(name string) ([32]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hashes[name]
	return h, ok
}

// hashingFile hashes what is read of a file and, at its end, reports the sum.
type hashingFile struct {
	fs.File
	h    hash.Hash
	read func() // called at the first Read
	done func([32]byte)
}

func (f *hashingFile) Read(p []byte) (int, error) {
	if f.read != nil {
		f.read()
		f.read = nil
	}
	n, err := f.File.Read(p)
	f.h.Write(p[:n])
	if err == io.EOF && f.done != nil {
		var sum [32]byte
		f.h.Sum(sum[:0])
		f.done(sum)
		f.done = nil
	}
	return n, err
}
