package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/internal/retry"
)

// The calls on an interaction's token (its response, edits of it, follow-ups)
// go through interactionCall rather than discordgo's Session.Request: discordgo
// keeps a rate-limit bucket per URL for the life of the session, and every
// interaction has URLs of its own (bwmarrin/discordgo#1333), so a bot running
// for months would keep a bucket, and the token in its key, for every
// interaction it ever answered. These routes are outside Discord's global rate
// limit; a 429 or a 5xx on one is retried with the shared policy.
var callRetry = retry.Policy{Attempts: 5, Base: 500 * time.Millisecond, Cap: 4 * time.Second, MaxAfter: 30 * time.Second}

// apiError is an error response from Discord.
type apiError struct {
	Method, URL string // the request, when known
	Status      int
	Body        string
}

func (e *apiError) Error() string {
	if e.URL != "" {
		return fmt.Sprintf("discord: %s %s: HTTP %d: %s", e.Method, e.URL, e.Status, e.Body)
	}
	return fmt.Sprintf("discord: HTTP %d: %s", e.Status, e.Body)
}

func (b *Bot) interactionCall(ctx context.Context, method, url string, body any) ([]byte, error) {
	p := callRetry
	p.Notify = func(_ int, err error, wait time.Duration) {
		b.log.Info("Discord rate limit or outage: waiting", "retry_after", wait, "route", b.redact(url), "err", b.redact(err.Error()))
	}
	return b.call(ctx, p, method, url, body, false)
}

// call sends body as JSON to a discordgo endpoint (url, rebased to
// DISCORD_API_BASE by the client), with the bot token when auth is set, and
// returns the answer's body. 429s and 5xx are retried with p, and so are
// connection failures of idempotent requests (GET, PUT): a POST may have
// arrived. It returns when ctx ends, also during a wait.
func (b *Bot) call(ctx context.Context, p retry.Policy, method, url string, body any, auth bool) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", method, b.redact(url), err)
	}
	idempotent := method == http.MethodGet || method == http.MethodPut
	var out []byte
	err = p.Do(ctx, func(ctx context.Context, _ int) error {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(data))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", b.s.UserAgent)
		if auth {
			req.Header.Set("Authorization", b.s.Token)
		}
		resp, err := b.s.Client.Do(req)
		if err != nil {
			if idempotent && ctx.Err() == nil {
				return retry.Again(err, 0)
			}
			return err
		}
		out, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode < 300 {
			return nil
		}
		e := &apiError{Method: method, URL: b.redact(b.apiURL(url)), Status: resp.StatusCode, Body: string(out)}
		if retry.Temporary(resp.StatusCode) {
			return retry.Again(e, retry.After(resp.Header, out, time.Now()))
		}
		return e
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func interactionCallbackURL(i *discordgo.Interaction) string {
	return discordgo.EndpointInteractionResponse(i.ID, i.Token)
}

func webhookMessageURL(i *discordgo.Interaction, id string) string {
	return discordgo.EndpointWebhookMessage(i.AppID, i.Token, id)
}

func followupURL(i *discordgo.Interaction) string {
	return discordgo.EndpointWebhookToken(i.AppID, i.Token) + "?wait=true"
}
