package client

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The redactor before issue 12, kept here only to measure against: Add
// re-sorted every stored form for each new value, and Redact ran one
// ReplaceAll per stored form.
type legacyRedactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
	sorted  []string
}

var (
	legacyCredHeader = regexp.MustCompile(`(?im)((?:^|-H ')(?:authorization|proxy-authorization|x-api-key|apikey|x-auth-token|x-csrf-token):\s*)([^'\r\n]+)`)
	legacyCredParam  = regexp.MustCompile(`(?i)([?&;\s'"]|^)((?:password|passwd|pass|pwd|token|access_token|refresh_token|id_token|api_key|apikey|secret|client_secret|code|session|sessionid|_csrf|csrf_token|authenticity_token)=)([^&\s'"]+)`)
)

func (r *legacyRedactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
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

func (r *legacyRedactor) Redact(s string) string {
	r.mu.RLock()
	for _, secret := range r.sorted {
		s = strings.ReplaceAll(s, secret, Mask)
	}
	r.mu.RUnlock()
	s = legacyCredHeader.ReplaceAllString(s, "${1}"+Mask)
	s = legacyCredParam.ReplaceAllString(s, "${1}${2}"+Mask)
	return bearer.ReplaceAllString(s, "${1}"+Mask)
}

type redactor interface {
	Add(...string)
	Redact(string) string
}

// fakeKeys makes n values shaped like the keys a bundle of fakes holds:
// most share their first characters, as real key formats do.
func fakeKeys(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	prefixes := []string{"sk_live_", "AKIA", "ghp_", "xoxb-", "AIza"}
	out := make([]string, n)
	for i := range out {
		b := []byte(prefixes[i%len(prefixes)])
		for range 20 + i%13 {
			b = append(b, alnum[rng.IntN(len(alnum))])
		}
		out[i] = string(b)
	}
	return out
}

// evidenceText is what a check quotes: a repro with a JSON body, a URL
// with parameters, a few lines of a response, two known values in it.
func evidenceText(keys []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `curl -sS -i -X POST -H 'Content-Type: application/json' -H 'Cookie: pm=abc' --data-binary '{"email":"a@b.test","note":"it'\''s \u003cok\u003e"}' 'https://portal.test/api/items?page=2&q=a%%20b'`)
	b.WriteString("\n")
	for i := range 40 {
		fmt.Fprintf(&b, "line %d of the response body: {\"id\":%d,\"name\":\"item %d\",\"owner\":\"member-a\"}\n", i, i, i)
	}
	fmt.Fprintf(&b, "found %s and %s in /assets/app.js\n", keys[len(keys)/3], url.QueryEscape(keys[len(keys)/2]))
	return b.String()
}

func benchAdd(b *testing.B, newR func() redactor, keys []string) {
	for b.Loop() {
		r := newR()
		for _, k := range keys {
			r.Add(k) // one at a time, as findings and cookies arrive
		}
	}
}

func benchRedact(b *testing.B, r redactor, keys []string) {
	r.Add(keys...)
	text := evidenceText(keys)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if out := r.Redact(text); strings.Contains(out, keys[len(keys)/3]) {
			b.Fatal("a key survived")
		}
	}
}

// BenchmarkRedactor measures the redactor against the one before issue 12
// (breach 6): adding values one at a time, and redacting an evidence text
// with 500 cookies' or 250,000 keys' worth of values stored. The legacy
// Add is quadratic, so it is measured at sizes it finishes; compare the
// per-value cost as the size grows.
func BenchmarkRedactor(b *testing.B) {
	impls := []struct {
		name string
		new  func() redactor
	}{
		{"new", func() redactor { return NewRedactor() }},
		{"legacy", func() redactor { return &legacyRedactor{} }},
	}
	for _, impl := range impls {
		for _, n := range []int{500, 5000, 250000} {
			if impl.name == "legacy" && n > 5000 {
				continue // hours: each Add sorts every stored form
			}
			b.Run(fmt.Sprintf("add/%s/values=%d", impl.name, n), func(b *testing.B) {
				benchAdd(b, impl.new, fakeKeys(n))
			})
		}
		for _, n := range []int{500, 250000} {
			b.Run(fmt.Sprintf("redact/%s/values=%d", impl.name, n), func(b *testing.B) {
				benchRedact(b, impl.new(), fakeKeys(n))
			})
		}
	}
}

// BenchmarkCookies500 is the reproduced hang: one response sets 500
// credential cookies, and the scan then redacts each hop's URL and the
// evidence as before.
func BenchmarkCookies500(b *testing.B) {
	values := make([]string, 500)
	for i := range values {
		values[i] = fmt.Sprintf("session-%03d-%s", i, strings.Repeat("v", 40))
	}
	for _, impl := range []struct {
		name string
		new  func() redactor
	}{{"new", func() redactor { return NewRedactor() }}, {"legacy", func() redactor { return &legacyRedactor{} }}} {
		b.Run(impl.name, func(b *testing.B) {
			text := evidenceText(values)
			for b.Loop() {
				r := impl.new()
				for _, v := range values {
					r.Add(v)
					_ = r.Redact("GET https://portal.test/next?i=1")
				}
				_ = r.Redact(text)
			}
		})
	}
}
