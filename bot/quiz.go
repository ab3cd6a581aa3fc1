package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/quiz"
)

// Quiz buttons: "z:<thread>:<question>:<choice>", all numbers from 0.
const kindQuiz = "z"

const quizRunning = "A quiz is already running here: answer it, or end it with `/quiz stop:True`."

// quizState is a thread's quiz as the store keeps it (JSON).
type quizState struct {
	Thread    string         `json:"thread"`
	Channel   string         `json:"channel"`
	Starter   string         `json:"starter"`
	Topic     string         `json:"topic,omitempty"`
	Started   time.Time      `json:"started"`
	Questions []quizQuestion `json:"questions"`
	// Answers holds, for each question, each player's choice.
	Answers []map[string]int `json:"answers"`
	// Players are the users who answered, in order of their first answer.
	Players []string `json:"players"`
	Ended   bool     `json:"ended"`
}

type quizQuestion struct {
	Question  string   `json:"question"`
	Choices   []string `json:"choices"`
	Answer    string   `json:"answer"`
	Doc       string   `json:"doc"`
	Title     string   `json:"title"`
	Start     int      `json:"start"`
	End       int      `json:"end"`
	Quote     string   `json:"quote"`
	Section   string   `json:"section,omitempty"`
	Paragraph int      `json:"paragraph,omitempty"`
	Page      int      `json:"page,omitempty"`
}

func (q quizQuestion) correct() int {
	for i, c := range q.Choices {
		if c == q.Answer {
			return i
		}
	}
	return -1
}

// done reports whether every player has answered every question.
func (s *quizState) done() bool {
	if len(s.Players) == 0 {
		return false
	}
	for _, a := range s.Answers {
		if len(a) < len(s.Players) {
			return false
		}
	}
	return true
}

func (b *Bot) loadQuiz(ctx context.Context, thread string) (*quizState, error) {
	raw, err := b.study.quizzes.LoadQuiz(ctx, thread)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	var s quizState
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("quiz of thread %s: %w", thread, err)
	}
	for len(s.Answers) < len(s.Questions) {
		s.Answers = append(s.Answers, map[string]int{})
	}
	for i := range s.Answers {
		if s.Answers[i] == nil {
			s.Answers[i] = map[string]int{}
		}
	}
	return &s, nil
}

func (b *Bot) saveQuiz(ctx context.Context, s *quizState) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return b.study.quizzes.SaveQuiz(ctx, s.Thread, raw)
}

// optionInt reads an integer option (Discord sends a number; a string of
// digits is taken too); 0 when absent or not a number.
func optionInt(d discordgo.ApplicationCommandInteractionData, name string) int {
	o := d.GetOption(name)
	if o == nil {
		return 0
	}
	switch v := o.Value.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(v))
		return n
	}
	return 0
}

// quizCommand answers /quiz: a new quiz in a thread, or /quiz stop.
func (b *Bot) quizCommand(ctx context.Context, r *interactionReply, user string, d discordgo.ApplicationCommandInteractionData) {
	topic := strings.TrimSpace(optionString(d, "topic"))
	if optionBool(d, "stop") || strings.EqualFold(topic, "stop") {
		b.quizStop(ctx, r, user)
		return
	}
	n := optionInt(d, "count")
	if n == 0 {
		n = 5
	}
	if n < 1 || n > quiz.MaxQuestions {
		b.tell(ctx, r, fmt.Sprintf("A quiz has 1 to %d questions.", quiz.MaxQuestions))
		return
	}
	if r.i.GuildID == "" {
		b.tell(ctx, r, "Quizzes run in a server channel, each in a thread of its own.")
		return
	}
	a := b.scoped(ctx, r) // what this channel sees: the operator's corpus and its reading lists
	if a == nil {
		return
	}
	lib, ok := a.(quiz.Library)
	if !ok {
		b.tell(ctx, r, "Quizzes are not available with these sources.")
		return
	}
	if old, err := b.loadQuiz(ctx, r.i.ChannelID); err == nil && old != nil && !old.Ended {
		b.tell(ctx, r, quizRunning)
		return
	}
	if ok, wait := b.limiter.take(user); !ok {
		b.tell(ctx, r, renderRateLimited(wait))
		return
	}
	tk, ok := b.gate.admit()
	if !ok {
		b.tell(ctx, r, renderBusy())
		return
	}
	defer tk.release()
	if err := r.deferReply(ctx, false); err != nil {
		b.failed("defer /quiz", err)
		return
	}
	b.inTurn(ctx, tk, r, func() { b.startQuiz(ctx, r, user, lib, topic, n) })
}

