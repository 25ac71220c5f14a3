// Package client is the only way the scanner reaches the network: a
// scoped, rate-capped, size-capped HTTP client with its own resolver and
// roots, hosts pinned to the addresses first resolved, consent per
// destination host, shared logged-in sessions, the proxy its browser goes
// through, and the redaction every output path uses.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Options configure a Client. Zero values get safe defaults.
type Options struct {
	// Scope lists the hosts or URL prefixes that may be contacted.
	Scope []string
	// Resolver is host:port of a DNS server for every lookup ("" = system).
	Resolver string
	// CAFile adds PEM roots to the system pool.
	CAFile string
	// ExtraCAFiles add more PEM roots after CAFile: the inbox's client
	// trusts target.ca_file and auth.inbox.ca_file.
	ExtraCAFiles []string
	// ScopeName names the scope in refusals ("" = target.scope); the
	// inbox's client says "the auth.inbox origin".
	ScopeName string
	// UserAgent is sent on every request.
	UserAgent string
	// Rate caps requests per second across the client (every hop counts).
	Rate float64
	// ConnectTimeout, TLSTimeout, HeaderTimeout and RequestTimeout bound
	// each phase; RequestTimeout covers one hop including its body.
	ConnectTimeout, TLSTimeout, HeaderTimeout, RequestTimeout time.Duration
	// MaxBodyBytes caps a body after decoding; MaxHeaderBytes the headers.
	MaxBodyBytes, MaxHeaderBytes int64
	// MaxRedirects caps hops followed for one request.
	MaxRedirects int
	// RetryAfterMax caps the wait on a 429/503 Retry-After before the one
	// retry of an idempotent request.
	RetryAfterMax time.Duration
	// Redactor receives the credentials the client learns (cookies that
	// hold a session or a CSRF token, tokens); nil makes one.
	Redactor *Redactor
	// Home lists the URL bases (an origin, or an origin and path) where a
	// member's own sign-in, sign-out, token refresh and POST-shaped reads
	// go: the portal's origin and its sign-in platform's APIs. Requests
	// marked with WithPurpose need no consent there, and only there.
	Home []string
	// CredentialHeaders are header names that carry a credential besides
	// Authorization, Cookie and apikey (the config's session.header): all
	// are dropped when a redirect changes origin.
	CredentialHeaders []string
	// Operator marks a client for a service of the operator's own (the
	// inbox), not the target: it only reads, so the requests of intrusive
	// checks need no consent there, and it never gets consent to write.
	Operator bool
	// Budget, when set, bounds the bytes of response bodies held at once
	// by every client sharing it (the scan's and its inbox's); nil means
	// only MaxBodyBytes bounds each.
	Budget *BodyBudget
	// DialAddr, when set, opens the connection to one pinned address
	// (ip:port), after scope and pinning have been applied; nil means a
	// plain dialer. Tests map documentation addresses (192.0.2.0/24) onto
	// loopback listeners with it, so a host can be "remote" while no
	// packet leaves the machine.
	DialAddr func(ctx context.Context, network, addr string) (net.Conn, error)
	// TargetHeaders are added to every request to one of TargetOrigins
	// (scheme://host[:port], the target's own origins) that does not set
	// them itself, and to no other request.
	TargetHeaders []TargetHeader
	TargetOrigins []string
	// Observe, when set, is called with every request the client sends,
	// as it leaves, after scope, consent and the rate cap let it through
	// (tests collect every credential that crossed the wire with it).
	Observe func(*http.Request)
}

// Client is the scoped HTTP client. It is safe for concurrent use.
type Client struct {
	opts      Options
	scope     *Scope
	transport *http.Transport
	limiter   *rate.Limiter
	redactor  *Redactor
	resolver  *net.Resolver // nil: the system's
	roots     *x509.CertPool

	pins    *pins
	consent consent

	// life ends when the client is closed: no request starts after it, and
	// those under way are cancelled.
	life context.Context
	end  context.CancelFunc

	mu         sync.Mutex
	outOfScope []string
	noConsent  []string
	requests   int
	// credCookies names the cookies known to hold a credential (set by a
	// login, identified as the session cookie).
	credCookies map[string]bool
}

// OutOfScopeError is returned for a request to a host outside the scope.
type OutOfScopeError struct {
	URL string
	// Scope names the scope ("" = target.scope).
	Scope string
}

func (e *OutOfScopeError) Error() string {
	scope := e.Scope
	if scope == "" {
		scope = "target.scope"
	}
	return "refused: " + e.URL + " is outside " + scope
}

