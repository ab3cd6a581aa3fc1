package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/readings"
)

// Attachments are fetched from Discord's CDN only. The URL comes from the
// interaction Discord sent (never from a message's text), and every request,
// redirects included, must go to cdn.discordapp.com or media.discordapp.net
// over https, or to the exact scheme, host and port of DISCORD_API_BASE when
// it is set (a proxy, or the fake Discord in tests). Anything else is refused
// before a connection is made.

// fetchTimeout bounds one download, start to end.
const fetchTimeout = 2 * time.Minute

// maxRedirects is how many redirects a download follows.
const maxRedirects = 5

var cdnHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}

// errHostNotAllowed is a URL outside Discord's CDN.
var errHostNotAllowed = errors.New("not a Discord attachment URL")

// errTooLarge is a file over the size limit.
var errTooLarge = errors.New("file too large")

// fetcher downloads attachments.
type fetcher struct {
	client *http.Client
	base   *url.URL // DISCORD_API_BASE, nil when unset
	max    int64
}

func newFetcher(apiBase string, max int64) (*fetcher, error) {
	if max <= 0 {
		max = DefaultMaxReadingBytes
	}
	f := &fetcher{max: max}
	if apiBase != "" {
		u, err := url.Parse(apiBase)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("bot: DISCORD_API_BASE %q is not a URL", apiBase)
		}
		f.base = u
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	tr.ResponseHeaderTimeout = 30 * time.Second
	f.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if !f.allowed(req.URL) {
				return fmt.Errorf("redirected to %s: %w", req.URL.Host, errHostNotAllowed)
			}
			return nil
		},
	}
	return f, nil
}

// allowed reports whether u is on Discord's CDN (or DISCORD_API_BASE).
func (f *fetcher) allowed(u *url.URL) bool {
	if u == nil || u.User != nil {
		return false
	}
	if f.base != nil && strings.EqualFold(u.Scheme, f.base.Scheme) && hostPort(u) == hostPort(f.base) {
		return true
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return false
	}
	for _, h := range cdnHosts {
		if strings.EqualFold(u.Hostname(), h) {
			return true
		}
	}
	return false
}

// hostPort is u's host with its port, the scheme's default when none is given.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}

// fetch downloads an attachment of the declared size. It refuses a URL
// outside the CDN and a file over the limit, by its declared size, its
// Content-Length, or the bytes that actually come.
func (f *fetcher) fetch(ctx context.Context, raw string, declared int64) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || !f.allowed(u) {
		return nil, errHostNotAllowed
	}
	if declared > f.max {
		return nil, fmt.Errorf("%w: %s, the limit is %s", errTooLarge, readings.Size(declared), readings.Size(f.max))
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, errHostNotAllowed) {
			return nil, errHostNotAllowed
		}
		return nil, fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > f.max {
		return nil, fmt.Errorf("%w: %s, the limit is %s", errTooLarge, readings.Size(resp.ContentLength), readings.Size(f.max))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.max+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if int64(len(data)) > f.max {
		return nil, fmt.Errorf("%w: over the limit of %s", errTooLarge, readings.Size(f.max))
	}
	return data, nil
}