func (b *Bot) startQuiz(ctx context.Context, r *interactionReply, user string, lib quiz.Library, topic string, n int) {
	qctx, cancel := context.WithTimeout(ctx, b.opts.AnswerTimeout)
	defer cancel()
	opts := quiz.Options{Topic: topic, N: n, Seed: uint64(time.Now().UnixNano())}
	var qs []quiz.Question
	var err error
	if b.study.model != nil {
		qs, err = quiz.WithModel(qctx, lib, b.study.model, opts)
		if err != nil && len(qs) > 0 {
			b.log.Warn("quiz: the model's questions were not used", "err", b.redact(err.Error()))
			err = nil
		}
	} else {
		qs, err = quiz.Offline(qctx, lib, opts)
	}
	if errors.Is(err, quiz.ErrNoQuestion) {
		text := "I couldn't make a question from the readings."
		if topic != "" {
			text = "I couldn't make a question from the passages on “" + escapeMarkdown(oneLine(topic, 200)) + "”: try another topic, or none."
		}
		_ = r.edit(ctx, message{Content: text}, true)
		return
	}
	if err != nil {
		b.explain(ctx, r, err, "make a quiz")
		return
	}
	intro := fmt.Sprintf("**Quiz**: %s from the readings", plural(len(qs), "question"))
	if topic != "" {
		intro += " on “" + escapeMarkdown(oneLine(topic, 200)) + "”"
	}
	intro += ". Answer in the thread: one press per question each; I tell you privately whether you were right. " +
		"The answers and scores come when everyone is done, or on `/quiz stop:True` in the thread."
	e := &discordgo.WebhookEdit{Content: &intro, AllowedMentions: noMentions()}
	raw, err := b.interactionCall(ctx, http.MethodPatch, webhookMessageURL(r.i, "@original"), e)
	var orig discordgo.Message
	if err == nil {
		err = json.Unmarshal(raw, &orig)
	}
	if err != nil {
		b.explain(ctx, r, err, "post a quiz")
		return
	}
	thread := r.i.ChannelID
	name := "Quiz"
	if topic != "" {
		name += ": " + topic
	}
	th, err := b.s.MessageThreadStartComplex(r.i.ChannelID, orig.ID, &discordgo.ThreadStart{
		Name: oneLine(name, maxThreadName-1), AutoArchiveDuration: threadArchiveMinutes,
	}, discordgo.WithContext(ctx))
	if err != nil {
		// In a thread already (or where threads are not allowed): quiz right here.
		b.log.Info("quiz: could not open a thread; posting in the channel", "err", b.redact(err.Error()))
	} else {
		thread = th.ID
	}
	st := &quizState{Thread: thread, Channel: r.i.ChannelID, Starter: user, Topic: topic, Started: time.Now().UTC()}
	for _, q := range qs {
		c := q.Citation
		st.Questions = append(st.Questions, quizQuestion{Question: q.Question, Choices: q.Choices, Answer: q.Answer,
			Doc: c.Doc, Title: c.Title, Start: c.Start, End: c.End, Quote: c.Quote, Section: c.Section, Paragraph: c.Paragraph, Page: c.Page})
		st.Answers = append(st.Answers, map[string]int{})
	}
	unlock := b.study.lock(thread)
	if old, lerr := b.loadQuiz(ctx, thread); lerr == nil && old != nil && !old.Ended {
		unlock()
		if err := b.post(ctx, thread, message{Content: quizRunning}); err != nil {
			b.failed("refuse a second quiz", err)
		}
		return
	}
	err = b.saveQuiz(ctx, st)
	unlock()
	if err != nil {
		b.explain(ctx, r, err, "save a quiz")
		return
	}
	for i := range st.Questions {
		if err := b.post(ctx, thread, renderQuizQuestion(st, i)); err != nil {
			b.failed("post a quiz question", err)
			return
		}
	}
}

