// Package config holds Footnote's one Config: defaults, an optional YAML file and
// the environment (which wins), validated with messages that name the key and the
// fix. Only package main reads it; it hands each part plain values.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Secret is a value that must never be printed: it formats as "[redacted]".
type Secret string

func (s Secret) String() string   { return redact(s) }
func (s Secret) GoString() string { return redact(s) }

// Value returns the secret itself, for the one place that sends it.
func (s Secret) Value() string { return string(s) }

func redact(s Secret) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Config is every setting. Field tags give the YAML key and, where it differs
// from FOOTNOTE_<KEY PATH>, the environment variable. Secrets have no YAML key:
// they come from the environment only.
type Config struct {
	// Corpus is a folder of documents; "" means the embedded default corpus.
	Corpus string `yaml:"corpus"`
	// Index is a saved index file to load instead of reading Corpus.
	Index string `yaml:"index"`
	// DataDir is the folder of the embedded store (reading lists, conversations,
	// votes); "" means embedded.DefaultDir().
	DataDir string `yaml:"data_dir"`
	// DatabaseURL (postgres://...) keeps the store in PostgreSQL instead of
	// DataDir, shared by every shard. A Secret: it may hold a password.
	DatabaseURL Secret `yaml:"database_url"`
	// K is how many passages a question retrieves.
	K int `yaml:"k"`
	// MaxQuestion is the longest question accepted, in characters.
	MaxQuestion int `yaml:"max_question"`
	// Retrieval is hybrid, dense or lexical.
	Retrieval string `yaml:"retrieval"`
	// Mode is auto, extractive or llm.
	Mode string `yaml:"mode"`

	Embeddings Embeddings `yaml:"embeddings"`
	LLM        LLM        `yaml:"llm"`
	Discord    Discord    `yaml:"discord"`
}

// Embeddings selects the embedder for passages and questions.
type Embeddings struct {
	// Provider is local, openai, ollama or openai-compatible.
	Provider string `yaml:"provider"`
	Model    string `yaml:"model"`
	BaseURL  string `yaml:"base_url"`
	// APIKey defaults to OPENAI_API_KEY when the provider is openai.
	APIKey Secret `yaml:"-" env:"FOOTNOTE_EMBEDDINGS_API_KEY"`
}

// LLM configures the language model that writes answers.
type LLM struct {
	BaseURL       string        `yaml:"base_url" env:"OPENAI_BASE_URL"`
	APIKey        Secret        `yaml:"-" env:"OPENAI_API_KEY"`
	Model         string        `yaml:"model"`
	Temperature   float64       `yaml:"temperature"`
	Timeout       time.Duration `yaml:"timeout"`
	ContextTokens int           `yaml:"context_tokens"`
	Retries       int           `yaml:"retries"`
}

// Configured reports whether a model can be reached: a key or a base URL is set.
func (l LLM) Configured() bool { return l.APIKey != "" || l.BaseURL != "" }

// Discord configures the bot.
type Discord struct {
	Token      Secret `yaml:"-" env:"DISCORD_TOKEN"`
	APIBase    string `yaml:"api_base" env:"DISCORD_API_BASE"`
	Guild      string `yaml:"guild"`
	ShardID    int    `yaml:"shard_id" env:"FOOTNOTE_SHARD_ID"`
	ShardCount int    `yaml:"shard_count" env:"FOOTNOTE_SHARD_COUNT"`

	// Channels, Roles and Users are allow-lists; empty means everyone, everywhere.
	Channels []string `yaml:"channels"`
	Roles    []string `yaml:"roles"`
	Users    []string `yaml:"users"`
	// DMs lets people use the bot in direct messages.
	DMs bool `yaml:"dms"`
	// Inline answers mentions in the channel instead of a new thread.
	Inline bool `yaml:"inline"`
	// MessageContent asks for the privileged intent: thread follow-ups without a mention.
	MessageContent bool `yaml:"message_content"`
	// BaseCorpus is shared (guilds search the operator's corpus beside their
	// reading lists) or none (only their lists; DMs always see the corpus).
	BaseCorpus string `yaml:"base_corpus"`
	// LibrarianRoles may change reading lists, besides members with Manage Server.
	LibrarianRoles []string `yaml:"librarian_roles"`
	// MaxReadingMB is the largest file /readings add takes, in megabytes.
	MaxReadingMB int `yaml:"max_reading_mb"`
	// RateEvery and RateBurst: each user's token bucket (negative RateEvery: no limit).
	RateEvery time.Duration `yaml:"rate_every"`
	RateBurst int           `yaml:"rate_burst"`
	// MaxConcurrent answers computed at once, with Queue more waiting.
	MaxConcurrent int `yaml:"max_concurrent"`
	Queue         int `yaml:"queue"`
	// VotesFile keeps helpful / not helpful votes (JSON lines).
	VotesFile string `yaml:"votes_file"`
	// HistoryTurns earlier questions a follow-up sees; Conversations threads remembered.
	HistoryTurns  int `yaml:"history_turns"`
	Conversations int `yaml:"conversations"`
	// StreamEvery is the least time between edits of a streamed answer.
	StreamEvery time.Duration `yaml:"stream_every"`
	// AnswerTimeout bounds one answer; ShutdownGrace the wait for answers in flight.
	AnswerTimeout time.Duration `yaml:"answer_timeout"`
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		K:           5,
		MaxQuestion: 1000,
		Retrieval:   "hybrid",
		Mode:        "auto",
		Embeddings:  Embeddings{Provider: "local"},
		LLM: LLM{
			Model:         "gpt-4o-mini",
			Temperature:   0.2,
			Timeout:       60 * time.Second,
			ContextTokens: 6000,
			Retries:       3,
		},
		Discord: Discord{
			ShardCount:    1,
			BaseCorpus:    "shared",
			MaxReadingMB:  20,
			RateEvery:     20 * time.Second,
			RateBurst:     3,
			MaxConcurrent: 4,
			Queue:         32,
			VotesFile:     "footnote-votes.jsonl",
			HistoryTurns:  6,
			Conversations: 1000,
			StreamEvery:   time.Second,
			AnswerTimeout: 2 * time.Minute,
			ShutdownGrace: 10 * time.Second,
		},
	}
}

