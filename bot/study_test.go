package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/cite"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/openaitest"
	"github.com/footnote-bot/footnote/retrieval"
)

const tidesReading = `Tides of the Atlantic Coast

The tide at Brest rises seven metres twice a day. Fishermen from France plan their work around it.

The harbour of Saint-Malo was walled in 1155 by the bishops of the town. Its tides are among the highest in Europe, reaching thirteen metres at the spring tide.

Oyster farms in Cancale were founded in 1850 and still send oysters to Paris every week of the year.

The lighthouse of Ushant was first lit in 1699, when ships from Spain and Portugal crowded the channel.

A tidal power station opened on the Rance in 1966, the first of its kind, with an output of 240 megawatts.

Storms in 1987 broke the sea wall at Granville, and sailors from Ireland helped to rebuild it in a year.
`

// studyEngine is a real engine over one reading with a manifest: authors,
// year and URL, for citations.
func studyEngine(tb testing.TB) *answer.Engine {
	tb.Helper()
	fsys := fstest.MapFS{
		"tides.txt": {Data: []byte(tidesReading)},
		"footnote.yaml": {Data: []byte("documents:\n  tides.txt:\n    authors: [Ana Lima, Wei Zhang]\n    year: 2019\n" +
			"    url: https://example.org/tides\n")},
	}
	c, _, err := corpus.LoadFS(context.Background(), fsys, corpus.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	return answer.New(c, ix, answer.Options{})
}

// TestCite presses Cite under an answer and a /quote reply, switches the
// style, and checks quotes with /cite.
func TestCite(t *testing.T) {
	e := startBot(t, Options{Guild: discordtest.GuildID, Mode: answer.ModeExtractive, RateEvery: -1}, studyEngine(t))
	fake := e.fake
	general := discordtest.Channel{ID: "700000000000000001"}
	u := discordtest.User{ID: fake.NewID(), Name: "student"}

	ans := fake.Slash(u, general, "ask", discordtest.Option{Name: "question", Value: "When were the oyster farms in Cancale founded?"}).
		WaitDone(t, wait, answered)
	last := ans.Messages()[len(ans.Messages())-1]
	view := fake.Click(u, last, buttonWithPrefix(t, last, "k::").CustomID).WaitAcked(t, wait)
	got := view.Original
	if !got.Ephemeral {
		t.Error("the citations were shown to everyone")
	}
	for _, want := range []string{
		"**Citations** · APA 7th",
		"```\nReference:\nLima, A., & Zhang, W. (2019). Tides of the Atlantic Coast. https://example.org/tides\nIn-text:\n",
		"“Oyster farms in Cancale were founded in 1850 and still send oysters to Paris every week of the year.” (Lima & Zhang, 2019, para. 3)",
	} {
		if !strings.Contains(got.Content, want) {
			t.Errorf("the citation view lacks %q:\n%s", want, got.Content)
		}
	}
	// Switch to MLA: the view changes in place.
	mla := fake.Click(u, got, buttonWithPrefix(t, got, "k:mla:").CustomID).WaitAcked(t, wait)
	if mla.Type != int(discordgo.InteractionResponseUpdateMessage) {
		t.Fatalf("style switch answered with type %d, want an update (7)", mla.Type)
	}
	now, _ := fake.Message(got.ID)
	if !strings.Contains(now.Content, "MLA 9th") || !strings.Contains(now.Content, "Lima, Ana, and Wei Zhang. Tides of the Atlantic Coast. 2019, example.org/tides.") ||
		!strings.Contains(now.Content, "(Lima and Zhang, par. 3)") {
		t.Errorf("MLA view:\n%s", now.Content)
	}
	chi := fake.Click(u, now, buttonWithPrefix(t, now, "k:chicago:").CustomID).WaitAcked(t, wait)
	_ = chi
	now, _ = fake.Message(got.ID)
	if !strings.Contains(now.Content, "(Lima and Zhang 2019, para. 3)") {
		t.Errorf("Chicago view:\n%s", now.Content)
	}

	// Under /quote: every passage shown is cited.
	q := fake.Slash(u, general, "quote", discordtest.Option{Name: "topic", Value: "tides of Saint-Malo"}).
		WaitDone(t, wait, func(r discordtest.Response) bool { return len(r.Messages()) > 0 })
	qlast := q.Messages()[len(q.Messages())-1]
	qv := fake.Click(u, qlast, buttonWithPrefix(t, qlast, "k::").CustomID).WaitAcked(t, wait).Original
	if n := strings.Count(qv.Content, "Reference:"); n != len(buttonsWithPrefix(qlast, "p:")) || n == 0 {
		t.Errorf("%d references for %d passages:\n%s", n, len(buttonsWithPrefix(qlast, "p:")), qv.Content)
	}

	// /cite: verbatim (typographic quotes, a line break), a near miss, an unrelated quote.
	run := func(text string, opts ...discordtest.Option) string {
		t.Helper()
		r := fake.Slash(u, general, "cite", append([]discordtest.Option{{Name: "text", Value: text}}, opts...)...).
			WaitDone(t, wait, func(r discordtest.Response) bool { return len(r.Messages()) > 0 })
		if !r.Original.Ephemeral {
			t.Errorf("/cite answered for everyone")
		}
		return shown(r.Messages())
	}
	v := run("“Its tides are among the highest\nin Europe”")
	for _, want := range []string{"**Verbatim**", "Tides of the Atlantic Coast**, ¶ 2", "reaching thirteen metres at the spring tide",
		"(Lima & Zhang, 2019, para. 2)"} {
		if !strings.Contains(v, want) {
			t.Errorf("/cite verbatim lacks %q:\n%s", want, v)
		}
	}
	near := run("The harbour of Saint-Malo was walled in 1255 by the bishops of the town.", discordtest.Option{Name: "style", Value: "chicago"})
	for _, want := range []string{"**Not verbatim.**", "[-1155-]{+1255+}", "Chicago author-date (17th) · paraphrase", "(Lima and Zhang 2019, para. 2)"} {
		if !strings.Contains(near, want) {
			t.Errorf("/cite near miss lacks %q:\n%s", want, near)
		}
	}
	if un := run("Quantum computers factor large numbers quickly"); !strings.Contains(un, "**Not found.**") || strings.Contains(un, "Reference") {
		t.Errorf("/cite unrelated:\n%s", un)
	}
	checkEveryPayload(t, fake)
}

func buttonsWithPrefix(m discordtest.Message, prefix string) []discordtest.Button {
	var out []discordtest.Button
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b.CustomID, prefix) {
			out = append(out, b)
		}
	}
	return out
}

