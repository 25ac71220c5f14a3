// Package target is the only way a check reaches the portal: a scoped,
// rate-capped, size-capped HTTP client with its own resolver and roots,
// shared logged-in sessions, and the redaction every output path uses.
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
	"net/url"
	"os"
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
	// Redactor receives every cookie value the target sets; nil makes one.
	Redactor *Redactor
}

// Client is the scoped HTTP client. It is safe for concurrent use.
type Client struct {
	opts      Options
	scope     *Scope
	transport *http.Transport
	limiter   *rate.Limiter
	redactor  *Redactor
	resolver  *net.Resolver // nil: the system's

	mu         sync.Mutex
	outOfScope []string
	requests   int
}

// OutOfScopeError is returned for a request to a host outside the scope.
type OutOfScopeError struct{ URL string }

func (e *OutOfScopeError) Error() string {
	return "refused: " + e.URL + " is outside target.scope"
}

// TooLargeError is returned when a body exceeds the size cap after decoding.
type TooLargeError struct {
	URL   string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response from %s exceeds the %d-byte cap (target.max_body_bytes)", e.URL, e.Limit)
}

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
	roots, err := rootPool(opts.CAFile)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	if opts.Resolver != "" {
		if _, _, err := net.SplitHostPort(opts.Resolver); err != nil {
			return nil, fmt.Errorf("resolver %q: want host:port: %w", opts.Resolver, err)
		}
		dialer.Resolver = dnsResolver(opts.Resolver, opts.ConnectTimeout)
	}
	t := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10},
		TLSHandshakeTimeout:    opts.TLSTimeout,
		ResponseHeaderTimeout:  opts.HeaderTimeout,
		MaxResponseHeaderBytes: opts.MaxHeaderBytes,
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        30 * time.Second,
		ExpectContinueTimeout:  time.Second,
	}
	c := &Client{
		resolver:  dialer.Resolver,
		opts:      opts,
		scope:     scope,
		transport: t,
		limiter:   rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(opts.Rate/5))),
		redactor:  opts.Redactor,
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

func rootPool(caFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s: no PEM certificate found", caFile)
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
	red := c.redactor.Redact(u.String())
	c.mu.Lock()
	seen := false
	for _, s := range c.outOfScope {
		seen = seen || s == red
	}
	if !seen {
		c.outOfScope = append(c.outOfScope, red)
	}
	c.mu.Unlock()
	return &OutOfScopeError{URL: red}
}

// NewJar returns an empty cookie jar for a session or a single chain.
func NewJar() http.CookieJar {
	j, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	return j
}

// roundTrip sends one request after the scope and rate checks; it is the
// single place where traffic leaves the scanner.
// conn is what the trace saw of one exchange.
type conn struct {
	// remote is the ip:port actually dialed.
	remote string
	// wait is from the request's last byte written to the response's first
	// byte read: the server's think time plus one round trip, without
	// connection set-up or the rate limiter.
	wait time.Duration
}

func (c *Client) roundTrip(req *http.Request) (*http.Response, conn, error) {
	var cn conn
	if !c.scope.Allows(req.URL) {
		return nil, cn, c.refuse(req.URL)
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
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.transport.RoundTrip(req)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		return nil, cn, err
	}
	for _, line := range resp.Header.Values("Set-Cookie") {
		if sc, err := http.ParseSetCookie(line); err == nil {
			c.redactor.Add(sc.Value)
		}
	}
	return resp, cn, nil
}

// readBody reads at most the cap after decoding and closes the body.
func (c *Client) readBody(resp *http.Response, u *url.URL) ([]byte, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		return body, fmt.Errorf("reading body from %s: %w", c.redactor.Redact(u.String()), err)
	}
	if int64(len(body)) > c.opts.MaxBodyBytes {
		return body[:c.opts.MaxBodyBytes], &TooLargeError{URL: c.redactor.Redact(u.String()), Limit: c.opts.MaxBodyBytes}
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

// IsLoopback reports whether addr (ip:port as dialed) is a loopback address.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var errNoLocation = errors.New("redirect without a Location header")
