package config

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults for keys the config leaves out. A key written with an explicit
// zero keeps it (and validation refuses it), so a typo never silently
// becomes the default.
const (
	DefaultAuthKind       = "form"
	DefaultSessionKind    = "cookie"
	DefaultRate           = 50.0
	DefaultConnectTimeout = 5 * time.Second
	DefaultTLSTimeout     = 5 * time.Second
	DefaultHeaderTimeout  = 15 * time.Second
	DefaultRequestTimeout = 30 * time.Second
	DefaultCheckTimeout   = 120 * time.Second
	DefaultCleanupTimeout = 60 * time.Second
	DefaultScanTimeout    = 15 * time.Minute
	DefaultMaxBodyBytes   = 10 << 20
	DefaultBodyBudget     = 128 << 20
	DefaultMaxHeaderBytes = 128 << 10
	DefaultMaxRedirects   = 10
	DefaultRetryAfterMax  = 10 * time.Second
	DefaultLogoutMethod   = "POST"
	DefaultRecheck        = 30 * time.Second
)

// Logout kinds (auth.logout.kind).
const (
	// LogoutServer: a request to auth.logout.path ends the session.
	LogoutServer = "server"
	// LogoutClient: signing out only forgets the token in the browser.
	LogoutClient = "client"
)

// defaultTo sets *p to def when it is zero and key was not written.
func defaultTo[T comparable](c *Config, key string, p *T, def T) {
	var zero T
	if *p == zero && !c.src.written(key) {
		*p = def
	}
}

// applyDefaults fills in every key the config left out.
func (c *Config) applyDefaults() {
	defaultTo(c, "auth.kind", &c.Auth.Kind, DefaultAuthKind)
	c.applyPlatformSession()
	c.applyLoginKindDefaults()
	defaultTo(c, "session.kind", &c.Session.Kind, DefaultSessionKind)
	t := &c.Target
	defaultTo(c, "target.rate", &t.Rate, DefaultRate)
	defaultTo(c, "target.timeouts.connect", &t.Timeouts.Connect, DefaultConnectTimeout)
	defaultTo(c, "target.timeouts.tls", &t.Timeouts.TLS, DefaultTLSTimeout)
	defaultTo(c, "target.timeouts.header", &t.Timeouts.Header, DefaultHeaderTimeout)
	defaultTo(c, "target.timeouts.request", &t.Timeouts.Request, DefaultRequestTimeout)
	defaultTo(c, "target.timeouts.check", &t.Timeouts.Check, DefaultCheckTimeout)
	defaultTo(c, "target.timeouts.cleanup", &t.Timeouts.Cleanup, DefaultCleanupTimeout)
	defaultTo(c, "target.timeouts.scan", &t.Timeouts.Scan, DefaultScanTimeout)
	defaultTo(c, "target.max_body_bytes", &t.MaxBodyBytes, DefaultMaxBodyBytes)
	// The budget holds at least one capped body, and by default a dozen.
	defaultTo(c, "target.body_budget", &t.BodyBudgetBytes, max(DefaultBodyBudget, 12*t.MaxBodyBytes))
	defaultTo(c, "target.max_header_bytes", &t.MaxHeaderBytes, DefaultMaxHeaderBytes)
	defaultTo(c, "target.max_redirects", &t.MaxRedirects, DefaultMaxRedirects)
	defaultTo(c, "target.retry_after_max", &t.RetryAfterMax, DefaultRetryAfterMax)
	// AUTH-006 waits it twice within its own time limit: a short check
	// limit shortens the default.
	defaultTo(c, "auth.recheck", &c.Auth.Recheck, min(DefaultRecheck, t.Timeouts.Check/4))
	if l := c.Auth.Logout; l != nil && !l.None {
		defaultTo(c, "auth.logout.kind", &l.Kind, LogoutServer)
		if l.Kind == LogoutServer {
			defaultTo(c, "auth.logout.method", &l.Method, DefaultLogoutMethod)
			l.Method = strings.ToUpper(l.Method)
		}
	}
	if len(t.Scope) == 0 {
		t.Scope = defaultScope(t.URL, t.Variants)
	}
	c.applyJourneyDefaults()
	c.applyAuthzDefaults()
	c.applyPlatformDefaults()
}

