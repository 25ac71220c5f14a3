package client_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
)

// remote is a documentation address (RFC 5737): a host pinned to it is off
// loopback. onLoopback dials it on 127.0.0.1 instead, so nothing leaves the
// machine; every other non-loopback address is refused outright.
const remote = "192.0.2.10"

func onLoopback(dials *atomic.Int64) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials != nil {
			dials.Add(1)
		}
		host, port, _ := net.SplitHostPort(addr)
		if host == remote {
			addr = net.JoinHostPort("127.0.0.1", port)
		} else if ip, err := netip.ParseAddr(host); err != nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test dialer: %s is off the machine", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// counter is a test server that records each request as "METHOD path".
type counter struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newCounter(t *testing.T, ln net.Listener, h http.HandlerFunc) *counter {
	t.Helper()
	c := &counter{}
	c.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.seen = append(c.seen, r.Method+" "+r.URL.Path)
		c.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		fmt.Fprint(w, "ok")
	})}}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *counter) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.seen)
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("%s not available: %v", addr, err)
	}
	return ln
}

// TestPinnedAgainstRebinding: portal.test answers 127.0.0.1 once and
// 127.0.0.2 (a trap on the same port) after that. Every request, each on a
// new connection, reaches the address first vetted.
func TestPinnedAgainstRebinding(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	portal := newCounter(t, ln, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // the next request dials again
		fmt.Fprint(w, "portal")
	})
	trap := newCounter(t, listen(t, "127.0.0.2:"+port), nil)
	resolver := checktest.DNS(t, func(q dns.Question, n int) []string {
		if q.Qtype != dns.TypeA || q.Name != "portal.test." {
			return nil
		}
		if n == 1 {
			return []string{q.Name + " 1 IN A 127.0.0.1"}
		}
		return []string{q.Name + " 1 IN A 127.0.0.2"}
	})
	c, err := client.New(client.Options{Scope: []string{"portal.test"}, Resolver: resolver})
	if err != nil {
		t.Fatal(err)
	}
	c.Pin(context.Background())
	for i := range 5 {
		resp, err := c.Do(context.Background(), &client.Request{Method: http.MethodGet, URL: "http://portal.test:" + port + fmt.Sprintf("/page%d", i)})
		if err != nil || string(resp.Body) != "portal" {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if got := trap.requests(); len(got) != 0 {
		t.Errorf("after the name was rebound, the trap received %q", got)
	}
	if n := len(portal.requests()); n != 5 {
		t.Errorf("the portal received %d requests, want 5", n)
	}
	if got := c.Pinned("portal.test"); len(got) != 1 || got[0] != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("pinned to %v", got)
	}
}

