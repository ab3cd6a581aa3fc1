// Package config holds Footnote's one Config: defaults, an optional YAML file and
// the environment (which wins), validated with messages that name the key and the
// fix. Only package main reads it; it hands each part plain values.
//
// The defaults are the ones the packages export (answer.DefaultK,
// bot.DefaultQueue, ...), and Validate is the one place that checks settings:
// a value that passes means in a package's options what it means here. Where
// a package reads 0 as "the default" but a person could mean "none" (queue,
// history_turns, rate_every, shutdown_grace), 0 is refused with a message that
// names the key, and -1 (or -1s) says "none" everywhere.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/cite"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/internal/regularfile"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
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
	// Retrieval is auto, hybrid, dense or lexical. Auto is lexical with the
	// local embedder (its hashed vectors add nothing measurable to BM25) and
	// hybrid with a configured embedding model.
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
	// MaxReadings and MaxPassages bound one guild's reading lists, all its
	// channels' together; -1 means no limit.
	MaxReadings int `yaml:"max_readings"`
	MaxPassages int `yaml:"max_passages"`
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
	// CitationStyle is the style the Cite button shows first: apa, mla or chicago.
	CitationStyle string `yaml:"citation_style"`
}

// RetrievalMode is the ranking Retrieval selects, with auto resolved: the
// local embedder's vectors add nothing measurable (README, "Embeddings"), so
// auto is lexical with it and hybrid with an embedding model.
func (c Config) RetrievalMode() string {
	if c.Retrieval != RetrievalAuto {
		return c.Retrieval
	}
	if c.Embeddings.Provider == "" || c.Embeddings.Provider == embed.ProviderLocal {
		return string(retrieval.ModeLexical)
	}
	return string(retrieval.ModeHybrid)
}

// RetrievalAuto is the default ranking: see RetrievalMode.
const RetrievalAuto = "auto"