// defaultScope is the host names of url and variants, any port, in order.
func defaultScope(origin string, variants []string) []string {
	var hosts []string
	for _, raw := range append([]string{origin}, variants...) {
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" {
			continue // validation reports it
		}
		h := strings.ToLower(u.Hostname())
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// validate checks the decoded, defaulted config; errors name the key and
// the line it was written on.
func (c *Config) validate() error {
	for _, check := range []func() error{
		c.validateURLs, c.validatePages, c.validateHeaders, c.validatePlatform, c.validateLoginKinds, c.validateScope, c.validateResolver, c.validateCAFile, c.validateLimits,
		c.validateAuth, c.validateLogin, c.validateJourney, c.validateSession, c.validateAccounts,
		c.validateAuthz, c.validateSource, c.validateRecorded, c.validateEmail,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateURLs() error {
	if problem := originProblem(c.Target.URL); problem != "" {
		return c.src.errKey("target.url", "%s", problem)
	}
	for i, v := range c.Target.Variants {
		if problem := variantProblem(v); problem != "" {
			return c.src.errKey(fmt.Sprintf("target.variants[%d]", i), "%s", problem)
		}
	}
	return nil
}

// validatePages checks target.pages: paths on the target, no placeholders
// (they are read anonymously).
func (c *Config) validatePages() error {
	for i, p := range c.Target.Pages {
		key := fmt.Sprintf("target.pages[%d]", i)
		if err := c.checkPath(key, p); err != nil {
			return err
		}
		if err := c.checkTemplate(key, p, true); err != nil {
			return err
		}
	}
	return nil
}

// reservedHeaders are headers target.headers may not set: the client
// writes them itself (framing, connection, host) or they belong to a
// proxy.
var reservedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "Te", "Trailer",
	"Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Content-Type"}

// validateHeaders checks target.headers: valid names the client does not
// own, and values on one line.
func (c *Config) validateHeaders() error {
	for _, name := range keysByLine(c, "target.headers", c.Target.Headers) {
		key := "target.headers." + name
		if !validHeaderName(name) {
			return c.src.errKey(key, "%q is not a valid HTTP header name", name)
		}
		if contains(reservedHeaders, http.CanonicalHeaderKey(name)) {
			return c.src.errKey(key, "the scanner sets %s itself; it cannot be a target header", http.CanonicalHeaderKey(name))
		}
		v := c.Target.Headers[name]
		if v.Value == "" || strings.ContainsAny(v.Value, "\r\n\x00") {
			if v.Ref != "" {
				return c.src.errKey(key, "%s must hold a value on one line", v.Ref)
			}
			return c.src.errKey(key, "want a value on one line, got %q", v.Value)
		}
	}
	return nil
}

// originProblem says what is wrong with target.url, or "".
func originProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !absoluteHTTP(u) {
		return "want the portal's origin as an absolute http(s) URL like https://app.example.com, got " + quoteURL(raw)
	}
	switch {
	case u.User != nil:
		// Do not echo it: the user info may hold a password.
		return "must not hold a user name or password; put test members under accounts"
	case u.Path != "" && u.Path != "/":
		return fmt.Sprintf("must be an origin without a path, got path %q; put pages under auth (e.g. auth.login.path)", u.Path)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Sprintf("must be an origin without a query or fragment, got %q", raw)
	}
	return ""
}

// absoluteHTTP reports an http(s) URL with a host and a valid port, if any.
func absoluteHTTP(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" &&
		(u.Port() == "" || validPort(u.Port()))
}

// quoteURL quotes a URL for a message with any user info masked, since it
// may hold a password.
func quoteURL(raw string) string {
	if !strings.Contains(raw, "@") {
		return strconv.Quote(raw)
	}
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User("***")
		return strconv.Quote(u.String())
	}
	return "a URL that does not parse (not shown: it may hold a password)"
}