// TestConsentPerDestination: with consent asked for, a loopback host has it
// and a host off loopback (pinned to a documentation address, dialed on
// loopback) does not: writes and intrusive requests to it are refused
// before any connection, listed, and never re-sent across a redirect;
// reads and the member's own sign-in on the portal go through.
func TestConsentPerDestination(t *testing.T) {
	var otherPort string
	portal := newCounter(t, listen(t, "127.0.0.1:0"), func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			w.Header().Set("Location", "http://other.test:"+otherPort+"/landed")
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		fmt.Fprint(w, "portal")
	})
	other := newCounter(t, listen(t, "127.0.0.1:0"), nil)
	_, portalPort, _ := net.SplitHostPort(portal.Listener.Addr().String())
	_, otherPort, _ = net.SplitHostPort(other.Listener.Addr().String())
	resolver := checktest.DNS(t, checktest.A(map[string]string{"portal.test": "127.0.0.1", "other.test": remote, "mixed.test": remote}))
	var dials atomic.Int64
	c, err := client.New(client.Options{Scope: []string{"portal.test", "other.test"}, Resolver: resolver,
		Home: []string{"http://portal.test:" + portalPort}, DialAddr: onLoopback(&dials)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := "http://portal.test:" + portalPort
	o := "http://other.test:" + otherPort
	send := func(ctx context.Context, method, u string) (*client.Response, error) {
		return c.Do(ctx, &client.Request{Method: method, URL: u, Body: []byte("x=1"), Follow: true})
	}
	// Before the operator's consent, a write goes nowhere, even to
	// loopback; the member's own sign-in on the portal does.
	if _, err := send(ctx, http.MethodPost, p+"/write"); !isConsent(err) {
		t.Errorf("a POST without --intrusive: %v", err)
	}
	if _, err := send(client.WithPurpose(ctx, client.SignIn), http.MethodPost, p+"/login"); err != nil {
		t.Errorf("the sign-in POST to the portal: %v", err)
	}
	c.EnableConsent(nil)
	tests := []struct {
		name    string
		ctx     context.Context
		method  string
		url     string
		refused bool
	}{
		{"write to the loopback portal", ctx, http.MethodPost, p + "/write", false},
		{"write to a host off loopback", ctx, http.MethodPut, o + "/auth/v1/user", true},
		{"read from a host off loopback", ctx, http.MethodGet, o + "/read", false},
		{"an intrusive check's read off loopback", client.WithIntrusive(ctx), http.MethodGet, o + "/intrusive-read", true},
		{"an intrusive check's read of the portal", client.WithIntrusive(ctx), http.MethodGet, p + "/intrusive-read", false},
		{"a sign-in POST to a host that is not the portal's", client.WithPurpose(ctx, client.SignIn), http.MethodPost, o + "/login", true},
	}
	for _, tt := range tests {
		before := dials.Load()
		_, err := send(tt.ctx, tt.method, tt.url)
		if tt.refused != isConsent(err) {
			t.Errorf("%s: err = %v, refused want %v", tt.name, err, tt.refused)
		}
		if tt.refused && dials.Load() != before {
			t.Errorf("%s: a connection was opened for a refused request", tt.name)
		}
	}
	resp, err := send(ctx, http.MethodPost, p+"/moved")
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(resp.NotFollowed, "another origin") {
		t.Errorf("a 307 to another origin: %v %+v", err, resp)
	}
	if got := other.requests(); !slices.Equal(got, []string{"GET /read"}) {
		t.Errorf("the host off loopback received %q, want only the read", got)
	}
	if got := c.NoConsent(); len(got) != 4 || !strings.HasPrefix(got[1], "PUT http://other.test:") {
		t.Errorf("refused without consent: %q", got)
	}
	if ok, how := c.Consent(ctx, mustParse(t, "http://mixed.test/")); ok {
		t.Errorf("a host with an address off loopback has consent (%s)", how)
	}
}

func isConsent(err error) bool {
	var ce *client.ConsentError
	return errors.As(err, &ce)
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// dualListener serves TLS and plain HTTP on one port (by the first byte),
// so https://host:port and http://host:port are one host and port: the
// case where comparing host:port alone lets credentials through.
func dualListener(t *testing.T, h http.Handler) (addr string, plainSeen func() []http.Header, caFile string) {
	t.Helper()
	tlsSrv := httptest.NewUnstartedServer(h)
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	cfg := tlsSrv.TLS
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	ln := listen(t, "127.0.0.1:0")
	var mu sync.Mutex
	var plain []http.Header
	plainH := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		plain = append(plain, r.Header.Clone())
		mu.Unlock()
		fmt.Fprint(w, "plain")
	})
	srv := &http.Server{Handler: h}
	psrv := &http.Server{Handler: plainH}
	tconns, pconns := make(chan net.Conn), make(chan net.Conn)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(tconns)
				close(pconns)
				return
			}
			go func() {
				br := bufio.NewReader(c)
				b, err := br.Peek(1)
				if err != nil {
					c.Close()
					return
				}
				bc := &peeked{Conn: c, r: br}
				if b[0] == 0x16 {
					tconns <- tls.Server(bc, cfg)
				} else {
					pconns <- bc
				}
			}()
		}
	}()
	go func() { _ = srv.Serve(&chanListener{ch: tconns, addr: ln.Addr()}) }()
	go func() { _ = psrv.Serve(&chanListener{ch: pconns, addr: ln.Addr()}) }()
	t.Cleanup(func() { ln.Close(); srv.Close(); psrv.Close() })
	return ln.Addr().String(), func() []http.Header {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(plain)
	}, caFile
}

type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (p *peeked) Read(b []byte) (int, error) { return p.r.Read(b) }

type chanListener struct {
	ch   chan net.Conn
	addr net.Addr
}

func (l *chanListener) Accept() (net.Conn, error) {
	c, ok := <-l.ch
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}
func (l *chanListener) Close() error   { return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

// TestCredentialsStayOnOrigin: an https page of the portal redirects to
// http on the same host and port. Neither the bearer token, the configured
// session header, the apikey, nor the cookie set over https (without
// Secure) reaches the plaintext hop; a token obtained over https is not
// sent to an http URL at all.
func TestCredentialsStayOnOrigin(t *testing.T) {
	var addr string
	addr, plain, ca := dualListener(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "session-over-https-0123", Path: "/"}) // no Secure
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"token":"bearer-over-https-0123"}`)
		case "/downgrade":
			http.Redirect(w, r, "http://"+addr+"/landing", http.StatusFound)
		default:
			fmt.Fprint(w, "tls")
		}
	}))
	origin := mustParse(t, "https://"+addr)
	c, err := client.New(client.Options{Scope: []string{"127.0.0.1"}, CredentialHeaders: []string{"X-Session"}, CAFile: ca,
		Home: []string{origin.String()}})
	if err != nil {
		t.Fatal(err)
	}
	lc := client.LoginConfig{Origin: origin, Kind: "json", Path: "/login", Form: map[string]string{"email": "{{email}}"},
		SessionKind: "token", TokenFrom: "token", TokenHeader: "Authorization", TokenPrefix: "Bearer "}
	ss := client.NewSessions(c, lc, map[string]client.Credentials{"a": {Email: "a@portal.test", Password: "pw-a-0123456"}})
	sess, err := ss.Get(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	hdr := http.Header{"X-Session": {"custom-session-0123"}, "Apikey": {"anon-key-0123"}}
	if _, err := sess.Do(context.Background(), &client.Request{URL: origin.String() + "/downgrade", Header: hdr, Follow: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Do(context.Background(), &client.Request{URL: "http://" + addr + "/direct"}); err != nil {
		t.Fatal(err)
	}
	got := plain()
	if len(got) != 2 {
		t.Fatalf("the plaintext side saw %d requests, want 2", len(got))
	}
	for i, h := range got {
		for _, name := range []string{"Authorization", "X-Session", "Apikey", "Cookie"} {
			if v := h.Get(name); v != "" {
				t.Errorf("plaintext request %d carried %s: %s", i, name, v)
			}
		}
	}
}