// quizQuestions waits for n question messages in thread and returns them.
func quizQuestions(t *testing.T, fake *discordtest.Server, thread string, n int) []discordtest.Message {
	t.Helper()
	var qs []discordtest.Message
	waitFor(t, wait, "the quiz's questions", func() bool {
		qs = nil
		for _, m := range botPosts(fake, thread) {
			if strings.HasPrefix(m.Content, "**Question ") {
				qs = append(qs, m)
			}
		}
		return len(qs) == n
	})
	return qs
}

// choice returns the button of question m whose label is (or is not) the answer.
func choice(t *testing.T, m discordtest.Message, answer string, right bool) discordtest.Button {
	t.Helper()
	for _, b := range m.Buttons() {
		if (b.Label == answer) == right {
			return b
		}
	}
	t.Fatalf("no such choice under %q", m.Content)
	return discordtest.Button{}
}

// TestQuiz runs a quiz in a thread: a press counts once, the results come
// when all have answered; another quiz is stopped; a quiz survives a restart.
func TestQuiz(t *testing.T) {
	eng := studyEngine(t)
	store := &MemoryQuizzes{}
	e := startBot(t, Options{Guild: discordtest.GuildID, RateEvery: -1, Study: Study{Quizzes: store, QuizGrace: -1}}, eng)
	fake := e.fake
	general := discordtest.Channel{ID: "700000000000000001"}
	ann := discordtest.User{ID: fake.NewID(), Name: "ann"}
	bob := discordtest.User{ID: fake.NewID(), Name: "bob"}

	ix := fake.Slash(ann, general, "quiz", discordtest.Option{Name: "count", Value: 2.0})
	r := ix.WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "**Quiz**") })
	if r.Original.Ephemeral {
		t.Error("the quiz was announced privately")
	}
	var threads []discordtest.Channel
	waitFor(t, wait, "the quiz's thread", func() bool { threads = fake.Threads(general.ID); return len(threads) == 1 })
	th := threads[0]
	if th.ID != r.Original.ID || !strings.HasPrefix(th.Name, "Quiz") {
		t.Errorf("thread %+v on message %s", th, r.Original.ID)
	}
	qs := quizQuestions(t, fake, th.ID, 2)
	st, err := e.bot.loadQuiz(context.Background(), th.ID)
	if err != nil || st == nil {
		t.Fatalf("quiz state: %v", err)
	}
	for i, m := range qs {
		q := st.Questions[i]
		if len(m.Buttons()) != 4 || !strings.Contains(m.Content, "-# From Tides of the Atlantic Coast") || strings.Contains(m.Content, q.Answer) {
			t.Errorf("question message %d: %q %+v", i+1, m.Content, m.Buttons())
		}
		if !strings.Contains(q.Quote, q.Answer) || tidesReading[q.Start:q.End] != q.Quote {
			t.Errorf("question %d: answer %q, quote %q at [%d,%d)", i+1, q.Answer, q.Quote, q.Start, q.End)
		}
	}
	press := func(u discordtest.User, m discordtest.Message, b discordtest.Button) string {
		t.Helper()
		r := fake.Click(u, m, b.CustomID).WaitAcked(t, wait)
		if !r.Original.Ephemeral {
			t.Errorf("the answer to a press was shown to everyone: %q", r.Original.Content)
		}
		return shown([]discordtest.Message{r.Original})
	}
	// Ann answers question 1 right, then presses a wrong choice: the first press counts.
	if got := press(ann, qs[0], choice(t, qs[0], st.Questions[0].Answer, true)); !strings.HasPrefix(got, "✅ Right") || !strings.Contains(got, st.Questions[0].Quote) {
		t.Errorf("right answer: %s", got)
	}
	if got := press(ann, qs[0], choice(t, qs[0], st.Questions[0].Answer, false)); !strings.Contains(got, "already answered question 1") {
		t.Errorf("second press: %s", got)
	}
	// Bob answers both wrong; Ann answers question 2 wrong: all have answered all.
	if got := press(bob, qs[0], choice(t, qs[0], st.Questions[0].Answer, false)); !strings.HasPrefix(got, "❌") || !strings.Contains(got, "the answer is **") {
		t.Errorf("wrong answer: %s", got)
	}
	press(bob, qs[1], choice(t, qs[1], st.Questions[1].Answer, false))
	press(ann, qs[1], choice(t, qs[1], st.Questions[1].Answer, false))
	var results discordtest.Message
	waitFor(t, wait, "the results", func() bool {
		for _, m := range botPosts(fake, th.ID) {
			if strings.HasPrefix(m.Content, "**The quiz is over.**") {
				results = m
				return true
			}
		}
		return false
	})
	for _, want := range []string{"**Scores**\n1. <@" + ann.ID + "> — 1 of 2\n2. <@" + bob.ID + "> — 0 of 2", st.Questions[1].Answer} {
		if !strings.Contains(unescapeMarkdown(results.Content), want) {
			t.Errorf("results lack %q:\n%s", want, results.Content)
		}
	}
	if got := press(bob, qs[1], qs[1].Buttons()[0]); !strings.Contains(got, "quiz is over") {
		t.Errorf("press after the end: %s", got)
	}

	// A second quiz, on a topic, stopped early by its starter; bob may not stop it.
	ix = fake.Slash(bob, general, "quiz", discordtest.Option{Name: "topic", Value: "harbour walls and storms"}, discordtest.Option{Name: "count", Value: 3.0})
	ix.WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "**Quiz**") })
	waitFor(t, wait, "the second thread", func() bool { threads = fake.Threads(general.ID); return len(threads) == 2 })
	th2 := threads[0]
	if th2.ID == th.ID {
		th2 = threads[1]
	}
	qs2 := quizQuestions(t, fake, th2.ID, 3)
	stop := fake.Slash(ann, th2, "quiz", discordtest.Option{Name: "stop", Value: true}).WaitAcked(t, wait)
	if !strings.Contains(stop.Original.Content, "Only the person who started") {
		t.Errorf("ann stopped bob's quiz: %q", stop.Original.Content)
	}

	// The bot restarts: the quiz goes on from the store.
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}
	e2 := startBot(t, Options{Guild: discordtest.GuildID, RateEvery: -1, Study: Study{Quizzes: store}}, eng)
	q := discordtest.Message{ID: qs2[0].ID, ChannelID: th2.ID, Content: qs2[0].Content, Rows: qs2[0].Rows, Author: qs2[0].Author}
	st2, _ := e2.bot.loadQuiz(context.Background(), th2.ID)
	r2 := e2.fake.Click(ann, q, choice(t, q, st2.Questions[0].Answer, true).CustomID).WaitAcked(t, wait)
	if !strings.HasPrefix(r2.Original.Content, "✅ Right") {
		t.Errorf("a press after a restart: %q", r2.Original.Content)
	}
	r2 = e2.fake.Click(ann, q, choice(t, q, st2.Questions[0].Answer, false).CustomID).WaitAcked(t, wait)
	if !strings.Contains(r2.Original.Content, "already answered") {
		t.Errorf("a second press after a restart: %q", r2.Original.Content)
	}
	end := e2.fake.Slash(bob, discordtest.Channel{ID: th2.ID, Parent: general.ID}, "quiz", discordtest.Option{Name: "stop", Value: true}).
		WaitAcked(t, wait)
	if see := unescapeMarkdown(end.Original.Content); end.Original.Ephemeral || !strings.Contains(see, "**The quiz is over.**") ||
		!strings.Contains(see, "1. <@"+ann.ID+"> — 1 of 3") {
		t.Errorf("/quiz stop: %q", end.Original.Content)
	}
	checkEveryPayload(t, fake)
	checkEveryPayload(t, e2.fake)
}