// variantProblem says what is wrong with one of target.variants, or "".
func variantProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !absoluteHTTP(u) {
		return "want an absolute http(s) URL like http://example.com, got " + quoteURL(raw)
	}
	if u.User != nil {
		return "must not hold a user name or password"
	}
	return ""
}

// scopeRule is one parsed target.scope entry.
type scopeRule struct {
	host   string
	port   string // "" = any port
	scheme string // set only for URL prefixes
	prefix string // URL prefixes only; ends in "/"
}

const scopeForms = "want a host (app.example.com, any port), host:port (app.example.com:8443) " +
	"or a URL prefix (https://storage.example.com/bucket/); hosts are lower-case, with no wildcards"

func (c *Config) validateScope() error {
	rules := make([]scopeRule, 0, len(c.Target.Scope))
	for i, raw := range c.Target.Scope {
		r, ok := parseScopeRule(raw)
		if !ok {
			return c.src.errKey(fmt.Sprintf("target.scope[%d]", i), "%s is not a scope entry: %s", quoteURL(raw), scopeForms)
		}
		rules = append(rules, r)
	}
	urls := map[string]string{"target.url": c.Target.URL}
	keys := []string{"target.url"}
	for i, v := range c.Target.Variants {
		k := fmt.Sprintf("target.variants[%d]", i)
		urls[k] = v
		keys = append(keys, k)
	}
	for _, k := range keys {
		u, err := url.Parse(urls[k])
		if err != nil {
			return c.src.errKey(k, "%v", err) // already refused by validateURLs
		}
		if !slices.ContainsFunc(rules, func(r scopeRule) bool { return r.admits(u) }) {
			return c.src.errKey(k, "host %s is not in target.scope", u.Hostname())
		}
	}
	return nil
}

// parseScopeRule reads "host", "host:port" or an http(s) URL prefix.
func parseScopeRule(raw string) (scopeRule, bool) {
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
			u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") ||
			!validHost(u.Hostname()) || (u.Port() != "" && !validPort(u.Port())) {
			return scopeRule{}, false
		}
		prefix := u.EscapedPath()
		if !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		return scopeRule{host: u.Hostname(), port: u.Port(), scheme: u.Scheme, prefix: prefix}, true
	}
	host, port := raw, ""
	if h, p, err := net.SplitHostPort(raw); err == nil {
		if !validPort(p) {
			return scopeRule{}, false
		}
		host, port = h, p
	} else if strings.HasPrefix(raw, "[") && strings.HasSuffix(raw, "]") {
		host = raw[1 : len(raw)-1]
	}
	if !validHost(host) {
		return scopeRule{}, false
	}
	return scopeRule{host: host, port: port}, true
}

// admits reports whether the rule lets the scan contact u.
func (r scopeRule) admits(u *url.URL) bool {
	if strings.ToLower(u.Hostname()) != r.host {
		return false
	}
	port := effectivePort(u)
	if r.scheme == "" {
		return r.port == "" || r.port == port
	}
	wantPort := r.port
	if wantPort == "" {
		wantPort = effectivePort(&url.URL{Scheme: r.scheme})
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return u.Scheme == r.scheme && port == wantPort && (strings.HasPrefix(p, r.prefix) || p+"/" == r.prefix)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// validHost accepts a lower-case DNS name (no wildcards) or an IP address.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
				return false
			}
		}
	}
	return true
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == p
}

func (c *Config) validateResolver() error {
	r := c.Target.Resolver
	if r == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(r)
	if err != nil || host == "" || !validPort(port) {
		return c.src.errKey("target.resolver", "want host:port of a DNS server like 127.0.0.1:53, got %q", r)
	}
	return nil
}

// validateCAFile reads target.ca_file, checks it holds certificates, and
// stores its absolute path so later readers need no base directory.
func (c *Config) validateCAFile() error {
	p := c.Target.CAFile
	if p == "" {
		return nil
	}
	const key = "target.ca_file"
	full, data, err := c.src.read(p)
	if err != nil {
		return c.src.errKey(key, "cannot read %s: %v", p, err)
	}
	if problem := pemProblem(data); problem != "" {
		return c.src.errKey(key, "%s %s", p, problem)
	}
	if abs, err := filepath.Abs(full); err == nil {
		c.Target.CAFile = abs
	}
	return nil
}

