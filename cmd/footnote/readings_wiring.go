package main

import (
	"context"
	"log/slog"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/store"
)

// withReadings opens the store (PostgreSQL or the data folder) and gives the bot its
// reading lists and thread histories over it. The lists search beside the
// live engine's corpus, whatever a reload makes of it. The returned func
// closes the store.
func withReadings(ctx context.Context, cfg config.Config, live *liveEngine, opts *bot.Options, log *slog.Logger) (func(), error) {
	st, where, err := openStore(ctx, cfg, "")
	if err != nil {
		return nil, err
	}
	log.Info("store", "in", where)
	ropts, err := indexOptions(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	study, err := studyOptions(cfg, st) // quiz.go
	if err != nil {
		st.Close()
		return nil, err
	}
	opts.Study = study
	lib, err := readings.New(readings.Options{
		Store:  st,
		Base:   live.current,
		NoBase: cfg.Discord.BaseCorpus == "none",
		Index:  ropts,
		Logger: log,
		Limits: store.Limits{MaxReadings: cfg.Discord.MaxReadings, MaxPassages: cfg.Discord.MaxPassages},
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	opts.Library, opts.ConversationStore, opts.VoteStore = lib, st, st
	// Votes from the former votes file move into the store, once.
	if n, err := st.ImportVotes(ctx, cfg.Discord.VotesFile); err != nil {
		log.Warn("could not import the votes file into the store", "file", cfg.Discord.VotesFile, "err", err)
	} else if n > 0 {
		log.Info("imported votes into the store", "file", cfg.Discord.VotesFile, "votes", n)
	}
	opts.LibrarianRoles = cfg.Discord.LibrarianRoles
	opts.MaxReadingBytes = int64(cfg.Discord.MaxReadingMB) << 20
	return func() {
		if err := st.Close(); err != nil {
			log.Warn("closing the store", "err", err)
		}
	}, nil
}

// current is the engine over the operator's corpus now. A question through
// the reading lists keeps the engine it started with; a reload replaces the
// pointer, and the indexes it held are closed when the bot ends.
func (l *liveEngine) current() *answer.Engine { return l.cur.Load() }
