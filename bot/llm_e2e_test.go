package bot

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/openaitest"
	"github.com/footnote-bot/footnote/retrieval"
)

// Footnote on Discord with a language model, end to end: the real engine over
// the default corpus writing through an OpenAIWriter to the fake OpenAI
// server, the real bot, and the fake Discord a real discordgo session talks to.

// xiQuestion is answered by the first paragraph of the China-LatAm document.
const xiQuestion = "When did Xi Jinping meet the leaders of Latin American and Caribbean countries in Brazil?"

// llmEnv is a bot answering with a language model.
type llmEnv struct {
	*env
	model *openaitest.Server
	eng   *recordingEngine
}

// startLLMBot runs a bot (opts with the test guild and no per-user rate limit)
// over the real engine, whose writer talks to a new fake OpenAI server. The
// writer retries once after 10 ms, stops a stream quiet for 2 s and gives up
// after 10 s; change adjusts that.
func startLLMBot(tb testing.TB, opts Options, change func(*answer.LLMOptions)) *llmEnv {
	tb.Helper()
	model := openaitest.New(tb)
	lo := answer.LLMOptions{
		BaseURL: model.BaseURL(), Model: "test",
		Retries: 1, Backoff: 10 * time.Millisecond,
		Timeout: 10 * time.Second, StallTimeout: 2 * time.Second,
	}
	if change != nil {
		change(&lo)
	}
	w, err := answer.NewOpenAIWriter(lo)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := corpus.Default()
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	eng := &recordingEngine{Engine: answer.New(c, ix, answer.Options{Writer: w})}
	opts.Guild = discordtest.GuildID
	opts.RateEvery = -1
	return &llmEnv{env: startBot(tb, opts, eng), model: model, eng: eng}
}

// recordingEngine is the real engine, keeping the requests it was asked and
// the answers it returned.
type recordingEngine struct {
	*answer.Engine
	mu   sync.Mutex
	asks []asked
}

type asked struct {
	req answer.Request
	ans *answer.Answer
}

func (r *recordingEngine) Ask(ctx context.Context, req answer.Request) (*answer.Answer, error) {
	a, err := r.Engine.Ask(ctx, req)
	r.mu.Lock()
	r.asks = append(r.asks, asked{req, a})
	r.mu.Unlock()
	return a, err
}

// asked returns the last request for question q and its answer.
func (r *recordingEngine) asked(tb testing.TB, q string) asked {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.asks) - 1; i >= 0; i-- {
		if r.asks[i].req.Question == q {
			return r.asks[i]
		}
	}
	tb.Fatalf("the engine was never asked %q", q)
	return asked{}
}

// top returns the passage retrieval puts first for q.
func (e *llmEnv) top(tb testing.TB, q string) answer.Passage {
	tb.Helper()
	ps, err := e.eng.Search(context.Background(), q, 0)
	if err != nil || len(ps) == 0 {
		tb.Fatalf("search %q: %v, %d passages", q, err, len(ps))
	}
	return ps[0]
}

// leadingWords returns the first n words of text as they stand in it, without
// trailing punctuation: a phrase a model may quote verbatim.
func leadingWords(text string, n int) string {
	words := strings.Fields(text)
	if len(words) > n {
		words = words[:n]
	}
	return strings.TrimRight(strings.Join(words, " "), ".,;:!?")
}

// edit is one PATCH of an interaction's original response.
type edit struct {
	At time.Time
	// Content is what a reader sees.
	Content string
	// Final is set when the edit carries buttons: the answer's final form (or
	// a failure); streaming edits change the text only.
	Final bool
}

