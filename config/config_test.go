package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeFile(tb testing.TB, body string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "footnote.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
}

func TestLoadFileThenEnvironmentWins(t *testing.T) {
	p := writeFile(t, "k: 7\nretrieval: lexical\nllm:\n  model: llama3.1\n  timeout: 45s\ndiscord:\n  guild: \"123\"\n")
	c, err := Load(p, []string{"FOOTNOTE_K=9", "OPENAI_BASE_URL=http://localhost:11434/v1", "DISCORD_TOKEN=abc.def", "FOOTNOTE_SHARD_COUNT=2", "FOOTNOTE_SHARD_ID=1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.K != 9 || c.Retrieval != "lexical" || c.LLM.Model != "llama3.1" || c.LLM.Timeout != 45*time.Second {
		t.Errorf("got %+v", c)
	}
	if c.LLM.BaseURL != "http://localhost:11434/v1" || c.Discord.Guild != "123" || c.Discord.ShardID != 1 || c.Discord.ShardCount != 2 {
		t.Errorf("got %+v", c)
	}
	if c.Discord.Token.Value() != "abc.def" {
		t.Errorf("token not read from DISCORD_TOKEN")
	}
	if !c.LLM.Configured() {
		t.Error("LLM with a base URL should count as configured")
	}
}

func TestSecretsNeverFormat(t *testing.T) {
	c, err := Load("", []string{"DISCORD_TOKEN=supersecret", "OPENAI_API_KEY=sk-secret"})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, c)
		if strings.Contains(out, "supersecret") || strings.Contains(out, "sk-secret") {
			t.Errorf("%s leaks a secret: %s", format, out)
		}
	}
}

func TestLoadErrorsNameKeyAndFix(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		env     []string
		want    []string
		noFile  bool
		missing bool
	}{
		{name: "unknown key", yaml: "k: 5\nretreival: dense\n", want: []string{`unknown key "retreival"`}},
		{name: "unknown nested key", yaml: "llm:\n  modle: x\n", want: []string{`unknown key "llm.modle"`}},
		{name: "secret in file", yaml: "discord:\n  token: abc\n", want: []string{`discord.token`, "DISCORD_TOKEN"}},
		{name: "bad yaml", yaml: "k: [\n", want: []string{"not valid YAML"}},
		{name: "wrong type", yaml: "k: lots\n", want: []string{"k"}},
		{name: "k out of range", yaml: "k: 0\n", want: []string{"k (-k, FOOTNOTE_K): 0 is out of range"}},
		{name: "bad mode", yaml: "mode: magic\n", want: []string{`mode: "magic" is not one of auto, extractive, llm`}},
		{name: "llm mode without model", yaml: "mode: llm\n", want: []string{"OPENAI_API_KEY"}},
		{name: "bad url", env: []string{"OPENAI_BASE_URL=localhost:11434"}, noFile: true, want: []string{"OPENAI_BASE_URL", "not an http(s) URL"}},
		{name: "bad env number", env: []string{"FOOTNOTE_K=five"}, noFile: true, want: []string{"FOOTNOTE_K", "not a whole number"}},
		{name: "unknown env", env: []string{"FOOTNOTE_RETREIVAL=dense"}, noFile: true, want: []string{"FOOTNOTE_RETREIVAL"}},
		{name: "shard id", env: []string{"FOOTNOTE_SHARD_ID=2", "FOOTNOTE_SHARD_COUNT=2"}, noFile: true, want: []string{"shard_id", "shard ID 2 must be from 0 to the shard count less one (1)"}},
		{name: "missing file", missing: true, want: []string{"reading config file"}},
		{name: "zero queue", yaml: "discord:\n  queue: 0\n", want: []string{"discord.queue", "-1 for no queue"}},
		{name: "zero history", yaml: "discord:\n  history_turns: 0\n", want: []string{"discord.history_turns", "-1 for none"}},
		{name: "zero rate", yaml: "discord:\n  rate_every: 0s\n", want: []string{"discord.rate_every", "-1s"}},
		{name: "zero grace", yaml: "discord:\n  shutdown_grace: 0s\n", want: []string{"discord.shutdown_grace", "-1s"}},
		{name: "guild not an ID", env: []string{"FOOTNOTE_DISCORD_GUILD=abc"}, noFile: true, want: []string{"discord.guild", `"abc" is not a Discord ID`}},
		{name: "channel not an ID", env: []string{"FOOTNOTE_DISCORD_CHANNELS=1,x"}, noFile: true, want: []string{"discord.channels", `"x" is not a Discord ID`}},
		{name: "role not an ID", yaml: "discord:\n  roles: [\"12\", \"@mods\"]\n", want: []string{"discord.roles", `"@mods"`}},
		{name: "alias and name disagree", env: []string{"OPENAI_BASE_URL=http://a", "FOOTNOTE_LLM_BASE_URL=http://b"}, noFile: true,
			want: []string{"OPENAI_BASE_URL and FOOTNOTE_LLM_BASE_URL are both set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			switch {
			case tt.missing:
				path = filepath.Join(t.TempDir(), "nope.yaml")
			case !tt.noFile:
				path = writeFile(t, tt.yaml)
			}
			_, err := Load(path, tt.env)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestExampleDocumentsEveryKey keeps footnote.example.yaml complete and loadable.
func TestExampleDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../footnote.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars() {
		if v.Key == "" {
			if !strings.Contains(string(data), v.Env) {
				t.Errorf("example does not mention secret %s", v.Env)
			}
			continue
		}
		leaf := v.Key[strings.LastIndex(v.Key, ".")+1:]
		if !strings.Contains(string(data), leaf+":") {
			t.Errorf("example does not document key %s", v.Key)
		}
	}
	if _, err := Load("../footnote.example.yaml", nil); err != nil {
		t.Errorf("example does not load: %v", err)
	}
}

// TestReadmeDocumentsEveryVariable keeps the README's tables complete.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars() {
		if !strings.Contains(string(data), "`"+v.Env+"`") {
			t.Errorf("README.md does not document %s", v.Env)
		}
	}
}

