package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/retrieval"
	"golang.org/x/term"
)

// indexCmdOptions are the flags of footnote index.
type indexCmdOptions struct {
	configFlags
	output    string
	corpus    string
	rebuild   bool
	json      bool
	retrieval string
}

func indexCommand() command {
	return command{
		name:    "index",
		args:    "[DIR] -o FILE",
		summary: "read a folder of documents into an index file, or update it (for --index)",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &indexCmdOptions{}
			o.configFlags.define(fs)
			fs.StringVar(&o.output, "o", "", "index `file` to write or update (default $FOOTNOTE_INDEX)")
			fs.StringVar(&o.corpus, "corpus", "", "the folder `DIR` to read, as the argument DIR (default $FOOTNOTE_CORPUS)")
			fs.BoolVar(&o.rebuild, "rebuild", false, "read (and embed) every file again instead of updating the index")
			fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
			fs.StringVar(&o.retrieval, "retrieval", "", "the ranking the index is for: auto, hybrid, dense or lexical; lexical (auto's choice with the local embedder) builds it without vectors")
			return func(ctx context.Context, m *Main, args []string) error {
				return runIndex(ctx, m, o, args)
			}
		},
	}
}

// indexSummary is what `footnote index` did; --json prints it.
type indexSummary struct {
	Index      string        `json:"index"`
	Folder     string        `json:"folder"`
	Bytes      int64         `json:"bytes"`
	Seconds    float64       `json:"seconds"`
	Embedder   string        `json:"embedder"`
	Dim        int           `json:"dim"`
	Files      int           `json:"files"`
	Docs       int           `json:"docs"`
	Read       int           `json:"read"`
	Unchanged  int           `json:"unchanged"`
	Checked    int           `json:"checked"`
	Unreadable int           `json:"unreadable"`
	Removed    int           `json:"removed"`
	Passages   int           `json:"passages"`
	Embedded   int           `json:"embedded"`
	Reused     int           `json:"reused"`
	Skipped    []skippedFile `json:"skipped"`
	Notes      []string      `json:"notes"`
}

type skippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func runIndex(ctx context.Context, m *Main, o *indexCmdOptions, args []string) error {
	started := time.Now()
	stdout, stderr, rebuild := m.Stdout, m.Stderr, o.rebuild
	if len(args) > 1 || (len(args) == 1 && o.corpus != "") {
		return usagef("give one folder: footnote index DIR -o FILE (or --corpus DIR)")
	}
	if o.corpus != "" {
		args = []string{o.corpus}
	}
	cfg, err := o.load(m.Environ)
	if err != nil {
		return err
	}
	if o.retrieval != "" {
		cfg.Retrieval = o.retrieval
		if err := cfg.Validate(); err != nil {
			return usagef("%v", err)
		}
	}
	out := o.output
	if out == "" {
		out = cfg.Index
	}
	target, unlock, err := lockOutput(out, stderr)
	if err != nil {
		return err
	}
	defer unlock()

	// The index there is updated, never a file that is not an index.
	prev, err := indexfile.ReadIndexFile(target)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, indexfile.ErrNotIndexFile):
		return fmt.Errorf("%s exists and is not a Footnote index: choose another file with -o, or remove it", out)
	case errors.Is(err, indexfile.ErrIndexDamaged), errors.Is(err, indexfile.ErrIndexVersion):
		fmt.Fprintf(stderr, "warning: %s; replacing it with a new index\n", oneLine(err.Error()))
	default:
		return err
	}

	dir := ""
	switch {
	case len(args) == 1:
		dir = args[0]
	case cfg.Corpus != "":
		dir = cfg.Corpus
	case prev != nil && prev.Root != "":
		dir = prev.Root
	default:
		return usagef("no folder given: footnote index DIR -o FILE")
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("corpus folder %q does not exist", dir)
	case err != nil:
		return fmt.Errorf("corpus folder %q: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("corpus folder %q: %w", dir, corpus.ErrNotDir)
	}

	ropts, err := indexOptions(cfg)
	if err != nil {
		return err
	}
	// Lexical search, the default when no embedding model is configured,
	// uses no vectors: the index is built without them.
	bopts := indexfile.BuildOptions{Embedder: ropts.Embedder, Cache: ropts.Cache, Lexical: ropts.Mode == retrieval.ModeLexical,
		Previous: prev, Root: dir, Builder: "footnote " + version}
	if rebuild {
		bopts.Previous = nil
	}
	bar := newProgressBar(stderr)
	bopts.Progress = bar.update
	s, st, err := indexfile.Build(ctx, corpus.DirFS(dir), bopts)
	bar.clear()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %s was not changed", out)
		}
		if errors.Is(err, corpus.ErrNoDocuments) {
			for _, sk := range st.Skipped {
				fmt.Fprintf(stderr, "skipped %s: %s\n", terminalText(sk.Path), terminalText(sk.Reason))
			}
			return fmt.Errorf("nothing could be indexed in %s: %w; %s was not written", dir, err, out)
		}
		return err
	}
	if err := indexfile.WriteIndexFile(target, s); err != nil {
		return fmt.Errorf("writing the index: %w", err)
	}

	sum := summarize(out, dir, s, st, time.Since(started))
	if o.json {
		return writeJSON(stdout, sum)
	}
	_, err = io.WriteString(stdout, terminalText(renderIndexSummary(sum)))
	return err
}

