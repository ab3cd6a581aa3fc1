package answer

import (
	"context"
	"errors"
	"strings"
)

// Complete asks the model for one reply to a system and a user message, not
// streamed, with the writer's timeout and retries, and returns its text
// without any thinking block. Other packages (quizzes) write their own
// prompts with it. Errors are *ModelError.
func (w *OpenAIWriter) Complete(ctx context.Context, system, user string) (string, error) {
	req := w.request(system, user)
	ctx, cancel := context.WithTimeoutCause(ctx, w.opts.Timeout, errDeadline)
	defer cancel()
	var out string
	err := w.retry(ctx, func(ctx context.Context) (bool, error) {
		resp, err := w.client.CreateChatCompletion(ctx, req)
		if err != nil {
			return false, err
		}
		if len(resp.Choices) == 0 {
			return false, errNoChoice
		}
		out = resp.Choices[0].Message.Content
		return false, nil
	})
	if err != nil {
		return "", err
	}
	out, _ = stripThinking(out)
	out = strings.TrimSpace(out)
	if out == "" {
		return "", &ModelError{Kind: FailBadReply, Attempts: 1, Err: errors.New("empty reply")}
	}
	return out, nil
}