// Load builds the configuration: defaults, then the YAML file at path (if path
// is not ""), then the environment (environ as os.Environ gives it), which wins.
// It validates the result. An unknown FOOTNOTE_* variable is an error.
func Load(path string, environ []string) (Config, error) {
	c := Default()
	env := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	known := map[string]bool{"FOOTNOTE_CONFIG": true}
	for _, v := range Vars() {
		known[v.Env] = true
	}
	var unknown []string
	for k := range env {
		if strings.HasPrefix(k, "FOOTNOTE_") && !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return c, fmt.Errorf("unknown environment variable %s (see the configuration table in README.md)", strings.Join(unknown, ", "))
	}
	getenv := func(k string) string { return env[k] }
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("reading config file: %w", err)
		}
		if err := c.decodeYAML(data, path); err != nil {
			return c, err
		}
	}
	if err := applyEnv(&c, getenv); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func (c *Config) decodeYAML(data []byte, path string) error {
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("config file %s is not valid YAML: %w", path, err)
	}
	if err := checkKeys(raw, reflect.TypeOf(*c), ""); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// secretEnv names the environment variable for YAML keys that must not be in a file.
var secretEnv = map[string]string{
	"discord.token":      "DISCORD_TOKEN",
	"llm.api_key":        "OPENAI_API_KEY",
	"embeddings.api_key": "FOOTNOTE_EMBEDDINGS_API_KEY",
}

func checkKeys(raw map[string]any, t reflect.Type, prefix string) error {
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name := yamlName(f); name != "" {
			fields[name] = f
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := prefix + k
		if env, ok := secretEnv[full]; ok {
			return fmt.Errorf("key %q: secrets are not read from files; set the environment variable %s instead", full, env)
		}
		f, ok := fields[k]
		if !ok {
			return fmt.Errorf("unknown key %q (see footnote.example.yaml for the keys)", full)
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
			sub, ok := raw[k].(map[string]any)
			if !ok && raw[k] != nil {
				return fmt.Errorf("key %q must be a mapping of keys", full)
			}
			if err := checkKeys(sub, f.Type, full+"."); err != nil {
				return err
			}
			continue
		}
		b, err := yaml.Marshal(raw[k])
		if err == nil {
			err = yaml.Unmarshal(b, reflect.New(f.Type).Interface())
		}
		if err != nil {
			return fmt.Errorf("key %q: %v is not %s", full, raw[k], typeWord(f.Type))
		}
	}
	return nil
}

func typeWord(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return "a duration such as 30s or 2m"
	case t.Kind() == reflect.Int:
		return "a whole number"
	case t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Slice:
		return "a list"
	}
	return "text"
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// Var is one setting as the documentation lists it.
type Var struct {
	Key string // YAML key path, "" for secrets
	Env string
}

// Vars lists every setting's YAML key and environment variable.
func Vars() []Var {
	var out []Var
	walk(reflect.ValueOf(&Config{}).Elem(), "", func(key, env string, _ reflect.Value) error {
		out = append(out, Var{Key: key, Env: env})
		return nil
	})
	return out
}

func walk(v reflect.Value, prefix string, fn func(key, env string, field reflect.Value) error) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := yamlName(f)
		path := prefix + name
		if f.Type.Kind() == reflect.Struct {
			if err := walk(v.Field(i), path+".", fn); err != nil {
				return err
			}
			continue
		}
		env := f.Tag.Get("env")
		if env == "" {
			env = "FOOTNOTE_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
		}
		key := path
		if name == "" {
			key = ""
		}
		if err := fn(key, env, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func applyEnv(c *Config, getenv func(string) string) error {
	return walk(reflect.ValueOf(c).Elem(), "", func(key, env string, field reflect.Value) error {
		s := getenv(env)
		if s == "" {
			return nil
		}
		if err := setField(field, s); err != nil {
			return fmt.Errorf("environment variable %s: %w", env, err)
		}
		return nil
	})
}

func setField(f reflect.Value, s string) error {
	switch {
	case f.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", s)
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		f.Set(reflect.ValueOf(parts).Convert(f.Type()))
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.SetBool(b)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.SetFloat(x)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Type())
	}
	return nil
}

