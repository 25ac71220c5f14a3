package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// Proxy is an HTTP proxy on 127.0.0.1 through which a browser the scan
// drives reaches the network: every navigation, sub-resource, fetch,
// beacon, worker and WebSocket goes through it (Chromium is started with
// it as its only way out, loopback included), and it forwards each request
// through the scan's client, under the same scope, pinned addresses,
// consent rules, rate cap and counting as the Go checks' own requests. A
// refused request is answered 403 and recorded with the client's other
// refusals.
//
// HTTPS and WebSocket tunnels (CONNECT) are admitted only to a host and
// port in scope, then ended here with a certificate from the proxy's own
// key (mitm.go) so each request inside can be judged by its full URL.
type Proxy struct {
	c *Client
	// base carries the values (the intrusive mark) of the check the
	// browser works for into every request forwarded.
	base context.Context
	ln   net.Listener
	srv  *http.Server
	ca   *mitm
	rp   *httputil.ReverseProxy

	mu     sync.Mutex
	closed bool
	tunnel map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// StartProxy starts a proxy for a browser working for the check that owns
// ctx; Close stops it.
func (c *Client) StartProxy(ctx context.Context) (*Proxy, error) {
	ca, err := newMITM()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("browser proxy: %w", err)
	}
	p := &Proxy{c: c, base: ctx, ln: ln, ca: ca, tunnel: map[net.Conn]struct{}{}}
	quiet := log.New(io.Discard, "", 0)
	p.rp = &httputil.ReverseProxy{
		// The inbound request already names its destination; hop-by-hop
		// headers are dropped by ReverseProxy and no X-Forwarded-* added.
		Rewrite:        func(pr *httputil.ProxyRequest) { pr.Out.Host = pr.Out.URL.Host },
		Transport:      proxyTransport{p},
		ErrorHandler:   p.fail,
		ModifyResponse: p.capBody,
		ErrorLog:       quiet,
	}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serve),
		ReadHeaderTimeout: c.opts.HeaderTimeout,
		ErrorLog:          quiet,
	}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Addr is the proxy's host:port, for --proxy-server.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SPKI is the base64 SHA-256 of the proxy's public key, for Chromium's
// --ignore-certificate-errors-spki-list: the browser accepts the proxy's
// certificates and no other untrusted one.
func (p *Proxy) SPKI() string { return p.ca.spki }

// Close stops the proxy and every tunnel it holds open.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnel {
		c.Close()
	}
	p.mu.Unlock()
	err := p.srv.Close()
	p.wg.Wait()
	return err
}

// browserService are the hosts Chromium itself calls whatever the page
// (its component updater, network time, Google account check), which no
// flag silences in Debian's build: refused like every host out of scope,
// and labelled so that a report reader does not blame the portal.
var browserService = map[string]bool{
	"accounts.google.com": true, "update.googleapis.com": true, "clients2.google.com": true,
	"clients1.google.com": true, "optimizationguide-pa.googleapis.com": true,
}

// browserNote starts the one line per host that records Chromium's own
// refused calls.
const browserNote = "Chromium's own background call to "

// serve handles one request from the browser: a CONNECT opens a tunnel, an
// absolute-form request is forwarded as is; anything else is not a proxy
// request.
func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodConnect:
		p.connect(w, r)
	case r.URL.IsAbs():
		p.forward(w, r, r.URL)
	default:
		http.Error(w, "launchready proxy: not a proxy request", http.StatusBadRequest)
	}
}

// forward sends one request to dest through the scan's client.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, dest *url.URL) {
	out := *dest
	r = r.Clone(merged{Context: r.Context(), values: p.base})
	r.URL = &out
	r.Host = out.Host
	r.RequestURI = ""
	p.rp.ServeHTTP(w, r)
}

