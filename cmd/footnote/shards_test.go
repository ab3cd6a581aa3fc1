package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/readings/readingstest"
	"github.com/footnote-bot/footnote/store/postgres"
	"github.com/footnote-bot/footnote/store/postgres/pgtest"
)

// shardProc is one `footnote bot` process (run in this test process, as
// runFootnoteBot does) serving one shard.
type shardProc struct {
	name   string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// shardEnv is the environment of shard id of count over the database db.
func shardEnv(tb testing.TB, fake *discordtest.Server, db string, id, count int) []string {
	return []string{
		"DISCORD_TOKEN=" + fake.Token(), "DISCORD_API_BASE=" + fake.URL,
		"FOOTNOTE_DATABASE_URL=" + db,
		"FOOTNOTE_SHARD_ID=" + strconv.Itoa(id), "FOOTNOTE_SHARD_COUNT=" + strconv.Itoa(count),
		"FOOTNOTE_DISCORD_VOTES_FILE=" + filepath.Join(tb.TempDir(), "votes.jsonl"),
		"FOOTNOTE_DATA_DIR=" + tb.TempDir(), // unused: the store is in PostgreSQL
		"FOOTNOTE_MODE=extractive", "FOOTNOTE_DISCORD_RATE_EVERY=-1s",
		"FOOTNOTE_DISCORD_MAX_CONCURRENT=8", "FOOTNOTE_DISCORD_QUEUE=256",
	}
}

// startShard starts `footnote bot` with env and returns at once.
func startShard(name string, env []string) *shardProc {
	ctx, cancel := context.WithCancel(context.Background())
	p := &shardProc{name: name, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { p.done <- run(ctx, []string{"bot"}, &syncBuffer{}, p.stderr, env) }()
	return p
}

func (p *shardProc) waitReady(tb testing.TB) {
	tb.Helper()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(p.stderr.String(), "footnote bot ready"); time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-p.done:
			tb.Fatalf("%s exited %d before it was ready:\n%s", p.name, code, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s not ready:\n%s", p.name, p.stderr.String())
		}
	}
}

func (p *shardProc) stop(tb testing.TB) {
	tb.Helper()
	p.cancel()
	select {
	case code := <-p.done:
		if code != 0 {
			tb.Errorf("%s exited %d:\n%s", p.name, code, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		tb.Fatalf("%s did not stop", p.name)
	}
}

// guildOnShard returns a guild id that Discord sends to shard of count
// (and, with n, different ids for the same shard).
func guildOnShard(shard, count, n int) string {
	for k := uint64(1_000_000 + 100*n); ; k++ {
		if discordtest.ShardOf(k<<22, count) == shard {
			return strconv.FormatUint(k<<22, 10)
		}
	}
}

const apology = "something went wrong on my side"

// answered reports whether an /ask's response is final: an answer with its
// sources, or an apology that asks to try again.
func answered(r discordtest.Response) bool {
	return strings.Contains(r.Original.Content, "Sources") || strings.Contains(r.Original.Content, apology) ||
		strings.Contains(r.Original.Content, "couldn't find")
}

// TestShardsOverPostgres runs two `footnote bot` processes, shards 0 and 1
// of 2, against one fake Discord (one gateway session per shard, each
// guild's events to the shard Discord picks) and one PostgreSQL:
//   - both started at once apply the migrations once;
//   - a reading added in a guild of shard 0 is answered there, and not in a
//     guild of shard 1; one added to it by another process (footnote
//     readings) is searched at shard 0's next question;
//   - votes clicked in both processes at once are all kept;
//   - PostgreSQL restarted mid-run costs at most some "try again" replies:
//     every question gets an answer or one, both processes live on, and
//     every vote is still there;
//   - after a restart on one shard (the shard count changed from 2 to 1),
//     the process that now owns shard 0's guild answers from its reading and
//     carries its thread's history.
func TestShardsOverPostgres(t *testing.T) {
	begun := time.Now()
	phase := func(what string) { t.Logf("%6.2fs %s", time.Since(begun).Seconds(), what) }
	db, restartDB := pgtest.Cluster(t)
	phase("PostgreSQL started")
	fake := discordtest.New(t, discordtest.Options{Shards: true})
	g0, g1 := guildOnShard(0, 2, 0), guildOnShard(1, 2, 0)
	ch0 := discordtest.Channel{ID: fake.NewID(), Guild: g0}
	ch1 := discordtest.Channel{ID: fake.NewID(), Guild: g1}
	librarian := discordtest.User{ID: fake.NewID(), Name: "librarian", Permissions: int64(discordgo.PermissionManageGuild)}
	student := discordtest.User{ID: fake.NewID(), Name: "student"}
	const wait = 60 * time.Second
	ask := func(ch discordtest.Channel, q string) discordtest.Response {
		t.Helper()
		return fake.Slash(student, ch, "ask", discordtest.Option{Name: "question", Value: q}).WaitDone(t, wait, answered)
	}

	// Both at once: the migrations are applied by one of them.
	a := startShard("shard 0", shardEnv(t, fake, db, 0, 2))
	b := startShard("shard 1", shardEnv(t, fake, db, 1, 2))
	a.waitReady(t)
	b.waitReady(t)
	phase("both shards ready")
	applied := regexp.MustCompile(`applied (\d+) migrations`)
	var appliedBy []string
	for _, p := range []*shardProc{a, b} {
		if m := applied.FindStringSubmatch(p.stderr.String()); m != nil {
			appliedBy = append(appliedBy, p.name+": "+m[0])
		}
	}
	if len(appliedBy) != 1 || !strings.Contains(appliedBy[0], fmt.Sprintf("applied %d migrations", postgres.SchemaVersion())) {
		t.Errorf("migrations applied by %q, want one process applying %d", appliedBy, postgres.SchemaVersion())
	}
	if strings.Contains(a.stderr.String()+b.stderr.String(), "password") {
		t.Errorf("a log line mentions a password")
	}

	// A reading in shard 0's guild answers there, not in shard 1's.
	fact := "The lighthouse keeper Maribel Ostrander counted 412 puffins on the north cliff in 1931."
	question := "How many puffins did Maribel Ostrander count?"
	att := fake.Attach("field-guide.pdf", readingstest.PDF("Field Guide", readingstest.Pages(6, map[int]string{2: fact})))
	fake.SlashSub(librarian, ch0, "readings", discordtest.Sub{Name: "add", Options: []discordtest.Option{{Name: "file", Value: att}}}).
		WaitDone(t, wait, func(r discordtest.Response) bool { return strings.HasPrefix(r.Original.Content, "Added") })
	r0 := ask(ch0, question)
	if !strings.Contains(r0.Original.Content, "412 puffins") {
		t.Fatalf("shard 0 did not answer from the reading:\n%s", r0.Original.Content)
	}
	r1 := ask(ch1, question)
	if strings.Contains(r1.Original.Content, "412 puffins") {
		t.Fatalf("shard 1's guild sees shard 0's guild's reading:\n%s", r1.Original.Content)
	}
	// Another process (footnote readings, as an operator would run it) adds
	// a reading to the same guild: shard 0, which has the list loaded, sees it
	// at its next question (the list's version moved).
	notes := filepath.Join(t.TempDir(), "notes.md")
	if err := os.WriteFile(notes, []byte("# Tide notes\n\nThe harbour master Ingrid Solberg logged 37 herring boats at dawn.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, []string{"FOOTNOTE_DATABASE_URL=" + db}, "readings", "add", "--guild", g0, notes); code != 0 {
		t.Fatalf("footnote readings add: exit %d\n%s%s", code, out, errOut)
	}
	if r := ask(ch0, "How many herring boats did Ingrid Solberg log?"); !strings.Contains(r.Original.Content, "37 herring boats") {
		t.Fatalf("shard 0 did not see the reading another process added:\n%s", r.Original.Content)
	}
	phase("a reading added by another process is searched at the next question")
	// A thread in shard 0's guild.
	fake.Say(student, ch0, question, true)
	var thread discordtest.Channel
	fake.Wait(t, wait, "an answer in a thread", func() bool { return true })
	for deadline := time.Now().Add(wait); ; time.Sleep(20 * time.Millisecond) {
		if ts := fake.Threads(ch0.ID); len(ts) > 0 {
			thread = ts[0]
			ms := fake.ChannelMessages(thread.ID)
			if len(ms) > 0 && strings.Contains(ms[len(ms)-1].Content, "412 puffins") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no answer from the reading in a thread")
		}
	}

	phase("answered from the reading, in a thread too")
	// Votes clicked in both processes at once.
	st, err := postgres.Open(context.Background(), postgres.Options{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const voters = 15
	var clicks []*discordtest.Interaction
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, answer := range []discordtest.Message{r0.Original, r1.Original} {
		up := ""
		for _, btn := range answer.Buttons() {
			if strings.HasPrefix(btn.CustomID, "v:up:") {
				up = btn.CustomID
			}
		}
		if up == "" {
			t.Fatalf("no vote button under %q", answer.Content)
		}
		for i := range voters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ix := fake.Click(discordtest.User{ID: fmt.Sprint(5000 + i), Name: "voter"}, answer, up)
				mu.Lock()
				clicks = append(clicks, ix)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	for _, ix := range clicks {
		if r := ix.WaitDone(t, wait, func(discordtest.Response) bool { return true }); !strings.HasPrefix(r.Original.Content, "Thanks") {
			t.Errorf("vote reply %q", r.Original.Content)
		}
	}
	votes, err := st.Votes(context.Background())
	if err != nil || len(votes) != 2*voters {
		t.Fatalf("%d votes in the store, want %d (%v)", len(votes), 2*voters, err)
	}

	phase("votes kept")
	// PostgreSQL restarts while questions arrive in both shards.
	var asked []*discordtest.Interaction
	stopAsking := make(chan struct{})
	asking := make(chan struct{})
	go func() {
		defer close(asking)
		for i := 0; ; i++ {
			select {
			case <-stopAsking:
				return
			case <-time.After(40 * time.Millisecond):
			}
			ch := []discordtest.Channel{ch0, ch1}[i%2]
			ix := fake.Slash(student, ch, "ask", discordtest.Option{Name: "question", Value: question})
			mu.Lock()
			asked = append(asked, ix)
			mu.Unlock()
		}
	}()
	time.Sleep(500 * time.Millisecond)
	// Down for longer than the store retries (3 s): questions meanwhile are
	// asked to try again.
	restartDB(2 * postgres.DefaultRetryFor)
	phase("PostgreSQL back")
	time.Sleep(time.Second)
	close(stopAsking)
	<-asking
	tryAgain, ok := 0, 0
	for i, ix := range asked {
		r := ix.WaitDone(t, wait, answered)
		// Shard 0's guild has the reading; shard 1's has not and says so.
		want := []string{"412 puffins", "couldn't find"}[i%2]
		switch content := r.Original.Content; {
		case strings.Contains(content, apology) && strings.Contains(content, "try again"):
			tryAgain++
		case strings.Contains(content, want):
			ok++
		default:
			t.Errorf("question %d: neither the answer (%q) nor 'try again': %.300q", i, want, content)
		}
	}
	t.Logf("during the database's restart: %d questions answered, %d asked to try again", ok, tryAgain)
	if tryAgain == 0 {
		t.Errorf("no question was asked to try again while the database was down for %v", 2*postgres.DefaultRetryFor)
	}
	if r := ask(ch0, question); !strings.Contains(r.Original.Content, "412 puffins") {
		t.Errorf("after the database's restart, shard 0 does not answer from the reading:\n%s", r.Original.Content)
	}
	if votes, err := st.Votes(context.Background()); err != nil || len(votes) != 2*voters {
		t.Errorf("after the database's restart, %d votes in the store, want %d (%v)", len(votes), 2*voters, err)
	}

	phase("questions during the restart answered")
	// The shard count changes to 1: one process takes over both guilds.
	a.stop(t)
	b.stop(t)
	phase("both stopped")
	c := startShard("shard 0 of 1", shardEnv(t, fake, db, 0, 1))
	c.waitReady(t)
	took := time.Now()
	r := ask(ch0, question)
	t.Logf("the new process answered shard 0's guild's first question in %v (loading its lists)", time.Since(took))
	if !strings.Contains(r.Original.Content, "412 puffins") {
		t.Errorf("after the move, not answered from the reading:\n%s", r.Original.Content)
	}
	before := len(fake.ChannelMessages(thread.ID))
	fake.Say(student, thread, "Where did she count them?", true)
	for deadline := time.Now().Add(wait); ; time.Sleep(20 * time.Millisecond) {
		ms := fake.ChannelMessages(thread.ID)
		if len(ms) >= before+2 && ms[before+1].Edits > 0 && !strings.Contains(ms[before+1].Content, "Looking through") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no answer to the follow-up after the move")
		}
	}
	conv, err := st.Conversation(context.Background(), thread.ID)
	if err != nil || len(conv.Turns) != 2 || conv.Turns[0].Question != question || conv.Parent != ch0.ID || conv.Guild != g0 {
		t.Errorf("the thread after the move: %+v, %v", conv, err)
	}
	c.stop(t)
	phase("done")
}
