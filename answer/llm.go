package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/footnote-bot/footnote/internal/redact"
	"github.com/footnote-bot/footnote/internal/retry"
	openai "github.com/sashabaranov/go-openai"
)

// OpenAIWriter writes answers with a chat model behind the OpenAI API or any
// server that speaks it (Ollama, vLLM, llama.cpp's server, LM Studio,
// OpenRouter). It is safe for concurrent use.
//
// go-openai has no retries and no timeouts of its own; OpenAIWriter adds both.
// Every call runs under Timeout. Rate limits (429), server errors (5xx) and
// connection errors are retried with exponential backoff and jitter, waiting
// at least as long as a Retry-After header asks, at most Retries times, and
// only before the first token of an answer has arrived. A stream that sends
// no token for StallTimeout is cut.
type OpenAIWriter struct {
	opts   LLMOptions
	client *openai.Client
	count  tokenCounter
}

var _ Writer = (*OpenAIWriter)(nil)

// LLMOptions configure an OpenAIWriter. Zero values are documented defaults.
type LLMOptions struct {
	// BaseURL is the API's base URL, e.g. http://localhost:11434/v1 for
	// Ollama; "" means OpenAI. A URL with no path gets "/v1".
	BaseURL string
	// APIKey is sent as a bearer token; "" sends none (local servers).
	APIKey string
	// Model names the chat model. Required.
	Model string
	// Temperature is the sampling temperature; 0 is sent as 0. It is left
	// out for reasoning models (o1, o3, o4, gpt-5), which refuse it.
	Temperature float64
	// Timeout bounds one answer: every attempt, the waits between them and
	// the whole stream. 0 means 60s.
	Timeout time.Duration
	// StallTimeout cuts a stream that sends no token for this long (keep-alive
	// comments do not count). 0 means 30s; it is never more than Timeout.
	StallTimeout time.Duration
	// ContextTokens is how many tokens of passages a prompt may hold. 0 means
	// 6000; negative means no limit.
	ContextTokens int
	// Retries is how many times a failed call is tried again; 0 means never.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next one,
	// with jitter. 0 means 500ms.
	Backoff time.Duration
	// MaxRetryWait is the longest wait before a retry; a server asking for
	// longer (Retry-After) is not retried. 0 means 20s.
	MaxRetryWait time.Duration
	// HTTPClient sends the requests; nil means a new http.Client. Its own
	// Timeout, if any, applies to each attempt.
	HTTPClient *http.Client
}

const (
	defaultTimeout       = DefaultTimeout
	defaultStallTimeout  = 30 * time.Second
	defaultContextTokens = DefaultContextTokens
	defaultBackoff       = 500 * time.Millisecond
	defaultMaxRetryWait  = 20 * time.Second
	// emptyMessagesLimit is how many non-data lines (keep-alive comments,
	// blank lines) go-openai accepts between two events: many, since the
	// deadlines, not a count, decide when a quiet stream has failed.
	emptyMessagesLimit = 1 << 20
)

