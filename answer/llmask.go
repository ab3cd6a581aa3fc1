package answer

import (
	"context"
	"errors"
	"fmt"

	"github.com/footnote-bot/footnote/retrieval"
)

// The language model's path through Ask: a follow-up is first rewritten into
// a standalone question, passages are retrieved for it, fitted into the
// model's context, and the model writes an answer, streamed to
// Request.Stream as it comes. The answer is then checked (verify.go). It is
// shown, with Mode "llm", only when at least one valid citation is left;
// otherwise, or when the model fails or declines, the extractive answer is
// shown with a Note saying why.

// Notes for people when the model's answer is not the one shown.
const (
	noteNoCitation = "The language model's answer cited no passage it was given, so this is the extractive answer."
	noteDeclined   = "The language model found no answer in the passages, so these are the sentences that come closest."
	noteDeclinedAb = "The language model found no answer in the passages either."
)

// followUp makes a follow-up question standalone with the model, before
// retrieval. It returns req unchanged when there is nothing to rewrite or no
// model; when the model fails, req unchanged and the error, so that Ask does
// not wait on a failing model twice.
func (e *Engine) followUp(ctx context.Context, req Request, useModel bool) (Request, error) {
	if !useModel || len(req.History) == 0 {
		return req, nil
	}
	q, err := e.opts.Writer.Rewrite(ctx, req.History, req.Question)
	if err != nil {
		return req, err
	}
	if e.CheckQuestion(q) != nil {
		return req, nil
	}
	req.Question, req.History = q, nil
	return req, nil
}

// answerLLM fills ans with the model's checked answer, or with the extractive
// answer and a Note. modelErr is an earlier failure of the model (rewriting
// the question): the model is not called again.
func (e *Engine) answerLLM(ctx context.Context, req Request, hits []retrieval.Hit, ans *Answer, modelErr error) {
	if modelErr == nil && len(hits) == 0 {
		e.answerExtractive(req.Question, hits, ans) // nothing to give the model
		return
	}
	text := ""
	var given []Passage
	if modelErr == nil {
		given = e.opts.Writer.Fit(ans.Passages)
		var delta func(string)
		if req.Stream != nil {
			delta = newStreamView(given, req.Stream).add
		}
		text, modelErr = e.opts.Writer.Write(ctx, req.Question, req.History, given, delta)
	}
	if modelErr != nil {
		e.answerExtractive(req.Question, hits, ans)
		ans.Note = fmt.Sprintf("The language model did not answer (%s); this is the extractive answer.", failure(modelErr))
		return
	}
	text, _ = stripThinking(text)
	if declined(text) {
		e.answerExtractive(req.Question, hits, ans)
		ans.Note = noteDeclined
		if ans.Abstained {
			ans.Note = noteDeclinedAb
		}
		return
	}
	c := newChecker(given).check(text, true)
	if len(c.citations) == 0 {
		e.answerExtractive(req.Question, hits, ans)
		ans.Note = noteNoCitation
		return
	}
	ans.Mode, ans.Answer, ans.Citations = ModeLLM, c.text, c.citations
	ans.Abstained, ans.Missing = false, nil
	switch {
	case c.unverified == 1:
		ans.Note = "One quote was not found in the passage it cites and is marked (not verified)."
	case c.unverified > 1:
		ans.Note = fmt.Sprintf("%d quotes were not found in the passages they cite and are marked (not verified).", c.unverified)
	}
}

// failure says in a few words why the model did not answer.
func failure(err error) string {
	var me *ModelError
	switch {
	case errors.As(err, &me):
		return me.Reason()
	case errors.Is(err, context.DeadlineExceeded):
		return "it took too long"
	case errors.Is(err, context.Canceled):
		return "the request was cancelled"
	}
	return "an error" // its text may hold anything, a key included: not shown
}
