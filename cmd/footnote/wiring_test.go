package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/config"
)

// mainEnv, when set, makes the test binary run main instead of the tests, so
// that a test can start footnote as a process and signal it.
const mainEnv = "GO_TEST_RUN_FOOTNOTE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Args = append(os.Args[:1], strings.Fields(os.Getenv("GO_TEST_FOOTNOTE_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// runMain runs footnote with the given stdin and return the exit status and output.
func runMain(tb testing.TB, m *Main, args ...string) (int, string, string) {
	tb.Helper()
	var out, errb bytes.Buffer
	m.Stdout, m.Stderr = &out, &errb
	code := m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// TestSignalStopsAnyCommand: SIGTERM ends footnote within ~2 s even when the
// command is blocked where it does not watch its context (here: reading a
// question from a stdin that never ends).
func TestSignalStopsAnyCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), mainEnv+"=1", "GO_TEST_FOOTNOTE_ARGS=ask")
	stdin, err := cmd.StdinPipe() // held open: the question never ends
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("footnote ask did not stop within 10 s of SIGTERM")
	}
	if took := time.Since(sent); took > 4*time.Second {
		t.Errorf("stopped %v after SIGTERM", took)
	}
	if code := cmd.ProcessState.ExitCode(); code == 0 {
		t.Errorf("exit status 0 after SIGTERM; stderr %q", errb.String())
	}
	if !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("stderr %q does not say it was interrupted", errb.String())
	}
}

// TestOnlyRegularFiles: --config, --index, eval FILE and extract FILE refuse
// a named pipe or a device at once, in one line, instead of blocking or
// reading without end.
func TestOnlyRegularFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for _, args := range [][]string{
		{"ask", "--config", fifo, "q"},
		{"search", "--config", "/dev/zero", "x"},
		{"search", "--index", fifo, "x"},
		{"ask", "q"}, // FOOTNOTE_INDEX below
		{"eval", fifo},
		{"extract", "/dev/zero"},
		{"extract", fifo},
	} {
		env := []string{}
		if len(args) == 2 && args[0] == "ask" {
			env = append(env, "FOOTNOTE_INDEX="+fifo)
		}
		done := make(chan [3]any, 1)
		go func() {
			code, out, errOut := runCLI(t, env, args...)
			done <- [3]any{code, out, errOut}
		}()
		select {
		case r := <-done:
			code, errOut := r[0].(int), r[2].(string)
			if code != exitUsage || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "not a regular file") {
				t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q blocked", args)
		}
	}
}

