// Package store owns what outlives a process: the reading lists of guilds and
// channels with their documents (original bytes, extracted text, passages and
// vectors), the history of thread conversations, and the votes on answers.
//
// Store is the contract; package store/embedded keeps it in a data folder
// (SQLite plus one index file per reading) and a PostgreSQL implementation
// follows. Both must pass the conformance suite in store/storetest. Parsing
// files and embedding passages are not the store's: an Addition arrives with
// its document, passages and vectors made, and a loaded list is handed to
// indexfile.NewFromSaved to be searched.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/indexfile"
)

// Store keeps the state of a bot. Every method is safe for concurrent use,
// by goroutines and, on the same data, by other processes. Every write is
// all-or-nothing: a crash loses at most the write in flight, and the store
// opens afterwards with everything committed before it.
//
// Reading-level methods take the guild as well as the id and answer
// ErrNotFound for a reading of another guild: an id alone never reaches
// across guilds.
type Store interface {
	// AddReading adds one reading to the list a.List, checking inside one
	// transaction that it is not a duplicate (a *DuplicateError, errors.Is
	// ErrDuplicate) and that the guild stays within a.Limits (a *LimitError,
	// errors.Is ErrLimit). Of two additions racing for the last place, one
	// lands and the other gets the *LimitError.
	AddReading(ctx context.Context, a Addition) (Reading, error)
	// RemoveReading removes a reading of the guild with everything it holds.
	RemoveReading(ctx context.Context, guild, id string) (Reading, error)
	// Reading returns one reading of the guild.
	Reading(ctx context.Context, guild, id string) (Reading, error)
	// Readings returns every reading of the guild, guild-wide and of each
	// channel, oldest first.
	Readings(ctx context.Context, guild string) ([]Reading, error)
	// Lists returns every list that holds at least one reading.
	Lists(ctx context.Context) ([]List, error)
	// LoadList returns a list's readings with their documents, passages and
	// vectors. Only readings embedded by embedder are in Loaded.Index; the
	// others are in Loaded.Stale. A list without readings loads empty.
	LoadList(ctx context.Context, l List, embedder string) (*Loaded, error)
	// ListVersion is a number that grows with every change to the list: a
	// holder of a loaded list reloads it when the version moved.
	ListVersion(ctx context.Context, l List) (int64, error)
	// Original returns a reading's original bytes, as they were added.
	Original(ctx context.Context, guild, id string) ([]byte, error)

	// Conversation returns a conversation with its turns, oldest first, or
	// ErrNotFound.
	Conversation(ctx context.Context, id string) (Conversation, error)
	// SaveConversation creates a conversation or updates its guild and
	// parent; its turns are kept (c.Turns is not read).
	SaveConversation(ctx context.Context, c Conversation) error
	// AppendTurn adds a turn to a conversation, creating it (with no guild or
	// parent) when it does not exist, and keeps only its last keep turns
	// (keep <= 0 keeps DefaultKeepTurns).
	AppendTurn(ctx context.Context, conversation string, t Turn, keep int) error
	// PruneConversations removes the conversations not updated since before,
	// with their turns, and returns how many it removed.
	PruneConversations(ctx context.Context, before time.Time) (int, error)

	// AddVote records a vote by the Discord user userID: v.User is set to
	// HashUser(userID). A later vote by the same user on the same answer
	// supersedes the earlier one.
	AddVote(ctx context.Context, userID string, v Vote) error
	// Votes returns the votes that stand (each user's last on each answer), in
	// the order they were cast.
	Votes(ctx context.Context) ([]Vote, error)
	// HashUser is the stored form of a user id: an HMAC-SHA256 under a key the
	// store keeps, so votes by one person can be told apart but not traced to
	// them without the key.
	HashUser(userID string) string
	// ImportVotes imports a votes file of the bot's former format (JSON lines,
	// with its key in path+".key") once: a second call with the same file
	// imports nothing and returns 0. A missing file imports nothing.
	ImportVotes(ctx context.Context, path string) (int, error)

	// Close releases the store; calls after it fail.
	Close() error
}

// Defaults of the limits and of the turns a conversation keeps.
const (
	DefaultMaxReadings = 200
	DefaultMaxPassages = 100_000
	DefaultKeepTurns   = 6
)

// List names a reading list: a guild's (Channel "") or one channel's, seen
// only in that channel and its threads.
type List struct {
	Guild   string
	Channel string
}

func (l List) String() string {
	if l.Channel == "" {
		return "guild " + l.Guild
	}
	return "guild " + l.Guild + " channel " + l.Channel
}

// Limits bound what one guild holds, all its lists together. A zero field
// means its default; a negative one, no limit.
type Limits struct {
	MaxReadings int
	MaxPassages int
}

// Effective returns the limits with defaults filled in; -1 means none.
func (l Limits) Effective() Limits {
	fill := func(n, def int) int {
		switch {
		case n == 0:
			return def
		case n < 0:
			return -1
		}
		return n
	}
	return Limits{MaxReadings: fill(l.MaxReadings, DefaultMaxReadings), MaxPassages: fill(l.MaxPassages, DefaultMaxPassages)}
}

