package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/footnote-bot/footnote/cite"
	"github.com/footnote-bot/footnote/quiz"
)

// Study configures the study tools: the Cite button, /cite and /quiz. Zero
// values are documented defaults.
type Study struct {
	// CitationStyle is the style the Cite button shows first: "apa" (or ""),
	// "mla" or "chicago".
	CitationStyle string
	// Quizzes keeps the quizzes, so that one survives a restart; nil keeps
	// them in memory (MemoryQuizzes).
	Quizzes QuizStore
	// QuizModel, when set, writes quiz questions (each checked against its
	// passage); nil: questions are made from the readings alone.
	QuizModel quiz.Model
	// QuizGrace is how long a quiz waits, once everyone who has answered has
	// answered every question, for latecomers before it ends and shows the
	// scores; 0 means 1 minute, negative ends it at once.
	QuizGrace time.Duration
}

// QuizStore keeps each thread's quiz as an opaque record (the bot's JSON):
// a store needs no knowledge of quizzes to implement it.
type QuizStore interface {
	// LoadQuiz returns the record saved for thread, nil if there is none.
	LoadQuiz(ctx context.Context, thread string) ([]byte, error)
	// SaveQuiz replaces the record of thread.
	SaveQuiz(ctx context.Context, thread string, record []byte) error
}

// MemoryQuizzes is a QuizStore in memory: quizzes last as long as it does.
// It is safe for concurrent use.
type MemoryQuizzes struct {
	mu sync.Mutex
	m  map[string][]byte
}

// LoadQuiz implements QuizStore.
func (s *MemoryQuizzes) LoadQuiz(_ context.Context, thread string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.m[thread]...), nil
}

// SaveQuiz implements QuizStore.
func (s *MemoryQuizzes) SaveQuiz(_ context.Context, thread string, record []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[thread] = append([]byte(nil), record...)
	return nil
}

// study is the bot's state for the study tools.
type study struct {
	style   cite.Style
	quizzes QuizStore
	model   quiz.Model
	grace   time.Duration
	// views holds what a citation view cites, by view ID, for its style buttons.
	views *lru[string, []citeItem]

	mu    sync.Mutex
	locks map[string]*sync.Mutex // one per quiz thread: a press is read, changed and saved whole
}

func newStudy(o Study) (*study, error) {
	st, err := cite.ParseStyle(o.CitationStyle)
	if err != nil {
		return nil, fmt.Errorf("citation style: %w", err)
	}
	switch {
	case o.QuizGrace == 0:
		o.QuizGrace = time.Minute
	case o.QuizGrace < 0:
		o.QuizGrace = 0
	}
	if o.Quizzes == nil {
		o.Quizzes = &MemoryQuizzes{}
	}
	return &study{style: st, quizzes: o.Quizzes, model: o.QuizModel, grace: o.QuizGrace, views: newLRU[string, []citeItem](2048),
		locks: map[string]*sync.Mutex{}}, nil
}

// lock holds thread's quiz until the returned function is called.
func (s *study) lock(thread string) func() {
	s.mu.Lock()
	l, ok := s.locks[thread]
	if !ok {
		l = &sync.Mutex{}
		s.locks[thread] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}
