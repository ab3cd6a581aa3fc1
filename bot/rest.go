package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The calls on an interaction's token (its response, edits of it, follow-ups)
// go through interactionCall rather than discordgo's Session.Request: discordgo
// keeps a rate-limit bucket per URL for the life of the session, and every
// interaction has URLs of its own (bwmarrin/discordgo#1333), so a bot running
// for months would keep a bucket, and the token in its key, for every
// interaction it ever answered. These routes are outside Discord's global rate
// limit; a 429 on one is waited out here.
const (
	maxRateLimitWait = 30 * time.Second
	maxCallAttempts  = 5
)

// apiError is an error response from Discord.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("discord: HTTP %d: %s", e.Status, e.Body) }

func (b *Bot) interactionCall(ctx context.Context, method, url string, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", method, url, err)
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", b.s.UserAgent)
		resp, err := b.s.Client.Do(req)
		if err != nil {
			return nil, err
		}
		out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		var wait time.Duration
		switch {
		case resp.StatusCode < 300:
			return out, nil
		case resp.StatusCode == http.StatusTooManyRequests && attempt < maxCallAttempts:
			wait = retryAfter(resp.Header, out)
			if wait > maxRateLimitWait {
				return nil, &apiError{Status: resp.StatusCode, Body: string(out)}
			}
			b.log.Info("Discord rate limit: waiting", "retry_after", wait, "route", b.redact(url))
		case resp.StatusCode >= 500 && attempt < 3:
			wait = time.Duration(attempt) * 500 * time.Millisecond
		default:
			return nil, &apiError{Status: resp.StatusCode, Body: string(out)}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// retryAfter reads how long a 429 asks to wait: the body's retry_after, else
// the Retry-After header, in seconds.
func retryAfter(h http.Header, body []byte) time.Duration {
	var tm struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &tm) == nil && tm.RetryAfter > 0 {
		return time.Duration(tm.RetryAfter * float64(time.Second))
	}
	if s, err := strconv.ParseFloat(h.Get("Retry-After"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return time.Second
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
