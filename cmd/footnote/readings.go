package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/store"
)

// readingsFlags are the flags of `footnote readings`.
type readingsFlags struct {
	configFlags
	json    bool
	limits  store.Limits // from the configuration
	dataDir string
	guild   string
	channel string
	title   string
	by      string
}

func readingsCommand() command {
	return command{
		name:    "readings",
		args:    "list|add PATH...|remove ID...|export DIR --guild ID [--channel ID]",
		summary: "show and change the reading lists of the bot's guilds, in its data folder",
		setup: func(fs *flag.FlagSet) runFunc {
			f := &readingsFlags{}
			f.configFlags.define(fs)
			fs.StringVar(&f.dataDir, "data-dir", "", "the store's `folder` (default: database_url when set, else $FOOTNOTE_DATA_DIR, else $XDG_DATA_HOME/footnote)")
			fs.StringVar(&f.guild, "guild", "", "the guild's `ID` (required)")
			fs.StringVar(&f.channel, "channel", "", "a channel's `ID`: its own list instead of the guild-wide one")
			fs.StringVar(&f.title, "title", "", "add: the reading's `title` (one file only; default: from the file)")
			fs.StringVar(&f.by, "by", "operator", "add: who added it, as listed")
			fs.BoolVar(&f.json, "json", false, "list, add: print JSON")
			return func(ctx context.Context, m *Main, args []string) error {
				return runReadings(ctx, m, f, args)
			}
		},
	}
}

func runReadings(ctx context.Context, m *Main, f *readingsFlags, args []string) error {
	stdout, stderr := m.Stdout, m.Stderr
	if len(args) == 0 {
		return usagef("say what to do: footnote readings list|add|remove|export --guild ID")
	}
	verb, args := args[0], args[1:]
	switch verb {
	case "list", "add", "remove", "export":
	default:
		return usagef("unknown readings command %q: use list, add, remove or export", verb)
	}
	if f.guild == "" {
		return usagef("no guild given: footnote readings %s --guild ID", verb)
	}
	switch {
	case verb == "list" && len(args) > 0:
		return usagef("footnote readings list takes no arguments")
	case verb == "add" && len(args) == 0:
		return usagef("no file or folder given: footnote readings add --guild ID PATH...")
	case verb == "remove" && len(args) == 0:
		return usagef("no reading given: footnote readings remove --guild ID READING-ID...")
	case verb == "export" && len(args) != 1:
		return usagef("give one folder: footnote readings export --guild ID DIR")
	}
	cfg, err := f.load(m.Environ)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	f.limits = store.Limits{MaxReadings: cfg.Discord.MaxReadings, MaxPassages: cfg.Discord.MaxPassages}
	st, _, err := openStore(ctx, cfg, f.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	list := store.List{Guild: f.guild, Channel: f.channel}
	switch verb {
	case "list":
		return readingsList(ctx, st, list, f.json, stdout)
	case "add":
		return readingsAdd(ctx, st, cfg, f, list, args, stdout, stderr)
	case "remove":
		for _, id := range args {
			r, err := st.RemoveReading(ctx, f.guild, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed %s %q from %s\n", r.ID, r.Title, listName(r.List()))
		}
		return nil
	default:
		return readingsExport(ctx, st, list, args[0], stdout)
	}
}

func listName(l store.List) string {
	if l.Channel == "" {
		return "the guild-wide list"
	}
	return "channel " + l.Channel + "'s list"
}

// readingsList prints the guild's readings: all of them, or with --channel
// the ones that channel sees (guild-wide and its own).
func readingsList(ctx context.Context, st store.Store, l store.List, asJSON bool, stdout io.Writer) error {
	all, err := st.Readings(ctx, l.Guild)
	if err != nil {
		return err
	}
	var rs []store.Reading
	for _, r := range all {
		if l.Channel == "" || r.Channel == "" || r.Channel == l.Channel {
			rs = append(rs, r)
		}
	}
	if asJSON {
		if rs == nil {
			rs = []store.Reading{}
		}
		return writeJSON(stdout, rs)
	}
	if len(rs) == 0 {
		_, err := fmt.Fprintf(stdout, "Guild %s has no readings.\n", l.Guild)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLIST\tTITLE\tPASSAGES\tPAGES\tADDED BY\tADDED\tFILE")
	for _, r := range rs {
		where := "guild"
		if r.Channel != "" {
			where = "channel " + r.Channel
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, where, r.Title, r.Passages, r.Pages, r.AddedBy,
			r.AddedAt.Format("2006-01-02 15:04"), r.FileName)
	}
	return tw.Flush()
}

// addResult is one file of `footnote readings add --json`.
type addResult struct {
	Path    string         `json:"path"`
	Reading *store.Reading `json:"reading,omitempty"`
	Skipped string         `json:"skipped,omitempty"`
}

// readingsAdd reads the files and folders as `footnote index` does (package
// corpus, the same caps), embeds them with the configured embedder and adds
// each document as one reading. Files that cannot be read and files already in
// the list are reported and skipped; a full list stops the addition.
func readingsAdd(ctx context.Context, st store.Store, cfg config.Config, f *readingsFlags, l store.List, paths []string, stdout, stderr io.Writer) error {
	ropts, err := indexOptions(cfg)
	if err != nil {
		return err
	}
	if f.title != "" && (len(paths) > 1 || isDir(paths[0])) {
		return usagef("--title names one reading: give one file")
	}
	var results []addResult
	report := func(r addResult) {
		results = append(results, r)
		if f.json {
			return
		}
		if r.Reading != nil {
			pages := ""
			if r.Reading.Pages > 0 {
				pages = fmt.Sprintf(", %d pages", r.Reading.Pages)
			}
			fmt.Fprintf(stdout, "added %s %q from %s (%d passages%s) to %s\n", r.Reading.ID, r.Reading.Title,
				r.Path, r.Reading.Passages, pages, listName(l))
		} else {
			fmt.Fprintf(stderr, "skipped %s: %s\n", r.Path, r.Skipped)
		}
	}
	for _, p := range paths {
		if err := addPath(ctx, st, ropts.Embedder, ropts.Cache, f, l, p, stderr, report); err != nil {
			return err
		}
	}
	if f.json {
		if results == nil {
			results = []addResult{}
		}
		return writeJSON(stdout, results)
	}
	return nil
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// addPath reads one file or folder and adds its documents.
func addPath(ctx context.Context, st store.Store, e embed.Embedder, cache *embed.Cache, f *readingsFlags, l store.List, p string,
	stderr io.Writer, report func(addResult)) error {
	info, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", p, err)
	}
	var fsys fs.FS
	root := p
	if info.IsDir() {
		fsys = corpus.DirFS(p)
	} else {
		root = filepath.Dir(p)
		fsys = oneFileFS{fsys: corpus.DirFS(root), name: filepath.Base(p)}
	}
	bar := newProgressBar(stderr)
	s, stats, err := indexfile.Build(ctx, fsys, indexfile.BuildOptions{Embedder: e, Cache: cache, Root: root,
		Builder: "footnote " + version, Progress: bar.update})
	bar.clear()
	for _, sk := range stats.Skipped {
		report(addResult{Path: filepath.Join(root, filepath.FromSlash(sk.Path)), Skipped: sk.Reason})
	}
	if errors.Is(err, corpus.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while reading %s: nothing from it was added", p)
		}
		return err
	}
	sums := map[string][32]byte{}
	for _, sf := range s.Files {
		sums[sf.Path] = sf.SHA256
	}
	for _, doc := range s.Docs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted: the readings listed above were added, the others not")
		}
		file := filepath.Join(root, filepath.FromSlash(doc.Path))
		original, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("cannot read %s again: %w", file, err)
		}
		if sum, ok := sums[doc.Path]; ok && store.Hash(original) != fmt.Sprintf("%x", sum) {
			report(addResult{Path: file, Skipped: "it changed while being read; add it again"})
			continue
		}
		a := store.Addition{List: l, Title: f.title, FileName: path.Base(doc.Path), Original: original,
			AddedBy: f.by, Doc: doc, Embedder: s.Embedder, Limits: f.limits}
		for i, ps := range s.Passages {
			if ps.Doc == doc.Path {
				a.Passages = append(a.Passages, ps)
				a.Vectors = append(a.Vectors, s.Vectors[i])
			}
		}
		r, err := st.AddReading(ctx, a)
		var dup *store.DuplicateError
		switch {
		case errors.As(err, &dup):
			report(addResult{Path: file, Skipped: fmt.Sprintf("already in the list as %s %q", dup.Existing.ID, dup.Existing.Title)})
		case errors.Is(err, store.ErrInvalid):
			report(addResult{Path: file, Skipped: err.Error()})
		case err != nil:
			return fmt.Errorf("adding %s: %w", file, err)
		default:
			report(addResult{Path: file, Reading: &r})
		}
	}
	return nil
}