// Addition is a reading to add: its list, its description and the document
// read from its file, with passages and their vectors made.
type Addition struct {
	List List
	// Title, Authors, Year and URL describe the reading; an empty Title or
	// missing metadata is taken from Doc.
	Title   string
	Authors []string
	Year    int
	URL     string
	// FileName is the name of the file it was read from (no folders).
	FileName string
	// Original is the file's bytes, kept to be exported again.
	Original []byte
	// AddedBy is the Discord user id (or "operator" for the CLI).
	AddedBy string
	// Doc is the document read from Original, with Passages and Vectors
	// (Vectors[i] for Passages[i]) made by the embedder named Embedder. The
	// store replaces Doc.Path and each Passage.Doc with the reading's DocPath
	// (and Title, when given) so that paths are unique across lists.
	Doc      corpus.Document
	Passages []corpus.Passage
	Vectors  [][]float32
	Embedder string
	// Limits are checked inside the addition's transaction.
	Limits Limits
	// Now is the time of the addition; zero means time.Now().
	Now time.Time
	// ID is the reading's id; "" means a new one (NewID). It is set only
	// to move a reading from one store to another (footnote
	// migrate-store), keeping the ids that citations and votes name.
	ID string
}

// Reading is a reading in a list, as listed.
type Reading struct {
	ID      string   `json:"id"`
	Guild   string   `json:"guild"`
	Channel string   `json:"channel"` // "" for a guild-wide reading
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	Year    int      `json:"year"`
	URL     string   `json:"url"`
	// FileName and SHA256 are the original file's name and the hash of its bytes.
	FileName string    `json:"file_name"`
	SHA256   string    `json:"sha256"` // hex
	Size     int64     `json:"size"`
	Format   string    `json:"format"` // as corpus.Document.Format
	AddedBy  string    `json:"added_by"`
	AddedAt  time.Time `json:"added_at"`
	Passages int       `json:"passages"`
	Pages    int       `json:"pages"`
	Embedder string    `json:"embedder"`
	// DocPath is the Document.Path of the reading in a loaded list:
	// "ID/FileName".
	DocPath string `json:"doc_path"`
}

// List returns the list the reading is in.
func (r Reading) List() List { return List{Guild: r.Guild, Channel: r.Channel} }

// Loaded is a reading list loaded for searching.
type Loaded struct {
	List List
	// Readings are the readings in Index, in the order of their documents.
	Readings []Reading
	// Index holds the documents, passages and vectors of Readings, ready for
	// indexfile.NewFromSaved; its Embedder is the one asked for.
	Index *indexfile.Saved
	// Stale are readings whose vectors were made by another embedder: they
	// need embedding again before they can be searched with this one.
	Stale []Reading
	// Damaged are readings whose documents could not be read, with why.
	Damaged []DamagedReading
	// Version is the list's version when it was loaded (see ListVersion).
	Version int64
}

// DamagedReading is a reading whose stored document could not be read.
type DamagedReading struct {
	Reading Reading
	Err     error
}

// Conversation is a thread (or DM) the bot answers in.
type Conversation struct {
	ID      string // the thread or DM channel
	Guild   string // "" for a DM
	Parent  string // the channel a thread was started in
	Turns   []Turn // oldest first
	Updated time.Time
}

// Turn is one question and its answer in a conversation.
type Turn struct {
	Question string
	Answer   string
	At       time.Time
}

// Vote is one click on "Helpful" or "Not helpful" (the bot's former votes
// file held one per line, in this JSON form).
type Vote struct {
	Time    time.Time `json:"time"`
	Helpful bool      `json:"helpful"`
	// AnswerID is the interaction or message the answer was given for.
	AnswerID  string            `json:"answer_id"`
	Question  string            `json:"question"`
	Answer    string            `json:"answer"`
	Citations []answer.Citation `json:"citations"`
	// User is HashUser of the voter's Discord user id.
	User string `json:"user"`
}

// Errors of a Store, wrapped with details; test them with errors.Is or, for
// the typed ones, errors.As.
var (
	// ErrNotFound: no such reading in the guild, or no such conversation.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: the reading's bytes are already in the list (see
	// DuplicateError).
	ErrDuplicate = errors.New("already in the reading list")
	// ErrLimit: the guild's list is full (see LimitError).
	ErrLimit = errors.New("reading list full")
	// ErrInvalid: an Addition that cannot be stored as given (no passages,
	// vectors that do not match, no guild ...).
	ErrInvalid = errors.New("invalid addition")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrUnavailable: the store's database cannot be reached now (a server
	// store while it restarts); the operation did not happen and may be
	// tried again.
	ErrUnavailable = errors.New("store unavailable")
)

// DuplicateError refuses an addition whose bytes are those of a reading the
// list (or, for a channel's list, the guild-wide list) already holds.
type DuplicateError struct {
	Existing Reading
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("the same file is already in the reading list as %q (%s)", e.Existing.Title, e.Existing.ID)
}

func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// LimitError refuses an addition that would take a guild past a limit.
type LimitError struct {
	What string // "readings" or "passages"
	N    int    // how many the guild would hold with the addition
	Max  int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the guild's reading lists would hold %d %s, more than the limit of %d", e.N, e.What, e.Max)
}

func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// Hash returns the hex SHA-256 of b, as Reading.SHA256 holds it.
func Hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
