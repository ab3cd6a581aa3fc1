// Package readings keeps the reading lists that study groups build in
// Discord: it reads an uploaded file into a reading (the parsers and caps of
// package corpus, as `footnote index` uses them), embeds its passages, hands
// it to the store, and gives answer engines over what one channel sees: the
// operator's corpus, the guild's list and the channel's. Each list is one
// retrieval index, loaded from the store when first asked for and again when
// the store says it changed; package answer searches them as one.
//
// It knows nothing of Discord (package bot asks it through an interface of
// its own) nor of how the store keeps things (it asks the store through
// Store, a part of store.Store).
package readings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
)

// Store is what the reading lists need of the store.
type Store interface {
	AddReading(ctx context.Context, a store.Addition) (store.Reading, error)
	RemoveReading(ctx context.Context, guild, id string) (store.Reading, error)
	Readings(ctx context.Context, guild string) ([]store.Reading, error)
	LoadList(ctx context.Context, l store.List, embedder string) (*store.Loaded, error)
	ListVersion(ctx context.Context, l store.List) (int64, error)
}

var _ Store = (store.Store)(nil)

// Options configure a Library. Zero values are documented defaults; Store is
// required.
type Options struct {
	Store Store
	// Base returns the engine over the operator's corpus as it is now (it may
	// be reloaded); nil means there is none.
	Base func() *answer.Engine
	// NoBase keeps the operator's corpus out of guilds' questions
	// (discord.base_corpus: none); DMs always see it, and only it.
	NoBase bool
	// Index configures the lists' indexes: the embedder must be the base
	// index's, so that one question vector serves both.
	Index retrieval.Options
	// Limits bound what one guild holds (zero fields: the store's defaults).
	Limits store.Limits
	// Logger receives warnings about lists that load in part; nil means slog.Default().
	Logger *slog.Logger
}

// Library is the reading lists of every guild, ready to be searched. It is
// safe for concurrent use.
type Library struct {
	opts Options

	mu    sync.Mutex
	lists map[store.List]*list
}

// list is a reading list loaded for searching.
type list struct {
	mu      sync.Mutex // held while (re)loading
	version int64
	loaded  bool
	part    answer.Part // Index nil when the list is empty
	cache   scoped
}

// scoped caches the last engine built over a base and a set of parts.
type scoped struct {
	key string
	eng *answer.Engine
}

