package client

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzLocation: whatever Location header a server sends, the redirect
// handling yields nothing or an absolute http(s) URL, and never panics.
func FuzzLocation(f *testing.F) {
	for _, s := range []string{"/next", "//evil.example/x", `/\evil.example`, "javascript:alert(1)", "data:text/html,x",
		"file:///etc/passwd", "http://[::ffff:127.0.0.2]:8/", "http://2130706434/", "https://a.test:99999/", "%zz", "\x00", ""} {
		f.Add(s)
	}
	base, _ := url.Parse("https://portal.test/login")
	f.Fuzz(func(t *testing.T, loc string) {
		resp := &http.Response{Header: http.Header{"Location": {loc}}}
		next, err := locationOf(resp, base)
		if err != nil {
			return
		}
		u, perr := url.Parse(next)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("Location %q gave %q", loc, next)
		}
	})
}

// FuzzRetryAfter: a server's Retry-After never makes the scanner wait
// longer than its cap, or a negative time.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "999999", "-5", "Wed, 21 Oct 2099 07:28:00 GMT", "Mon, 01 Jan 1990 00:00:00 GMT", "1e9", " 7 ", ""} {
		f.Add(s)
	}
	c := &Client{opts: Options{RetryAfterMax: 2 * time.Second}}
	f.Fuzz(func(t *testing.T, v string) {
		if strings.ContainsAny(v, "\r\n") {
			return
		}
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {v}}}
		d, ok := c.retryAfter(resp, http.MethodGet)
		if ok && (d < 0 || d > 2*time.Second) {
			t.Fatalf("Retry-After %q: wait %s", v, d)
		}
	})
}
