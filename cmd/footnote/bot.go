package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

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
	b, err := bot.New(botOptions(o.cfg, log), eng)
	if err != nil {
		return err
	}
	return b.Run(ctx)
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
