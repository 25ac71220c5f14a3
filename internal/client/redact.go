package client

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every credential in output.
const Mask = "[redacted]"

// minSecretLen keeps short values (a "1", "en") out of the redaction set:
// masking them would shred ordinary text without protecting anything.
const minSecretLen = 6

// Redactor masks credentials in every string that leaves the scanner:
// evidence, repro commands, logs and reports. It masks the values it was
// told about (passwords, cookie values, tokens) and, structurally, the values
// of credential-bearing headers and URL parameters.
type Redactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
	sorted  []string // longest first, so a secret containing another is masked whole
}

// NewRedactor returns an empty redactor.
func NewRedactor() *Redactor { return &Redactor{secrets: map[string]bool{}} }

// Add registers secret values to mask wherever they appear, also in their
// URL-encoded forms.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, v := range values {
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			if len(form) >= minSecretLen && !r.secrets[form] {
				r.secrets[form] = true
				changed = true
			}
		}
	}
	if !changed {
		return
	}
	r.sorted = r.sorted[:0]
	for s := range r.secrets {
		r.sorted = append(r.sorted, s)
	}
	sort.Slice(r.sorted, func(i, j int) bool { return len(r.sorted[i]) > len(r.sorted[j]) })
}

var (
	// Header lines whose whole value is a credential.
	// At a line's start or in a one-line curl's -H '…' anywhere.
	credHeader = regexp.MustCompile(`(?im)((?:^|-H ')(?:authorization|proxy-authorization|x-api-key|apikey|x-auth-token|x-csrf-token):\s*)([^'\r\n]+)`)
	// Cookie and Set-Cookie headers: mask each value, keep names and attributes.
	cookieHeader = regexp.MustCompile(`(?im)((?:^|-H ')(?:set-)?cookie:\s*)([^'\r\n]*)`)
	cookiePair   = regexp.MustCompile(`((?:^|;\s*)[^=;\s]+=)([^;]*)`)
	// Query or form parameters that carry credentials.
	credParam = regexp.MustCompile(`(?i)([?&;\s'"]|^)((?:password|passwd|pass|pwd|token|access_token|refresh_token|id_token|api_key|apikey|secret|client_secret|code|session|sessionid|_csrf|csrf_token|authenticity_token)=)([^&\s'"]+)`)
	bearer    = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}`)
)

// Redact masks every known secret and every credential-shaped value in s.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, secret := range r.sorted {
			s = strings.ReplaceAll(s, secret, Mask)
		}
		r.mu.RUnlock()
	}
	s = credHeader.ReplaceAllString(s, "${1}"+Mask)
	s = cookieHeader.ReplaceAllStringFunc(s, func(line string) string {
		m := cookieHeader.FindStringSubmatch(line)
		return m[1] + maskCookieValues(m[2], strings.HasPrefix(strings.ToLower(strings.TrimPrefix(m[1], "-H '")), "set-"))
	})
	s = credParam.ReplaceAllString(s, "${1}${2}"+Mask)
	s = bearer.ReplaceAllString(s, "${1}"+Mask)
	return s
}

// maskCookieValues masks cookie values; for Set-Cookie only the first pair
// is the cookie, the rest are attributes kept for the reader.
func maskCookieValues(v string, setCookie bool) string {
	if setCookie {
		name, rest, ok := strings.Cut(v, "=")
		if !ok {
			return v
		}
		val, attrs, hasAttrs := strings.Cut(rest, ";")
		if val == "" || val == Mask {
			return v
		}
		if hasAttrs {
			return name + "=" + Mask + ";" + attrs
		}
		return name + "=" + Mask
	}
	return cookiePair.ReplaceAllStringFunc(v, func(pair string) string {
		m := cookiePair.FindStringSubmatch(pair)
		if m[2] == "" {
			return pair
		}
		return m[1] + Mask
	})
}
