package answer

import (
	_ "embed"
	"regexp"
	"strings"
	"text/template"
	"unicode/utf8"
)

// The prompts live in prompt.tmpl, parsed once when the package loads; a
// broken template fails every test, not a user's question.

//go:embed prompt.tmpl
var promptText string

var promptTemplate = template.Must(template.New("prompt.tmpl").Funcs(template.FuncMap{
	"material": material,
	"attr":     attr,
}).Parse(promptText))

// declineMarker is what the model answers, alone, when the passages do not
// answer the question. It is the same in every language, so it can be found.
const declineMarker = "NOT_IN_PASSAGES"

const (
	// maxHistoryTurns is how many earlier turns a prompt shows, the latest ones.
	maxHistoryTurns = 4
	// maxHistoryAnswer is the most runes of an earlier answer shown to the
	// model when it rewrites a follow-up.
	maxHistoryAnswer = 600
)

type answerPromptData struct {
	Decline  string
	Passages []Passage
	Earlier  []string
	Question string
}

type rewritePromptData struct {
	History  []Turn
	Question string
}

// answerPrompt renders the system and user messages that ask the model to
// answer question from passages. Earlier questions, if any, are shown as context.
func answerPrompt(question string, history []Turn, passages []Passage) (system, user string) {
	d := answerPromptData{Decline: declineMarker, Passages: passages, Question: question}
	for _, t := range lastTurns(history) {
		d.Earlier = append(d.Earlier, t.Question)
	}
	return execute("system", d), execute("user", d)
}

// rewritePrompt renders the messages that ask the model to make question, a
// follow-up in the conversation history, into a standalone question.
func rewritePrompt(history []Turn, question string) (system, user string) {
	d := rewritePromptData{Question: question}
	for _, t := range lastTurns(history) {
		t.Answer = truncateRunes(t.Answer, maxHistoryAnswer)
		d.History = append(d.History, t)
	}
	return execute("rewrite_system", d), execute("rewrite_user", d)
}

// renderPassage is one passage as the model sees it.
func renderPassage(p Passage) string { return execute("passage", p) }

// execute runs one of the prompt's templates. The data types are this file's
// own and the output a strings.Builder, so it can fail only if prompt.tmpl is
// wrong, which the golden test catches: it panics then.
func execute(name string, data any) string {
	var b strings.Builder
	if err := promptTemplate.ExecuteTemplate(&b, name, data); err != nil {
		panic("answer: prompt.tmpl: " + err.Error())
	}
	return b.String()
}

func lastTurns(history []Turn) []Turn {
	if len(history) > maxHistoryTurns {
		return history[len(history)-maxHistoryTurns:]
	}
	return history
}

// delimiterTag matches the start of any tag the prompts use as a delimiter.
var delimiterTag = regexp.MustCompile(`(?i)<(\s*/?\s*(?:passages?|question|answer|conversation|turn|follow_up)\b)`)

// material makes text safe to place between delimiters: a "<" that starts one
// of the prompts' own tags, opening or closing, becomes "&lt;", so text can
// neither end the material early nor forge a passage. All else is unchanged.
func material(text string) string {
	return delimiterTag.ReplaceAllString(text, "&lt;$1")
}

var attrEscaper = strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;", `>`, "&gt;", "\n", " ", "\r", " ")

// attr makes text safe inside a double-quoted attribute.
func attr(text string) string { return attrEscaper.Replace(text) }

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}