// post posts m in a channel or thread.
func (b *Bot) post(ctx context.Context, channel string, m message) error {
	_, err := b.s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{Content: m.Content,
		Components: components(m.Rows), AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	return err
}

// renderQuizQuestion is question i with its source and its four buttons.
func renderQuizQuestion(s *quizState, i int) message {
	q := s.Questions[i]
	content := fmt.Sprintf("**Question %d of %d**\n%s\n-# From %s", i+1, len(s.Questions),
		escapeMarkdown(q.Question), locate(q.Title, nil, 0, q.Section, q.Page, q.Paragraph))
	var row []button
	for c, choice := range q.Choices {
		label := choice
		if short, cut := cutWords(label, maxLabel-1); cut {
			label = short + "…"
		}
		row = append(row, button{Label: label, Style: discordgo.SecondaryButton,
			CustomID: fmt.Sprintf("%s:%s:%d:%d", kindQuiz, s.Thread, i, c)})
	}
	return message{Content: content, Rows: [][]button{row}}
}

// quizPress records a press of a quiz button: each person's first press on a
// question counts; they are told privately whether it was right.
func (b *Bot) quizPress(ctx context.Context, r *interactionReply, user, rest string) {
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		b.tell(ctx, r, "This button doesn't work any more.")
		return
	}
	qi, err1 := strconv.Atoi(parts[1])
	ci, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		b.tell(ctx, r, "This button doesn't work any more.")
		return
	}
	thread := parts[0]
	unlock := b.study.lock(thread)
	s, err := b.loadQuiz(ctx, thread)
	if err != nil || s == nil || qi < 0 || qi >= len(s.Questions) || ci < 0 || ci >= len(s.Questions[qi].Choices) {
		unlock()
		if err != nil {
			b.tell(ctx, r, renderApology(b.failed("load a quiz", err)))
			return
		}
		b.tell(ctx, r, "I no longer have this quiz.")
		return
	}
	q := s.Questions[qi]
	if s.Ended {
		unlock()
		b.tell(ctx, r, "This quiz is over: the answers are in the thread.")
		return
	}
	if prev, ok := s.Answers[qi][user]; ok {
		unlock()
		b.tell(ctx, r, fmt.Sprintf("You already answered question %d (“%s”): only your first answer counts.",
			qi+1, escapeMarkdown(q.Choices[prev])))
		return
	}
	s.Answers[qi][user] = ci
	if !containsString(s.Players, user) {
		s.Players = append(s.Players, user)
	}
	finished := s.done() && b.study.grace == 0
	if finished {
		s.Ended = true
	}
	err = b.saveQuiz(ctx, s)
	unlock()
	if err != nil {
		b.tell(ctx, r, renderApology(b.failed("save a quiz answer", err)))
		return
	}
	verdict := fmt.Sprintf("✅ Right: **%s**.", escapeMarkdown(q.Answer))
	if ci != q.correct() {
		verdict = fmt.Sprintf("❌ Not this one: you chose “%s”; the answer is **%s**.", escapeMarkdown(q.Choices[ci]), escapeMarkdown(q.Answer))
	}
	b.tell(ctx, r, verdict+"\n"+quoteLines("“"+escapeMarkdown(shorten(q.Quote, maxPassageText))+"”")+
		"\n-# "+locate(q.Title, nil, 0, q.Section, q.Page, q.Paragraph))
	if finished {
		b.postResults(ctx, s)
	} else if s.done() {
		go b.endQuizLater(ctx, thread)
	}
}