func originalEdits(tb testing.TB, fake *discordtest.Server, ix *discordtest.Interaction) []edit {
	tb.Helper()
	var out []edit
	for _, r := range requestsTo(fake, "PATCH", "/"+ix.Token+"/messages/@original") {
		var body struct {
			Content    *string          `json:"content"`
			Components *json.RawMessage `json:"components"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.Content == nil {
			tb.Fatalf("PATCH %s: body %s: %v", r.Path, r.Body, err)
		}
		out = append(out, edit{At: r.At, Content: unescapeMarkdown(*body.Content), Final: body.Components != nil})
	}
	return out
}

// halfCitation finds a "[" that does not start a whole citation like [1] or [1, 3].
var citation = regexp.MustCompile(`^\[\d+(?:\s*[,;]\s*\d+)*\]`)

func halfCitation(text string) (string, bool) {
	for i := strings.IndexByte(text, '['); i >= 0; i = next(text, i) {
		rest := text[i:]
		if strings.HasPrefix(rest, "[…]") { // a shortened quote
			continue
		}
		if !citation.MatchString(rest) {
			end := min(len(rest), 12)
			return rest[:end], true
		}
	}
	return "", false
}

func next(text string, i int) int {
	j := strings.IndexByte(text[i+1:], '[')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

const (
	writingFooter    = "-# Writing… the quotes are checked when the answer is complete."
	llmFooter        = "-# Written by a language model; every quote above is checked word for word against its source."
	extractiveFooter = "-# Sentences taken from the sources as they are; no language model wrote this."
)

func TestLLMStreamsGroundedAnswer(t *testing.T) {
	const every = 500 * time.Millisecond
	e := startLLMBot(t, Options{StreamEvery: every}, nil)
	top := e.top(t, xiQuestion)
	quote := leadingWords(top.Text, 8) // "During his visit to Brazil in July 2014"
	cut := strings.LastIndexByte(quote, ' ')
	// Eight chunks 300 ms apart; three citations arrive split across chunks.
	chunks := []string{
		"Xi Jinping met the leaders ",
		"of 11 countries in July 2014 [",
		"1]. In the source's words: “" + quote[:cut],
		quote[cut:] + "” [1",
		"]. It was the first ",
		"such meeting between Chinese ",
		"and LatAm leaders [1",
		"].",
	}
	e.model.Script(openaitest.Reply{Chunks: chunks, Delay: 300 * time.Millisecond})

	u := discordtest.User{ID: e.fake.NewID(), Name: "reader"}
	ix := e.fake.Slash(u, discordtest.Channel{ID: "700000000000000001"}, "ask", discordtest.Option{Name: "question", Value: xiQuestion})
	r := ix.WaitDone(t, 20*time.Second, answered)

	chats := e.model.ChatRequests()
	if len(chats) != 1 || !chats[0].Chat.Stream {
		t.Fatalf("%d chat requests, want 1 streamed", len(chats))
	}
	prompt := chats[0].Chat.Messages[len(chats[0].Chat.Messages)-1].Content
	if !strings.Contains(prompt, `<passage n="1"`) || !strings.Contains(prompt, quote) || !strings.Contains(prompt, xiQuestion) {
		t.Errorf("the model was not given the question and passage 1:\n%s", prompt)
	}

	edits := originalEdits(t, e.fake, ix)
	var partial []edit
	for i, ed := range edits {
		if ed.Final {
			if i != len(edits)-1 {
				t.Errorf("edit %d of %d is final, yet more followed", i+1, len(edits))
			}
			continue
		}
		partial = append(partial, ed)
		if !strings.HasSuffix(ed.Content, writingFooter) || strings.Contains(ed.Content, "**Sources:**") {
			t.Errorf("partial edit %d does not read as writing in progress:\n%s", i+1, ed.Content)
		}
		if half, ok := halfCitation(ed.Content); ok {
			t.Errorf("partial edit %d shows a half-written citation %q:\n%s", i+1, half, ed.Content)
		}
	}
	if len(partial) < 3 {
		t.Errorf("%d partial edits over a 2.4 s stream edited every %v; want at least 3", len(partial), every)
	}
	for i := 1; i < len(partial); i++ {
		if gap := partial[i].At.Sub(partial[i-1].At); gap < every*8/10 {
			t.Errorf("partial edits %d and %d came %v apart, under StreamEvery %v", i, i+1, gap, every)
		}
		if partial[i].Content == partial[i-1].Content {
			t.Errorf("partial edits %d and %d show the same text", i, i+1)
		}
	}
	if last := e.model.Chunks(); len(partial) > 0 && len(last) > 0 && !partial[0].At.Before(last[len(last)-1].At) {
		t.Error("no partial edit came before the model finished")
	}

	final := shown(r.Messages())
	for _, want := range []string{
		"“" + quote + "” [1]",       // the checked answer keeps its verified quote
		"> \"" + quote,              // and shows it under the answer
		"**Sources:** " + top.Title, // with the sources
		llmFooter,
	} {
		if !strings.Contains(final, want) {
			t.Errorf("the final answer lacks %q:\n%s", want, final)
		}
	}
	if strings.Contains(final, "Writing…") || strings.Contains(final, "not verified") {
		t.Errorf("the final answer:\n%s", final)
	}

	a := e.eng.asked(t, xiQuestion).ans
	js, _ := json.Marshal(a)
	if a == nil || !strings.Contains(string(js), `"mode":"llm"`) {
		t.Errorf("the engine answered %s, want mode llm", js)
	} else if !slices.ContainsFunc(a.Citations, func(c answer.Citation) bool { return c.N == 1 && c.Quote == quote }) {
		t.Errorf("citations %+v, want passage 1 quoted %q", a.Citations, quote)
	}
	answeredLLM := regexp.MustCompile(`msg=answered .*mode=llm`)
	waitFor(t, wait, "the answered line with mode=llm in the log", func() bool { return answeredLLM.MatchString(e.logs.String()) })
	checkEveryPayload(t, e.fake)
	t.Logf("%d partial edits, then:\n%s", len(partial), final)
}

func TestLLMFabricatedQuoteNeverShownAsQuote(t *testing.T) {
	e := startLLMBot(t, Options{StreamEvery: 200 * time.Millisecond}, nil)
	const made = "the moon is made of green cheese"
	text := "At the meeting in July 2014 the leaders agreed that “" + made + "” [1]. They also decided to set up a forum [1]."
	e.model.Script(openaitest.Reply{Chunks: openaitest.Split(text, 6), Delay: 50 * time.Millisecond})

	u := discordtest.User{ID: e.fake.NewID(), Name: "reader"}
	ix := e.fake.Slash(u, discordtest.Channel{ID: "700000000000000001"}, "ask", discordtest.Option{Name: "question", Value: xiQuestion})
	r := ix.WaitDone(t, 20*time.Second, answered)

	asQuote := regexp.MustCompile(`["“„«]\s*` + made)
	edits := originalEdits(t, e.fake, ix)
	partial := 0
	for i, ed := range edits {
		if !ed.Final {
			partial++
		}
		if asQuote.MatchString(ed.Content) {
			t.Errorf("edit %d shows the made-up phrase as a quote:\n%s", i+1, ed.Content)
		}
	}
	if partial == 0 {
		t.Error("no partial edit: the stream was not shown as it came")
	}
	final := shown(r.Messages())
	if asQuote.MatchString(final) {
		t.Errorf("the final answer shows the made-up phrase as a quote:\n%s", final)
	}
	if strings.Contains(final, made) && !strings.Contains(final, made+" (not verified)") {
		t.Errorf("the final answer shows the made-up phrase unmarked:\n%s", final)
	}
	if !strings.Contains(final, "-# One quote was not found in the passage it cites and is marked (not verified).") {
		t.Errorf("the final answer does not say a quote was not verified:\n%s", final)
	}
	for _, c := range e.eng.asked(t, xiQuestion).ans.Citations {
		if strings.Contains(c.Quote, "green cheese") {
			t.Errorf("a citation quotes the made-up phrase: %+v", c)
		}
	}
	checkEveryPayload(t, e.fake)
}

// TestLLMFailureFallsBack: whatever the model does wrong, the user gets the
// extractive answer with one line saying the model did not answer, in time.
func TestLLMFailureFallsBack(t *testing.T) {
	e := startLLMBot(t, Options{StreamEvery: 200 * time.Millisecond}, func(o *answer.LLMOptions) {
		o.Timeout = 3 * time.Second
		o.StallTimeout = time.Second
	})
	general := discordtest.Channel{ID: "700000000000000001"}
	for _, tc := range []struct {
		name  string
		reply openaitest.Reply
		// calls is how many chat requests the answer makes.
		calls  int
		reason string
		within time.Duration
	}{
		{"server errors", openaitest.Error(500, ""), 2, "its server failed with HTTP 500", 3 * time.Second},
		{"rate limited", openaitest.Error(429, "0"), 2, "its server is rate-limiting requests", 3 * time.Second},
		{"stalls", openaitest.Reply{Chunks: openaitest.Split("Xi Jinping met the leaders", 4), Delay: 50 * time.Millisecond, Stall: true},
			1, "it stopped sending text", 4 * time.Second},
		{"cut off", openaitest.Reply{Chunks: openaitest.Split("Xi Jinping met the leaders", 4), Delay: 50 * time.Millisecond, Cut: true},
			1, "its reply was cut off", 3 * time.Second},
		{"too slow", openaitest.Reply{Chunks: openaitest.Split("Xi Jinping met the leaders of eleven countries in 2014 [1].", 4), Delay: 600 * time.Millisecond},
			1, "no answer within 3s", 6 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.model.Script(tc.reply)
			before := len(e.model.ChatRequests())
			u := discordtest.User{ID: e.fake.NewID(), Name: "reader"}
			ix := e.fake.Slash(u, general, "ask", discordtest.Option{Name: "question", Value: xiQuestion})
			r := ix.WaitDone(t, 20*time.Second, answered)
			if took := r.Original.Updated.Sub(ix.Sent); took > tc.within {
				t.Errorf("answered after %v, want within %v", took, tc.within)
			}
			if n := len(e.model.ChatRequests()) - before; n != tc.calls {
				t.Errorf("%d chat requests, want %d", n, tc.calls)
			}
			final := shown(r.Messages())
			note := "-# The language model did not answer (" + tc.reason + "); this is the extractive answer."
			if !strings.Contains(final, extractiveFooter+"\n"+note) || strings.Count(final, "did not answer") != 1 {
				t.Errorf("want the extractive answer with the note %q:\n%s", note, final)
			}
			if !strings.Contains(final, "July 2014") || !strings.Contains(final, "[1]") || strings.Contains(final, "Writing…") {
				t.Errorf("not the extractive answer:\n%s", final)
			}
			if a := e.eng.asked(t, xiQuestion).ans; a.Mode != answer.ModeExtractive {
				t.Errorf("mode %q", a.Mode)
			}
		})
	}
	checkEveryPayload(t, e.fake)
}

// TestLLMSlowerThanTheBotsDeadline: a model still writing when the bot's own
// AnswerTimeout runs out does not cost the user the extractive answer.
func TestLLMSlowerThanTheBotsDeadline(t *testing.T) {
	const deadline = 2 * time.Second
	e := startLLMBot(t, Options{StreamEvery: 200 * time.Millisecond, AnswerTimeout: deadline}, func(o *answer.LLMOptions) {
		o.Timeout = 30 * time.Second
		o.StallTimeout = 20 * time.Second
	})
	e.model.Script(openaitest.Reply{Chunks: openaitest.Split("Xi Jinping met the leaders", 4), Delay: 50 * time.Millisecond, Stall: true})
	u := discordtest.User{ID: e.fake.NewID(), Name: "reader"}
	ix := e.fake.Slash(u, discordtest.Channel{ID: "700000000000000001"}, "ask", discordtest.Option{Name: "question", Value: xiQuestion})
	r := ix.WaitDone(t, 20*time.Second, func(r discordtest.Response) bool {
		return answered(r) || strings.Contains(shown(r.Messages()), "went wrong")
	})
	if took := r.Original.Updated.Sub(ix.Sent); took > deadline+2*time.Second {
		t.Errorf("answered after %v, the bot's deadline is %v", took, deadline)
	}
	final := shown(r.Messages())
	if !answered(r) || !strings.Contains(final, extractiveFooter) || !strings.Contains(final, "did not answer") {
		t.Errorf("want the extractive answer with a note:\n%s", final)
	}
	checkEveryPayload(t, e.fake)
}

// TestLLMFollowUpInThread: a follow-up in the bot's thread is rewritten by the
// model into a standalone question, which is then answered.
func TestLLMFollowUpInThread(t *testing.T) {
	e := startLLMBot(t, Options{}, nil)
	const (
		follow     = "What forum did they decide to set up?"
		standalone = "What forum did China and the Latin American and Caribbean leaders decide to set up in 2014?"
	)
	e.model.Script(
		openaitest.Answer("Xi Jinping met them in Brazil in July 2014 [1].", 5),
		openaitest.Reply{Chunks: []string{standalone}}, // the rewrite, not streamed
		openaitest.Answer("They decided to set up the China-CELAC Forum [1].", 5),
	)
	general := discordtest.Channel{ID: "700000000000000001"}
	ivy := discordtest.User{ID: e.fake.NewID(), Name: "ivy"}
	q := e.fake.Say(ivy, general, xiQuestion, true)
	var thread discordtest.Channel
	waitFor(t, wait, "a thread for the question", func() bool {
		for _, th := range e.fake.Threads(general.ID) {
			if th.ID == q.ID {
				thread = th
				return true
			}
		}
		return false
	})
	waitFor(t, 20*time.Second, "the answer in the thread", func() bool { return hasVotes(e.fake.ChannelMessages(thread.ID)) })
	if see := shown(e.fake.ChannelMessages(thread.ID)); !strings.Contains(see, "July 2014 [1]") || !strings.Contains(see, llmFooter) {
		t.Errorf("the first answer is not the model's:\n%s", see)
	}

	f := e.fake.Say(ivy, thread, follow, false)
	waitFor(t, 20*time.Second, "the follow-up's answer", func() bool {
		msgs := e.fake.ChannelMessages(thread.ID)
		return len(msgs) >= 3 && hasVotes(msgs) && msgs[len(msgs)-1].Reference == f.ID
	})

	chats := e.model.ChatRequests()
	if len(chats) != 3 {
		t.Fatalf("%d chat requests, want answer, rewrite, answer", len(chats))
	}
	last := func(r openaitest.Request) string { return r.Chat.Messages[len(r.Chat.Messages)-1].Content }
	rw := chats[1]
	if rw.Chat.Stream || !strings.Contains(rw.Chat.Messages[0].Content, "standalone question") ||
		!strings.Contains(last(rw), "<question>"+xiQuestion+"</question>") ||
		!strings.Contains(last(rw), "<follow_up>"+follow+"</follow_up>") {
		t.Errorf("the second request is not a rewrite of the follow-up with the earlier turn:\n%s", rw.Body)
	}
	ans := last(chats[2])
	if !chats[2].Chat.Stream || !strings.Contains(ans, "<question>"+standalone+"</question>") || strings.Contains(ans, follow) {
		t.Errorf("the follow-up was not answered as the standalone question:\n%s", ans)
	}
	if !strings.Contains(ans, "China-CELAC Forum") {
		t.Errorf("the passages retrieved for the standalone question do not name the forum:\n%s", ans)
	}
	got := e.eng.asked(t, follow)
	if len(got.req.History) != 1 || got.req.History[0].Question != xiQuestion {
		t.Errorf("the follow-up was asked with history %+v", got.req.History)
	}
	if got.ans == nil || got.ans.Mode != answer.ModeLLM {
		t.Errorf("the follow-up's answer: %+v", got.ans)
	}
	if see := shown(e.fake.ChannelMessages(thread.ID)[2:]); !strings.Contains(see, "China-CELAC Forum [1]") || !strings.Contains(see, llmFooter) {
		t.Errorf("the follow-up's answer:\n%s", see)
	}
	checkEveryPayload(t, e.fake)
}
