// Package bot puts Footnote in Discord: a discordgo session, the slash and
// context-menu commands, mentions answered in threads, buttons, and the
// rendering of answers as Discord messages with their quotes and sources.
// It asks package answer for answers and passages through the small Answerer
// interface and knows nothing of indexes, embeddings or language models.
//
// Every message the bot sends or edits carries allowed mentions with an empty
// parse list, so no text it relays (an answer quoting "@everyone", say) can
// ping anyone.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/internal/redact"
	"github.com/footnote-bot/footnote/internal/retry"
	"github.com/gorilla/websocket"
)

// Answerer is what the bot needs from the answer engine.
type Answerer interface {
	// Ask answers a question; Request.Stream, when set, receives partial text.
	Ask(ctx context.Context, req answer.Request) (*answer.Answer, error)
	// Search returns up to k passages for a query, best first (k = 0: the default).
	Search(ctx context.Context, query string, k int) ([]answer.Passage, error)
	// Sources lists the corpus's documents.
	Sources() []answer.Source
	// Around returns the passage of doc starting at byte start, with up to n
	// paragraphs before and after it.
	Around(doc string, start, n int) (answer.Surroundings, error)
	// CheckQuestion says whether a question can be asked at all.
	CheckQuestion(q string) error
}

var _ Answerer = (*answer.Engine)(nil)

// Options configure a Bot. Zero values are documented defaults; only Token is
// required.
type Options struct {
	// Token is the bot token from the Developer Portal, with or without "Bot ".
	Token string
	// APIBase, when set, replaces https://discord.com for every REST call and
	// the gateway lookup (a REST proxy, or a fake Discord in tests). The
	// websocket goes wherever the gateway lookup says.
	APIBase string
	// Guild, when set, registers the commands in that guild only, where updates
	// show at once; "" registers them globally.
	Guild string
	// ShardID and ShardCount split the bot's guilds across processes;
	// ShardCount 0 means 1. Only shard 0 registers the commands.
	ShardID, ShardCount int

	// Channels, when not empty, are the only channels the bot answers in (a
	// thread counts as its parent channel).
	Channels []string
	// Roles and Users, when either is not empty, are who may use the bot: a
	// user passes if listed in Users or holding one of Roles.
	Roles, Users []string
	// DMs lets people use the bot in direct messages; false: it answers only in servers.
	DMs bool
	// Inline answers a mention with a reply in the channel; false: in a new
	// thread named after the question, where follow-ups continue.
	Inline bool
	// MessageContent asks for the privileged message content intent (enable it
	// in the Developer Portal first): with it, messages in the bot's threads are
	// answered as follow-ups without a mention. Mentions, DMs and commands work
	// without it.
	MessageContent bool

	// RateEvery is how often a user gains a question (a token bucket per user);
	// 0 means DefaultRateEvery, negative means no per-user limit.
	RateEvery time.Duration
	// RateBurst is how many questions a user may ask at once; 0 means DefaultRateBurst.
	RateBurst int
	// MaxConcurrent is how many answers are computed at once; 0 means DefaultMaxConcurrent.
	MaxConcurrent int
	// Queue is how many more questions may wait for their turn; 0 means
	// DefaultQueue, negative means none. Past that, people are asked to try
	// again later.
	Queue int

	// VotesFile is where helpful / not helpful votes are appended (JSON lines);
	// "" means DefaultVotesFile in the working directory. The HMAC key that
	// hashes user IDs is kept beside it, in VotesFile+".key".
	VotesFile string
	// HistoryTurns is how many earlier questions of a thread a follow-up sees;
	// 0 means DefaultHistoryTurns, negative means none.
	HistoryTurns int
	// Conversations is how many threads' histories are kept in memory; 0 means
	// DefaultConversations.
	Conversations int

	// StreamEvery is the least time between two edits showing a streamed
	// answer's partial text; 0 means DefaultStreamEvery.
	StreamEvery time.Duration
	// AnswerTimeout bounds the computing of one answer; 0 means
	// DefaultAnswerTimeout (an interaction's token lives 15 min).
	AnswerTimeout time.Duration
	// ShutdownGrace is how long Run waits for answers in flight once its
	// context ends; 0 means DefaultShutdownGrace, negative means no wait
	// (answers in flight are stopped at once).
	ShutdownGrace time.Duration

	// Reload, when set, rebuilds the answerer's index and says how it went
	// in one line; administrators call it with /reindex (the process's owner
	// with SIGHUP, in package main). Questions in flight finish on the old
	// index: the Answerer passed to New must switch to the new one itself.
	Reload func(ctx context.Context) (string, error)

	// Study configures the Cite button, /cite and /quiz (study.go).
	Study Study
	// Library, when set, keeps reading lists per guild and channel
	// (/readings, "Add to readings") and answers each question from what its
	// channel sees; the Answerer given to New then serves nothing but
	// CheckQuestion. Nil: one corpus for every channel, no /readings.
	Library Library
	// ConversationStore, when set, keeps thread histories across restarts.
	ConversationStore Conversations
	// VoteStore, when set, keeps the votes instead of VotesFile.
	VoteStore Votes
	// LibrarianRoles are the role IDs whose members may change the reading
	// lists, besides members with Manage Server.
	LibrarianRoles []string
	// MaxReadingBytes is the largest file /readings add takes; 0 means
	// DefaultMaxReadingBytes.
	MaxReadingBytes int64

	// Mode is the answer mode asked of the engine; "" means auto.
	Mode answer.Mode
	// Logger receives the bot's log; nil means slog.Default().
	Logger *slog.Logger
}