// endQuizLater ends a thread's quiz after the grace period if everyone who
// has answered by then has answered every question (a latecomer's first
// press starts the wait again when they are done).
func (b *Bot) endQuizLater(ctx context.Context, thread string) {
	t := time.NewTimer(b.study.grace)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	if b.isClosing() {
		return // the quiz is kept: a press or /quiz stop after the restart ends it
	}
	unlock := b.study.lock(thread)
	s, err := b.loadQuiz(ctx, thread)
	if err != nil || s == nil || s.Ended || !s.done() {
		unlock()
		if err != nil {
			b.failed("load a quiz", err)
		}
		return
	}
	s.Ended = true
	err = b.saveQuiz(ctx, s)
	unlock()
	if err != nil {
		b.failed("end a quiz", err)
		return
	}
	b.postResults(ctx, s)
}

// quizStop ends the quiz of the thread /quiz stop is used in.
func (b *Bot) quizStop(ctx context.Context, r *interactionReply, user string) {
	unlock := b.study.lock(r.i.ChannelID)
	s, err := b.loadQuiz(ctx, r.i.ChannelID)
	if err != nil {
		unlock()
		b.tell(ctx, r, renderApology(b.failed("load a quiz", err)))
		return
	}
	switch {
	case s == nil:
		unlock()
		b.tell(ctx, r, "There is no quiz here: use `/quiz stop:True` in the quiz's thread.")
		return
	case s.Ended:
		unlock()
		b.tell(ctx, r, "This quiz is already over.")
		return
	case user != s.Starter && (r.i.Member == nil || r.i.Member.Permissions&discordgo.PermissionManageMessages == 0):
		unlock()
		b.tell(ctx, r, "Only the person who started this quiz (or a moderator) can stop it.")
		return
	}
	s.Ended = true
	err = b.saveQuiz(ctx, s)
	unlock()
	if err != nil {
		b.tell(ctx, r, renderApology(b.failed("end a quiz", err)))
		return
	}
	b.reply(ctx, r, renderQuizResults(s), false)
}

// postResults posts the answers and scores in the quiz's thread.
func (b *Bot) postResults(ctx context.Context, s *quizState) {
	for _, m := range renderQuizResults(s) {
		if err := b.post(ctx, s.Thread, m); err != nil {
			b.failed("post a quiz's results", err)
			return
		}
	}
}

// renderQuizResults shows each question's answer with its quote, then the
// scores, best first. Players are shown as mentions, which ping no one: every
// message allows no mentions.
func renderQuizResults(s *quizState) []message {
	blocks := []string{"**The quiz is over.** The answers:"}
	for i, q := range s.Questions {
		blocks = append(blocks, fmt.Sprintf("**%d.** %s\n**%s**\n%s\n-# %s", i+1, escapeMarkdown(q.Question),
			escapeMarkdown(q.Answer), quoteLines("“"+escapeMarkdown(shorten(q.Quote, 400))+"”"),
			locate(q.Title, nil, 0, q.Section, q.Page, q.Paragraph)))
	}
	type score struct {
		user  string
		right int
		order int
	}
	var scores []score
	for i, p := range s.Players {
		sc := score{user: p, order: i}
		for qi, a := range s.Answers {
			if c, ok := a[p]; ok && c == s.Questions[qi].correct() {
				sc.right++
			}
		}
		scores = append(scores, sc)
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].right > scores[j].right })
	lines := []string{"**Scores**"}
	for i, sc := range scores {
		lines = append(lines, fmt.Sprintf("%d. <@%s> — %d of %d", i+1, sc.user, sc.right, len(s.Questions)))
	}
	if len(scores) == 0 {
		lines = append(lines, "Nobody answered.")
	}
	blocks = append(blocks, strings.Join(lines, "\n"))
	return withButtons(strings.Join(blocks, "\n\n"), nil)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