// TestTerminalEscapes: text from a reading, a file name or a question is
// printed with its control characters made visible, never raw; JSON keeps the
// exact text.
func TestTerminalEscapes(t *testing.T) {
	dir := t.TempDir()
	evil := "The tide at Brest \x1b]52;c;ZXZpbA==\x07rises \x1b[2Jseven metres\r twice a day \u009b31m."
	writeCorpus(t, dir, map[string]string{"tides.txt": "Tides\n\n" + evil + "\n"})
	if err := os.WriteFile(filepath.Join(dir, "bad\x1b[2J.txt"), []byte("\x00\x01binary\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	questions := filepath.Join(t.TempDir(), "q.jsonl")
	if err := os.WriteFile(questions, []byte(`{"id":"q1","question":"How high does the tide rise at \u001b[2J Brest?","answers":["seven metres"],"doc":"tides.txt"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	raw := func(s string) bool { return strings.ContainsAny(s, "\x1b\x07\r\u009b") }
	for _, args := range [][]string{
		{"ask", "-v", "--corpus", dir, "How high does the tide rise at Brest?"},
		{"search", "-v", "--corpus", dir, "tide Brest"},
		{"eval", "-v", "--corpus", dir, questions},
		{"index", dir, "-o", filepath.Join(t.TempDir(), "x.idx")},
	} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", args[0], code, errOut)
		}
		if raw(out) || raw(errOut) {
			t.Errorf("%s prints control characters raw:\n%q\n%q", args[0], out, errOut)
		}
		if args[0] != "index" && !strings.Contains(out+errOut, "\u241b") {
			t.Errorf("%s does not show the escape as ␛:\n%s", args[0], out)
		}
	}
	code, out, _ := runCLI(t, nil, "search", "--json", "--corpus", dir, "tide Brest")
	var s struct{ Hits []struct{ Text string } }
	if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil || len(s.Hits) == 0 || s.Hits[0].Text != evil {
		t.Errorf("JSON does not keep the exact text: %d %v %+v", code, err, s)
	}
	// extract: exact bytes to a pipe, made visible on a terminal.
	file := filepath.Join(dir, "tides.txt")
	if _, out, _ := runMain(t, &Main{}, "extract", file); out != "Tides\n\n"+evil+"\n" {
		t.Errorf("extract to a pipe is not exact: %q", out)
	}
	if _, out, _ := runMain(t, &Main{StdoutIsTerminal: true}, "extract", file); raw(out) || !strings.Contains(out, "\u241b]52") {
		t.Errorf("extract to a terminal: %q", out)
	}
}

// TestQueryWithNoWords: a query of common words and punctuation is the
// user's mistake: a friendly line, exit 2, valid JSON with --json.
func TestQueryWithNoWords(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "search", "the of and ? !")
	if code != exitUsage || strings.Contains(errOut, "search: search:") || !strings.Contains(errOut, "very common words") || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, nil, "search", "--json", "🙂 ? the")
	var s struct {
		Hits  []any
		Error string
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != exitUsage || s.Hits == nil || s.Error == "" {
		t.Errorf("--json: exit %d, %v, %q", code, err, out)
	}
}

// TestSearchSaysWhenNothingMatched: search flags weak matches with the
// evidence ask abstains on, in text and JSON.
func TestSearchSaysWhenNothingMatched(t *testing.T) {
	// Hybrid search always lists passages (the dense side ranks them all):
	// they are flagged as weak.
	code, out, _ := runCLI(t, nil, "search", "--retrieval", "hybrid", "xyzzy plugh")
	if code != 0 || !strings.HasPrefix(out, "Nothing matches this well: no passage mentions \u201cxyzzy\u201d, \u201cplugh\u201d") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	// Lexical search (the offline default) finds none at all.
	if code, out, _ := runCLI(t, nil, "search", "xyzzy plugh"); code != 0 || !strings.HasPrefix(out, "No passage matches") {
		t.Errorf("lexical: exit %d:\n%s", code, out)
	}
	for q, weak := range map[string]bool{"xyzzy plugh": true, "Confucius Institutes": false} {
		_, out, _ := runCLI(t, nil, "search", "--json", q)
		var s struct {
			Weak    bool
			Missing []string
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil || s.Weak != weak || (weak && len(s.Missing) != 2) {
			t.Errorf("%q: %v %+v", q, err, s)
		}
	}
	// ask abstains on the same query.
	_, out, _ = runCLI(t, nil, "ask", "--json", "xyzzy plugh")
	if !strings.Contains(out, `"abstained": true`) {
		t.Errorf("ask answered what search calls a weak match:\n%s", out)
	}
}

// TestCommandFlags: each command takes its own flags, no other's.
func TestCommandFlags(t *testing.T) {
	_, help, _ := runCLI(t, nil, "bot", "--help")
	if strings.Contains(help, "-json") || !strings.Contains(help, "-mode") {
		t.Errorf("bot --help:\n%s", help)
	}
	if code, _, errOut := runCLI(t, nil, "bot", "--json"); code != exitUsage || !strings.Contains(errOut, "unknown flag -json") {
		t.Errorf("bot --json: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "bench", "--max", "5000"); code != exitUsage || !strings.Contains(errOut, "-max 5000") {
		t.Errorf("bench --max 5000: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "search", "--mode", "llm", "x"); code != exitUsage {
		t.Errorf("search --mode: exit %d %s", code, errOut)
	}
}

// TestIndexCorpusFlag: footnote index takes --corpus DIR like every other command.
func TestIndexCorpusFlag(t *testing.T) {
	dir := testCorpus(t)
	file := filepath.Join(t.TempDir(), "c.idx")
	s := indexJSON(t, nil, "--corpus", dir, "-o", file)
	if s.Docs != 3 || s.Folder != dir {
		t.Errorf("got %+v", s)
	}
	if code, _, errOut := runCLI(t, nil, "index", "--corpus", dir, dir, "-o", file); code != exitUsage {
		t.Errorf("both --corpus and DIR: exit %d %s", code, errOut)
	}
}

// TestBadSettingsExit2: settings that cannot work stop every command with
// exit 2 and one line that names the key, before any connection.
func TestBadSettingsExit2(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		args []string
		want string
		not  string
	}{
		{[]string{"DISCORD_TOKEN=x", "FOOTNOTE_DISCORD_GUILD=abc"}, []string{"bot"}, "discord.guild", ""},
		{[]string{"DISCORD_TOKEN=x", "FOOTNOTE_DISCORD_CHANNELS=1,x"}, []string{"bot"}, "discord.channels", ""},
		{[]string{"OPENAI_BASE_URL=http://me:hunter2@host:port:x/v1"}, []string{"ask", "q"}, "OPENAI_BASE_URL", "hunter2"},
		{[]string{"FOOTNOTE_CORPUS=/nonexistent"}, []string{"search", "q"}, "/nonexistent", ""},
		{[]string{"FOOTNOTE_DISCORD_QUEUE=0", "DISCORD_TOKEN=x"}, []string{"bot"}, "discord.queue", ""},
	} {
		code, _, errOut := runCLI(t, tt.env, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || (tt.not != "" && strings.Contains(errOut, tt.not)) ||
			strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, %q", tt.env, code, errOut)
		}
	}
}

// TestAskShowsURL: a document's URL is shown once under its first citation.
func TestAskShowsURL(t *testing.T) {
	dir := t.TempDir()
	md := "---\ntitle: Tides of Brittany\nurl: https://example.org/tides\n---\n\n# Brest\n\nThe tide at Brest rises seven metres twice a day.\n\nThe tide at Brest is highest in spring, when it rises seven metres.\n"
	if err := os.WriteFile(filepath.Join(dir, "tides.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "ask", "--corpus", dir, "How high does the tide rise at Brest?")
	if code != 0 || strings.Count(out, "    https://example.org/tides\n") != 1 {
		t.Errorf("exit %d %s:\n%s", code, errOut, out)
	}
}

// TestExtractEndsWithNewline: the text of a file with no final newline is
// printed with one, so the shell prompt starts on its own line.
func TestExtractEndsWithNewline(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(file, []byte("Tides\n\nThe tide rises."), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, nil, "extract", file); code != 0 || out != "Tides\n\nThe tide rises.\n" {
		t.Errorf("exit %d: %q", code, out)
	}
}

// TestSkippedFilesOnlyWithV: reading --corpus on every ask does not repeat
// the skipped files each time; -v lists them.
func TestSkippedFilesOnlyWithV(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, map[string]string{"good.md": "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n"})
	if err := os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("\x00\x01binary\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	q := "How high does the tide rise at Brest?"
	if code, _, errOut := runCLI(t, nil, "ask", "--corpus", dir, q); code != 0 || errOut != "" {
		t.Errorf("without -v: exit %d, stderr %q", code, errOut)
	}
	if _, _, errOut := runCLI(t, nil, "ask", "-v", "--corpus", dir, q); !strings.Contains(errOut, "skipped bad.txt") {
		t.Errorf("with -v: stderr %q", errOut)
	}
}

// TestAskReadsStdin: with no question given and standard input not a
// terminal, ask reads the question from it.
func TestAskReadsStdin(t *testing.T) {
	m := &Main{Stdin: strings.NewReader("How many Confucius Institutes are there in Latin America?\n")}
	code, out, errOut := runMain(t, m, "ask")
	if code != 0 || !strings.Contains(out, "46 Confucius Institutes") {
		t.Errorf("exit %d %s:\n%s", code, errOut, out)
	}
	m = &Main{Stdin: strings.NewReader("anything"), StdinIsTerminal: true}
	if code, _, errOut := runMain(t, m, "ask"); code != exitUsage || !strings.Contains(errOut, "no question given") {
		t.Errorf("from a terminal: exit %d %s", code, errOut)
	}
}

// TestLiveEngineReload: questions keep being answered while reloads swap the
// engine; the last reload's engine is the one kept, and every index loaded is
// closed at the end (run with -race).
func TestLiveEngineReload(t *testing.T) {
	ctx := context.Background()
	dir := testCorpus(t)
	file := filepath.Join(t.TempDir(), "corpus.idx")
	indexJSON(t, nil, dir, "-o", file)
	cfg := config.Default()
	cfg.Index = file
	eng, closer, err := loadEngine(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	live := &liveEngine{closers: []io.Closer{closer}}
	live.cur.Store(eng)
	writeCorpus(t, dir, map[string]string{"bells.txt": "Bells\n\nChurch bells in Brittany were cast in a pit dug beside the church.\n"})
	indexJSON(t, nil, dir, "-o", file)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := live.Ask(ctx, answer.Request{Question: "How high does the tide rise at Brest?"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for range 3 {
		if _, err := live.reload(ctx, cfg, log); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if n := len(live.Sources()); n != 4 {
		t.Errorf("%d documents after the reloads, want 4", n)
	}
	if len(live.closers) != 4 {
		t.Errorf("%d indexes to close, want 4", len(live.closers))
	}
	live.close()
	if live.closers != nil {
		t.Error("close left indexes open")
	}
}
