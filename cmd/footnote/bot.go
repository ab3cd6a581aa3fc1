package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/config"
)

// botFlags are the flags of footnote bot. It prints no JSON: there is no --json.
type botFlags struct {
	sourceFlags
}

func botCommand() command {
	return command{
		name:    "bot",
		summary: "run the Discord bot (needs DISCORD_TOKEN)",
		setup: func(fs *flag.FlagSet) runFunc {
			o := &botFlags{}
			o.define(fs, "who writes the answers: auto, extractive or llm")
			return o.run
		},
	}
}

func (o *botFlags) run(ctx context.Context, m *Main, args []string) error {
	if len(args) > 0 {
		return usagef("bot takes no arguments, only flags (got %q)", args[0])
	}
	cfg, err := o.config(m.Environ)
	if err != nil {
		return err
	}
	if cfg.Discord.Token == "" {
		return usagef("DISCORD_TOKEN is not set: create a bot in the Discord Developer Portal and export its token (see README, \"Discord\")")
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, nil))
	eng, closer, err := loadEngine(ctx, cfg, m.Stderr)
	if err != nil {
		return err
	}
	live := &liveEngine{closers: []io.Closer{closer}}
	live.cur.Store(eng)
	defer live.close()

	reload := func(ctx context.Context) (string, error) { return live.reload(ctx, cfg, log) }
	opts := botOptions(cfg, log)
	opts.Reload = reload
	closeStore, err := withReadings(ctx, cfg, live, &opts, log)
	if err != nil {
		return err
	}
	defer closeStore()
	b, err := bot.New(opts, live)
	if err != nil {
		return err
	}

	// SIGHUP reloads the index, as /reindex does. The goroutine that waits
	// for it ends with the bot, and is waited for before the indexes close.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	runCtx, stopHUP := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-hup:
				if summary, err := reload(runCtx); err != nil {
					log.Error("reload on SIGHUP failed; still answering from the old index", "err", err)
				} else {
					log.Info("index reloaded on SIGHUP", "summary", summary)
				}
			}
		}
	}()
	err = b.Run(ctx)
	signal.Stop(hup)
	stopHUP()
	wg.Wait()
	return err
}

// liveEngine is the bot's answerer: the current engine, replaced whole by a
// reload. A question runs from start to end on the engine it began on.
//
// An index holds only memory today (its Close does nothing), so an engine
// that was replaced is left to the garbage collector once its last question
// is done, with no reference counting. Its index is still closed, at exit,
// when nothing can use it any more: should an index ever hold more than
// memory, it is released, late but safely.
type liveEngine struct {
	cur atomic.Pointer[answer.Engine]

	mu      sync.Mutex // one reload at a time, so the last started is the one kept
	closers []io.Closer
}

var _ bot.Answerer = (*liveEngine)(nil)

// reload loads the index again and makes it current.
func (l *liveEngine) reload(ctx context.Context, cfg config.Config, log *slog.Logger) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var warn strings.Builder
	next, closer, err := loadEngine(ctx, cfg, &warn)
	if err != nil {
		return "", err
	}
	l.closers = append(l.closers, closer)
	l.cur.Store(next)
	for _, line := range strings.Split(strings.TrimSpace(warn.String()), "\n") {
		if line != "" {
			log.Warn(line)
		}
	}
	return reloadSummary(next, warn.String()), nil
}

// close closes every index loaded; the bot must have stopped.
func (l *liveEngine) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.closers {
		c.Close()
	}
	l.closers = nil
}

func (l *liveEngine) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	return l.cur.Load().Ask(ctx, req)
}

func (l *liveEngine) Search(ctx context.Context, q string, k int) ([]answer.Passage, error) {
	return l.cur.Load().Search(ctx, q, k)
}

func (l *liveEngine) Sources() []answer.Source { return l.cur.Load().Sources() }

func (l *liveEngine) Around(doc string, start, n int) (answer.Surroundings, error) {
	return l.cur.Load().Around(doc, start, n)
}

func (l *liveEngine) CheckQuestion(q string) error { return l.cur.Load().CheckQuestion(q) }

// reloadSummary says what a reloaded engine holds, in one line.
func reloadSummary(e *answer.Engine, warnings string) string {
	docs, passages := 0, 0
	for _, s := range e.Sources() {
		docs++
		passages += s.Passages
	}
	out := fmt.Sprintf("%d documents, %d passages.", docs, passages)
	if n := strings.Count(warnings, "\n"); n > 0 {
		out += fmt.Sprintf(" %d files skipped (see the log).", n)
	}
	return out
}

// botOptions hands the bot the plain values it needs from the configuration.
// config.Validate has checked them, and each means what bot.Options says.
func botOptions(cfg config.Config, log *slog.Logger) bot.Options {
	d := cfg.Discord
	return bot.Options{
		Token: d.Token.Value(), APIBase: d.APIBase, Guild: d.Guild,
		ShardID: d.ShardID, ShardCount: d.ShardCount,
		Channels: d.Channels, Roles: d.Roles, Users: d.Users,
		DMs: d.DMs, Inline: d.Inline, MessageContent: d.MessageContent,
		RateEvery: d.RateEvery, RateBurst: d.RateBurst,
		MaxConcurrent: d.MaxConcurrent, Queue: d.Queue,
		VotesFile: d.VotesFile, HistoryTurns: d.HistoryTurns, Conversations: d.Conversations,
		StreamEvery: d.StreamEvery, AnswerTimeout: d.AnswerTimeout, ShutdownGrace: d.ShutdownGrace,
		Mode:   answer.Mode(cfg.Mode),
		Logger: log,
	}
}