// Default returns the configuration used when nothing is set: each value is
// the default its package exports, so a zero left in a package's options and
// a key left out of the file mean the same thing.
func Default() Config {
	return Config{
		K:           answer.DefaultK,
		MaxQuestion: answer.DefaultMaxQuestion,
		Retrieval:   RetrievalAuto,
		Mode:        string(answer.ModeAuto),
		Embeddings:  Embeddings{Provider: embed.ProviderLocal},
		LLM: LLM{
			Model:         answer.DefaultModel,
			Temperature:   answer.DefaultTemperature,
			Timeout:       answer.DefaultTimeout,
			ContextTokens: answer.DefaultContextTokens,
			Retries:       answer.DefaultRetries,
		},
		Discord: Discord{
			ShardCount:    1,
			BaseCorpus:    "shared",
			MaxReadingMB:  bot.DefaultMaxReadingBytes >> 20,
			MaxReadings:   store.DefaultMaxReadings,
			MaxPassages:   store.DefaultMaxPassages,
			RateEvery:     bot.DefaultRateEvery,
			RateBurst:     bot.DefaultRateBurst,
			MaxConcurrent: bot.DefaultMaxConcurrent,
			Queue:         bot.DefaultQueue,
			VotesFile:     bot.DefaultVotesFile,
			HistoryTurns:  bot.DefaultHistoryTurns,
			Conversations: bot.DefaultConversations,
			StreamEvery:   bot.DefaultStreamEvery,
			AnswerTimeout: bot.DefaultAnswerTimeout,
			ShutdownGrace: bot.DefaultShutdownGrace,
			CitationStyle: string(cite.DefaultStyle),
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
		for _, a := range v.Aliases {
			known[a] = true
		}
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
		data, err := readFile(path)
		if err != nil {
			return c, err
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

// MaxFileSize is the largest config file read.
const MaxFileSize = 1 << 20

// readFile reads the config file at path: a regular file (a FIFO or a device
// would block or never end) of at most MaxFileSize bytes.
func readFile(path string) ([]byte, error) {
	data, err := regularfile.Read(path, MaxFileSize)
	var big *regularfile.TooLargeError
	switch {
	case errors.As(err, &big):
		return nil, fmt.Errorf("config file %s is over %d bytes: a config file holds at most that", path, MaxFileSize)
	case err != nil:
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	return data, nil
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
			return fmt.Errorf("unknown key %s (see footnote.example.yaml for the keys)", excerpt(full))
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
			return fmt.Errorf("key %q: %s is not %s", full, excerpt(fmt.Sprint(raw[k])), typeWord(f.Type))
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
	// Aliases are other environment variables read for the same setting:
	// FOOTNOTE_<KEY PATH> when Env is a shorter, conventional name.
	Aliases []string
}

// Vars lists every setting's YAML key and environment variable.
func Vars() []Var {
	var out []Var
	walk(reflect.ValueOf(&Config{}).Elem(), "", func(v Var, _ reflect.Value) error {
		out = append(out, v)
		return nil
	})
	return out
}

func walk(v reflect.Value, prefix string, fn func(v Var, field reflect.Value) error) error {
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
		long := "FOOTNOTE_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
		vr := Var{Key: path, Env: f.Tag.Get("env")}
		switch {
		case name == "":
			vr.Key = "" // a secret: its env tag is its only name
		case vr.Env == "":
			vr.Env = long
		default:
			vr.Aliases = []string{long}
		}
		if err := fn(vr, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func applyEnv(c *Config, getenv func(string) string) error {
	return walk(reflect.ValueOf(c).Elem(), "", func(v Var, field reflect.Value) error {
		name, s := v.Env, getenv(v.Env)
		for _, alias := range v.Aliases {
			a := getenv(alias)
			switch {
			case a == "" || a == s:
			case s == "":
				name, s = alias, a
			default:
				return fmt.Errorf("environment variables %s and %s are both set, to different values: unset one", name, alias)
			}
		}
		if s == "" {
			return nil
		}
		if err := setField(field, s); err != nil {
			return fmt.Errorf("environment variable %s: %w", name, err)
		}
		return nil
	})
}

func setField(f reflect.Value, s string) error {
	switch {
	case f.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%s is not a duration such as 30s or 2m", excerpt(s))
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
			return fmt.Errorf("%s is not true or false", excerpt(s))
		}
		f.SetBool(b)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%s is not a whole number", excerpt(s))
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%s is not a number", excerpt(s))
		}
		f.SetFloat(x)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Type())
	}
	return nil
}

// Validate checks every value and names the key and the fix for each bad one.
// It is the one place that checks settings: the packages that receive them
// take zero as their default, and Validate refuses a zero that a person could
// mean otherwise (queue: 0 as "no queue", say), asking for the explicit form.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.K < 1 || c.K > 50 {
		bad("k (-k, FOOTNOTE_K)", "%d is out of range: use 1 to 50", c.K)
	}
	if c.MaxQuestion < 1 || c.MaxQuestion > 100000 {
		bad("max_question", "%d is out of range: use 1 to 100000 characters", c.MaxQuestion)
	}
	oneOf(bad, "retrieval", c.Retrieval, RetrievalAuto, string(retrieval.ModeHybrid), string(retrieval.ModeDense), string(retrieval.ModeLexical))
	oneOf(bad, "mode", c.Mode, string(answer.ModeAuto), string(answer.ModeExtractive), string(answer.ModeLLM))
	oneOf(bad, "embeddings.provider", c.Embeddings.Provider,
		embed.ProviderLocal, embed.ProviderOpenAI, embed.ProviderOllama, embed.ProviderOpenAICompatible)
	if c.Embeddings.Provider == embed.ProviderOpenAICompatible && c.Embeddings.BaseURL == "" {
		bad("embeddings.base_url", "required when embeddings.provider is openai-compatible: set it to the server's /v1 URL")
	}
	httpURL(bad, "embeddings.base_url", c.Embeddings.BaseURL)
	httpURL(bad, "llm.base_url (OPENAI_BASE_URL)", c.LLM.BaseURL)
	httpURL(bad, "discord.api_base (DISCORD_API_BASE)", c.Discord.APIBase)
	if u := c.DatabaseURL.Value(); u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database_url (FOOTNOTE_DATABASE_URL)", "is not a postgres:// URL such as postgres://footnote@db.example:5432/footnote (its value is not shown: it may hold a password)")
	}
	oneOf(bad, "discord.base_corpus", c.Discord.BaseCorpus, "shared", "none")
	if n := c.Discord.MaxReadings; n < 1 && n != -1 {
		bad("discord.max_readings", "%d is out of range: give how many readings one server may hold (default %d), or -1 for no limit", n, store.DefaultMaxReadings)
	}
	if n := c.Discord.MaxPassages; n < 1 && n != -1 {
		bad("discord.max_passages", "%d is out of range: give how many passages one server's readings may hold (default %d), or -1 for no limit", n, store.DefaultMaxPassages)
	}
	if c.Discord.MaxReadingMB < 1 || c.Discord.MaxReadingMB > 20 {
		bad("discord.max_reading_mb", "%d is out of range: use 1 to 20 megabytes (20 is the limit of every corpus file, as `footnote index` reads it)", c.Discord.MaxReadingMB)
	}
	if c.LLM.Temperature < 0 || c.LLM.Temperature > 2 {
		bad("llm.temperature", "%g is out of range: use 0 to 2", c.LLM.Temperature)
	}
	if c.LLM.Timeout <= 0 {
		bad("llm.timeout", "%s must be positive, e.g. %s", c.LLM.Timeout, answer.DefaultTimeout)
	}
	if c.LLM.ContextTokens < 500 {
		bad("llm.context_tokens", "%d is too small: use at least 500 (default %d)", c.LLM.ContextTokens, answer.DefaultContextTokens)
	}
	if c.LLM.Retries < 0 || c.LLM.Retries > 10 {
		bad("llm.retries", "%d is out of range: use 0 (never) to 10", c.LLM.Retries)
	}
	if strings.TrimSpace(c.LLM.Model) == "" {
		bad("llm.model", "must not be empty (default %s)", answer.DefaultModel)
	}
	if c.Mode == string(answer.ModeLLM) && !c.LLM.Configured() {
		bad("mode", "llm needs a model: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a local server)")
	}
	c.Discord.validate(bad)
	return errors.Join(errs...)
}

func (d Discord) validate(bad func(key, format string, args ...any)) {
	if err := bot.CheckShard(d.ShardID, d.ShardCount); err != nil {
		bad("discord.shard_id, discord.shard_count (FOOTNOTE_SHARD_ID, FOOTNOTE_SHARD_COUNT)", "%v", err)
	}
	if d.Guild != "" {
		snowflake(bad, "discord.guild (FOOTNOTE_DISCORD_GUILD)", d.Guild)
	}
	for _, l := range []struct {
		key string
		ids []string
	}{
		{"discord.channels (FOOTNOTE_DISCORD_CHANNELS)", d.Channels},
		{"discord.roles (FOOTNOTE_DISCORD_ROLES)", d.Roles},
		{"discord.users (FOOTNOTE_DISCORD_USERS)", d.Users},
	} {
		for _, id := range l.ids {
			snowflake(bad, l.key, id)
		}
	}
	if d.RateEvery == 0 {
		bad("discord.rate_every", "0s is ambiguous: give how often a user gains a question (default %s), or -1s for no per-user limit", bot.DefaultRateEvery)
	}
	if d.RateBurst < 1 {
		bad("discord.rate_burst", "%d must be at least 1 (default %d)", d.RateBurst, bot.DefaultRateBurst)
	}
	if d.MaxConcurrent < 1 {
		bad("discord.max_concurrent", "%d must be at least 1 (default %d)", d.MaxConcurrent, bot.DefaultMaxConcurrent)
	}
	if d.Queue == 0 {
		bad("discord.queue", "0 is ambiguous: give how many questions may wait (default %d), or -1 for no queue", bot.DefaultQueue)
	}
	if d.HistoryTurns == 0 {
		bad("discord.history_turns", "0 is ambiguous: give how many earlier questions a follow-up sees (default %d), or -1 for none", bot.DefaultHistoryTurns)
	}
	if d.Conversations < 1 {
		bad("discord.conversations", "%d must be at least 1 (default %d)", d.Conversations, bot.DefaultConversations)
	}
	if d.StreamEvery < 100*time.Millisecond {
		bad("discord.stream_every", "%s is too often: Discord allows about one edit a second (default %s)", d.StreamEvery, bot.DefaultStreamEvery)
	}
	if d.AnswerTimeout <= 0 || d.AnswerTimeout > 14*time.Minute {
		bad("discord.answer_timeout", "%s must be positive and under 14m (an interaction's token lives 15 minutes)", d.AnswerTimeout)
	}
	if d.ShutdownGrace == 0 {
		bad("discord.shutdown_grace", "0s is ambiguous: give how long to wait for answers in flight (default %s), or -1s to stop them at once", bot.DefaultShutdownGrace)
	}
	oneOf(bad, "discord.citation_style", d.CitationStyle, string(cite.APA), string(cite.MLA), string(cite.Chicago))
}

func oneOf(bad func(string, string, ...any), key, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	bad(key, "%s is not one of %s", excerpt(v), strings.Join(allowed, ", "))
}

// snowflake checks a Discord ID: a number of up to 20 digits.
func snowflake(bad func(string, string, ...any), key, id string) {
	ok := id != "" && len(id) <= 20
	for _, r := range id {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		bad(key, "%s is not a Discord ID (a number such as 123456789012345678: turn on Developer Mode in Discord, then right-click › Copy ID)", excerpt(id))
	}
}

func httpURL(bad func(string, string, ...any), key, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(key, "%s is not an http(s) URL such as http://localhost:11434/v1", excerpt(hideUserinfo(v)))
	}
}

// hideUserinfo replaces the user:password of a URL, even a malformed one,
// with "[redacted]".
func hideUserinfo(v string) string {
	start := 0
	if i := strings.Index(v, "://"); i >= 0 {
		start = i + len("://")
	}
	rest := v[start:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return v[:start] + "[redacted]@" + rest[at+1:]
	}
	return v
}

// excerptRunes is the most of a value an error message quotes.
const excerptRunes = 40

// excerpt quotes v for an error message, cut to excerptRunes characters with
// its length when longer: a huge value must not become a huge error line.
func excerpt(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= excerptRunes {
		return strconv.Quote(v)
	}
	return fmt.Sprintf("%s… (%d characters)", strconv.Quote(string([]rune(v)[:excerptRunes])), n)
}
