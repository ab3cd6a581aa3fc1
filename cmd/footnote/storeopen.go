package main

import (
	"context"
	"fmt"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/embedded"
	"github.com/footnote-bot/footnote/store/postgres"
)

// appStore is what the bot and the commands need of a store: the contract
// and the quizzes' records (both stores have them).
type appStore interface {
	store.Store
	bot.QuizStore
}

var (
	_ appStore = (*embedded.Store)(nil)
	_ appStore = (*postgres.Store)(nil)
)

// openStore opens the store the configuration names: PostgreSQL when
// database_url (FOOTNOTE_DATABASE_URL) is set, else the data folder dir
// ("" meaning data_dir). where says which, for the log, with no password.
func openStore(ctx context.Context, cfg config.Config, dir string) (st appStore, where string, err error) {
	if u := cfg.DatabaseURL.Value(); u != "" && dir == "" {
		pg, err := postgres.Open(ctx, postgres.Options{URL: u})
		if err != nil {
			return nil, "", fmt.Errorf("the store's database (database_url, FOOTNOTE_DATABASE_URL): %w", err)
		}
		where = "PostgreSQL " + pg.URL()
		if n := pg.Applied(); n > 0 {
			where += fmt.Sprintf(" (applied %d migrations, now at schema version %d)", n, postgres.SchemaVersion())
		}
		return pg, where, nil
	}
	if dir == "" {
		dir = cfg.DataDir
	}
	em, err := embedded.Open(ctx, embedded.Options{Dir: dir})
	if err != nil {
		return nil, "", fmt.Errorf("the data folder (data_dir, FOOTNOTE_DATA_DIR): %w", err)
	}
	return em, "data folder " + em.Dir(), nil
}
