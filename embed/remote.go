package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/internal/redact"
	"github.com/footnote-bot/footnote/internal/retry"
)

// remote is what the OpenAI and Ollama clients share: one JSON endpoint that
// embeds a batch of texts per POST, split into requests, a few at once, with
// retries on overload and failures turned into errors people can act on.
type remote struct {
	url         string
	apiKey      string // sent as a bearer token when not empty
	timeout     time.Duration
	batchSize   int
	concurrency int
	retry       retry.Policy // for 429s, 5xx and connection failures
	redactor    redact.Redactor
	http        *http.Client
	dim         atomic.Int64 // the dimension of the first vectors received

	// request embeds one batch: it encodes the texts, posts them with r.post
	// and decodes the vectors in order.
	request func(ctx context.Context, texts []string) ([][]float32, error)
}

func newRemote(cfg Config, path string, batchSize, concurrency int) *remote {
	if cfg.BatchSize > 0 {
		batchSize = cfg.BatchSize
	}
	return &remote{
		url:         strings.TrimRight(cfg.BaseURL, "/") + path,
		apiKey:      cfg.APIKey,
		timeout:     cfg.Timeout,
		batchSize:   batchSize,
		concurrency: concurrency,
		retry:       remoteRetry,
		redactor:    redact.New(cfg.APIKey),
		http:        &http.Client{},
	}
}

// remoteRetry is how a request for embeddings is retried: three attempts, a
// server's Retry-After honoured up to a minute.
var remoteRetry = retry.Policy{Attempts: 3, Base: 500 * time.Millisecond, Cap: 8 * time.Second, MaxAfter: time.Minute}

// maxBatchBytes caps the text in one request, well below the token limits of
// the usual servers (OpenAI: 300,000 tokens a request).
const maxBatchBytes = 256 << 10

// embed embeds texts in batches. Blank texts, which servers reject, get zero
// vectors.
func (r *remote) embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var idx []int // non-blank texts
	for i, t := range texts {
		if strings.TrimSpace(t) != "" {
			idx = append(idx, i)
		}
	}
	// Cut the non-blank texts into batches.
	var batches [][]int
	for len(idx) > 0 {
		n, size := 0, 0
		for n < len(idx) && n < r.batchSize && (n == 0 || size+len(texts[idx[n]]) <= maxBatchBytes) {
			size += len(texts[idx[n]])
			n++
		}
		batches = append(batches, idx[:n])
		idx = idx[n:]
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, r.concurrency)
	var wg sync.WaitGroup
	for _, b := range batches {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			in := make([]string, len(b))
			for j, i := range b {
				in[j] = texts[i]
			}
			vs, err := r.request(ctx, in)
			if err == nil {
				err = r.check(vs, len(in))
			}
			if err != nil {
				cancel(err)
				return
			}
			for j, i := range b {
				out[i] = vs[j]
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	dim := int(r.dim.Load())
	for i := range out {
		if out[i] == nil {
			if dim == 0 {
				return nil, errors.New("nothing to embed: every text is blank")
			}
			out[i] = make([]float32, dim)
		}
	}
	return out, nil
}

// check verifies a batch's vectors: one per text, all of the dimension of the
// first vectors this embedder received, and scales them to unit length.
func (r *remote) check(vs [][]float32, n int) error {
	if len(vs) != n {
		return fmt.Errorf("%w: %d vectors for %d texts", ErrResponse, len(vs), n)
	}
	for i, v := range vs {
		if len(v) == 0 {
			return fmt.Errorf("%w: an empty vector", ErrResponse)
		}
		r.dim.CompareAndSwap(0, int64(len(v)))
		if want := int(r.dim.Load()); len(v) != want {
			return fmt.Errorf("%w: a vector of %d dimensions where earlier ones had %d", ErrResponse, len(v), want)
		}
		vs[i] = UnitOrZero(v)
	}
	return nil
}

// post sends body as JSON and decodes the JSON answer into out, retrying
// on 429, 5xx and connection failures.
func (r *remote) post(ctx context.Context, body []byte, out any) error {
	return r.retry.Do(ctx, func(ctx context.Context, _ int) error { return r.postOnce(ctx, body, out) })
}

// postOnce makes one request; failures another attempt may mend are marked
// with retry.Again.
func (r *remote) postOnce(ctx context.Context, body []byte, out any) error {
	rctx, cancel := context.WithTimeoutCause(ctx, r.timeout, fmt.Errorf("%w (%s)", ErrTimeout, r.timeout))
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("embeddings request: %v", r.redactor.String(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if r.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+r.apiKey)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		if rctx.Err() != nil {
			return context.Cause(rctx)
		}
		// The error names the URL, never the headers; redacted in case
		// the key or a password is in the URL.
		return retry.Again(fmt.Errorf("cannot reach the embeddings server: %s", r.redactor.String(err.Error())), 0)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		if rctx.Err() != nil {
			return context.Cause(rctx)
		}
		return retry.Again(fmt.Errorf("read the embeddings server's answer: %v", err), 0)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("%w (%d)", ErrAuth, code)
	case code < 200 || code > 299:
		err := fmt.Errorf("the embeddings server answered %s: %s", resp.Status, r.serverMessage(data))
		if retry.Temporary(code) {
			return retry.Again(err, retry.After(resp.Header, data, time.Now()))
		}
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: not the expected JSON (%v)", ErrResponse, err)
	}
	return nil
}

// serverMessage extracts the error message from an error answer: OpenAI's
// {"error":{"message":...}}, Ollama's {"error":"..."}, or the text itself;
// shortened, with the API key removed.
func (r *remote) serverMessage(data []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	msg := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &e) == nil && len(e.Error) > 0 {
		var s string
		var o struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(e.Error, &s) == nil {
			msg = s
		} else if json.Unmarshal(e.Error, &o) == nil && o.Message != "" {
			msg = o.Message
		}
	}
	msg = r.redactor.String(msg)
	if len(msg) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	if msg == "" {
		msg = "no message"
	}
	return msg
}
