package redact

import "testing"

func TestString(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"nothing secret", "connect to https://discord.com/api/v9/gateway: EOF", nil,
			"connect to https://discord.com/api/v9/gateway: EOF"},
		{"a secret anywhere", "Incorrect API key provided: sk-abc123. (sk-abc123)", []string{"sk-abc123"},
			"Incorrect API key provided: [redacted]. ([redacted])"},
		{"a bot token given with its prefix", "token MTIz.abc.def refused", []string{"Bot MTIz.abc.def"},
			"token [redacted] refused"},
		{"short secrets ignored", "a bc the", []string{"bc", ""}, "a bc the"},
		{"URL user and password", `parse "https://alice:s3cret@api.example.com/v1": bad port`, nil,
			`parse "https://[redacted]@api.example.com/v1": bad port`},
		{"URL user only", "http://token@localhost:11434/api/embed", nil, "http://[redacted]@localhost:11434/api/embed"},
		{"an @ in the path is not userinfo", "https://example.com/users/@me", nil, "https://example.com/users/@me"},
		{"credential query parameters", "GET https://x.test/v1?api_key=abc&model=m&token=t0k#frag", nil,
			"GET https://x.test/v1?api_key=[redacted]&model=m&token=[redacted]#frag"},
		{"bearer header", "Authorization: Bearer sk-proj-abcdefghijkl", nil, "Authorization: Bearer [redacted]"},
		{"Discord interaction token", "POST https://discord.com/api/v9/interactions/123/aW50ZXJhY3Rpb24.tok-en_1/callback", nil,
			"POST https://discord.com/api/v9/interactions/123/[redacted]/callback"},
		{"Discord webhook token", "PATCH /webhooks/900/abc.DEF-ghi/messages/@original", nil,
			"PATCH /webhooks/900/[redacted]/messages/@original"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("String(%q) =\n %q, want\n %q", tt.in, got, tt.want)
			}
		})
	}
}