// connect admits a tunnel to a host and port in scope, then serves the
// requests inside it, ending TLS here when the browser starts it.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		http.Error(w, "launchready proxy: CONNECT needs host:port", http.StatusBadRequest)
		return
	}
	if !p.c.scope.AllowsHostPort(host, port) {
		what := "CONNECT " + r.Host
		if browserService[canonicalHost(host)] {
			what = browserNote + canonicalHost(host)
		}
		err := p.c.refuseEntry(what)
		http.Error(w, "launchready proxy: "+err.Error(), http.StatusForbidden)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "launchready proxy: cannot tunnel", http.StatusInternalServerError)
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	if !p.track(conn) {
		conn.Close()
		return
	}
	defer p.untrack(conn)
	if _, err := rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n"); err != nil || rw.Flush() != nil {
		return
	}
	br := rw.Reader
	first, err := br.Peek(1)
	if err != nil {
		return
	}
	inner := net.Conn(&bufferedConn{Conn: conn, r: br})
	scheme := "http"
	if first[0] == 0x16 { // a TLS handshake record
		inner = tls.Server(inner, &tls.Config{
			NextProtos: []string{"http/1.1"},
			MinVersion: tls.VersionTLS12,
			GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				return p.ca.cert(host)
			},
		})
		scheme = "https"
	}
	authority := r.Host
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, in *http.Request) {
			// The tunnel's destination is what CONNECT named, whatever
			// Host the request inside claims.
			p.forward(w, in, &url.URL{Scheme: scheme, Host: authority, Path: in.URL.Path, RawPath: in.URL.RawPath, RawQuery: in.URL.RawQuery})
		}),
		ReadHeaderTimeout: p.c.opts.HeaderTimeout,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	_ = srv.Serve(&oneConnListener{conn: inner})
}

// track records a tunnel so Close can end it; false once closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.tunnel[c] = struct{}{}
	p.wg.Add(1)
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.tunnel, c)
	p.mu.Unlock()
	c.Close()
	p.wg.Done()
}

// fail answers a request the client refused or could not send.
func (p *Proxy) fail(w http.ResponseWriter, _ *http.Request, err error) {
	var oos *OutOfScopeError
	var ce *ConsentError
	msg := p.c.redactor.Redact(err.Error())
	if errors.As(err, &oos) || errors.As(err, &ce) {
		http.Error(w, "launchready proxy: "+msg, http.StatusForbidden)
		return
	}
	http.Error(w, "launchready proxy: "+msg, http.StatusBadGateway)
}

// capBody bounds each response the browser receives by the client's body
// cap, so the browser sees a cut response rather than an endless one; a
// switched protocol (WebSocket) is left to run (its body must stay
// writable).
func (p *Proxy) capBody(resp *http.Response) error {
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return nil
	}
	resp.Body = &cappedBody{rc: resp.Body, left: p.c.opts.MaxBodyBytes,
		err: &TooLargeError{URL: p.c.redactor.Redact(resp.Request.URL.String()), Limit: p.c.opts.MaxBodyBytes}}
	return nil
}

// proxyTransport sends each forwarded request through the client's single
// exit.
type proxyTransport struct{ p *Proxy }

// RoundTrip implements http.RoundTripper.
func (t proxyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.p.c.scope.Allows(req.URL) && browserService[canonicalHost(req.URL.Hostname())] {
		return nil, t.p.c.refuseEntry(browserNote + canonicalHost(req.URL.Hostname()))
	}
	resp, _, err := t.p.c.roundTrip(req)
	return resp, err
}

// merged is a request's context (its cancellation) carrying the values of
// the check's context (its intrusive mark).
type merged struct {
	context.Context
	values context.Context
}

// Value implements context.Context.
func (m merged) Value(key any) any {
	if v := m.values.Value(key); v != nil {
		return v
	}
	return m.Context.Value(key)
}

// bufferedConn is a connection whose first bytes were peeked.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// oneConnListener hands http.Server one connection, then waits until it is
// closed.
type oneConnListener struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
	mu   sync.Mutex
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.done == nil {
		l.done = make(chan struct{})
	}
	c := l.conn
	l.conn = nil
	done := l.done
	l.mu.Unlock()
	if c != nil {
		return &closeNotifyConn{Conn: c, onClose: func() { l.once.Do(func() { close(done) }) }}, nil
	}
	<-done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done == nil {
		l.done = make(chan struct{})
	}
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// closeNotifyConn tells the listener when the server is done with it.
type closeNotifyConn struct {
	net.Conn
	onClose func()
}

func (c *closeNotifyConn) Close() error {
	err := c.Conn.Close()
	c.onClose()
	return err
}
