package client

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	r := NewRedactor()
	r.Add("hunter2-long-password", "s3cr3t value&x")
	tests := []struct {
		in, want string
	}{
		{"password is hunter2-long-password.", "password is [redacted]."},
		{"email=a%40b&password=s3cr3t+value%26x", "email=a%40b&password=[redacted]"},
		{"Cookie: pm=abc123; theme=light", "Cookie: pm=[redacted]; theme=[redacted]"},
		{"Set-Cookie: pm=abc123def; Path=/; HttpOnly", "Set-Cookie: pm=[redacted]; Path=/; HttpOnly"},
		{"-H 'Cookie: pm=abc123def' 'https://x/'", "-H 'Cookie: pm=[redacted]' 'https://x/'"},
		{"Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig", "Authorization: [redacted]"},
		{"-H 'Authorization: Token abc' x", "-H 'Authorization: [redacted]' x"},
		{"see Bearer abcdefghijklmnop here", "see Bearer [redacted] here"},
		{"GET https://x/cb?code=abc123&state=ok", "GET https://x/cb?code=[redacted]&state=ok"},
		{"GET https://x/?access_token=zzzz", "GET https://x/?access_token=[redacted]"},
		{"curl -sS -H 'Content-Type: application/json' -H 'Apikey: eyJhbGciOi.eyJyb2xlIjoiYW5vbiJ9.sig' -H 'Cookie: sb=abcdef' 'https://x/'",
			"curl -sS -H 'Content-Type: application/json' -H 'Apikey: [redacted]' -H 'Cookie: sb=[redacted]' 'https://x/'"},
		{"plain text stays", "plain text stays"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactShortValuesIgnored(t *testing.T) {
	r := NewRedactor()
	r.Add("en", "1")
	if got := r.Redact("lang=en value 1"); got != "lang=en value 1" {
		t.Errorf("short values shredded text: %q", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("Cookie: a=b; c=d", "secret-value")
	f.Add("Set-Cookie: x", "")
	f.Fuzz(func(t *testing.T, s, secret string) {
		r := NewRedactor()
		r.Add(secret)
		out := r.Redact(s + " " + secret)
		if len(secret) >= minSecretLen && !strings.Contains(Mask, secret) && strings.Contains(out, secret) {
			// The mask itself or overlapping structural masks may not
			// reproduce the secret.
			t.Fatalf("secret %q survives in %q", secret, out)
		}
	})
}