// pemProblem says what is wrong with a CA file's contents, or "".
func pemProblem(data []byte) string {
	certs := 0
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return "holds a private key; give only the CA certificate (and keep the key secret)"
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		certs++
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Sprintf("certificate %d does not parse: %v", certs, err)
		}
	}
	if certs == 0 {
		return "holds no PEM CERTIFICATE block; want the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----)"
	}
	return ""
}

func (c *Config) validateLimits() error {
	t := &c.Target
	if math.IsNaN(t.Rate) || math.IsInf(t.Rate, 0) || t.Rate <= 0 {
		return c.src.errKey("target.rate", "must be a number of requests per second above 0, got %v", t.Rate)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"target.timeouts.connect", t.Timeouts.Connect},
		{"target.timeouts.tls", t.Timeouts.TLS},
		{"target.timeouts.header", t.Timeouts.Header},
		{"target.timeouts.request", t.Timeouts.Request},
		{"target.timeouts.check", t.Timeouts.Check},
		{"target.timeouts.cleanup", t.Timeouts.Cleanup},
		{"target.timeouts.scan", t.Timeouts.Scan},
		{"target.retry_after_max", t.RetryAfterMax},
		{"auth.recheck", c.Auth.Recheck},
	} {
		if d.v <= 0 {
			return c.src.errKey(d.key, "must be a duration above 0, got %v", d.v)
		}
	}
	// AUTH-006 waits out two rechecks within its own time limit.
	if 2*c.Auth.Recheck >= t.Timeouts.Check {
		return c.src.errKey("auth.recheck", "AUTH-006 waits it twice within target.timeouts.check (%v): make it less than half of that, got %v", t.Timeouts.Check, c.Auth.Recheck)
	}
	if t.MaxBodyBytes <= 0 {
		return c.src.errKey("target.max_body_bytes", "must be a size above 0, got %d", t.MaxBodyBytes)
	}
	if t.BodyBudgetBytes < t.MaxBodyBytes {
		return c.src.errKey("target.body_budget", "must be at least target.max_body_bytes (%d), the largest body one response may hold, got %d", t.MaxBodyBytes, t.BodyBudgetBytes)
	}
	if t.MaxHeaderBytes <= 0 {
		return c.src.errKey("target.max_header_bytes", "must be a size above 0, got %d", t.MaxHeaderBytes)
	}
	if t.MaxRedirects < 1 || t.MaxRedirects > 50 {
		return c.src.errKey("target.max_redirects", "must be between 1 and 50, got %d", t.MaxRedirects)
	}
	return nil
}

func (c *Config) validateAuth() error {
	a := &c.Auth
	switch a.Kind {
	case "form", "json", "supabase", "firebase", "clerk", "magic_link", "email_otp", "recorded":
	default:
		return c.src.errKey("auth.kind", "want form, json, supabase, firebase, clerk, magic_link, email_otp or recorded, got %q (other kinds are not supported by this version of launchready yet)", a.Kind)
	}
	for i, p := range a.Protected {
		if err := c.checkMemberPath(fmt.Sprintf("auth.protected[%d]", i), p); err != nil {
			return err
		}
	}
	for i, p := range a.Callbacks {
		if err := c.checkPath(fmt.Sprintf("auth.callbacks[%d]", i), p); err != nil {
			return err
		}
	}
	l := a.Logout
	if l == nil || l.None {
		return nil
	}
	switch l.Kind {
	case LogoutServer:
	case LogoutClient:
		if l.Path != "" || l.Method != "" {
			return c.src.errKey("auth.logout", "kind client sends no request: remove path and method (or use kind server for a logout request)")
		}
		return nil
	default:
		return c.src.errKey("auth.logout.kind", "want server (a request ends the session) or client (sign-out only forgets the token in the browser), got %q", l.Kind)
	}
	if l.Path == "" {
		return c.src.errKey("auth.logout", `missing required key "path" (or write logout: none when the portal has no logout)`)
	}
	if err := c.checkPath("auth.logout.path", l.Path); err != nil {
		return err
	}
	switch l.Method {
	case "GET", "POST", "PUT", "PATCH", "DELETE":
		return nil
	}
	return c.src.errKey("auth.logout.method", "want GET, POST, PUT, PATCH or DELETE, got %q", l.Method)
}

