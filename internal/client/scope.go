package client

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Scope is the set of hosts (and URL prefixes) a scan may contact.
type Scope struct {
	entries []scopeEntry
}

type scopeEntry struct {
	host   string // lower-case, no port
	port   string // "" = any port
	scheme string // set only for URL prefixes
	prefix string // path prefix for URL prefixes, ends in "/"
	raw    string
}

// ParseScope reads scope entries: "host" (any port), "host:port", or a URL
// prefix such as https://firestore.googleapis.com/v1/projects/ID/.
func ParseScope(entries []string) (*Scope, error) {
	s := &Scope{}
	for _, raw := range entries {
		e, err := parseScopeEntry(raw)
		if err != nil {
			return nil, err
		}
		s.entries = append(s.entries, e)
	}
	return s, nil
}

func parseScopeEntry(raw string) (scopeEntry, error) {
	e := scopeEntry{raw: raw}
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return e, fmt.Errorf("scope entry %q: a URL prefix must be an absolute http(s) URL", raw)
		}
		e.scheme = u.Scheme
		e.host = strings.ToLower(u.Hostname())
		e.port = u.Port()
		e.prefix = u.EscapedPath()
		if !strings.HasSuffix(e.prefix, "/") {
			e.prefix += "/"
		}
		return e, nil
	}
	host, port := raw, ""
	if h, p, err := net.SplitHostPort(raw); err == nil {
		host, port = h, p
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || strings.ContainsAny(host, "/*?# ") {
		return e, fmt.Errorf("scope entry %q: want host, host:port or an https:// URL prefix", raw)
	}
	e.host, e.port = host, port
	return e, nil
}

// Allows reports whether u may be contacted. A host entry matches the host
// on any port, a host:port entry only that port (the scheme's default port
// when the URL has none), and a URL prefix only URLs under its path, after
// dot segments are removed so /prefix/../other cannot escape it.
func (s *Scope) Allows(u *url.URL) bool {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	port := effectivePort(u)
	for _, e := range s.entries {
		if e.host != host {
			continue
		}
		if e.scheme != "" {
			if e.scheme != u.Scheme || (e.port != "" && e.port != port) || (e.port == "" && port != defaultPort(u.Scheme)) {
				continue
			}
			if underPrefix(u, e.prefix) {
				return true
			}
			continue
		}
		if e.port == "" || e.port == port {
			return true
		}
	}
	return false
}

// AllowsHostPort reports whether some entry admits host on port: the test
// the dialer applies to every connection, whatever protocol it carries. A
// URL-prefix entry admits its host on its port here; its paths are judged
// per request by Allows.
func (s *Scope) AllowsHostPort(host, port string) bool {
	host = canonicalHost(host)
	for _, e := range s.entries {
		if e.host != host {
			continue
		}
		want := e.port
		if want == "" && e.scheme != "" {
			want = defaultPort(e.scheme)
		}
		if want == "" || want == port {
			return true
		}
	}
	return false
}

// Hosts lists the distinct hosts of the entries.
func (s *Scope) Hosts() []string {
	var out []string
	for _, e := range s.entries {
		if !slices.Contains(out, e.host) {
			out = append(out, e.host)
		}
	}
	return out
}

// String lists the entries as configured.
func (s *Scope) String() string {
	raw := make([]string, len(s.entries))
	for i, e := range s.entries {
		raw[i] = e.raw
	}
	return strings.Join(raw, ", ")
}

func underPrefix(u *url.URL, prefix string) bool {
	p := u.EscapedPath()
	if !plainPath(p) {
		return false
	}
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p && strings.HasPrefix(clean, prefix) || clean+"/" == prefix && clean == p
}

// plainPath reports whether an escaped path under a URL-prefix entry means
// the same to every server that could decode it. Servers and the proxies in
// front of them decode more than the URL standard says: a percent-encoded
// dot or slash (%2e, %2f, %5c), a backslash, a path parameter (..;/ is
// Tomcat's and Spring's dot segment; %3b is the same after one decoding), a
// double encoding (%252e becomes %2e, then .), a NUL (%00 ends a C string)
// and overlong UTF-8 (%c0%ae is a dot to lenient decoders) can each carry a
// request outside the prefix. Paths with any of them are refused outright.
func plainPath(p string) bool {
	lower := strings.ToLower(p)
	for _, bad := range []string{"%2e", "%2f", "%5c", "%3b", "%25", "%00", `\`, ";"} {
		if strings.Contains(lower, bad) {
			return false
		}
	}
	dec, err := url.PathUnescape(p)
	if err != nil || !utf8.ValidString(dec) {
		// Overlong forms (%c0%ae, %e0%80%ae) are invalid UTF-8.
		return false
	}
	for _, r := range dec {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return defaultPort(u.Scheme)
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}