// NewOpenAIWriter returns a writer for opts. It loads the model's token
// tables (about 0.1s, once per process).
func NewOpenAIWriter(opts LLMOptions) (*OpenAIWriter, error) {
	if strings.TrimSpace(opts.Model) == "" {
		return nil, errors.New("no language model named (set the model)")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = defaultStallTimeout
	}
	opts.StallTimeout = min(opts.StallTimeout, opts.Timeout)
	if opts.ContextTokens == 0 {
		opts.ContextTokens = defaultContextTokens
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.Backoff <= 0 {
		opts.Backoff = defaultBackoff
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = defaultMaxRetryWait
	}
	cfg := openai.DefaultConfig(opts.APIKey)
	if opts.BaseURL != "" {
		base, err := baseURL(opts.BaseURL)
		if err != nil {
			return nil, err
		}
		cfg.BaseURL = base
	}
	var hc *http.Client
	if opts.HTTPClient != nil {
		hc = opts.HTTPClient
	} else {
		hc = &http.Client{}
	}
	cfg.HTTPClient = retryAfterDoer{hc}
	cfg.EmptyMessagesLimit = emptyMessagesLimit
	return &OpenAIWriter{opts: opts, client: openai.NewClientWithConfig(cfg), count: counterFor(opts.Model)}, nil
}

func baseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("model base URL %q is not an http or https URL", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1"
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Fit returns the leading passages that fit in the context budget.
func (w *OpenAIWriter) Fit(passages []Passage) []Passage {
	return fitPassages(passages, w.opts.ContextTokens, w.count)
}

// Write streams an answer to question from passages, calling delta with each
// piece of text as it arrives, and returns the whole text. Errors are
// *ModelError.
func (w *OpenAIWriter) Write(ctx context.Context, question string, history []Turn, passages []Passage, delta func(string)) (string, error) {
	system, user := answerPrompt(question, history, passages)
	req := w.request(system, user)
	ctx, cancel := context.WithTimeoutCause(ctx, w.opts.Timeout, errDeadline)
	defer cancel()
	var text strings.Builder
	err := w.retry(ctx, func(ctx context.Context) (bool, error) {
		return w.stream(ctx, req, &text, delta)
	})
	if err != nil {
		return "", err
	}
	return text.String(), nil
}

// Rewrite turns question, a follow-up to history, into a standalone question.
// Errors are *ModelError.
func (w *OpenAIWriter) Rewrite(ctx context.Context, history []Turn, question string) (string, error) {
	system, user := rewritePrompt(history, question)
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
	if i := strings.IndexByte(out, '\n'); i >= 0 {
		out = strings.TrimSpace(out[:i])
	}
	out = strings.Trim(out, "\"“”«»「」")
	if out == "" {
		return "", &ModelError{Kind: FailBadReply, Attempts: 1, Err: errors.New("empty rewrite")}
	}
	return out, nil
}

func (w *OpenAIWriter) request(system, user string) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model: w.opts.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		// go-openai leaves out a zero temperature (and servers then use their
		// default, often 1): the smallest float32 above 0 is 0 to them all.
		Temperature: max(float32(w.opts.Temperature), math.SmallestNonzeroFloat32),
	}
	if openai.NewReasoningValidator().Validate(req) != nil {
		req.Temperature = 0
	}
	return req
}

// stream runs one streamed attempt, appending the answer's text to out. It
// reports whether any text arrived.
func (w *OpenAIWriter) stream(ctx context.Context, req openai.ChatCompletionRequest, out *strings.Builder, delta func(string)) (started bool, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(w.opts.StallTimeout, func() { cancel(errStalled) })
	defer stall.Stop()

	// A call cut by the stall timer or a deadline fails with whatever the
	// transport makes of it; the context's cause says what happened.
	because := func(err error) error {
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
		return err
	}
	s, err := w.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return false, because(err)
	}
	defer s.Close()
	finished := false
	for {
		resp, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return started, because(err)
		}
		stall.Reset(w.opts.StallTimeout)
		for _, c := range resp.Choices {
			if c.Index != 0 {
				continue
			}
			if c.Delta.Content != "" {
				started = true
				out.WriteString(c.Delta.Content)
				if delta != nil {
					delta(c.Delta.Content)
				}
			}
			if c.FinishReason != "" {
				finished = true
			}
		}
	}
	if !finished {
		// The stream ended without a finish reason: "data: [DONE]" never
		// came, or the server closed the connection mid-answer.
		return started, errCut
	}
	return started, nil
}

// retry runs call until it succeeds, fails for good, has started streaming,
// or runs out of tries or time, with the shared retry policy.
func (w *OpenAIWriter) retry(ctx context.Context, call func(context.Context) (started bool, err error)) error {
	p := retry.Policy{Attempts: w.opts.Retries + 1, Base: w.opts.Backoff, Cap: w.opts.MaxRetryWait, MaxAfter: w.opts.MaxRetryWait}
	attempts := 0
	err := p.Do(ctx, func(ctx context.Context, n int) error {
		attempts = n
		hint := &retryHint{}
		started, err := call(context.WithValue(ctx, retryHintKey{}, hint))
		if err == nil {
			return nil
		}
		me := w.classify(ctx, err, n)
		if !me.retryable() || started {
			return me
		}
		return retry.Again(me, hint.after)
	})
	var me *ModelError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &me):
		return me
	}
	// ctx ended during a wait.
	return w.classify(ctx, err, attempts)
}

