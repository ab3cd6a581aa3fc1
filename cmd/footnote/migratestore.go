package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/embedded"
	"github.com/footnote-bot/footnote/store/postgres"
)

// movable is what migrate-store needs of a store beyond appStore: its
// conversations' ids, its votes' key and its quizzes' threads (both stores
// have them).
type movable interface {
	appStore
	ConversationIDs(ctx context.Context) ([]string, error)
	VoteKey() []byte
	QuizThreads(ctx context.Context) ([]string, error)
}

func migrateStoreCommand() command {
	return command{
		name:    "migrate-store",
		args:    "--from DATA_DIR|postgres://... --to postgres://...|DATA_DIR",
		summary: "move the store (reading lists, conversations, votes, quizzes) between a data folder and PostgreSQL, and verify it",
		setup: func(fs *flag.FlagSet) runFunc {
			var from, to string
			fs.StringVar(&from, "from", "", "the store to read: a data `folder` or a postgres:// URL")
			fs.StringVar(&to, "to", "", "the store to write: a postgres:// URL or a data `folder`")
			return func(ctx context.Context, m *Main, args []string) error {
				return runMigrateStore(ctx, from, to, args, m.Stdout)
			}
		},
	}
}

func runMigrateStore(ctx context.Context, from, to string, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("migrate-store takes no arguments (give --from and --to)")
	}
	if from == "" || to == "" {
		return usagef("give both stores: footnote migrate-store --from DATA_DIR --to postgres://user@host/db (or the other way)")
	}
	if from == to {
		return usagef("--from and --to are the same store")
	}
	src, err := openMovable(ctx, from, true)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := openMovable(ctx, to, false)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	fmt.Fprintf(stdout, "moving %s to %s\n", describeStore(from), describeStore(to))
	n, err := migrateStore(ctx, src, dst, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "verified: %s\n", n)
	return nil
}

// describeStore names a store for people, without a password.
func describeStore(s string) string {
	if postgres.IsURL(s) {
		return postgres.Redact(s)
	}
	return s
}

// openMovable opens a data folder or a database; a source folder must hold
// a store already (a mistyped path is not an empty store).
func openMovable(ctx context.Context, s string, source bool) (movable, error) {
	if postgres.IsURL(s) {
		return postgres.Open(ctx, postgres.Options{URL: s})
	}
	if _, err := os.Stat(filepath.Join(s, embedded.DBName)); source && err != nil {
		return nil, fmt.Errorf("%s is not a data folder: it has no %s", s, embedded.DBName)
	}
	return embedded.Open(ctx, embedded.Options{Dir: s})
}

// moved counts what a store holds.
type moved struct {
	Readings, Passages, Conversations, Turns, Votes, Quizzes int
}

func (m moved) String() string {
	return fmt.Sprintf("%d readings (%d passages), %d conversations (%d turns), %d votes, %d quizzes",
		m.Readings, m.Passages, m.Conversations, m.Turns, m.Votes, m.Quizzes)
}