// checkMemberPath checks a path a logged-in member requests: on the
// target, with only the member's placeholders.
func (c *Config) checkMemberPath(key, p string) error {
	if err := c.checkPath(key, p); err != nil {
		return err
	}
	return c.checkTemplate(key, p, true, memberFills...)
}

// checkPath refuses a page that is not a path on the target: "//host" and
// "/\host" would leave the origin.
func (c *Config) checkPath(key, p string) error {
	u, err := url.Parse(p)
	if err != nil || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.ContainsAny(p, "\\ \t\r\n") || u.Host != "" || u.Scheme != "" {
		return c.src.errKey(key, "want a path on the target starting with /, like /dashboard, got %q", p)
	}
	return nil
}

func (c *Config) validateLogin() error {
	l := c.Auth.Login
	if l == nil {
		return nil
	}
	for _, k := range []struct{ key, val string }{
		{"auth.login.path", l.Path}, {"auth.login.action", l.Action}, {"auth.login.success", l.Success},
	} {
		if k.val == "" && k.key != "auth.login.path" {
			continue
		}
		if err := c.checkPath(k.key, k.val); err != nil {
			return err
		}
	}
	body, err := c.oneBody("auth.login", l.JSON, l.Form)
	if err != nil {
		return err
	}
	switch {
	case body == "json" && c.Auth.Kind != "json":
		return c.src.errKey("auth.login.json", "is the body of a JSON login: set auth.kind json, or give the login form's fields under form")
	case body == "" && c.Auth.Kind == "json":
		return c.src.errKey("auth.login", `auth.kind json needs the login's JSON body: json: {email: "{{email}}", password: "{{password}}"}`)
	}
	if body == "json" {
		return c.checkCredentialFields("auth.login.json", l.JSON, PhPassword, loginFills...)
	}
	return c.checkCredentialFields("auth.login.form", l.Form, PhPassword, loginFills...)
}

// checkCredentialFields checks the fields of a form or JSON body that may
// carry a password: a field named like one must hold exactly pw (a
// literal password is refused), and every field only the allowed
// placeholders.
func (c *Config) checkCredentialFields(key string, fields map[string]string, pw string, allowed ...string) error {
	for _, name := range keysByLine(c, key, fields) {
		k, v := key+"."+name, fields[name]
		if strings.Contains(strings.ToLower(name), "pass") && v != pw {
			// Do not echo the value: it is probably a real password.
			switch pw {
			case "":
				return c.src.errKey(k, "a password field has no place here; a literal password is never allowed in the config")
			case PhNewPassword:
				return c.src.errKey(k, `write "{{new_password}}" here: the scanner picks the new password the reset sets (a literal password is never allowed in the config)`)
			}
			return c.src.errKey(k, `a literal password is not allowed in the config; write "%s" `+
				"here and reference the password in accounts as env:NAME or file:PATH", pw)
		}
		if err := c.checkTemplate(k, v, false, allowed...); err != nil {
			return err
		}
	}
	return nil
}

// keysByLine lists a map's keys in the order they were written, so the
// first problem reported is the first in the file.
func keysByLine[T any](c *Config, parent string, m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if la, lb := c.src.line(join(parent, a)), c.src.line(join(parent, b)); la != lb {
			return la - lb
		}
		return strings.Compare(a, b)
	})
	return keys
}

