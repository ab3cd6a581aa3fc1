package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"time"
)

// newErrorID names one failure, so a user's report can be found in the log.
func newErrorID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// failed logs an error under a new error ID and returns the ID.
func (b *Bot) failed(what string, err error, attrs ...any) string {
	id := newErrorID()
	b.log.Error(what, append([]any{"error_id", id, "err", b.redact(err.Error())}, attrs...)...)
	return id
}

// recovered turns a panic in a handler into a log entry (with the stack) and
// an apology to the user; call it deferred. It never panics itself.
func (b *Bot) recovered(what string, apologize func(errID string)) {
	v := recover()
	if v == nil {
		return
	}
	id := newErrorID()
	b.log.Error("handler panicked", "error_id", id, "handler", what,
		"panic", b.redact(fmt.Sprint(v)), "stack", b.redact(string(debug.Stack())))
	if apologize == nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			b.log.Error("apology panicked", "error_id", id, "panic", b.redact(fmt.Sprint(v)))
		}
	}()
	apologize(id)
}

// redact removes the bot token, interaction tokens and other secrets from
// text bound for the log.
func (b *Bot) redact(s string) string { return b.redactor.String(s) }

// lastWords gives a context for a last message to the user (an apology, a
// refusal) that still works when the handler's own context has ended.
func lastWords(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}