// renderIndexSummary words what `footnote index` did.
func renderIndexSummary(s indexSummary) string {
	var b strings.Builder
	took := time.Duration(s.Seconds * float64(time.Second)).Round(time.Millisecond)
	fmt.Fprintf(&b, "Indexed %s into %s (%s) in %s.\n", s.Folder, s.Index, byteSize(s.Bytes), took)
	// Read + unchanged + unreadable = files.
	fmt.Fprintf(&b, "  files     %d: %d indexed, %d skipped; %d read, %d unchanged", s.Files, s.Docs, s.Files-s.Docs, s.Read, s.Unchanged)
	if s.Checked > 0 {
		fmt.Fprintf(&b, " (%d of them checked by their bytes)", s.Checked)
	}
	if s.Unreadable > 0 {
		fmt.Fprintf(&b, ", %d not readable", s.Unreadable)
	}
	fmt.Fprintf(&b, "; %d removed\n", s.Removed)
	if s.Embedder == indexfile.NoEmbedder {
		fmt.Fprintf(&b, "  passages  %d, lexical-only: no vectors (no embedding model is configured)\n", s.Passages)
	} else {
		fmt.Fprintf(&b, "  passages  %d: %d embedded, %d reused (%s)\n", s.Passages, s.Embedded, s.Reused, s.Embedder)
	}
	for i, sk := range s.Skipped {
		label := ""
		if i == 0 {
			label = "skipped"
		}
		fmt.Fprintf(&b, "  %-9s %s: %s\n", label, sk.Path, sk.Reason)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "  note      %s\n", n)
	}
	return b.String()
}

// byteSize words a number of bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// progressBar draws how far an index build has got, on a terminal only,
// at most ten times a second. A nil *progressBar draws nothing.
type progressBar struct {
	w     io.Writer
	last  time.Time
	drawn bool
}

// newProgressBar returns a bar that draws on w, or nil when w is not a terminal.
func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: w}
}

func (p *progressBar) update(pr indexfile.BuildProgress) {
	if p == nil {
		return
	}
	now := time.Now()
	if pr.Done < pr.Total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	fill := width * min(pr.Done, pr.Total) / max(pr.Total, 1)
	unit := "files"
	if pr.Stage == "embedding" {
		unit = "passages"
	}
	fmt.Fprintf(p.w, "\r\x1b[K%-9s [%s%s] %d/%d %s", pr.Stage, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), pr.Done, pr.Total, unit)
	p.drawn = true
}

// clear erases the bar.
func (p *progressBar) clear() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// lockOutput checks the index file out names and locks it against another
// footnote index: the file to write (a symbolic link's target, with a note
// on stderr) and the unlock to defer.
func lockOutput(out string, stderr io.Writer) (target string, unlock func(), err error) {
	if out == "" {
		return "", nil, usagef("no index file given: footnote index DIR -o FILE")
	}
	// A symbolic link keeps pointing at the new index: its target is
	// replaced. Anything else but a regular file is refused.
	target, link, err := indexfile.OutputTarget(out)
	var oe *indexfile.OutputError
	switch {
	case errors.As(err, &oe):
		return "", nil, usagef("-o %v", oe)
	case err != nil:
		return "", nil, fmt.Errorf("cannot write %s: %w", out, err)
	}
	if info, err := os.Stat(filepath.Dir(target)); err != nil || !info.IsDir() {
		return "", nil, fmt.Errorf("cannot write %s: folder %s does not exist", out, filepath.Dir(target))
	}
	// Two builds of one index file would each read the old one and the
	// last rename would silently drop the other's work: one waits for none.
	unlock, err = indexfile.Lock(target)
	if err != nil {
		return "", nil, err
	}
	if link {
		fmt.Fprintf(stderr, "note: %s is a symbolic link: replacing its target, %s\n", out, target)
	}
	return target, unlock, nil
}

// summarize is what footnote index prints of a build of dir into out.
func summarize(out, dir string, s *indexfile.Saved, st indexfile.BuildStats, took time.Duration) indexSummary {
	sum := indexSummary{Index: out, Folder: dir, Embedder: s.Embedder, Dim: s.Dim,
		Files: st.Files, Docs: st.Docs, Read: st.Read, Unchanged: st.Unchanged, Checked: st.Checked, Unreadable: st.Unreadable, Removed: st.Removed,
		Passages: st.Passages, Embedded: st.Embedded, Reused: st.Reused,
		Skipped: []skippedFile{}, Notes: st.Notes}
	if sum.Notes == nil {
		sum.Notes = []string{}
	}
	for _, sk := range st.Skipped {
		sum.Skipped = append(sum.Skipped, skippedFile{sk.Path, sk.Reason})
	}
	if info, err := os.Stat(out); err == nil {
		sum.Bytes = info.Size()
	}
	sum.Seconds = took.Seconds()
	return sum
}
