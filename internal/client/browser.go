package client

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Browser makes a Request the one a member's browser sends: a navigation
// (a link followed, a form submitted) or a page script's fetch, with the
// headers a browser computes for each hop (Origin, Referer, Sec-Fetch-*,
// Accept, Accept-Language). Frameworks refuse a form POST without them:
// Django's CSRF check wants a same-origin Referer or Origin over HTTPS,
// Rails, Next.js server actions and Ory Kratos check Origin.
type Browser struct {
	// From is the URL of the page the request starts on: the form's page,
	// or the page whose script fetches. Nil is a navigation no page
	// started (an address typed, a link opened from a mail): Sec-Fetch-Site
	// none, no Referer.
	From *url.URL
	// Policy is the page's Referrer-Policy header ("" for the default,
	// strict-origin-when-cross-origin).
	Policy string
	// Fetch marks a script's fetch. Without it, a request an HTML form
	// can send (GET, or POST with a form's content type) is a navigation,
	// any other a fetch.
	Fetch bool
}

// FromPage is the Browser of a request started on the page resp shows:
// its URL and referrer policy (nil resp: a navigation from no page).
func FromPage(resp *Response) *Browser {
	if resp == nil || resp.URL == nil {
		return &Browser{}
	}
	return &Browser{From: resp.URL, Policy: resp.Header.Get("Referrer-Policy")}
}

// FromURL is the Browser of a request started on the page at raw, a page
// the scanner did not fetch (the portal's front page, for a configured
// write or a JSON login its script sends). An unparsable raw is no page.
func FromURL(raw string) *Browser {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &Browser{}
	}
	return &Browser{From: u}
}

// What a browser accepts and speaks; Firefox's values.
const (
	acceptDocument = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptLanguage = "en-US,en;q=0.5"
)

// navigation reports whether req is a navigation rather than a fetch.
func (b *Browser) navigation(req *Request) bool {
	if b.Fetch {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		return formContentType(req.Header.Get("Content-Type"))
	}
	return false
}

// formContentType reports whether an HTML form can send a body of type ct.
func formContentType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" || mt == "text/plain")
}

// apply adds to h, a hop's headers, those the browser sends for the hop
// with method to chain's last URL (chain holds every URL of the request so
// far, its own first); headers the request sets itself are kept. A hop
// that lost its body to a redirect loses the body's Content-Type too.
func (b *Browser) apply(h http.Header, req *Request, method string, chain []*url.URL, hasBody bool) {
	u := chain[len(chain)-1]
	nav := b.navigation(req)
	set := func(k, v string) {
		if v != "" && h.Get(k) == "" {
			h.Set(k, v)
		}
	}
	if !hasBody {
		h.Del("Content-Type")
	}
	if nav {
		set("Accept", acceptDocument)
		set("Upgrade-Insecure-Requests", "1")
	} else {
		set("Accept", "*/*")
	}
	set("Accept-Language", acceptLanguage)
	set("Origin", b.origin(method, u, nav))
	set("Referer", b.referrer(u))
	set("Sec-Fetch-Site", b.site(chain))
	if nav {
		set("Sec-Fetch-Mode", "navigate")
		set("Sec-Fetch-Dest", "document")
		// The member clicked: the link, the submit button.
		set("Sec-Fetch-User", "?1")
	} else {
		set("Sec-Fetch-Mode", "cors")
		set("Sec-Fetch-Dest", "empty")
	}
}

// policy is the page's referrer policy: the last token of the header a
// browser knows, else the default (Referrer Policy §8.1).
func (b *Browser) policy() string {
	p := "strict-origin-when-cross-origin"
	for _, tok := range strings.Split(b.Policy, ",") {
		switch t := strings.ToLower(strings.TrimSpace(tok)); t {
		case "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
			"origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url":
			p = t
		}
	}
	return p
}