// readingsExport writes the originals of the guild's readings into dir:
// guild-wide ones at its top, each channel's in channel-ID/; with --channel,
// only that channel's. A name taken twice gets " (2)" and so on; an existing
// file is never overwritten.
func readingsExport(ctx context.Context, st store.Store, l store.List, dir string, stdout io.Writer) error {
	rs, err := st.Readings(ctx, l.Guild)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	n := 0
	for _, r := range rs {
		if l.Channel != "" && r.Channel != l.Channel {
			continue
		}
		sub := ""
		if r.Channel != "" && l.Channel == "" {
			sub = "channel-" + r.Channel
		}
		data, err := st.Original(ctx, l.Guild, r.ID)
		if err != nil {
			return err
		}
		name := filepath.Join(sub, r.FileName)
		ext := filepath.Ext(r.FileName)
		for i := 2; taken[name]; i++ {
			name = filepath.Join(sub, fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(r.FileName, ext), i, ext))
		}
		taken[name] = true
		target := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := writeNew(target, data, r.AddedAt); err != nil {
			return err
		}
		n++
	}
	_, err = fmt.Fprintf(stdout, "exported %d readings of guild %s to %s\n", n, l.Guild, dir)
	return err
}

// writeNew writes a new file, refusing to replace one.
func writeNew(name string, data []byte, mtime time.Time) error {
	fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: export into an empty folder", name)
	}
	if err != nil {
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	return os.Chtimes(name, mtime, mtime)
}

// oneFileFS is a folder in which only one file is seen: one file given to
// `readings add` is read as `footnote index` reads a folder that holds it.
type oneFileFS struct {
	fsys fs.FS
	name string
}

func (o oneFileFS) Open(name string) (fs.File, error) {
	if name != "." && name != o.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.fsys.Open(name)
}

func (o oneFileFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(o.fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	for _, e := range entries {
		if e.Name() == o.name {
			out = append(out, e)
		}
	}
	return out, nil
}

func (o oneFileFS) Stat(name string) (fs.FileInfo, error) {
	if name != "." && name != o.name {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return fs.Stat(o.fsys, name)
}
