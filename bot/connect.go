package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/internal/retry"
	"github.com/gorilla/websocket"
)

// startupRetry is how connecting retries what may pass: Discord's rate limits
// (honoured up to 10 minutes) and outages, a network not up yet, a proxy
// answering garbage. About six minutes of tries in all; then Run fails.
var startupRetry = retry.Policy{Attempts: 12, Base: time.Second, Cap: time.Minute, MaxAfter: 10 * time.Minute}

// httpClient returns the client for REST calls: requests to https://discord.com
// go to base instead when it is set.
func httpClient(base string) (*http.Client, error) {
	next := http.DefaultTransport.(*http.Transport).Clone()
	next.MaxIdleConnsPerHost = 32
	c := &http.Client{Timeout: 20 * time.Second, Transport: next}
	if base == "" {
		return c, nil
	}
	u, err := parseBase(base)
	if err != nil {
		return nil, err
	}
	c.Transport = rebase{base: u, next: next}
	return c, nil
}

func parseBase(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The value is not quoted: it may hold a password.
		return nil, errors.New("bot: DISCORD_API_BASE is not an http(s) URL like https://discord.com")
	}
	return u, nil
}

// rebase sends requests for https://discord.com/... to base/... instead.
// discordgo builds its endpoints from package variables; rewriting here leaves
// them alone.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (t rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL, r.Host = t.rewrite(req.URL), ""
	return t.next.RoundTrip(r)
}

func (t rebase) rewrite(in *url.URL) *url.URL {
	u := *in
	u.Scheme, u.Host = t.base.Scheme, t.base.Host
	u.Path = strings.TrimSuffix(t.base.Path, "/") + in.Path
	if in.RawPath != "" {
		u.RawPath = strings.TrimSuffix(t.base.EscapedPath(), "/") + in.RawPath
	}
	return &u
}

// apiURL is where a request for a discordgo endpoint really goes.
func (b *Bot) apiURL(endpoint string) string {
	if b.opts.APIBase == "" {
		return endpoint
	}
	base, err := parseBase(b.opts.APIBase)
	in, err2 := url.Parse(endpoint)
	if err != nil || err2 != nil {
		return endpoint
	}
	return rebase{base: base}.rewrite(in).String()
}

// gatewayCache answers discordgo's own gateway lookup, once, with the address
// connect has just looked up: discordgo's lookup takes no context and sleeps
// through rate limits, so Open must not make it.
type gatewayCache struct {
	next http.RoundTripper
	url  atomic.Pointer[string]
}

func (c *gatewayCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.String() == discordgo.EndpointGateway {
		if u := c.url.Swap(nil); u != nil {
			body, _ := json.Marshal(map[string]string{"url": *u})
			return &http.Response{
				Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header:        http.Header{"Content-Type": {"application/json"}},
				Body:          io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)),
				Request:       req,
			}, nil
		}
	}
	return c.next.RoundTrip(req)
}

// connect looks up the gateway and opens it, retrying with the start-up
// policy what may pass. It returns as soon as ctx ends.
func (b *Bot) connect(ctx context.Context) error {
	var settled func()
	b.s.Dialer, settled = gatewayDialer(ctx, b.s.Dialer)
	defer settled()
	p := b.startup
	p.Notify = func(n int, err error, wait time.Duration) {
		b.log.Warn("could not connect to Discord: retrying", "attempt", n, "wait", wait, "err", b.redact(err.Error()))
	}
	err := p.Do(ctx, func(ctx context.Context, _ int) error {
		gw, err := b.lookupGateway(ctx)
		if err != nil {
			return err
		}
		return b.openGateway(ctx, gw)
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return fmt.Errorf("connect to Discord: %s%s", b.redact(err.Error()), connectHint(err))
}

// lookupGateway asks Discord where its gateway is. Failures that may pass
// are marked for another attempt.
func (b *Bot) lookupGateway(ctx context.Context) (string, error) {
	u := b.apiURL(discordgo.EndpointGateway)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("look up the gateway: %w", err)
	}
	req.Header.Set("Authorization", b.s.Token)
	req.Header.Set("User-Agent", b.s.UserAgent)
	resp, err := b.s.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		// The error names the URL: *url.Error.
		return "", retry.Again(fmt.Errorf("look up the gateway: %w", err), 0)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		return "", retry.Again(fmt.Errorf("look up the gateway at %s: %w", u, err), 0)
	}
	if resp.StatusCode != http.StatusOK {
		e := &apiError{Method: http.MethodGet, URL: u, Status: resp.StatusCode, Body: excerpt(body)}
		if retry.Temporary(resp.StatusCode) {
			return "", retry.Again(e, retry.After(resp.Header, body, time.Now()))
		}
		return "", e
	}
	var gw struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &gw); err != nil || !(strings.HasPrefix(gw.URL, "wss://") || strings.HasPrefix(gw.URL, "ws://")) {
		return "", retry.Again(fmt.Errorf("look up the gateway at %s: the answer is not a gateway address: %s", u, excerpt(body)), 0)
	}
	return gw.URL, nil
}