// migrateStore copies everything in src into dst, keeping reading ids,
// times and the votes' key, then checks that dst holds every reading (with
// its passages, vectors and original), conversation and vote of src. It
// may be run again after a failure: what already moved is found and kept.
func migrateStore(ctx context.Context, src, dst movable, progress io.Writer) (moved, error) {
	var n moved
	lists, err := src.Lists(ctx)
	if err != nil {
		return n, err
	}
	guilds := map[string]bool{}
	for _, l := range lists {
		guilds[l.Guild] = true
	}
	for _, l := range lists {
		readings, err := src.Readings(ctx, l.Guild)
		if err != nil {
			return n, err
		}
		var embedders []string
		for _, r := range readings {
			if r.List() == l && !slices.Contains(embedders, r.Embedder) {
				embedders = append(embedders, r.Embedder)
			}
		}
		for _, emb := range embedders {
			loaded, err := src.LoadList(ctx, l, emb)
			if err != nil {
				return n, err
			}
			for _, d := range loaded.Damaged {
				return n, fmt.Errorf("reading %s of %s cannot be read in the source: %w", d.Reading.ID, l, d.Err)
			}
			for _, r := range loaded.Readings {
				if err := moveReading(ctx, src, dst, loaded, r); err != nil {
					return n, err
				}
				n.Readings++
				n.Passages += r.Passages
			}
		}
		fmt.Fprintf(progress, "  %s: %d readings\n", l, n.Readings)
	}

	ids, err := src.ConversationIDs(ctx)
	if err != nil {
		return n, err
	}
	for _, id := range ids {
		c, err := src.Conversation(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // pruned meanwhile
		}
		if err != nil {
			return n, err
		}
		if err := moveConversation(ctx, dst, c); err != nil {
			return n, err
		}
		n.Conversations++
		n.Turns += len(c.Turns)
	}
	if len(ids) > 0 {
		fmt.Fprintf(progress, "  %d conversations\n", n.Conversations)
	}

	votes, err := src.Votes(ctx)
	if err != nil {
		return n, err
	}
	if len(votes) > 0 {
		if err := moveVotes(ctx, src, dst, votes); err != nil {
			return n, err
		}
		n.Votes = len(votes)
		fmt.Fprintf(progress, "  %d votes\n", n.Votes)
	}
	threads, err := src.QuizThreads(ctx)
	if err != nil {
		return n, err
	}
	for _, th := range threads {
		rec, err := src.LoadQuiz(ctx, th)
		if err != nil {
			return n, err
		}
		if rec == nil {
			continue
		}
		if err := dst.SaveQuiz(ctx, th, rec); err != nil {
			return n, err
		}
		n.Quizzes++
	}
	if err := verifyMove(ctx, src, dst, lists, ids, votes); err != nil {
		return n, err
	}
	for _, th := range threads {
		a, _ := src.LoadQuiz(ctx, th)
		b, err := dst.LoadQuiz(ctx, th)
		if err != nil || string(a) != string(b) {
			return n, fmt.Errorf("verification failed: the quiz of thread %s differs (%v)", th, err)
		}
	}
	return n, nil
}

// moveReading adds one loaded reading to dst under its own id and time.
func moveReading(ctx context.Context, src, dst movable, loaded *store.Loaded, r store.Reading) error {
	orig, err := src.Original(ctx, r.Guild, r.ID)
	if err != nil {
		return err
	}
	ix := loaded.Index
	var doc corpus.Document
	for _, d := range ix.Docs {
		if d.Path == r.DocPath {
			doc = d
		}
	}
	a := store.Addition{
		ID: r.ID, List: r.List(), Title: r.Title, Authors: r.Authors, Year: r.Year, URL: r.URL,
		FileName: r.FileName, Original: orig, AddedBy: r.AddedBy, Doc: doc, Embedder: r.Embedder,
		Limits: store.Limits{MaxReadings: -1, MaxPassages: -1}, Now: r.AddedAt,
	}
	for i, p := range ix.Passages {
		if p.Doc == r.DocPath {
			a.Passages = append(a.Passages, p)
			a.Vectors = append(a.Vectors, ix.Vectors[i])
		}
	}
	_, err = dst.AddReading(ctx, a)
	var dup *store.DuplicateError
	if errors.As(err, &dup) && dup.Existing.ID == r.ID {
		return nil // moved by an earlier run
	}
	if err != nil {
		return fmt.Errorf("reading %s (%q) of %s: %w", r.ID, r.Title, r.List(), err)
	}
	return nil
}