// TooLargeError is returned when a body exceeds the size cap after decoding,
// or the bodies of a redirect chain together do.
type TooLargeError struct {
	URL   string
	Limit int64
	// Chain is set when earlier hops' bodies took part of the cap.
	Chain bool
}

func (e *TooLargeError) Error() string {
	if e.Chain {
		return fmt.Sprintf("the bodies of the redirect chain to %s exceed the %d-byte cap (target.max_body_bytes)", e.URL, e.Limit)
	}
	return fmt.Sprintf("response from %s exceeds the %d-byte cap (target.max_body_bytes)", e.URL, e.Limit)
}

// ErrClosed is returned for a request sent after the scan closed its
// client: a check abandoned past its deadline sends nothing once the scan
// has returned.
var ErrClosed = errors.New("the scan is over: its client sends no more requests")

// Close ends the client: requests under way are cancelled and every later
// one is refused with ErrClosed.
func (c *Client) Close() { c.end() }

// RedirectError is returned when a redirect chain loops or exceeds the hop
// cap; the response it came with carries the hops seen.
type RedirectError struct {
	Reason string
	Hops   []Hop
}

func (e *RedirectError) Error() string { return "redirects: " + e.Reason }

// New builds a client. Its transport ignores proxy settings from the
// environment: a scan must only ever reach the hosts in scope, directly.
func New(opts Options) (*Client, error) {
	applyDefaults(&opts)
	scope, err := ParseScope(opts.Scope)
	if err != nil {
		return nil, err
	}
	roots, err := rootPool(append([]string{opts.CAFile}, opts.ExtraCAFiles...))
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	var resolver *net.Resolver
	if opts.Resolver != "" {
		if _, _, err := net.SplitHostPort(opts.Resolver); err != nil {
			return nil, fmt.Errorf("resolver %q: want host:port: %w", opts.Resolver, err)
		}
		resolver = dnsResolver(opts.Resolver, opts.ConnectTimeout)
	}
	dial := opts.DialAddr
	if dial == nil {
		dial = dialer.DialContext
	}
	life, end := context.WithCancel(context.Background())
	c := &Client{
		life:     life,
		end:      end,
		resolver: resolver,
		opts:     opts,
		scope:    scope,
		limiter:  rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(opts.Rate/5))),
		redactor: opts.Redactor,
		roots:    roots,
		pins:     newPins(resolver, opts.ConnectTimeout, dial),
	}
	// The scope and the member's own origins are in every report: a
	// learnt value inside them is no secret worth masking every URL for.
	c.redactor.AddPublic(opts.Scope...)
	c.redactor.AddPublic(opts.Home...)
	c.transport = &http.Transport{
		Proxy:                  nil,
		DialContext:            c.dialScoped,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10},
		TLSHandshakeTimeout:    opts.TLSTimeout,
		ResponseHeaderTimeout:  opts.HeaderTimeout,
		MaxResponseHeaderBytes: opts.MaxHeaderBytes,
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        30 * time.Second,
		ExpectContinueTimeout:  time.Second,
	}
	return c, nil
}

func applyDefaults(o *Options) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ConnectTimeout, 5*time.Second)
	def(&o.TLSTimeout, 5*time.Second)
	def(&o.HeaderTimeout, 15*time.Second)
	def(&o.RequestTimeout, 30*time.Second)
	def(&o.RetryAfterMax, 10*time.Second)
	if o.Rate <= 0 {
		o.Rate = 50
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 128 << 10
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 10
	}
	if o.UserAgent == "" {
		o.UserAgent = "launchready/dev"
	}
	if o.Redactor == nil {
		o.Redactor = NewRedactor()
	}
}

// rootPool is the system's roots plus those in each named PEM file ("" is
// skipped).
func rootPool(caFiles []string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, f := range caFiles {
		if f == "" {
			continue
		}
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate found", f)
		}
	}
	return pool, nil
}

// dnsResolver sends every lookup to one DNS server. Dial passes the network
// through so Go can retry a truncated UDP answer over TCP.
func dnsResolver(server string, timeout time.Duration) *net.Resolver {
	d := &net.Dialer{Timeout: timeout}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, server)
		},
	}
}

// dialScoped is the transport's only way out: the host and port must be in
// scope, and the host is dialed on its pinned addresses only.
func (c *Client) dialScoped(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !c.scope.AllowsHostPort(host, port) {
		return nil, c.refuseEntry("CONNECT " + addr)
	}
	return c.pins.dialContext(ctx, network, addr)
}