// TestQuizWaitsForLatecomers: when the first player is done, the quiz waits
// its grace period; a latecomer's answers count, and the results come when
// they are done too.
func TestQuizWaitsForLatecomers(t *testing.T) {
	const grace = 1500 * time.Millisecond
	e := startBot(t, Options{Guild: discordtest.GuildID, RateEvery: -1, Study: Study{QuizGrace: grace}}, studyEngine(t))
	fake := e.fake
	general := discordtest.Channel{ID: "700000000000000001"}
	ann := discordtest.User{ID: fake.NewID(), Name: "ann"}
	bob := discordtest.User{ID: fake.NewID(), Name: "bob"}
	fake.Slash(ann, general, "quiz", discordtest.Option{Name: "count", Value: 2.0}).
		WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "**Quiz**") })
	var threads []discordtest.Channel
	waitFor(t, wait, "the quiz's thread", func() bool { threads = fake.Threads(general.ID); return len(threads) == 1 })
	qs := quizQuestions(t, fake, threads[0].ID, 2)
	ended := func() bool {
		for _, m := range botPosts(fake, threads[0].ID) {
			if strings.HasPrefix(m.Content, "**The quiz is over.**") {
				return true
			}
		}
		return false
	}
	fake.Click(ann, qs[0], qs[0].Buttons()[0].CustomID).WaitAcked(t, wait)
	annDone := time.Now()
	fake.Click(ann, qs[1], qs[1].Buttons()[0].CustomID).WaitAcked(t, wait)
	if r := fake.Click(bob, qs[0], qs[0].Buttons()[1].CustomID).WaitAcked(t, wait); time.Since(annDone) < grace &&
		strings.Contains(r.Original.Content, "over") {
		t.Fatalf("the quiz ended before its grace period: %q", r.Original.Content)
	}
	time.Sleep(grace + grace/2)
	if ended() {
		t.Fatal("the quiz ended while bob had a question left")
	}
	fake.Click(bob, qs[1], qs[1].Buttons()[1].CustomID).WaitAcked(t, wait)
	waitFor(t, wait, "the results", ended)
	for _, m := range botPosts(fake, threads[0].ID) {
		if strings.HasPrefix(m.Content, "**The quiz is over.**") && (!strings.Contains(m.Content, "<@"+ann.ID+">") || !strings.Contains(m.Content, "<@"+bob.ID+">")) {
			t.Errorf("both players should be scored:\n%s", m.Content)
		}
	}
	checkEveryPayload(t, fake)
}