// excerpt is the start of a body, for an error message.
func excerpt(body []byte) string {
	s := strings.ToValidUTF8(strings.TrimSpace(string(body)), "?")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// openGateway runs discordgo's Open on gw, the address lookupGateway found.
// Open takes no context: the dialer connect installed closes what it dialed
// when ctx ends, and Open returns at once.
func (b *Bot) openGateway(ctx context.Context, gw string) error {
	b.gateway.url.Store(&gw)
	err := b.s.Open()
	b.gateway.url.Store(nil)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err == nil {
		return nil
	}
	err = fmt.Errorf("open the gateway %s: %w", gw, err)
	if gatewayFatal(err) {
		return err
	}
	return retry.Again(err, 0)
}

// gatewayDialer returns d with a dial that ctx stops: a dial under way is
// cancelled, and the connections made during start-up are closed when ctx
// ends, so that Open returns at once. settled ends that: from then on
// shutdown closes the gateway itself, with a close frame.
func gatewayDialer(ctx context.Context, d *websocket.Dialer) (_ *websocket.Dialer, settled func()) {
	var mu sync.Mutex
	var conns []net.Conn
	starting := true
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	})
	var nd net.Dialer
	out := *d
	out.NetDialContext = func(dctx context.Context, network, addr string) (net.Conn, error) {
		dctx, cancel := context.WithCancel(dctx)
		defer cancel()
		defer context.AfterFunc(ctx, cancel)()
		c, err := nd.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil {
			c.Close()
			return nil, context.Cause(ctx)
		}
		if starting {
			conns = append(conns, c)
		}
		return c, nil
	}
	return &out, func() {
		stop()
		mu.Lock()
		defer mu.Unlock()
		starting, conns = false, nil
	}
}

// gatewayFatal says whether a gateway failure will not pass by trying again:
// Discord closed it with a code that says so.
func gatewayFatal(err error) bool {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Code {
	case 4004, 4010, 4011, 4012, 4013, 4014:
		return true
	}
	return false
}

// putCommands replaces the application's commands with cmds, in the guild
// of Options.Guild or globally. Not through discordgo, whose rate-limit waits
// do not end with ctx: with the start-up policy.
func (b *Bot) putCommands(ctx context.Context, appID string, cmds []*discordgo.ApplicationCommand) error {
	url := discordgo.EndpointApplicationGlobalCommands(appID)
	if b.opts.Guild != "" {
		url = discordgo.EndpointApplicationGuildCommands(appID, b.opts.Guild)
	}
	p := b.startup
	p.Notify = func(_ int, err error, wait time.Duration) {
		b.log.Warn("could not register the commands: retrying", "wait", wait, "err", b.redact(err.Error()))
	}
	_, err := b.call(ctx, p, http.MethodPut, url, cmds, true)
	return err
}

// connectHint explains the usual reasons Discord refuses a connection.
func connectHint(err error) string {
	const token = " (Discord refused the token: check DISCORD_TOKEN, the token on the Bot page of the Developer Portal)"
	var api *apiError
	var rest *discordgo.RESTError
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &api) && api.Status == http.StatusUnauthorized:
		return token
	case errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized:
		return token
	case errors.As(err, &ce):
		switch ce.Code {
		case 4004:
			return token
		case 4014:
			return " (the Message Content intent is not enabled for this bot in the Developer Portal: enable it, or turn MessageContent off)"
		case 4013:
			return " (Discord rejected the intents)"
		case 4010, 4011:
			return " (Discord refused the shard: check DISCORD_SHARD_ID and DISCORD_SHARD_COUNT)"
		}
	}
	return ""
}
