// Package pgtest gives tests a PostgreSQL schema of their own in the
// database FOOTNOTE_TEST_DATABASE_URL names (.ci/postgres.sh starts one), and
// skips them with a clear message when it is not set.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable with the test database's URL.
const EnvURL = "FOOTNOTE_TEST_DATABASE_URL"

// BaseURL returns the test database's URL, or skips tb.
func BaseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		tb.Skipf("%s is not set: no PostgreSQL to test against (start one with: eval \"$(bash .ci/postgres.sh start)\")", EnvURL)
	}
	return u
}

// URL creates a new, empty schema in the test database and returns a URL
// whose connections use it (search_path), so that tests of several packages
// run at once without seeing each other's tables. The schema is dropped when
// the test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	base := BaseURL(tb)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, sql)
		return err
	}
	if err := exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create a schema for the test: %v", err)
	}
	tb.Cleanup(func() {
		// The database may be restarting after a test that restarts it.
		for i := 0; i < 20; i++ {
			if exec(`DROP SCHEMA `+schema+` CASCADE`) == nil {
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: not a URL", EnvURL)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Restart restarts the test database's server (pg_ctl restart -m fast),
// which cuts every connection, as a failover or a crash would. It skips tb
// when FOOTNOTE_PG_DIR and FOOTNOTE_PG_BIN (printed by .ci/postgres.sh) are
// not set.
func Restart(tb testing.TB) {
	tb.Helper()
	dir, bin := os.Getenv("FOOTNOTE_PG_DIR"), os.Getenv("FOOTNOTE_PG_BIN")
	if dir == "" || bin == "" {
		tb.Skip("FOOTNOTE_PG_DIR and FOOTNOTE_PG_BIN are not set: cannot restart the test database (start it with .ci/postgres.sh)")
	}
	args := []string{filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "server.log"), "restart", "-m", "fast", "-w", "-t", "60"}
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
	} else {
		cmd = exec.Command(args[0], args[1:]...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("restart PostgreSQL: %v\n%s", err, out)
	}
}