func (c *Config) validateSession() error {
	s := &c.Session
	if s.IdleTimeout < 0 {
		return c.src.errKey("session.idle_timeout", "must be positive, like 15m")
	}
	if s.Lifetime < 0 {
		return c.src.errKey("session.lifetime", "must be positive, like 336h (14 days)")
	}
	switch s.Kind {
	case "cookie":
		for _, k := range []struct{ key, val string }{
			{"session.from", s.From}, {"session.header", s.Header}, {"session.prefix", s.Prefix},
		} {
			if k.val != "" {
				return c.src.errKey(k.key, "only used when session.kind is token")
			}
		}
		return nil
	case "token":
	default:
		return c.src.errKey("session.kind", "want cookie or token, got %q", s.Kind)
	}
	if s.From == "" {
		return c.src.errKey("session", `kind token needs key "from" (the JSON field of the login response holding the token)`)
	}
	if s.Header == "" {
		return c.src.errKey("session", `kind token needs key "header" (the request header that carries the token, e.g. Authorization)`)
	}
	if !validHeaderName(s.Header) {
		return c.src.errKey("session.header", "%q is not a valid HTTP header name", s.Header)
	}
	return nil
}

func validHeaderName(h string) bool {
	for _, r := range h {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return h != ""
}

func (c *Config) validateAccounts() error {
	for _, name := range keysByLine(c, "accounts", c.Accounts) {
		key := "accounts." + name
		switch name {
		case "a", "b", "admin":
		default:
			return c.src.errKey(key, "unknown account (want a, b or admin; me is how a member reads its own record)")
		}
		if l := c.Accounts[name].Login; l != nil {
			if err := c.validateAccountLogin(name, l); err != nil {
				return err
			}
		}
		if problem := emailProblem(c.Accounts[name].Email); problem != "" {
			return c.src.errKey(key+".email", "%s", problem)
		}
		if c.Accounts[name].Password.Ref == "" && !PasswordlessKind(c.Auth.Kind) {
			return c.src.errKey(key, "missing required key %q", "password")
		}
	}
	if err := c.validateMe(); err != nil {
		return err
	}
	a, okA := c.Accounts["a"]
	b, okB := c.Accounts["b"]
	if okA && okB && strings.EqualFold(strings.TrimSpace(a.Email.Value), strings.TrimSpace(b.Email.Value)) {
		return c.src.errKey("accounts.b.email", "same email as accounts.a.email; members a and b must be two different accounts")
	}
	return nil
}

// validateAccountLogin checks accounts.admin.login, the admin's own login.
func (c *Config) validateAccountLogin(name string, l *AccountLogin) error {
	key := "accounts." + name + ".login"
	if name != "admin" {
		return c.src.errKey(key, "only accounts.admin may log in elsewhere; members log in at auth.login")
	}
	if err := c.checkPath(key+".path", l.Path); err != nil {
		return err
	}
	body, err := c.oneBody(key, l.JSON, l.Form)
	if err != nil {
		return err
	}
	if body == "" {
		return c.src.errKey(key, `needs json (sent straight to path) or form (the login form's fields), like json: {email: "{{email}}", password: "{{password}}"}`)
	}
	fields := l.JSON
	if body == "form" {
		fields = l.Form
	}
	return c.checkCredentialFields(key+"."+body, fields, PhPassword, loginFills...)
}

// validateMe checks accounts.me.
func (c *Config) validateMe() error {
	m := c.Me
	if m == nil {
		return nil
	}
	if err := c.checkPath("accounts.me.path", m.Path); err != nil {
		return err
	}
	if err := c.checkTemplate("accounts.me.path", m.Path, true, PhEmail, PhTag); err != nil {
		return err
	}
	if m.Method != "GET" && m.Method != "POST" {
		return c.src.errKey("accounts.me.method", "want GET or POST, got %q", m.Method)
	}
	if m.IDField == "" || strings.ContainsAny(m.IDField, " \t{}") || strings.HasPrefix(m.IDField, ".") || strings.HasSuffix(m.IDField, ".") || strings.Contains(m.IDField, "..") {
		return c.src.errKey("accounts.me.id_field", "want a dotted JSON path like id or record.id, got %q", m.IDField)
	}
	return nil
}

// emailProblem says what is wrong with an account's email, or "".
func emailProblem(v Value) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(v.Value), "@")
	if ok && local != "" && domain != "" && !strings.ContainsAny(domain, "@ \t") && !strings.ContainsAny(local, " \t") {
		return ""
	}
	if v.Ref != "" {
		return v.Ref + " does not hold an email address"
	}
	return fmt.Sprintf("want an email address, got %q", v.Value)
}
