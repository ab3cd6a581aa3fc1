// Package redact removes secrets from text bound for a log or an error
// message: the secrets it is given (a bot token, an API key), the password
// and user of URLs (https://user:pass@host), credential query parameters
// (?key=..., &token=...), bearer tokens, and the tokens in the paths of
// Discord's webhook and interaction URLs. What is removed reads "[redacted]".
package redact

import (
	"regexp"
	"strings"
)

// Mark replaces what is removed.
const Mark = "[redacted]"

// minSecret is the shortest secret replaced wherever it appears: shorter
// ones would blot out ordinary words.
const minSecret = 4

// A Redactor removes secrets from strings. Its zero value removes only what
// looks like a credential; New adds secrets known by value.
type Redactor struct {
	secrets []string
}

// New returns a Redactor that also removes each of secrets (those shorter
// than 4 bytes are ignored; a "Bot " or "Bearer " prefix is dropped first).
func New(secrets ...string) Redactor {
	var r Redactor
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(strings.TrimPrefix(s, "Bot "), "Bearer ")
		if len(s) >= minSecret {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

var (
	// userinfo matches the user:password@ of a URL.
	userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#@\s"'<>]+@`)
	// query matches the value of a query parameter that carries a credential.
	query = regexp.MustCompile(`(?i)([?&;](?:api[_\-]?key|key|token|access[_\-]?token|password|passwd|secret|signature|sig)=)[^&#\s"'<>]+`)
	// bearer matches an Authorization header's credential.
	bearer = regexp.MustCompile(`(?i)\b(Bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*`)
	// discord matches the token in a webhook or interaction URL's path.
	discord = regexp.MustCompile(`((?:webhooks|interactions)/[0-9]+/)[A-Za-z0-9_.\-]+`)
)

// String returns s with every secret removed.
func (r Redactor) String(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Mark)
	}
	s = userinfo.ReplaceAllString(s, "${1}"+Mark+"@")
	s = query.ReplaceAllString(s, "${1}"+Mark)
	s = bearer.ReplaceAllString(s, "${1} "+Mark)
	return discord.ReplaceAllString(s, "${1}"+Mark)
}

// String removes what looks like a credential from s (see Redactor.String),
// and each of secrets.
func String(s string, secrets ...string) string { return New(secrets...).String(s) }
