package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/bot/discordtest"
)

// syncBuffer is a bytes.Buffer safe for the bot's log and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runningBot is `footnote bot` started in process against a fake Discord.
type runningBot struct {
	fake           *discordtest.Server
	stdout, stderr *syncBuffer
	stop           context.CancelFunc
	done           chan int // the exit status, once run returns
}

// startBotCommand runs `footnote bot args...` with the environment that points
// it at a new fake Discord, and waits until the bot is ready.
func startBotCommand(t *testing.T, token string, args ...string) *runningBot {
	t.Helper()
	fake := discordtest.New(t, discordtest.Options{Token: token})
	env := []string{
		"DISCORD_TOKEN=" + fake.Token(),
		"DISCORD_API_BASE=" + fake.URL,
		"FOOTNOTE_DISCORD_GUILD=" + discordtest.GuildID,
		"FOOTNOTE_DISCORD_VOTES_FILE=" + filepath.Join(t.TempDir(), "votes.jsonl"),
		"FOOTNOTE_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	b := &runningBot{fake: fake, stdout: &syncBuffer{}, stderr: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
	go func() { b.done <- run(ctx, append([]string{"bot"}, args...), b.stdout, b.stderr, env) }()
	fake.WaitReady(t, 1, 30*time.Second)
	return b
}

// TestBotCommand runs `footnote bot` as a user would, against a fake Discord
// reached through DISCORD_API_BASE: it connects, answers /ask with a cited
// answer, and shuts down cleanly when its context ends (as on SIGTERM).
func TestBotCommand(t *testing.T) {
	b := startBotCommand(t, "secret-bot-token")
	fake, stdout, stderr, cancel, done := b.fake, b.stdout, b.stderr, b.stop, b.done
	u := discordtest.User{ID: fake.NewID(), Name: "student"}
	ch := discordtest.Channel{ID: "700000000000000001"}
	ix := fake.Slash(u, ch, "ask", discordtest.Option{Name: "question", Value: "How many Confucius Institutes are there in Latin America?"})
	r := ix.WaitDone(t, 30*time.Second, func(r discordtest.Response) bool {
		return strings.Contains(r.Original.Content, "46")
	})
	if d := r.At.Sub(ix.Sent); d > 3*time.Second {
		t.Errorf("deferred after %v", d)
	}
	if !strings.Contains(r.Original.Content, "[1]") {
		t.Errorf("answer without citation: %q", r.Original.Content)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("footnote bot did not stop after its context ended")
	}
	if strings.Contains(stderr.String()+stdout.String(), "secret-bot-token") {
		t.Error("the token was logged")
	}
	if !strings.Contains(stderr.String(), "ready") {
		t.Errorf("no ready line in the log:\n%s", stderr.String())
	}
}

func TestBotCommandNeedsToken(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "bot")
	if code != 2 || !strings.Contains(errOut, "DISCORD_TOKEN is not set") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestBotReloadsOnSIGHUP: a document added to the corpus folder is answered
// from after SIGHUP, without a restart.
func TestBotReloadsOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tides.md", "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n")
	b := startBotCommand(t, "", "--corpus", dir)
	fake, stderr, cancel, done := b.fake, b.stderr, b.stop, b.done

	u := discordtest.User{ID: fake.NewID(), Name: "student"}
	ch := discordtest.Channel{ID: "700000000000000001"}
	sources := func() string {
		return fake.Slash(u, ch, "sources").WaitAcked(t, 30*time.Second).Original.Content
	}
	if s := sources(); strings.Contains(s, "Oysters") {
		t.Fatalf("oysters before the reload: %s", s)
	}
	write("oysters.md", "# Oysters\n\nThe oyster farms of Cancale were founded in 1850.\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "index reloaded on SIGHUP"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no reload after SIGHUP")
		}
	}
	if s := sources(); !strings.Contains(s, "Oysters") {
		t.Errorf("oysters missing after the reload: %s", s)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