// TestStudyRenderGolden: what people read of the study tools.
func TestStudyRenderGolden(t *testing.T) {
	eng := studyEngine(t)
	ctx := context.Background()
	ps, err := eng.Search(ctx, "oyster farms in Cancale", 2)
	if err != nil {
		t.Fatal(err)
	}
	cited := []citedPassage{{Passage: ps[0], Quotes: []string{"Oyster farms in Cancale were founded in 1850"}}, {Passage: ps[1]}}
	check := func(text string, st cite.Style) []message {
		c, err := cite.CheckQuote(ctx, eng, text, st)
		if err != nil {
			t.Fatal(err)
		}
		return renderQuoteCheck(c, st)
	}
	qz := &quizState{Thread: "123", Questions: []quizQuestion{
		{Question: "Oyster farms in Cancale were founded in _____ and still send oysters to Paris every week of the year.",
			Choices: []string{"1155", "1850", "1699", "1966"}, Answer: "1850", Title: "Tides of the Atlantic Coast", Paragraph: 3,
			Quote: "Oyster farms in Cancale were founded in 1850 and still send oysters to Paris every week of the year."},
		{Question: "Storms in 1987 broke the sea wall at Granville, and sailors from _____ helped to rebuild it in a year.",
			Choices: []string{"Spain", "France", "Ireland", "Portugal"}, Answer: "Ireland", Title: "Tides of the Atlantic Coast", Paragraph: 6,
			Quote: "Storms in 1987 broke the sea wall at Granville, and sailors from Ireland helped to rebuild it in a year."},
	}, Answers: []map[string]int{{"111": 1, "222": 0}, {"111": 2, "222": 2}}, Players: []string{"222", "111"}, Ended: true}
	for _, tt := range []struct {
		name string
		msgs []message
	}{
		{"cite_view_apa", renderCitations(cited, cite.APA, "42")},
		{"cite_view_chicago", renderCitations(cited, cite.Chicago, "42")},
		{"cite_verbatim", check("“Its tides are among the highest in Europe”", cite.APA)},
		{"cite_near_miss", check("The harbour of Saint-Malo was walled in 1255 by the bishops of the town.", cite.MLA)},
		{"cite_not_found", check("Quantum computers factor large numbers quickly", cite.APA)},
		{"quiz_question", []message{renderQuizQuestion(qz, 0)}},
		{"quiz_results", renderQuizResults(qz)},
	} {
		t.Run(tt.name, func(t *testing.T) { golden(t, tt.name, tt.msgs) })
	}
}