// Dial opens a TCP connection for a protocol that is not HTTP (the IMAP
// inbox) under the same rules as a request: in scope, on the host's pinned
// addresses, under the rate cap, and counted.
func (c *Client) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.life.Err() != nil {
		return nil, ErrClosed
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !c.scope.AllowsHostPort(host, port) {
		return nil, c.refuseEntry("CONNECT " + addr)
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, fmt.Errorf("rate limiter: %w", err)
	}
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	return c.dialScoped(ctx, network, addr)
}

// Pin resolves every host of the scope now and pins its addresses for the
// rest of the scan (hosts that do not resolve are looked up again when
// first dialed, and pinned then). It returns the hosts that did not
// resolve, with why.
func (c *Client) Pin(ctx context.Context) []string {
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for _, h := range c.scope.Hosts() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.pins.lookup(ctx, h); err != nil {
				mu.Lock()
				failed = append(failed, err.Error())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(failed)
	return failed
}

// Pinned returns the addresses host is pinned to (nil before it was
// resolved).
func (c *Client) Pinned(host string) []netip.Addr { return c.pins.pinned(host) }

// LookupTXT resolves TXT records through the scan's resolver, bounded by
// the connect timeout.
func (c *Client) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r := c.resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	return r.LookupTXT(ctx, name)
}

// RootCAs returns the roots the client verifies servers against: the
// system's and the configured CA files. A protocol that does its own TLS
// over Dial (IMAP) verifies with these.
func (c *Client) RootCAs() *x509.CertPool { return c.roots }

// Scope returns the client's scope.
func (c *Client) Scope() *Scope { return c.scope }

// Redactor returns the client's redactor.
func (c *Client) Redactor() *Redactor { return c.redactor }

// OutOfScope lists the (redacted) URLs the client refused to contact.
func (c *Client) OutOfScope() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.outOfScope...)
}

// Requests counts requests sent (each hop and retry counts).
func (c *Client) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

func (c *Client) refuse(u *url.URL) error {
	return c.refuseEntry(u.String())
}

// refuseEntry records one refusal (a URL, or "CONNECT host:port" for a
// tunnel or a connection) once, redacted.
func (c *Client) refuseEntry(what string) error {
	red := c.redactor.Redact(what)
	c.mu.Lock()
	if !slices.Contains(c.outOfScope, red) {
		c.outOfScope = append(c.outOfScope, red)
	}
	c.mu.Unlock()
	return &OutOfScopeError{URL: red, Scope: c.opts.ScopeName}
}

// NewJar returns an empty cookie jar for a session or a single chain. It
// is the standard jar (RFC 6265: domain, path, Secure, expiry) with one
// rule more: a cookie set over https is never sent over http, even when
// the server forgot Secure; a browser would, a scanner holding a member's
// session must not.
func NewJar() http.CookieJar {
	j, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	return &jar{Jar: j, secure: map[string]bool{}}
}

type jar struct {
	*cookiejar.Jar
	mu sync.Mutex
	// secure holds name=value of each cookie set over https.
	secure map[string]bool
}

// SetCookies implements http.CookieJar.
func (j *jar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if u.Scheme == "https" {
		j.mu.Lock()
		for _, c := range cookies {
			j.secure[c.Name+"="+c.Value] = true
		}
		j.mu.Unlock()
	}
	j.Jar.SetCookies(u, cookies)
}