// Failure kinds of a ModelError.
const (
	FailTimeout     = "timeout"      // the call's deadline passed
	FailStalled     = "stalled"      // the stream stopped sending tokens
	FailCut         = "cut"          // the stream ended mid-answer
	FailRateLimited = "rate-limited" // 429
	FailServer      = "server"       // 5xx, or an error event in the stream
	FailUnreachable = "unreachable"  // no connection
	FailRefused     = "refused"      // another 4xx: bad key, unknown model, ...
	FailBadReply    = "bad-reply"    // a reply that could not be read
	FailCanceled    = "canceled"     // the caller gave up
)

// ModelError is a call to the language model that failed. Its text never
// holds the API key.
type ModelError struct {
	Kind     string // one of the Fail* kinds
	Status   int    // HTTP status, 0 when there was none
	Attempts int    // how many attempts were made
	Err      error
	key      string        // redacted from Error, with other secrets
	limit    time.Duration // the timeout, for FailTimeout
}

func (e *ModelError) Error() string {
	msg := fmt.Sprintf("language model %s (%d attempts)", e.Kind, e.Attempts)
	if e.Status != 0 {
		msg += fmt.Sprintf(", HTTP %d", e.Status)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return redact.String(msg, e.key)
}

func (e *ModelError) Unwrap() error { return e.Err }

// Reason says in a few words, for people, why the model did not answer.
func (e *ModelError) Reason() string {
	switch e.Kind {
	case FailTimeout:
		if e.limit > 0 {
			return "no answer within " + e.limit.String()
		}
		return "it took too long"
	case FailStalled:
		return "it stopped sending text"
	case FailCut:
		return "its reply was cut off"
	case FailRateLimited:
		return "its server is rate-limiting requests"
	case FailServer:
		if e.Status != 0 {
			return fmt.Sprintf("its server failed with HTTP %d", e.Status)
		}
		return "its server reported an error"
	case FailUnreachable:
		return "its server could not be reached"
	case FailRefused:
		return fmt.Sprintf("its server refused the request with HTTP %d", e.Status)
	case FailBadReply:
		return "its reply could not be read"
	case FailCanceled:
		return "the request was cancelled"
	}
	return "an error"
}

func (e *ModelError) retryable() bool {
	switch e.Kind {
	case FailRateLimited, FailServer, FailUnreachable, FailCut:
		return true
	}
	return false
}

var (
	errDeadline = errors.New("deadline passed")
	errStalled  = errors.New("no token within the stall timeout")
	errCut      = errors.New("stream ended before the answer finished")
	errNoChoice = errors.New("reply has no choices")
)

// classify turns an attempt's error into a ModelError.
func (w *OpenAIWriter) classify(ctx context.Context, err error, attempts int) *ModelError {
	me := &ModelError{Attempts: attempts, Err: err, key: w.opts.APIKey}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var netErr net.Error
	switch {
	case errors.Is(context.Cause(ctx), errDeadline) || errors.Is(err, errDeadline):
		me.Kind, me.limit = FailTimeout, w.opts.Timeout
		me.Err = fmt.Errorf("no complete answer within %s", w.opts.Timeout)
	case ctx.Err() != nil:
		me.Kind = FailCanceled
	case errors.Is(err, errStalled):
		me.Kind = FailStalled
	case errors.As(err, &apiErr):
		me.Status = apiErr.HTTPStatusCode
		me.Kind = statusKind(apiErr.HTTPStatusCode)
	case errors.As(err, &reqErr):
		me.Status = reqErr.HTTPStatusCode
		me.Kind = statusKind(reqErr.HTTPStatusCode)
	case errors.Is(err, errCut), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		me.Kind = FailCut // retried only when nothing had arrived
	case errors.As(err, &netErr), errors.Is(err, syscall.ECONNREFUSED):
		me.Kind = FailUnreachable
	default:
		me.Kind = FailBadReply
	}
	return me
}

func statusKind(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return FailRateLimited
	case status >= 500, status == 0: // 0: an error event inside a stream
		return FailServer
	case status == http.StatusRequestTimeout:
		return FailServer
	}
	return FailRefused
}

// Retry-After: go-openai's errors do not carry the response's headers, so the
// HTTP client is wrapped to read them into the attempt's retryHint.

type retryHintKey struct{}

type retryHint struct{ after time.Duration }

type retryAfterDoer struct{ next openai.HTTPDoer }

func (d retryAfterDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500) {
		return resp, err
	}
	if h, ok := req.Context().Value(retryHintKey{}).(*retryHint); ok {
		h.after = retry.After(resp.Header, nil, time.Now())
	}
	return resp, err
}
