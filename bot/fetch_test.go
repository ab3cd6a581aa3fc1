package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestFetchAllowedHosts(t *testing.T) {
	f, err := newFetcher("http://127.0.0.1:8080/api", 0)
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]bool{
		"https://cdn.discordapp.com/attachments/1/2/a.pdf":      true,
		"https://media.discordapp.net/attachments/1/2/a.pdf":    true,
		"https://CDN.discordapp.com:443/attachments/1/2/a.pdf":  true,
		"http://cdn.discordapp.com/attachments/1/2/a.pdf":       false, // not https
		"https://cdn.discordapp.com:8443/attachments/1/2/a.pdf": false,
		"https://cdn.discordapp.com.evil.example/a.pdf":         false,
		"https://user@cdn.discordapp.com/a.pdf":                 false,
		"https://evil.example/cdn.discordapp.com/a.pdf":         false,
		"http://127.0.0.1:8080/attachments/1/a.pdf":             true,  // DISCORD_API_BASE
		"http://127.0.0.1:8081/attachments/1/a.pdf":             false, // another port of it
		"https://127.0.0.1:8080/attachments/1/a.pdf":            false, // another scheme
		"http://localhost:8080/attachments/1/a.pdf":             false,
		"file:///etc/passwd":                                    false,
	} {
		u, _ := url.Parse(raw)
		if got := f.allowed(u); got != want {
			t.Errorf("allowed(%s) = %v, want %v", raw, got, want)
		}
	}
}

// TestFetchRedirects: every redirect hop is checked; a hop off the allowed
// host is refused before a request reaches it.
func TestFetchRedirects(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("secret"))
	}))
	defer other.Close()
	var cdn *httptest.Server
	cdn = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/hop":
			http.Redirect(w, r, cdn.URL+"/file", http.StatusFound)
		case "/file":
			_, _ = w.Write([]byte("ok"))
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length: the limit applies while reading
			_, _ = w.Write([]byte(strings.Repeat("x", 2000)))
		}
	}))
	defer cdn.Close()
	f, err := newFetcher(cdn.URL, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := f.fetch(ctx, cdn.URL+"/away", 10); !errors.Is(err, errHostNotAllowed) {
		t.Errorf("redirect to another host: %v", err)
	}
	if data, err := f.fetch(ctx, cdn.URL+"/hop", 10); err != nil || string(data) != "ok" {
		t.Errorf("redirect on the same host: %q, %v", data, err)
	}
	if _, err := f.fetch(ctx, other.URL+"/x", 10); !errors.Is(err, errHostNotAllowed) {
		t.Errorf("another host: %v", err)
	}
	if _, err := f.fetch(ctx, cdn.URL+"/file", 5000); !errors.Is(err, errTooLarge) {
		t.Errorf("declared too large: %v", err)
	}
	if _, err := f.fetch(ctx, cdn.URL+"/chunked", 10); !errors.Is(err, errTooLarge) {
		t.Errorf("larger than declared, without Content-Length: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}
}