// New returns a library over opts.Store.
func New(opts Options) (*Library, error) {
	if opts.Store == nil {
		return nil, errors.New("readings: no store")
	}
	if opts.Index.Embedder.IsZero() {
		opts.Index.Embedder = embed.Local()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Library{opts: opts, lists: map[store.List]*list{}}, nil
}

// Scope is where a question is asked: a guild and a channel (a thread's
// parent channel, for a thread); Guild "" for a DM.
type Scope struct {
	Guild, Channel string
}

// Lists are the reading lists the scope sees: the guild's and the channel's.
func (s Scope) Lists() []store.List {
	if s.Guild == "" {
		return nil
	}
	out := []store.List{{Guild: s.Guild}}
	if s.Channel != "" {
		out = append(out, store.List{Guild: s.Guild, Channel: s.Channel})
	}
	return out
}

// In returns an engine over what a question in scope searches: the
// operator's corpus (unless NoBase in a guild) and the scope's lists, loaded
// or reloaded from the store as needed. Its errors are the store's.
func (l *Library) In(ctx context.Context, s Scope) (*answer.Engine, error) {
	var base *answer.Engine
	if l.opts.Base != nil {
		base = l.opts.Base()
	}
	withBase := base != nil && (s.Guild == "" || !l.opts.NoBase)
	var parts []answer.Part
	key := fmt.Sprintf("%p", base)
	for _, name := range s.Lists() {
		ls, err := l.fresh(ctx, name)
		if err != nil {
			return nil, err
		}
		if ls.part.Index != nil {
			parts = append(parts, ls.part)
			key += fmt.Sprintf("|%p", ls.part.Index)
		}
	}
	if base == nil {
		base = answer.New(&corpus.Corpus{}, emptyIndex(), answer.Options{})
	}
	if len(parts) == 0 && withBase {
		return base, nil
	}
	// The engine over base and parts is cached on the scope's most specific list.
	holder := l.holder(s)
	holder.mu.Lock()
	defer holder.mu.Unlock()
	key = fmt.Sprintf("%t|%s", withBase, key)
	if holder.cache.key == key {
		return holder.cache.eng, nil
	}
	eng := base.Scoped(withBase, parts...)
	holder.cache = scoped{key: key, eng: eng}
	return eng, nil
}

func (l *Library) holder(s Scope) *list {
	lists := s.Lists()
	if len(lists) == 0 {
		return l.get(store.List{})
	}
	return l.get(lists[len(lists)-1])
}

func (l *Library) get(name store.List) *list {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls := l.lists[name]
	if ls == nil {
		ls = &list{}
		l.lists[name] = ls
	}
	return ls
}

// fresh returns the list name, reloaded when the store's version moved (an
// addition by this process, or by `footnote readings` on the same data).
func (l *Library) fresh(ctx context.Context, name store.List) (*list, error) {
	ls := l.get(name)
	v, err := l.opts.Store.ListVersion(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("reading list of %s: %w", name, err)
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.loaded && ls.version == v {
		return ls, nil
	}
	loaded, err := l.opts.Store.LoadList(ctx, name, l.opts.Index.Embedder.Name)
	if err != nil {
		return nil, fmt.Errorf("loading the reading list of %s: %w", name, err)
	}
	for _, d := range loaded.Damaged {
		l.opts.Logger.Warn("a reading could not be loaded", "list", name.String(), "reading", d.Reading.ID, "err", d.Err)
	}
	if len(loaded.Stale) > 0 {
		l.opts.Logger.Warn("readings embedded by another embedder are not searched", "list", name.String(), "readings", len(loaded.Stale))
	}
	part := answer.Part{}
	if loaded.Index != nil && len(loaded.Index.Passages) > 0 {
		ix, err := indexfile.NewFromSaved(ctx, loaded.Index, l.opts.Index)
		if err != nil {
			return nil, fmt.Errorf("indexing the reading list of %s: %w", name, err)
		}
		part = answer.Part{Docs: loaded.Index.Docs, Index: ix}
	}
	ls.part, ls.version, ls.loaded = part, loaded.Version, true
	return ls, nil
}

// emptyIndex is the index of an engine with no corpus.
func emptyIndex() answer.Index {
	ix, _ := retrieval.New(context.Background(), nil, retrieval.Options{Mode: retrieval.ModeLexical})
	return ix
}

// Readings returns every reading of a guild, guild-wide and each channel's.
func (l *Library) Readings(ctx context.Context, guild string) ([]store.Reading, error) {
	return l.opts.Store.Readings(ctx, guild)
}

// Remove removes a reading of guild; another guild's id is store.ErrNotFound.
func (l *Library) Remove(ctx context.Context, guild, id string) (store.Reading, error) {
	return l.opts.Store.RemoveReading(ctx, guild, id)
}

// Upload is a file to add to a list.
type Upload struct {
	List store.List
	// Name is the file's name; its extension picks the parser.
	Name string
	// Title, when set, replaces the title read from the file.
	Title   string
	Data    []byte
	AddedBy string
}

// Progress is how far an addition has got: the page of the document whose
// passages are being embedded (Page 0 while the file is parsed, Pages 0 for
// a document without pages), or the passages (Done of Total).
type Progress struct {
	Title       string
	Page, Pages int
	Done, Total int
}

// Refusal is a file that cannot be added, and why, in words for the person
// who added it.
type Refusal struct {
	Reason string
	Err    error
}

func (r *Refusal) Error() string { return r.Reason }
func (r *Refusal) Unwrap() error { return r.Err }

// embedBatch is how many passages are embedded between progress reports.
const embedBatch = 16

// Add reads up.Data as `footnote index` reads a file, embeds its passages and
// adds it to its list. A file that cannot be added is a *Refusal (with the
// store's *DuplicateError or *LimitError inside, when it is one of those).
// Nothing is stored until the reading is complete: an addition that fails or
// is cancelled leaves the list as it was.
func (l *Library) Add(ctx context.Context, up Upload, progress func(Progress)) (store.Reading, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	name := path.Base(strings.ReplaceAll(up.Name, "\\", "/"))
	if !corpus.Supported(name) {
		return store.Reading{}, &Refusal{Reason: fmt.Sprintf("%s is not a format I read: send a PDF, Word (.docx), HTML, Markdown or text file.", describeExt(name)), Err: corpus.ErrUnsupported}
	}
	if int64(len(up.Data)) > corpus.DefaultMaxFileBytes {
		return store.Reading{}, &Refusal{Reason: fmt.Sprintf("the file is %s, more than the %s `footnote index` reads.", Size(int64(len(up.Data))), Size(corpus.DefaultMaxFileBytes)), Err: corpus.ErrTooLarge}
	}
	title := strings.TrimSpace(up.Title)
	progress(Progress{Title: orName(title, name)})
	doc, err := corpus.Parse(name, up.Data)
	if err != nil {
		return store.Reading{}, refuseParse(err)
	}
	if title != "" {
		doc.Title = title
	}
	ps := corpus.Chunk(doc)
	if len(ps) == 0 {
		return store.Reading{}, &Refusal{Reason: "the file has no text I can quote.", Err: corpus.ErrNoText}
	}
	if title != "" {
		for i := range ps {
			ps[i].Title = title
		}
	}
	vecs := make([][]float32, 0, len(ps))
	for from := 0; from < len(ps); from += embedBatch {
		to := min(from+embedBatch, len(ps))
		progress(Progress{Title: doc.Title, Page: max(ps[from].Page, 1), Pages: len(doc.Pages), Done: from, Total: len(ps)})
		texts := make([]string, to-from)
		for i, p := range ps[from:to] {
			texts[i] = p.Text
		}
		v, err := embed.All(ctx, texts, l.opts.Index.Embedder, l.opts.Index.Cache)
		if err != nil {
			return store.Reading{}, fmt.Errorf("embedding the passages of %s: %w", name, err)
		}
		vecs = append(vecs, v...)
	}
	r, err := l.opts.Store.AddReading(ctx, store.Addition{
		List: up.List, Title: title, FileName: name, Original: up.Data, AddedBy: up.AddedBy,
		Doc: doc, Passages: ps, Vectors: vecs, Embedder: l.opts.Index.Embedder.Name, Limits: l.opts.Limits,
	})
	var dup *store.DuplicateError
	var lim *store.LimitError
	switch {
	case errors.As(err, &dup):
		return store.Reading{}, &Refusal{Reason: fmt.Sprintf("the same file is already in the reading list as “%s”.", dup.Existing.Title), Err: err}
	case errors.As(err, &lim):
		return store.Reading{}, &Refusal{Reason: fmt.Sprintf("the server's reading lists are full: they would hold %d %s, and the limit is %d. Remove a reading first.", lim.N, lim.What, lim.Max), Err: err}
	case err != nil:
		return store.Reading{}, fmt.Errorf("storing %s: %w", name, err)
	}
	// Load the list now, so the first question after "added" does not wait.
	if _, err := l.fresh(ctx, up.List); err != nil {
		l.opts.Logger.Warn("reloading a reading list after an addition", "list", up.List.String(), "err", err)
	}
	return r, nil
}

// refuseParse turns the corpus's reasons for skipping a file into words.
func refuseParse(err error) error {
	reason := "I could not read the file: " + err.Error() + "."
	switch {
	case errors.Is(err, corpus.ErrUnsupported):
		reason = "that is not a format I read: send a PDF, Word (.docx), HTML, Markdown or text file."
	case errors.Is(err, corpus.ErrEmpty):
		reason = "the file is empty."
	case errors.Is(err, corpus.ErrEncrypted):
		reason = "the PDF is password-protected: send a copy without a password."
	case errors.Is(err, corpus.ErrImageOnly):
		reason = "the PDF has no text I can extract (a scan?): send a version with text."
	case errors.Is(err, corpus.ErrNoText):
		reason = "the file has no text I can quote."
	case errors.Is(err, corpus.ErrBinary), errors.Is(err, corpus.ErrInvalidUTF8):
		reason = "the file is not text in a format I read (" + err.Error() + ")."
	case errors.Is(err, corpus.ErrUnreadable):
		reason = "the file is damaged or not what its name says (" + err.Error() + ")."
	}
	return &Refusal{Reason: reason, Err: err}
}

func describeExt(name string) string {
	if ext := path.Ext(name); ext != "" {
		return "“" + ext + "”"
	}
	return "a file without an extension"
}

func orName(title, name string) string {
	if title != "" {
		return title
	}
	return strings.TrimSuffix(name, path.Ext(name))
}

// Size writes a number of bytes for people: "20 MB", "512 KB".
func Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.3g MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
