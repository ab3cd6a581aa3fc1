package indexfile

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/retrieval"
)

// BuildOptions configure Build. The zero value builds from scratch with the
// local embedder.
type BuildOptions struct {
	// Embedder embeds the passages; the zero value means embed.Local.
	Embedder embed.Embedder
	// Lexical builds a lexical-only index: no passage is embedded (Embedder
	// and Cache are not used), and the index has no vectors and the embedder
	// NoEmbedder. It is what `footnote index` builds when no embedding model
	// is configured and lexical search is all that will be asked of it.
	Lexical bool
	// Cache, when set, supplies and keeps vectors (see retrieval.Options).
	Cache *embed.Cache
	// Previous is the index to update, nil for none. Its documents are kept
	// for files that have not changed, and its vectors for passages whose
	// text has not, when it was made by the same Builder and embedder.
	Previous *Saved
	// Root is recorded as Saved.Root: the folder being indexed.
	Root string
	// Builder is recorded as Saved.Builder; see there.
	Builder string
	// Load is passed on to corpus.List; its Reuse and Read are Build's own.
	Load corpus.LoadOptions
	// Progress, when set, is called as files are read and passages embedded,
	// one call at a time (files are read on several goroutines).
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
	// Read is the number of files read to be parsed: new and changed ones
	// (each once). Read + Unchanged + Unreadable = Files.
	Read int
	// Unchanged is the number of files whose documents (or reasons for being
	// skipped) were kept from Previous; Checked counts those among them whose
	// bytes were hashed to prove it (their time changed, not their size).
	Unchanged, Checked int
	// Unreadable is the number of files skipped before they could be read
	// (a special file, a name that is not UTF-8, a broken link...).
	Unreadable int
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

// Build reads the corpus in fsys as corpus.LoadFS does (following symbolic
// links to folders when fsys is from corpus.DirFS) and embeds its
// passages, returning the index to save with WriteIndexFile and what it did.
//
// With a Previous index, it updates it: a file whose size and modification
// time are as Previous recorded them is not read; one whose time changed but
// not its size is read and, if its SHA-256 is unchanged, kept without being
// parsed; others are parsed afresh. Files that are gone are dropped, with
// their passages. Passages whose text is unchanged keep their vectors.
// Previous is used only in part when it was made by another Builder or the
// folder's manifest (see corpus.ManifestNames) changed (every file is parsed
// again), or with another embedder (every passage is embedded again), or
// lexical-only when this build is not (every passage is embedded), or with
// vectors when this build is lexical-only (they are dropped); Stats.Notes
// says so.
//
// Files that cannot be indexed are listed in the stats with the reason. It is
// an error (wrapping corpus.ErrNoDocuments) if no document is left.
func Build(ctx context.Context, fsys fs.FS, opts BuildOptions) (*Saved, BuildStats, error) {
	started := time.Now()
	var st BuildStats
	e := opts.Embedder
	if e.IsZero() {
		e = embed.Local()
	}
	name := e.Name
	if opts.Lexical {
		name = NoEmbedder
	}
	if name == "" {
		return nil, st, errors.New("build index: the embedder has no name")
	}
	limit := opts.Load.MaxFileBytes
	if limit <= 0 {
		limit = corpus.DefaultMaxFileBytes
	}
	// The load's hooks use what is decided below, once the folder is listed.
	var (
		kept  = map[string]corpus.Loaded{} // unchanged files' previous results
		sums  = map[string][32]byte{}      // files read, hashed
		total int                          // files to read
	)
	load := opts.Load
	load.Reuse = func(path string, _ fs.FileInfo) (corpus.Loaded, bool) {
		l, ok := kept[path]
		return l, ok
	}
	load.Read = func(path string, data []byte) {
		sums[path] = sha256.Sum256(data)
		if opts.Progress != nil {
			opts.Progress(BuildProgress{Stage: "reading", Done: len(sums), Total: total})
		}
	}
	list, err := corpus.List(ctx, fsys, load)
	if err != nil {
		return nil, st, err
	}
	manifests := hashManifests(fsys)
	st.Files = len(list.Files)

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
	case !sameFiles(prev.Manifests, manifests):
		keepDocs = false
		st.Notes = append(st.Notes, "the folder's manifest changed: every file is read again")
	}
	keepVecs := opts.Previous != nil && prev.Embedder == name && !opts.Lexical
	switch {
	case opts.Previous == nil || prev.Embedder == name:
	case opts.Lexical:
		st.Notes = append(st.Notes, fmt.Sprintf("the index had vectors of embedder %s: they are dropped, for this index is lexical-only (no embedding model is configured)", prev.Embedder))
	case prev.Lexical():
		st.Notes = append(st.Notes, fmt.Sprintf("the index was lexical-only: every passage is embedded with %s", name))
	default:
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

	// Keep what has not changed; the rest is read.
	var records []SourceFile
	listed := make(map[string]SourceFile, len(list.Files))
	for _, lf := range list.Files {
		f := SourceFile{Path: lf.Path, Size: lf.Info.Size(), ModTime: lf.Info.ModTime()}
		listed[f.Path] = f
		old, ok := prevFiles[f.Path]
		_, hasDoc := prevDocs[f.Path]
		// A file skipped before is judged again unless its bytes were:
		// it may have been skipped because it could not be read.
		unhashed := old.SHA256 == [32]byte{}
		if lf.Skip != "" {
			st.Unreadable++
			continue
		}
		if !keepDocs || !ok || old.Size != f.Size || old.Skipped == "" && !hasDoc || old.Skipped != "" && unhashed {
			total++
			continue
		}
		same := trustStat && old.ModTime.Equal(f.ModTime) && old.ModTime.Before(prev.Created.Add(-racyWindow))
		checked := false
		if !same && !unhashed && f.Size <= limit {
			sum, err := hashFile(fsys, f.Path)
			checked = true
			same = err == nil && sum == old.SHA256
		}
		if !same {
			total++
			continue
		}
		st.Unchanged++
		if checked {
			st.Checked++
		}
		rec := f
		rec.SHA256, rec.Skipped = old.SHA256, old.Skipped
		records = append(records, rec)
		kept[f.Path] = corpus.Loaded{Doc: prevDocs[f.Path], Passages: prevPassages[f.Path], Reason: old.Skipped}
	}
	for _, f := range prev.Files {
		if _, ok := listed[f.Path]; !ok {
			st.Removed++
		}
	}

	c, skipped, err := list.Load(ctx)
	st.Read = len(sums)
	st.Skipped = skipped
	if err != nil {
		return nil, st, err
	}
	for _, d := range c.Docs {
		if _, ok := kept[d.Path]; !ok {
			rec := listed[d.Path]
			rec.SHA256 = sums[d.Path]
			records = append(records, rec)
		}
	}
	for _, sk := range skipped {
		rec, isFile := listed[sk.Path]
		if _, ok := kept[sk.Path]; isFile && !ok {
			rec.SHA256 = sums[sk.Path]
			rec.Skipped = sk.Reason
			records = append(records, rec)
		}
	}
	slices.SortFunc(records, func(a, b SourceFile) int { return strings.Compare(a.Path, b.Path) })
	s := &Saved{Embedder: name, Created: started, Builder: opts.Builder, Root: opts.Root, Files: records, Manifests: manifests,
		Docs: c.Docs, Passages: c.Passages}
	st.Docs, st.Passages = len(s.Docs), len(s.Passages)

	if opts.Lexical {
		// Nothing to embed: the lexical index is all there is to make.
		if opts.Previous != nil && prev.Postings != nil && samePassageTexts(prev.Passages, s.Passages) {
			s.Postings = prev.Postings
		} else if s.Postings, err = retrieval.NewPostings(ctx, s.Passages); err != nil {
			return nil, st, fmt.Errorf("lexical index: %w", err)
		}
		return s, st, nil
	}
	cache := opts.Cache
	if cache == nil {
		cache = &embed.Cache{}
	}
	if keepVecs {
		for i, p := range prev.Passages {
			cache.Put(embed.KeyOf(name, p.Text), prev.Vectors[i])
		}
	}
	// The lexical index is made once, here, and saved: loading the file
	// analyses nothing. It runs beside the embedding, which leaves CPUs idle
	// between batches.
	type postingsResult struct {
		p   *retrieval.Postings
		err error
	}
	lex := make(chan postingsResult, 1)
	go func() {
		if opts.Previous != nil && prev.Postings != nil && samePassageTexts(prev.Passages, s.Passages) {
			// Postings depend on the passages' texts and order alone.
			lex <- postingsResult{prev.Postings, nil}
			return
		}
		p, err := retrieval.NewPostings(ctx, s.Passages)
		lex <- postingsResult{p, err}
	}()
	s.Vectors, err = embedPassages(ctx, s.Passages, e, cache, &st, opts.Progress)
	lr := <-lex
	if err != nil {
		return nil, st, fmt.Errorf("embed passages: %w", err)
	}
	if lr.err != nil {
		return nil, st, fmt.Errorf("lexical index: %w", lr.err)
	}
	s.Postings = lr.p
	s.Dim = len(s.Vectors[0])
	return s, st, nil
}

// samePassageTexts reports whether a and b are passages of the same texts in
// the same order.
func samePassageTexts(a, b []corpus.Passage) bool {
	return slices.EqualFunc(a, b, func(x, y corpus.Passage) bool { return x.Text == y.Text })
}

// sameFiles reports whether a and b list the same files with the same bytes.
func sameFiles(a, b []SourceFile) bool {
	return slices.EqualFunc(a, b, func(x, y SourceFile) bool { return x.Path == y.Path && x.SHA256 == y.SHA256 })
}

// embedPassages returns the vectors of passages, from cache or else embedded
// (and put in cache), counting both in st.
func embedPassages(ctx context.Context, passages []corpus.Passage, e embed.Embedder, cache *embed.Cache,
	st *BuildStats, progress func(BuildProgress)) ([][]float32, error) {
	var sent int
	name := e.Name
	counted := e
	counted.Batch = func(ctx context.Context, texts []string) ([][]float32, error) {
		sent += len(texts)
		return e.Batch(ctx, texts)
	}
	texts := make([]string, len(passages))
	for i, p := range passages {
		texts[i] = p.Text
		if _, ok := cache.Get(embed.KeyOf(name, p.Text)); ok {
			st.Reused++
		}
	}
	vecs := make([][]float32, 0, len(passages))
	for at := 0; at < len(texts); at += embedChunk {
		vs, err := embed.All(ctx, texts[at:min(at+embedChunk, len(texts))], counted, cache)
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
				return nil, fmt.Errorf("%w: vectors of %d and %d dimensions (passage %d)", embed.ErrResponse, len(vecs[0]), len(v), i)
			}
		}
	}
	st.Embedded = sent
	return vecs, nil
}

// hashManifests returns the manifest files at the root of fsys, hashed.
func hashManifests(fsys fs.FS) []SourceFile {
	var out []SourceFile
	for _, name := range corpus.ManifestNames() {
		info, err := fs.Stat(fsys, name)
		if err != nil {
			continue
		}
		sum, _ := hashFile(fsys, name)
		out = append(out, SourceFile{Path: name, Size: info.Size(), ModTime: info.ModTime(), SHA256: sum})
	}
	return out
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
