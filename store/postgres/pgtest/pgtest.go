// Package pgtest gives tests a PostgreSQL schema of their own in the
// database FOOTNOTE_TEST_DATABASE_URL names (.ci/postgres.sh starts one), and
// skips them with a clear message when it is not set.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// Cluster starts a PostgreSQL cluster of the test's own (.ci/postgres.sh
// start: a temp folder, a free local port), for tests that restart the
// server and must not disturb the tests of other packages that share the CI
// cluster. It returns the URL of its database and a func that restarts the
// server: every connection is cut, as in a failover or a crash, and the
// server is down for at least down (0: pg_ctl restart -m fast; more: pg_ctl
// stop -m fast, a sleep, pg_ctl start). It is stopped when the test ends,
// and skipped like URL.
func Cluster(tb testing.TB) (dbURL string, restart func(down time.Duration)) {
	tb.Helper()
	BaseURL(tb)
	script, err := findScript()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("bash", script, "start").Output()
	if err != nil {
		tb.Fatalf("start a PostgreSQL cluster: %v", err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok {
			vars[k] = v
		}
	}
	dir, bin, u := vars["FOOTNOTE_PG_DIR"], vars["FOOTNOTE_PG_BIN"], vars[EnvURL]
	pu, err := url.Parse(u)
	if dir == "" || bin == "" || err != nil {
		tb.Fatalf("postgres.sh start printed %q", out)
	}
	tb.Cleanup(func() { exec.Command("bash", script, "stop", dir).Run() })
	pgctl := func(args ...string) {
		tb.Helper()
		args = append([]string{filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "server.log")}, args...)
		var cmd *exec.Cmd
		if os.Geteuid() == 0 {
			cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		} else {
			cmd = exec.Command(args[0], args[1:]...)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Errorf("pg_ctl %s: %v\n%s", strings.Join(args[5:], " "), err, out)
		}
	}
	return u, func(down time.Duration) {
		tb.Helper()
		if down <= 0 {
			pgctl("restart", "-m", "fast", "-w", "-t", "60")
			return
		}
		pgctl("stop", "-m", "fast", "-w", "-t", "60")
		time.Sleep(down)
		pgctl("start", "-w", "-t", "60", "-o", "-c listen_addresses=127.0.0.1 -p "+pu.Port()+" -k "+dir+" -c fsync=off -c max_connections=200")
	}
}

// findScript finds .ci/postgres.sh in the module's root, above the test's folder.
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, ".ci", "postgres.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("pgtest: .ci/postgres.sh not found above the test's folder")
		}
		dir = up
	}
}