// Cookies implements http.CookieJar.
func (j *jar) Cookies(u *url.URL) []*http.Cookie {
	all := j.Jar.Cookies(u)
	if u.Scheme == "https" {
		return all
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	out := all[:0]
	for _, c := range all {
		if !j.secure[c.Name+"="+c.Value] {
			out = append(out, c)
		}
	}
	return out
}

// conn is what the trace saw of one exchange.
type conn struct {
	// remote is the ip:port actually dialed.
	remote string
	// wait is from the request's last byte written to the response's first
	// byte read: the server's think time plus one round trip, without
	// connection set-up or the rate limiter.
	wait time.Duration
}

// roundTrip sends one request after the scope, consent and rate checks; it
// is the single place where HTTP traffic leaves the scanner.
func (c *Client) roundTrip(req *http.Request) (*http.Response, conn, error) {
	var cn conn
	if c.life.Err() != nil {
		return nil, cn, ErrClosed
	}
	if !c.scope.Allows(req.URL) {
		return nil, cn, c.refuse(req.URL)
	}
	if err := c.admit(req.Context(), req.Method, req.URL); err != nil {
		return nil, cn, err
	}
	if err := c.limiter.Wait(req.Context()); err != nil {
		return nil, cn, fmt.Errorf("rate limiter: %w", err)
	}
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	// The transport calls the hooks from its own goroutines.
	var mu sync.Mutex
	var wrote time.Time
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Conn != nil {
				mu.Lock()
				cn.remote = info.Conn.RemoteAddr().String()
				mu.Unlock()
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			mu.Lock()
			wrote = time.Now()
			mu.Unlock()
		},
		GotFirstResponseByte: func() {
			mu.Lock()
			if !wrote.IsZero() {
				cn.wait = time.Since(wrote)
			}
			mu.Unlock()
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	if req.Header.Get("User-Agent") == "" {
		// The browser's proxy forwards the browser's own; every other
		// request says it is launchready's.
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	c.addTargetHeaders(req)
	if c.opts.Observe != nil {
		c.opts.Observe(req)
	}
	resp, err := c.transport.RoundTrip(req)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		return nil, cn, err
	}
	c.learnCookies(resp.Header, false)
	return resp, cn, nil
}

// readBody reads at most room bytes after decoding (the cap, less what
// earlier hops of the chain took), taking them from the scan's budget, and
// closes the body.
func (c *Client) readBody(ctx context.Context, resp *http.Response, u *url.URL, room int64) ([]byte, error) {
	defer resp.Body.Close()
	// An announced length only sizes the first buffer: it is the server's
	// word, and a hostile one announces gigabytes.
	hint := min(resp.ContentLength, 1<<20)
	body, more, ok, err := readCapped(ctx, resp.Body, room, hint, c.opts.Budget)
	switch {
	case !ok && err == nil:
		berr := &BudgetError{URL: c.redactor.Redact(u.String()), Limit: c.opts.Budget.Limit()}
		ShortfallOf(ctx).add(berr)
		return nil, berr
	case err != nil:
		return body, fmt.Errorf("reading body from %s: %w", c.redactor.Redact(u.String()), err)
	case more:
		return body, &TooLargeError{URL: c.redactor.Redact(u.String()), Limit: c.opts.MaxBodyBytes, Chain: room < c.opts.MaxBodyBytes}
	}
	return body, nil
}

// retryAfter returns how long to wait before the single retry of a 429 or
// 503 answer, capped; ok is false when no retry should happen.
func (c *Client) retryAfter(resp *http.Response, method string) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	if method != http.MethodGet && method != http.MethodHead {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	} else {
		return 0, false
	}
	return min(max(d, 0), c.opts.RetryAfterMax), true
}

// newHTTPRequest builds the wire request for one hop.
func newHTTPRequest(ctx context.Context, method string, u *url.URL, header http.Header, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req, nil
}

var errNoLocation = errors.New("redirect without a Location header")

// learnCookies adds to the redaction set the values of the cookies h sets
// that hold a credential: those a login set (login true, which also marks
// their names for the rest of the scan), those whose name was marked, and
// those whose name says so (session, auth, token, csrf, __Host-, …). Other
// cookies are not learnt: a portal setting a cookie to its own origin must
// not mask every URL of the report. Cookie and Set-Cookie header values
// are masked structurally whatever the cookie.
func (c *Client) learnCookies(h http.Header, login bool) {
	for _, line := range h.Values("Set-Cookie") {
		sc, err := http.ParseSetCookie(line)
		if err != nil || sc.Value == "" {
			continue
		}
		c.mu.Lock()
		if login {
			if c.credCookies == nil {
				c.credCookies = map[string]bool{}
			}
			c.credCookies[sc.Name] = true
		}
		known := c.credCookies[sc.Name]
		c.mu.Unlock()
		if known || credentialCookieName(sc.Name) {
			c.redactor.Add(sc.Value)
		}
	}
}

// MarkCredentialCookie records that the cookie name holds a credential (the
// session cookie the checks identified) and masks value, and every value
// the cookie is later set to, wherever it appears.
func (c *Client) MarkCredentialCookie(name, value string) {
	c.mu.Lock()
	if c.credCookies == nil {
		c.credCookies = map[string]bool{}
	}
	c.credCookies[name] = true
	c.mu.Unlock()
	c.redactor.Add(value)
}

// credentialCookieName reports whether a cookie's name says it holds a
// session, a login or a CSRF token.
func credentialCookieName(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "__host-") || strings.HasPrefix(lower, "__secure-") {
		return true
	}
	for _, w := range []string{"sess", "auth", "token", "csrf", "xsrf", "jwt", "login", "remember", "secret"} {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return strings.HasSuffix(normName(name), "sid") || credentialName(name)
}