// origin is the Origin header of a hop, "" for none (Fetch, "append a
// request Origin header"): a fetch sends it cross-origin or with a body
// method; a navigation only with a method other than GET and HEAD, as
// "null" where the referrer policy hides the page.
func (b *Browser) origin(method string, u *url.URL, nav bool) string {
	safe := method == http.MethodGet || method == http.MethodHead
	if b.From == nil {
		if safe {
			return ""
		}
		return "null"
	}
	same := originOf(b.From) == originOf(u)
	if !nav {
		if same && safe {
			return ""
		}
		return serializeOrigin(b.From)
	}
	if safe {
		return ""
	}
	switch b.policy() {
	case "no-referrer":
		return "null"
	case "same-origin":
		if !same {
			return "null"
		}
	case "no-referrer-when-downgrade", "strict-origin", "strict-origin-when-cross-origin":
		if b.From.Scheme == "https" && u.Scheme != "https" {
			return "null"
		}
	}
	return serializeOrigin(b.From)
}

// referrer is the Referer header of a request to u, "" for none
// (Referrer Policy §8.3, "determine request's referrer").
func (b *Browser) referrer(u *url.URL) string {
	if b.From == nil || (b.From.Scheme != "http" && b.From.Scheme != "https") {
		return ""
	}
	full := *b.From
	full.User, full.Fragment, full.RawFragment = nil, "", ""
	ref, origin := full.String(), serializeOrigin(b.From)+"/"
	if len(ref) > 4096 {
		ref = origin
	}
	same := originOf(b.From) == originOf(u)
	downgrade := b.From.Scheme == "https" && !trustworthy(u)
	switch b.policy() {
	case "no-referrer":
		return ""
	case "origin":
		return origin
	case "unsafe-url":
		return ref
	case "strict-origin":
		if downgrade {
			return ""
		}
		return origin
	case "same-origin":
		if same {
			return ref
		}
		return ""
	case "origin-when-cross-origin":
		if same {
			return ref
		}
		return origin
	case "no-referrer-when-downgrade":
		if downgrade {
			return ""
		}
		return ref
	}
	// strict-origin-when-cross-origin
	switch {
	case same:
		return ref
	case downgrade:
		return ""
	}
	return origin
}

// site is Sec-Fetch-Site for a request through chain (Fetch Metadata §2.4):
// none for a navigation no page started, else the loosest relation
// between the page and any URL of the chain.
func (b *Browser) site(chain []*url.URL) string {
	if b.From == nil {
		return "none"
	}
	v := "same-origin"
	for _, u := range chain {
		if originOf(u) == originOf(b.From) {
			continue
		}
		if !sameSite(u, b.From) {
			return "cross-site"
		}
		v = "same-site"
	}
	return v
}

// sameSite reports whether a and b are the same site: the same scheme and
// registrable domain (or the same host, for an IP address or a name that
// has no registrable domain).
func sameSite(a, b *url.URL) bool {
	if !strings.EqualFold(a.Scheme, b.Scheme) {
		return false
	}
	ha, hb := canonicalHost(a.Hostname()), canonicalHost(b.Hostname())
	if ha == hb {
		return true
	}
	if net.ParseIP(ha) != nil || net.ParseIP(hb) != nil {
		return false
	}
	ra, errA := publicsuffix.EffectiveTLDPlusOne(ha)
	rb, errB := publicsuffix.EffectiveTLDPlusOne(hb)
	return errA == nil && errB == nil && ra == rb
}

// trustworthy reports whether u is a potentially trustworthy URL (Secure
// Contexts §3.2): https, or a loopback host.
func trustworthy(u *url.URL) bool {
	if u.Scheme == "https" || u.Scheme == "wss" {
		return true
	}
	h := canonicalHost(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// serializeOrigin writes u's origin as the Origin header does: scheme and
// host, with the port only when it is not the scheme's default.
func serializeOrigin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := canonicalHost(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "https" && p == "443") && !(scheme == "http" && p == "80") {
		host += ":" + p
	}
	return scheme + "://" + host
}