// TestQuizWithModel: with a model, its questions are asked when their answer
// is in the passage they cite; the one that is not is never shown.
func TestQuizWithModel(t *testing.T) {
	eng := studyEngine(t)
	srv := openaitest.New(t)
	reply, _ := json.Marshal(map[string]any{"questions": []map[string]any{
		{"passage": 1, "question": "Who helped to rebuild the sea wall at Granville?", "answer": "sailors from Ireland",
			"distractors": []string{"monks from Spain", "fishermen from Brest", "soldiers from Portugal"}},
		{"passage": 1, "question": "Who built the harbour?", "answer": "Roman engineers",
			"distractors": []string{"a", "b", "c"}},
	}})
	srv.Script(openaitest.Answer(string(reply), 40))
	w, err := answer.NewOpenAIWriter(answer.LLMOptions{BaseURL: srv.BaseURL(), Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	e := startBot(t, Options{Guild: discordtest.GuildID, RateEvery: -1, Study: Study{QuizModel: w, QuizGrace: -1}}, eng)
	fake := e.fake
	general := discordtest.Channel{ID: "700000000000000001"}
	u := discordtest.User{ID: fake.NewID(), Name: "ann"}
	fake.Slash(u, general, "quiz", discordtest.Option{Name: "topic", Value: "storms and the sea wall at Granville"}, discordtest.Option{Name: "count", Value: 2.0}).
		WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "**Quiz**") })
	var threads []discordtest.Channel
	waitFor(t, wait, "the quiz's thread", func() bool { threads = fake.Threads(general.ID); return len(threads) == 1 })
	qs := quizQuestions(t, fake, threads[0].ID, 2)
	if !strings.Contains(qs[0].Content, "Who helped to rebuild the sea wall at Granville?") || len(qs[0].Buttons()) != 4 {
		t.Errorf("the model's question: %q %+v", qs[0].Content, qs[0].Buttons())
	}
	for _, q := range qs {
		if strings.Contains(q.Content, "Who built the harbour?") {
			t.Errorf("a question whose answer is not in its passage was shown: %q", q.Content)
		}
	}
	got := fake.Click(u, qs[0], choice(t, qs[0], "sailors from Ireland", true).CustomID).WaitAcked(t, wait).Original.Content
	if !strings.HasPrefix(got, "✅ Right") || !strings.Contains(got, "Storms in 1987 broke the sea wall at Granville") {
		t.Errorf("answer: %q", got)
	}
	checkEveryPayload(t, fake)
}

// TestQuizInAThread: /quiz used in a thread runs there (no thread in a
// thread), and a second one waits for the first to end.
func TestQuizInAThread(t *testing.T) {
	e := startBot(t, Options{Guild: discordtest.GuildID, RateEvery: -1, Study: Study{QuizGrace: -1}}, studyEngine(t))
	fake := e.fake
	th := discordtest.Channel{ID: "700000000000000099", Parent: "700000000000000001", Name: "study"}
	u := discordtest.User{ID: fake.NewID(), Name: "ann"}
	fake.Slash(u, th, "quiz", discordtest.Option{Name: "count", Value: 1.0}).
		WaitDone(t, wait, func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "**Quiz**") })
	quizQuestions(t, fake, th.ID, 1)
	again := fake.Slash(u, th, "quiz", discordtest.Option{Name: "count", Value: 1.0}).WaitAcked(t, wait).Original
	if !again.Ephemeral || !strings.Contains(again.Content, "A quiz is already running here") {
		t.Errorf("a second quiz in the thread: %+v", again)
	}
	if n := len(quizQuestions(t, fake, th.ID, 1)); n != 1 {
		t.Errorf("%d questions in the thread, want the first quiz's 1", n)
	}
	checkEveryPayload(t, fake)
}