// moveConversation writes c's guild, parent and turns into dst, once.
func moveConversation(ctx context.Context, dst movable, c store.Conversation) error {
	have, err := dst.Conversation(ctx, c.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := dst.SaveConversation(ctx, store.Conversation{ID: c.ID, Guild: c.Guild, Parent: c.Parent}); err != nil {
		return err
	}
	ms := func(t time.Time) time.Time { return t.Truncate(time.Millisecond) } // the data folder keeps milliseconds
	for _, t := range c.Turns {
		if slices.ContainsFunc(have.Turns, func(h store.Turn) bool {
			return h.Question == t.Question && h.Answer == t.Answer && ms(h.At).Equal(ms(t.At))
		}) {
			continue // moved by an earlier run
		}
		if err := dst.AppendTurn(ctx, c.ID, t, len(have.Turns)+len(c.Turns)); err != nil {
			return err
		}
	}
	return nil
}

// moveVotes imports the votes, as the bot's former votes file with its key,
// so that dst takes src's key when it has no votes of its own.
func moveVotes(ctx context.Context, src, dst movable, votes []store.Vote) error {
	dir, err := os.MkdirTemp("", "footnote-migrate-votes")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "votes.jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, v := range votes {
		if err := enc.Encode(v); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(path+".key", []byte(hex.EncodeToString(src.VoteKey())+"\n"), 0o600); err != nil {
		return err
	}
	if _, err := dst.ImportVotes(ctx, path); err != nil {
		return err
	}
	if dst.HashUser("footnote") != src.HashUser("footnote") {
		return errors.New("the destination already holds votes under another key: the moved votes are kept, but later votes by the same people will not supersede them")
	}
	return nil
}

// verifyMove checks that dst holds all of src that was moved.
func verifyMove(ctx context.Context, src, dst movable, lists []store.List, convs []string, votes []store.Vote) error {
	var errs []error
	for _, l := range lists {
		want, err := src.Readings(ctx, l.Guild)
		if err != nil {
			return err
		}
		got, err := dst.Readings(ctx, l.Guild)
		if err != nil {
			return err
		}
		byID := map[string]store.Reading{}
		for _, r := range got {
			byID[r.ID] = r
		}
		for _, w := range want {
			if w.List() != l {
				continue
			}
			g, ok := byID[w.ID]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("reading %s of %s is missing", w.ID, l))
			case g.SHA256 != w.SHA256 || g.Passages != w.Passages || g.Embedder != w.Embedder || !g.AddedAt.Equal(w.AddedAt):
				errs = append(errs, fmt.Errorf("reading %s of %s differs: %+v, want %+v", w.ID, l, g, w))
			}
		}
		// Every passage and vector loads from dst as from src.
		for _, emb := range embeddersOf(want, l) {
			a, err := src.LoadList(ctx, l, emb)
			if err != nil {
				return err
			}
			b, err := dst.LoadList(ctx, l, emb)
			if err != nil {
				return err
			}
			if len(b.Index.Passages) < len(a.Index.Passages) || len(b.Damaged) > 0 {
				errs = append(errs, fmt.Errorf("%s (%s) loads %d passages (%d damaged readings), want %d", l, emb, len(b.Index.Passages), len(b.Damaged), len(a.Index.Passages)))
			}
		}
	}
	for _, id := range convs {
		c, err := src.Conversation(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		d, err := dst.Conversation(ctx, id)
		if err != nil || d.Guild != c.Guild || d.Parent != c.Parent || len(d.Turns) < len(c.Turns) {
			errs = append(errs, fmt.Errorf("conversation %s: %d turns in the destination (%v), want %d", id, len(d.Turns), err, len(c.Turns)))
		}
	}
	got, err := dst.Votes(ctx)
	if err != nil {
		return err
	}
	type key struct{ answer, user string }
	have := map[key]bool{}
	for _, v := range got {
		have[key{v.AnswerID, v.User}] = true
	}
	for _, v := range votes {
		if !have[key{v.AnswerID, v.User}] {
			errs = append(errs, fmt.Errorf("the vote on %s by %.8s is missing", v.AnswerID, v.User))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("verification failed: %w", errors.Join(errs...))
	}
	return nil
}

func embeddersOf(rs []store.Reading, l store.List) []string {
	var out []string
	for _, r := range rs {
		if r.List() == l && !slices.Contains(out, r.Embedder) {
			out = append(out, r.Embedder)
		}
	}
	return out
}
