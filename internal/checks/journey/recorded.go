package journey

import (
	"net/http"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/recorded"
)

// recordedCookies are member a's recorded cookies for the portal, as
// candidates for the session cookie: their attributes are what the
// browser kept from the Set-Cookie headers it received, so the flag
// checks judge them as they would the headers. The verification request
// the recorded login made stands as their exchange.
func recordedCookies(env *check.Env, sess *client.Session) []SetCookie {
	rec := env.Config.Recording("a")
	if rec == nil || sess.Login.Verified == nil {
		return nil
	}
	host := env.Sessions.Config().Origin.Hostname()
	resp := sess.Login.Verified
	hop := client.Hop{Method: http.MethodGet, URL: resp.URL.String(), Status: resp.StatusCode}
	if n := len(resp.Hops); n > 0 {
		hop = resp.Hops[0]
	}
	source := "recorded " + rec.Recorded.Format(time.DateOnly) + " in " + env.Config.RecordedFile("a")
	var out []SetCookie
	for _, c := range rec.Cookies {
		if !domainMatches(host, c) {
			continue
		}
		raw, attrs := rebuild(c)
		out = append(out, SetCookie{Name: c.Name, Value: c.Value, Raw: raw, Attrs: attrs, Hop: hop, Resp: resp, Recorded: source})
	}
	return out
}

// domainMatches reports whether a recorded cookie is sent to host.
func domainMatches(host string, c recorded.Cookie) bool {
	h := strings.ToLower(c.Host())
	host = strings.ToLower(host)
	if c.HostOnly() {
		return h == host
	}
	return host == h || strings.HasSuffix(host, "."+h)
}

// rebuild writes a recorded cookie as the Set-Cookie line its attributes
// say, and the attribute map the checks read.
func rebuild(c recorded.Cookie) (string, map[string]string) {
	attrs := map[string]string{"path": c.Path}
	parts := []string{c.Name + "=" + c.Value, "Path=" + c.Path}
	if !c.HostOnly() {
		attrs["domain"] = c.Host()
		parts = append(parts, "Domain="+c.Host())
	}
	if !c.Expires.IsZero() {
		attrs["expires"] = c.Expires.UTC().Format(http.TimeFormat)
		parts = append(parts, "Expires="+attrs["expires"])
	}
	if c.Secure {
		attrs["secure"] = ""
		parts = append(parts, "Secure")
	}
	if c.HTTPOnly {
		attrs["httponly"] = ""
		parts = append(parts, "HttpOnly")
	}
	if c.SameSite != "" {
		attrs["samesite"] = c.SameSite
		parts = append(parts, "SameSite="+c.SameSite)
	}
	return strings.Join(parts, "; "), attrs
}
