package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/store/postgres"
	"github.com/footnote-bot/footnote/store/postgres/pgtest"
)

// TestReadingsCommandOnPostgres: with FOOTNOTE_DATABASE_URL set, `footnote
// readings` adds to and lists the lists in PostgreSQL, not a data folder;
// --data-dir still names a folder.
func TestReadingsCommandOnPostgres(t *testing.T) {
	db := pgtest.URL(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.md")
	if err := os.WriteFile(file, []byte("# Notes\n\nThe keeper counted 412 puffins on the north cliff.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"FOOTNOTE_DATABASE_URL=" + db}
	if code, out, errOut := runCLI(t, env, "readings", "add", "--guild", "123", file); code != 0 || !strings.Contains(out, "added") {
		t.Fatalf("add: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, env, "readings", "list", "--guild", "123"); code != 0 || !strings.Contains(out, "Notes") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errOut)
	}
	st, err := postgres.Open(context.Background(), postgres.Options{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if rs, err := st.Readings(context.Background(), "123"); err != nil || len(rs) != 1 {
		t.Errorf("the database holds %d readings (%v), want 1", len(rs), err)
	}
	folder := t.TempDir()
	if code, out, errOut := runCLI(t, env, "readings", "list", "--guild", "123", "--data-dir", folder); code != 0 || strings.Contains(out, "Notes") {
		t.Errorf("--data-dir lists the database: exit %d\n%s%s", code, out, errOut)
	}
}