// The defaults of Options, one place for each: package config starts from
// them, and withDefaults fills in a zero field with them.
const (
	DefaultRateEvery     = 20 * time.Second
	DefaultRateBurst     = 3
	DefaultMaxConcurrent = 4
	DefaultQueue         = 32
	DefaultVotesFile     = "footnote-votes.jsonl"
	DefaultHistoryTurns  = 6
	DefaultConversations = 1000
	DefaultStreamEvery   = time.Second
	DefaultAnswerTimeout = 2 * time.Minute
	DefaultShutdownGrace = 10 * time.Second
)

// withDefaults fills in zero fields as Options documents, and turns the
// negative "none" of Queue, HistoryTurns and ShutdownGrace into 0.
func (o Options) withDefaults() Options {
	o.Token = strings.TrimSpace(o.Token)
	if o.Token != "" && !strings.HasPrefix(o.Token, "Bot ") {
		o.Token = "Bot " + o.Token
	}
	if o.ShardCount == 0 {
		o.ShardCount = 1
	}
	if o.RateEvery == 0 {
		o.RateEvery = DefaultRateEvery
	}
	if o.RateBurst <= 0 {
		o.RateBurst = DefaultRateBurst
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	o.Queue = orDefault(o.Queue, DefaultQueue)
	if o.VotesFile == "" {
		o.VotesFile = DefaultVotesFile
	}
	o.HistoryTurns = orDefault(o.HistoryTurns, DefaultHistoryTurns)
	if o.Conversations <= 0 {
		o.Conversations = DefaultConversations
	}
	if o.StreamEvery <= 0 {
		o.StreamEvery = DefaultStreamEvery
	}
	if o.AnswerTimeout <= 0 {
		o.AnswerTimeout = DefaultAnswerTimeout
	}
	o.ShutdownGrace = orDefault(o.ShutdownGrace, DefaultShutdownGrace)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// CheckShard checks a shard ID against the shard count: the one check, which
// package config runs on the settings and New on its options.
func CheckShard(id, count int) error {
	if count < 1 {
		return fmt.Errorf("the shard count %d must be at least 1", count)
	}
	if id < 0 || id >= count {
		return fmt.Errorf("the shard ID %d must be from 0 to the shard count less one (%d)", id, count-1)
	}
	return nil
}

// orDefault is def for 0, 0 for a negative v ("none"), else v.
func orDefault[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Bot is Footnote on Discord. Make one with New and start it with Run.
type Bot struct {
	opts    Options
	ans     Answerer
	log     *slog.Logger
	s       *discordgo.Session
	limiter *rateLimiter
	// redactor removes the token and other secrets from what is logged.
	redactor redact.Redactor
	// startup is how connecting retries; gateway hands discordgo's Open the
	// gateway address connect looked up.
	startup retry.Policy
	gateway *gatewayCache
	gate    *gate
	votes   *voteStore
	// convs holds the history of the threads (and DMs) the bot converses in.
	convs *lru[string, conversation]
	// answers holds recent answers by ID, for the votes on them.
	answers *lru[string, record]
	study   *study
	// parents maps threads to the channels whose reading lists they see.
	parents *lru[string, string]
	fetch   *fetcher
	adding  chan struct{} // a slot per file being read

	ran      atomic.Bool
	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
	// pending are thread turns the store could not take yet (pending.go).
	pending turnQueue
}

// conversation is a thread (or DM) the bot answers in.
type conversation struct {
	Parent string // the channel the thread was started in
	Turns  []answer.Turn
}

// record is an answer as given, for the votes on it.
type record struct {
	Question  string
	Answer    string
	Citations []answer.Citation
}

// New checks the options and prepares a bot; it does not connect.
func New(opts Options, a Answerer) (*Bot, error) {
	if a == nil {
		return nil, errors.New("bot: no answerer")
	}
	opts = opts.withDefaults()
	if opts.Token == "" {
		return nil, errors.New("bot: no token: set DISCORD_TOKEN to the bot token from the Discord Developer Portal")
	}
	if err := CheckShard(opts.ShardID, opts.ShardCount); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	client, err := httpClient(opts.APIBase)
	if err != nil {
		return nil, err
	}
	var votes *voteStore
	if opts.VoteStore == nil { // else the votes go to the store, and no file is made
		if votes, err = openVotes(opts.VotesFile); err != nil {
			return nil, fmt.Errorf("bot: %w", err)
		}
	}
	fetch, err := newFetcher(opts.APIBase, opts.MaxReadingBytes)
	if err != nil {
		return nil, err
	}
	st, err := newStudy(opts.Study)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	s, err := discordgo.New(opts.Token)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	gw := &gatewayCache{next: client.Transport}
	client.Transport = gw
	s.Client = client
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 30 * time.Second}
	s.ShardID, s.ShardCount = opts.ShardID, opts.ShardCount
	s.Identify.Intents = intents(opts)
	s.Identify.Properties.Browser = "Footnote"
	s.Identify.Properties.Device = "Footnote"
	s.Identify.Properties.OS = runtime.GOOS
	s.UserAgent = "DiscordBot (https://github.com/footnote-bot/footnote, 1) " + s.UserAgent
	return &Bot{
		opts:     opts,
		ans:      a,
		log:      opts.Logger,
		s:        s,
		limiter:  newRateLimiter(opts.RateEvery, opts.RateBurst, time.Now),
		gate:     newGate(opts.MaxConcurrent, opts.Queue),
		votes:    votes,
		redactor: redact.New(opts.Token),
		startup:  startupRetry,
		gateway:  gw,
		convs:    newLRU[string, conversation](opts.Conversations),
		answers:  newLRU[string, record](4096),
		study:    st,
		parents:  newLRU[string, string](4096),
		fetch:    fetch,
		adding:   make(chan struct{}, maxAdding),
	}, nil
}

// intents are the gateway events the bot needs: guild messages and DMs carry
// mentions; the privileged message content intent only when asked for.
func intents(o Options) discordgo.Intent {
	i := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages
	if o.DMs {
		i |= discordgo.IntentsDirectMessages
	}
	if o.MessageContent {
		i |= discordgo.IntentsMessageContent
	}
	return i
}

// Run connects to Discord, registers the commands and answers until ctx ends;
// then it stops taking questions, lets the answers in flight finish (for up to
// ShutdownGrace), disconnects and returns. Connecting and registering retry
// what may pass with backoff (see startupRetry); if ctx ends before the bot
// is answering, Run returns nil at once. It can be called once.
func (b *Bot) Run(ctx context.Context) error {
	if !b.ran.CompareAndSwap(false, true) {
		return errors.New("bot: Run called twice")
	}
	// Answers outlive ctx by up to the grace period: they get their own context.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	// Turns the store could not take are written when it is back; the
	// writer ends after the answers in flight, with a last try.
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		b.flushTurns(work)
	}()
	defer func() {
		stopWork()
		<-flushed
	}()
	b.s.AddHandler(func(s *discordgo.Session, e *discordgo.InteractionCreate) { b.onInteraction(work, s, e.Interaction) })
	b.s.AddHandler(func(s *discordgo.Session, e *discordgo.MessageCreate) { b.onMessage(work, s, e.Message) })
	b.s.AddHandler(func(s *discordgo.Session, e *discordgo.Disconnect) {
		if !b.isClosing() {
			b.log.Info("disconnected from the Discord gateway; reconnecting")
		}
	})
	b.s.AddHandler(func(s *discordgo.Session, e *discordgo.Resumed) { b.log.Info("resumed the Discord gateway session") })
	b.s.AddHandler(func(s *discordgo.Session, e *discordgo.RateLimit) {
		b.log.Info("Discord rate limit: waiting", "retry_after", e.RetryAfter, "route", b.redact(e.URL))
	})

	if err := b.connect(ctx); err != nil {
		b.s.Close()
		if ctx.Err() != nil {
			b.log.Info("stopped before connecting to Discord")
			return nil
		}
		return err
	}
	user, appID, guilds := b.identity()
	scope := "global"
	if b.opts.Guild != "" {
		scope = "guild " + b.opts.Guild
	}
	if b.opts.ShardID == 0 {
		if err := b.registerCommands(ctx, appID); err != nil {
			b.s.Close()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	b.log.Info("footnote bot ready", "user", user, "application", appID, "guilds", guilds,
		"commands", scope, "shard", fmt.Sprintf("%d/%d", b.opts.ShardID, b.opts.ShardCount))

	<-ctx.Done()
	b.shutdown(stopWork)
	return nil
}

func (b *Bot) identity() (user, appID string, guilds int) {
	st := b.s.State
	st.RLock()
	defer st.RUnlock()
	if st.User != nil {
		user, appID = st.User.Username, st.User.ID
	}
	if st.Application != nil && st.Application.ID != "" {
		appID = st.Application.ID
	}
	return user, appID, len(st.Guilds)
}

// selfID is the bot's own user ID, once the gateway is ready.
func selfID(s *discordgo.Session) string {
	s.State.RLock()
	defer s.State.RUnlock()
	if s.State.User == nil {
		return ""
	}
	return s.State.User.ID
}

func (b *Bot) isClosing() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closing
}

// begin counts a handler in flight; false means the bot is shutting down.
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return false
	}
	b.inflight.Add(1)
	return true
}

func (b *Bot) shutdown(stopWork context.CancelFunc) {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	b.log.Info("shutting down: finishing the answers in flight", "grace", b.opts.ShutdownGrace)
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		if err := b.s.Close(); err != nil {
			b.log.Warn("closing the gateway", "err", b.redact(err.Error()))
		}
	}()
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	grace := time.NewTimer(b.opts.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		b.log.Warn("answers still running after the grace period: stopping them")
		stopWork()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			b.log.Warn("some handlers did not stop")
		}
	}
	<-closed
	b.log.Info("footnote bot stopped")
}

// docPath resolves a document named in a button: a path, or "#" and its hash.
func (b *Bot) docPath(a Answerer, doc string) (string, bool) {
	if !strings.HasPrefix(doc, "#") {
		return doc, true
	}
	// Not cached: the corpus may be reloaded (/reindex) while the bot runs.
	for _, s := range a.Sources() {
		if "#"+docHash(s.Doc) == doc {
			return s.Doc, true
		}
	}
	return "", false
}
