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
	"syscall"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/config"
)

func botCommand() command {
	return command{
		name:    "bot",
		summary: "run the Discord bot (needs DISCORD_TOKEN)",
		flags: func(fs *flag.FlagSet, o *options) {
			commonFlags(fs, o)
			fs.StringVar(&o.mode, "mode", "", "who writes the answers: auto, extractive or llm")
		},
		run: runBot,
	}
}

func runBot(ctx context.Context, o *options, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usagef("bot takes no arguments, only flags (got %q)", args[0])
	}
	if err := o.loadConfig(); err != nil {
		return err
	}
	if o.cfg.Discord.Token == "" {
		return usagef("DISCORD_TOKEN is not set: create a bot in the Discord Developer Portal and export its token (see README, \"Discord\")")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	eng, closer, err := loadEngine(ctx, o.cfg, stderr)
	if err != nil {
		return err
	}
	live := &liveEngine{cur: &engineRef{eng: eng, closer: closer}}
	defer live.close()
	reload := func(ctx context.Context) (string, error) {
		var warn strings.Builder
		next, closer, err := loadEngine(ctx, o.cfg, &warn)
		if err != nil {
			return "", err
		}
		live.swap(&engineRef{eng: next, closer: closer})
		for _, line := range strings.Split(strings.TrimSpace(warn.String()), "\n") {
			if line != "" {
				log.Warn(line)
			}
		}
		return reloadSummary(next, warn.String()), nil
	}
	opts := botOptions(o.cfg, log)
	opts.Reload = reload
	closeStore, err := withReadings(ctx, o.cfg, live, &opts, log)
	if err != nil {
		return err
	}
	defer closeStore()
	b, err := bot.New(opts, live)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if summary, err := reload(ctx); err != nil {
					log.Error("reload on SIGHUP failed; still answering from the old index", "err", err)
				} else {
					log.Info("index reloaded on SIGHUP", "summary", summary)
				}
			}
		}
	}()
	return b.Run(ctx)
}

// liveEngine is the bot's answerer: the current engine, replaced whole on a
// reload. Each question runs on one engine from start to end; an engine that
// was replaced is closed (its index freed) once its last question is done.
type liveEngine struct {
	mu  sync.RWMutex
	cur *engineRef
}

type engineRef struct {
	eng    *answer.Engine
	closer io.Closer
	users  sync.WaitGroup
}

var _ bot.Answerer = (*liveEngine)(nil)

// use runs f on the current engine, holding it open until f returns.
func use[T any](l *liveEngine, f func(*answer.Engine) T) T {
	l.mu.RLock()
	r := l.cur
	r.users.Add(1) // under the lock: swap cannot retire r between these lines
	l.mu.RUnlock()
	defer r.users.Done()
	return f(r.eng)
}

// swap makes next current and closes the old engine when its users are done.
func (l *liveEngine) swap(next *engineRef) {
	l.mu.Lock()
	old := l.cur
	l.cur = next
	l.mu.Unlock()
	go func() {
		old.users.Wait()
		old.closer.Close()
	}()
}

func (l *liveEngine) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur.users.Wait()
	l.cur.closer.Close()
}

type askResult struct {
	a   *answer.Answer
	err error
}

func (l *liveEngine) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	r := use(l, func(e *answer.Engine) askResult { a, err := e.Ask(ctx, req); return askResult{a, err} })
	return r.a, r.err
}

type searchResult struct {
	ps  []answer.Passage
	err error
}

func (l *liveEngine) Search(ctx context.Context, q string, k int) ([]answer.Passage, error) {
	r := use(l, func(e *answer.Engine) searchResult { ps, err := e.Search(ctx, q, k); return searchResult{ps, err} })
	return r.ps, r.err
}

func (l *liveEngine) Sources() []answer.Source {
	return use(l, func(e *answer.Engine) []answer.Source { return e.Sources() })
}

type aroundResult struct {
	s   answer.Surroundings
	err error
}

func (l *liveEngine) Around(doc string, start, n int) (answer.Surroundings, error) {
	r := use(l, func(e *answer.Engine) aroundResult { s, err := e.Around(doc, start, n); return aroundResult{s, err} })
	return r.s, r.err
}

func (l *liveEngine) CheckQuestion(q string) error {
	return use(l, func(e *answer.Engine) error { return e.CheckQuestion(q) })
}

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
func botOptions(cfg config.Config, log *slog.Logger) bot.Options {
	d := cfg.Discord
	queue := d.Queue
	if queue == 0 {
		queue = -1 // bot: 0 means its default, negative means no queue
	}
	return bot.Options{
		Token: d.Token.Value(), APIBase: d.APIBase, Guild: d.Guild,
		ShardID: d.ShardID, ShardCount: d.ShardCount,
		Channels: d.Channels, Roles: d.Roles, Users: d.Users,
		DMs: d.DMs, Inline: d.Inline, MessageContent: d.MessageContent,
		RateEvery: d.RateEvery, RateBurst: d.RateBurst,
		MaxConcurrent: d.MaxConcurrent, Queue: queue,
		VotesFile: d.VotesFile, HistoryTurns: d.HistoryTurns, Conversations: d.Conversations,
		StreamEvery: d.StreamEvery, AnswerTimeout: d.AnswerTimeout, ShutdownGrace: d.ShutdownGrace,
		Mode:   answer.Mode(cfg.Mode),
		Logger: log,
	}
}
