package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/store/postgres"
	"github.com/footnote-bot/footnote/store/postgres/pgtest"
)

// BenchmarkShardsQuestions measures questions through the fake Discord:
// four guilds (two on each shard of 2), each with a reading of 120
// paragraphs in its list, and 120 /ask questions sent at once, spread over
// them, per iteration. Cases: the embedded store with one process, and
// PostgreSQL with one process and with two (shards 0 and 1 of 2), in one
// run. The "processes" are `footnote bot` run in this test process (as the
// other tests of the command run it), so they share its CPUs with the fake
// Discord; PostgreSQL is its own processes. Reported: questions per second,
// p50/p95 from the interaction to its final answer, and for PostgreSQL the
// database's transactions per question (from pg_stat_database, which idle
// connections flush after 10 s: the case waits that long before and after).
//
//	eval "$(bash .ci/postgres.sh start)"
//	go test ./cmd/footnote -run '^$' -bench ShardsQuestions -benchtime 2x
func BenchmarkShardsQuestions(b *testing.B) {
	for _, c := range []struct {
		name  string
		pg    bool
		procs int
	}{{"embedded/1proc", false, 1}, {"postgres/1proc", true, 1}, {"postgres/2procs", true, 2}} {
		b.Run(c.name, func(b *testing.B) { benchShards(b, c.pg, c.procs) })
	}
}

func benchShards(b *testing.B, pg bool, procs int) {
	fake := discordtest.New(b, discordtest.Options{Shards: true})
	var storeEnv string
	if pg {
		storeEnv = "FOOTNOTE_DATABASE_URL=" + pgtest.URL(b)
	} else {
		storeEnv = "FOOTNOTE_DATA_DIR=" + b.TempDir()
	}
	env := func(id int) []string {
		e := shardEnv(b, fake, "", id, procs)
		e = slices.DeleteFunc(e, func(s string) bool {
			return strings.HasPrefix(s, "FOOTNOTE_DATABASE_URL=") || strings.HasPrefix(s, "FOOTNOTE_DATA_DIR=") ||
				strings.HasPrefix(s, "FOOTNOTE_DISCORD_MAX_CONCURRENT=")
		})
		return append(e, storeEnv)
	}
	// Four guilds, two per shard of 2, each with a reading.
	var chans []discordtest.Channel
	dir := b.TempDir()
	for i := range 4 {
		g := guildOnShard(i%2, 2, i)
		chans = append(chans, discordtest.Channel{ID: fake.NewID(), Guild: g})
		var text strings.Builder
		fmt.Fprintf(&text, "# Field notes %d\n\n", i)
		for p := range 120 {
			fmt.Fprintf(&text, "On day %d the survey team of station %d walked the north ridge and logged weather, birds and tides in the notebook.\n\n", p+1, i)
		}
		fmt.Fprintf(&text, "The lighthouse keeper of station %d counted %d puffins on the north cliff in 1931.\n", i, 400+i)
		file := filepath.Join(dir, fmt.Sprintf("notes-%d.md", i))
		if err := os.WriteFile(file, []byte(text.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		if code, out, errOut := runCLI(b, env(0), "readings", "add", "--guild", g, file); code != 0 {
			b.Fatalf("seed: %d %s %s", code, out, errOut)
		}
	}
	var ps []*shardProc
	for id := range procs {
		p := startShard(fmt.Sprintf("shard %d", id), env(id))
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.waitReady(b)
	}
	defer func() {
		for _, p := range ps {
			p.stop(b)
		}
	}()
	student := discordtest.User{ID: fake.NewID(), Name: "student"}
	// Round trips to the database: its count of statements (transactions,
	// each of this store's reads is one) before and after.
	xacts := func() int64 { return 0 }
	if pg {
		st, err := postgres.Open(context.Background(), postgres.Options{URL: strings.TrimPrefix(storeEnv, "FOOTNOTE_DATABASE_URL=")})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		xacts = func() int64 {
			time.Sleep(11 * time.Second) // idle backends flush their statistics after 10 s
			var n int64
			if err := st.Pool().QueryRow(context.Background(), `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	x0 := xacts()
	const perIteration = 120
	var lat []time.Duration
	var wall time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		ixs := make([]*discordtest.Interaction, perIteration)
		for i := range ixs {
			ch := chans[i%len(chans)]
			ixs[i] = fake.Slash(student, ch, "ask", discordtest.Option{Name: "question", Value: fmt.Sprintf("How many puffins did the lighthouse keeper of station %d count?", i%len(chans))})
		}
		for i, ix := range ixs {
			r := ix.WaitDone(b, 5*time.Minute, answered)
			if want := fmt.Sprintf("%d puffins", 400+i%len(chans)); !strings.Contains(r.Original.Content, want) {
				b.Fatalf("question %d not answered from its guild's reading (%s):\n%.400s", i, want, r.Original.Content)
			}
			lat = append(lat, r.Original.Updated.Sub(ix.Sent))
		}
		wall += time.Since(start)
	}
	b.StopTimer()
	if pg {
		// Less this benchmark's own two readings of the statistics.
		b.ReportMetric(float64(xacts()-x0-2)/float64(perIteration*b.N), "db-xacts/question")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(perIteration*b.N)/wall.Seconds(), "questions/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}
