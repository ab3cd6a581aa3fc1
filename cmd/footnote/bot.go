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
	"sync/atomic"
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
	eng, err := buildEngine(ctx, o.cfg, stderr)
	if err != nil {
		return err
	}
	live := &liveEngine{}
	live.p.Store(eng)
	reload := func(ctx context.Context) (string, error) {
		var warn strings.Builder
		next, err := buildEngine(ctx, o.cfg, &warn)
		if err != nil {
			return "", err
		}
		live.p.Store(next) // questions in flight finish on the engine they began with
		for _, line := range strings.Split(strings.TrimSpace(warn.String()), "\n") {
			if line != "" {
				log.Warn(line)
			}
		}
		return reloadSummary(next, warn.String()), nil
	}
	opts := botOptions(o.cfg, log)
	opts.Reload = reload
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
// reload, so that each question runs on one engine from start to end.
type liveEngine struct{ p atomic.Pointer[answer.Engine] }

var _ bot.Answerer = (*liveEngine)(nil)

func (l *liveEngine) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	return l.p.Load().Ask(ctx, req)
}

func (l *liveEngine) Search(ctx context.Context, q string, k int) ([]answer.Passage, error) {
	return l.p.Load().Search(ctx, q, k)
}

func (l *liveEngine) Sources() []answer.Source { return l.p.Load().Sources() }

func (l *liveEngine) Around(doc string, start, n int) (answer.Surroundings, error) {
	return l.p.Load().Around(doc, start, n)
}

func (l *liveEngine) CheckQuestion(q string) error { return l.p.Load().CheckQuestion(q) }

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
