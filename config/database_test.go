package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestDatabaseURL: database_url comes from the file or FOOTNOTE_DATABASE_URL,
// must be a postgres:// URL, and is never printed, in the config or in the
// error that refuses it.
func TestDatabaseURL(t *testing.T) {
	c, err := Load(writeFile(t, "database_url: postgres://footnote@db:5432/footnote\n"), nil)
	if err != nil || c.DatabaseURL.Value() != "postgres://footnote@db:5432/footnote" {
		t.Fatalf("from the file: %q, %v", c.DatabaseURL.Value(), err)
	}
	c, err = Load("", []string{"FOOTNOTE_DATABASE_URL=postgresql://u:hunter2pw@db/footnote"})
	if err != nil || c.DatabaseURL.Value() != "postgresql://u:hunter2pw@db/footnote" {
		t.Fatalf("from the environment: %q, %v", c.DatabaseURL.Value(), err)
	}
	if out := fmt.Sprintf("%+v %#v", c, c); strings.Contains(out, "hunter2pw") {
		t.Errorf("the database URL is printed: %s", out)
	}
	_, err = Load("", []string{"FOOTNOTE_DATABASE_URL=mysql://u:hunter2pw@db/footnote"})
	if err == nil || !strings.Contains(err.Error(), "database_url") || strings.Contains(err.Error(), "hunter2pw") {
		t.Errorf("a URL of another database: %v", err)
	}
}