// TestNegativeMeansNone: the explicit "none" that a refused 0 asks for loads.
func TestNegativeMeansNone(t *testing.T) {
	p := writeFile(t, "discord:\n  queue: -1\n  history_turns: -1\n  rate_every: -1s\n  shutdown_grace: -1s\n")
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Discord; d.Queue != -1 || d.HistoryTurns != -1 || d.RateEvery != -time.Second || d.ShutdownGrace != -time.Second {
		t.Errorf("got %+v", d)
	}
}

// TestLongEnvironmentNames: every key answers to FOOTNOTE_<KEY PATH>, as
// footnote.example.yaml says, besides its shorter name.
func TestLongEnvironmentNames(t *testing.T) {
	c, err := Load("", []string{"FOOTNOTE_LLM_BASE_URL=http://localhost:11434/v1", "FOOTNOTE_DISCORD_API_BASE=http://localhost:9999",
		"FOOTNOTE_DISCORD_SHARD_COUNT=3", "FOOTNOTE_DISCORD_SHARD_ID=2"})
	if err != nil {
		t.Fatal(err)
	}
	if c.LLM.BaseURL != "http://localhost:11434/v1" || c.Discord.APIBase != "http://localhost:9999" || c.Discord.ShardID != 2 || c.Discord.ShardCount != 3 {
		t.Errorf("got %+v", c)
	}
	// The same value under both names is not a conflict.
	if _, err := Load("", []string{"OPENAI_BASE_URL=http://a", "FOOTNOTE_LLM_BASE_URL=http://a"}); err != nil {
		t.Error(err)
	}
}

func TestURLErrorHidesPassword(t *testing.T) {
	for _, v := range []string{"http://user:hunter2@host:port:bad/v1", "user:hunter2@localhost:11434", "ftp://me:hunter2@x/"} {
		_, err := Load("", []string{"OPENAI_BASE_URL=" + v})
		if err == nil {
			t.Fatalf("%s accepted", v)
		}
		if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "OPENAI_BASE_URL") {
			t.Errorf("%s: %v", v, err)
		}
	}
}

// TestHugeValuesMakeShortErrors: a bad value is quoted in part, not whole.
func TestHugeValuesMakeShortErrors(t *testing.T) {
	big := strings.Repeat("x", 900_000)
	_, err := Load(writeFile(t, "k: "+big+"\n"), nil)
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "900000 characters") {
		t.Errorf("huge YAML value: %d-byte error %.300q", len(fmt.Sprint(err)), fmt.Sprint(err))
	}
	_, err = Load(writeFile(t, "? "+strings.Repeat("k", 900_000)+"\n: 1\n"), nil)
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "unknown key") {
		t.Errorf("huge YAML key: %.300q", fmt.Sprint(err))
	}
	_, err = Load("", []string{"FOOTNOTE_MODE=" + strings.Repeat("y", 60<<20)})
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("huge environment value: %d-byte error", len(fmt.Sprint(err)))
	}
	_, err = Load(writeFile(t, "llm:\n  model: "+strings.Repeat("z", 2<<20)+"\n"), nil)
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "at most") {
		t.Errorf("huge file: %.300q", fmt.Sprint(err))
	}
}

// TestConfigMustBeRegularFile: a FIFO or a device is refused at once, not read.
func TestConfigMustBeRegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	for path, want := range map[string]string{fifo: "named pipe", "/dev/zero": "device", t.TempDir(): "folder"} {
		done := make(chan error, 1)
		go func() { _, err := Load(path, nil); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v", path, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Load(%s) blocked", path)
		}
	}
}

func TestRetrievalMode(t *testing.T) {
	for _, tt := range []struct{ retrieval, provider, want string }{
		{"auto", "local", "lexical"}, // the hashed embedder adds nothing measurable
		{"auto", "", "lexical"},
		{"auto", "openai", "hybrid"},
		{"auto", "ollama", "hybrid"},
		{"hybrid", "local", "hybrid"}, // asked for explicitly
		{"dense", "openai", "dense"},
	} {
		c := Default()
		c.Retrieval, c.Embeddings.Provider = tt.retrieval, tt.provider
		if got := c.RetrievalMode(); got != tt.want {
			t.Errorf("retrieval %q, provider %q: %q, want %q", tt.retrieval, tt.provider, got, tt.want)
		}
	}
	if Default().Retrieval != "auto" {
		t.Errorf("default retrieval %q, want auto", Default().Retrieval)
	}
}