// Validate checks every value and names the key and the fix for the first bad one.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.K < 1 || c.K > 50 {
		bad("k", "%d is out of range: use 1 to 50", c.K)
	}
	if c.MaxQuestion < 1 || c.MaxQuestion > 100000 {
		bad("max_question", "%d is out of range: use 1 to 100000 characters", c.MaxQuestion)
	}
	oneOf(bad, "retrieval", c.Retrieval, "hybrid", "dense", "lexical")
	oneOf(bad, "mode", c.Mode, "auto", "extractive", "llm")
	oneOf(bad, "embeddings.provider", c.Embeddings.Provider, "local", "openai", "ollama", "openai-compatible")
	if c.Embeddings.Provider == "openai-compatible" && c.Embeddings.BaseURL == "" {
		bad("embeddings.base_url", "required when embeddings.provider is openai-compatible: set it to the server's /v1 URL")
	}
	httpURL(bad, "embeddings.base_url", c.Embeddings.BaseURL)
	httpURL(bad, "llm.base_url (OPENAI_BASE_URL)", c.LLM.BaseURL)
	httpURL(bad, "discord.api_base (DISCORD_API_BASE)", c.Discord.APIBase)
	if u := c.DatabaseURL.Value(); u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database_url (FOOTNOTE_DATABASE_URL)", "is not a postgres:// URL such as postgres://footnote@db.example:5432/footnote (its value is not shown: it may hold a password)")
	}
	oneOf(bad, "discord.base_corpus", c.Discord.BaseCorpus, "shared", "none")
	if c.Discord.MaxReadingMB < 1 || c.Discord.MaxReadingMB > 20 {
		bad("discord.max_reading_mb", "%d is out of range: use 1 to 20 megabytes (20 is the limit of every corpus file, as `footnote index` reads it)", c.Discord.MaxReadingMB)
	}
	if c.LLM.Temperature < 0 || c.LLM.Temperature > 2 {
		bad("llm.temperature", "%g is out of range: use 0 to 2", c.LLM.Temperature)
	}
	if c.LLM.Timeout <= 0 {
		bad("llm.timeout", "must be positive, e.g. 60s")
	}
	if c.LLM.ContextTokens < 500 {
		bad("llm.context_tokens", "%d is too small: use at least 500", c.LLM.ContextTokens)
	}
	if c.LLM.Retries < 0 || c.LLM.Retries > 10 {
		bad("llm.retries", "%d is out of range: use 0 to 10", c.LLM.Retries)
	}
	if c.LLM.Model == "" {
		bad("llm.model", "must not be empty")
	}
	if c.Mode == "llm" && !c.LLM.Configured() {
		bad("mode", "llm needs a model: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a local server)")
	}
	if c.Discord.ShardCount < 1 {
		bad("discord.shard_count (FOOTNOTE_SHARD_COUNT)", "must be at least 1")
	} else if c.Discord.ShardID < 0 || c.Discord.ShardID >= c.Discord.ShardCount {
		bad("discord.shard_id (FOOTNOTE_SHARD_ID)", "%d must be from 0 to shard_count-1 (%d)", c.Discord.ShardID, c.Discord.ShardCount-1)
	}
	d := c.Discord
	if d.RateBurst < 1 {
		bad("discord.rate_burst", "%d must be at least 1", d.RateBurst)
	}
	if d.MaxConcurrent < 1 {
		bad("discord.max_concurrent", "%d must be at least 1", d.MaxConcurrent)
	}
	if d.Queue < 0 {
		bad("discord.queue", "%d must not be negative (0: no queue)", d.Queue)
	}
	if d.HistoryTurns < 0 || d.Conversations < 1 {
		bad("discord.history_turns / discord.conversations", "use history_turns >= 0 and conversations >= 1")
	}
	if d.StreamEvery < 100*time.Millisecond {
		bad("discord.stream_every", "%s is too often: Discord allows about one edit a second (use 1s)", d.StreamEvery)
	}
	if d.AnswerTimeout <= 0 || d.AnswerTimeout > 14*time.Minute {
		bad("discord.answer_timeout", "%s must be positive and under 14m (an interaction's token lives 15 minutes)", d.AnswerTimeout)
	}
	if d.ShutdownGrace < 0 {
		bad("discord.shutdown_grace", "must not be negative")
	}
	return errors.Join(errs...)
}

func oneOf(bad func(string, string, ...any), key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	bad(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

func httpURL(bad func(string, string, ...any), key, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(key, "%q is not an http(s) URL such as http://localhost:11434/v1", v)
	}
}
