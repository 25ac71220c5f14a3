package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/launchready/launchready/internal/fakesecret"
)

// trap is a server on 127.0.0.2, outside every scope in these tests; it
// counts what reaches it.
type trap struct {
	srv  *httptest.Server
	hits atomic.Int64
}

func newTrap(t *testing.T) *trap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 not available: %v", err)
	}
	tr := &trap{}
	tr.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.hits.Add(1)
		fmt.Fprint(w, "trapped")
	})}}
	tr.srv.Start()
	t.Cleanup(tr.srv.Close)
	return tr
}

func newClient(t *testing.T, opts Options) *Client {
	t.Helper()
	if opts.Scope == nil {
		opts.Scope = []string{"127.0.0.1"}
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestScopeEnforcedOnRequestsAndRedirects(t *testing.T) {
	tr := newTrap(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/out":
			http.Redirect(w, r, tr.srv.URL+"/stolen?token="+fakesecret.URLToken, http.StatusFound)
		case "/userinfo":
			http.Redirect(w, r, "http://127.0.0.1@"+strings.TrimPrefix(tr.srv.URL, "http://")+"/", http.StatusFound)
		case "/in":
			http.Redirect(w, r, "/final", http.StatusMovedPermanently)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	defer site.Close()
	c := newClient(t, Options{})
	ctx := context.Background()

	resp, err := c.Do(ctx, &Request{URL: site.URL + "/in", Follow: true})
	if err != nil || resp.StatusCode != 200 || len(resp.Hops) != 2 {
		t.Fatalf("in-scope chain: %v %+v", err, resp)
	}
	for _, p := range []string{"/out", "/userinfo"} {
		resp, err = c.Do(ctx, &Request{URL: site.URL + p, Follow: true})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if resp.OutOfScope == "" || resp.StatusCode != http.StatusFound {
			t.Errorf("%s: redirect out of scope not recorded: %+v", p, resp)
		}
	}
	if strings.Contains(strings.Join(c.OutOfScope(), " "), fakesecret.URLToken) {
		t.Errorf("out-of-scope record leaks the token: %v", c.OutOfScope())
	}
	_, err = c.Do(ctx, &Request{URL: tr.srv.URL + "/direct"})
	var oos *OutOfScopeError
	if !errors.As(err, &oos) {
		t.Fatalf("direct request to trap: err = %v, want OutOfScopeError", err)
	}
	// Narrowing by port: the same host on another port is out of scope.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("other port reached") }))
	defer other.Close()
	narrow := newClient(t, Options{Scope: []string{strings.TrimPrefix(site.URL, "http://")}})
	if _, err := narrow.Do(ctx, &Request{URL: other.URL}); !errors.As(err, &oos) {
		t.Errorf("host:port scope let another port through: %v", err)
	}
	if n := tr.hits.Load(); n != 0 {
		t.Fatalf("trap server received %d requests", n)
	}
	if len(c.OutOfScope()) != 3 {
		t.Errorf("OutOfScope = %v, want 3 entries", c.OutOfScope())
	}
}

func TestBodyCapAppliesAfterDecoding(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("A"), 1<<20)) // 1 MiB that compresses to ~1 KiB
	zw.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", fmt.Sprint(gz.Len()))
		w.Write(gz.Bytes())
	}))
	defer site.Close()
	c := newClient(t, Options{MaxBodyBytes: 64 << 10})
	resp, err := c.Do(context.Background(), &Request{URL: site.URL})
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("err = %v, want TooLargeError", err)
	}
	if resp == nil || int64(len(resp.Body)) != 64<<10 {
		t.Fatalf("body kept = %d bytes", len(resp.Body))
	}
}

func TestHeaderCapAndTimeouts(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge-header":
			w.Header().Set("X-Big", strings.Repeat("x", 64<<10))
		case "/slow":
			// Never answers: only the header timeout ends the wait.
			<-r.Context().Done()
		}
		fmt.Fprint(w, "ok")
	}))
	defer site.Close()
	// The whole-request timeout is far longer: the error must come from
	// the header wait.
	c := newClient(t, Options{MaxHeaderBytes: 8 << 10, HeaderTimeout: 200 * time.Millisecond, RequestTimeout: time.Hour})
	if _, err := c.Do(context.Background(), &Request{URL: site.URL + "/huge-header"}); err == nil {
		t.Error("a 64 KiB header passed an 8 KiB cap")
	}
	_, err := c.Do(context.Background(), &Request{URL: site.URL + "/slow"})
	if err == nil {
		t.Fatal("a server that never answers did not time out")
	}
	if !strings.Contains(err.Error(), "/slow") || !strings.Contains(err.Error(), "awaiting response headers") {
		t.Errorf("timeout error does not name the URL and the header wait: %v", err)
	}
}

func TestRedirectLoopAndHopCap(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case r.URL.Path == "/b":
			http.Redirect(w, r, "/a", http.StatusFound)
		case r.URL.Path == "/login" && r.Method == http.MethodPost:
			// A refused login's usual answer: back to the form.
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		case r.URL.Path == "/login":
			fmt.Fprint(w, "<form method=post><input type=password name=password></form>")
		case strings.HasPrefix(r.URL.Path, "/n/"):
			var n int
			fmt.Sscanf(r.URL.Path, "/n/%d", &n)
			http.Redirect(w, r, fmt.Sprintf("/n/%d", n+1), http.StatusFound)
		}
	}))
	defer site.Close()
	c := newClient(t, Options{MaxRedirects: 5})
	resp, err := c.Do(context.Background(), &Request{URL: site.URL + "/a", Follow: true})
	var re *RedirectError
	if !errors.As(err, &re) || !strings.Contains(re.Reason, "loop") || len(resp.Hops) != 2 {
		t.Fatalf("loop: err=%v hops=%d", err, len(resp.Hops))
	}
	// POST /login answered with a redirect to GET /login is no loop: a
	// hop repeats only with the same method and URL.
	home := newClient(t, Options{MaxRedirects: 5, Home: []string{site.URL}})
	resp, err = home.Do(WithPurpose(context.Background(), SignIn), &Request{Method: http.MethodPost, URL: site.URL + "/login", Follow: true, Body: []byte("password=x")})
	if err != nil || resp.StatusCode != http.StatusOK || len(resp.Hops) != 2 || resp.Method != http.MethodGet {
		t.Fatalf("POST then GET of the same URL: err=%v resp=%+v", err, resp)
	}
	resp, err = c.Do(context.Background(), &Request{URL: site.URL + "/n/0", Follow: true})
	if !errors.As(err, &re) || !strings.Contains(re.Reason, "more than 5") || len(resp.Hops) != 6 {
		t.Fatalf("hop cap: err=%v hops=%d", err, len(resp.Hops))
	}
}

func TestRetryAfterIsCappedAndRetriedOnce(t *testing.T) {
	var calls atomic.Int64
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer site.Close()
	c := newClient(t, Options{RetryAfterMax: 50 * time.Millisecond})
	resp, err := c.Do(context.Background(), &Request{URL: site.URL})
	if err != nil || resp.StatusCode != 200 || calls.Load() != 2 {
		t.Fatalf("err=%v status=%d calls=%d", err, resp.StatusCode, calls.Load())
	}
	calls.Store(0)
	resp, err = c.Do(context.Background(), &Request{URL: site.URL, NoRetry: true})
	if err != nil || resp.StatusCode != http.StatusTooManyRequests || calls.Load() != 1 {
		t.Fatalf("NoRetry: err=%v status=%d calls=%d", err, resp.StatusCode, calls.Load())
	}
}

func TestUserAgentAndNoProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.2:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.2:1")
	var ua atomic.Value
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
	}))
	defer site.Close()
	c := newClient(t, Options{UserAgent: "launchready/9.9"})
	resp, err := c.Do(context.Background(), &Request{URL: site.URL})
	if err != nil {
		t.Fatalf("proxy from the environment was used: %v", err)
	}
	if ua.Load() != "launchready/9.9" {
		t.Errorf("User-Agent = %v", ua.Load())
	}
	if !strings.HasPrefix(resp.RemoteAddr, "127.0.0.1:") {
		t.Errorf("RemoteAddr %q, want the address dialed", resp.RemoteAddr)
	}
}

func TestRateCap(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer site.Close()
	c := newClient(t, Options{Rate: 5})
	// The limiter's burst is 1 at 5 req/s, so 4 requests need 3 waits; a
	// context that expires sooner than that must stop the run.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var err error
	for i := 0; i < 4 && err == nil; i++ {
		_, err = c.Do(ctx, &Request{URL: site.URL})
	}
	if err == nil {
		t.Fatal("4 requests at 5 req/s finished within 300 ms: no rate cap")
	}
	if c.Requests() >= 4 {
		t.Errorf("requests sent = %d", c.Requests())
	}
}

// dnsServer answers A queries for names under portal.test. with 127.0.0.1.
func dnsServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc("portal.test.", func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		q := req.Question[0]
		if q.Qtype == dns.TypeA {
			rr, _ := dns.NewRR(q.Name + " 60 IN A 127.0.0.1")
			m.Answer = append(m.Answer, rr)
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestResolverUsedForEveryLookup(t *testing.T) {
	addr := dnsServer(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Host) }))
	defer site.Close()
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())
	c := newClient(t, Options{Scope: []string{"app.portal.test"}, Resolver: addr})
	resp, err := c.Do(context.Background(), &Request{URL: "http://app.portal.test:" + port + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "app.portal.test:"+port {
		t.Errorf("Host = %q", resp.Body)
	}
	repro := c.Repro(resp)
	if !strings.Contains(repro, "--resolve app.portal.test:"+port+":127.0.0.1") {
		t.Errorf("repro does not pin the dialed address: %s", repro)
	}
}

// TestHopWait records the server's think time per hop: a lower bound only
// (the server sleeps at least that long), never a wall-clock ceiling.
func TestHopWait(t *testing.T) {
	const think = 30 * time.Millisecond
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(think)
			http.Redirect(w, r, "/fast", http.StatusFound)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer site.Close()
	c := newClient(t, Options{})
	resp, err := c.Do(context.Background(), &Request{URL: site.URL + "/slow", Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Hops) != 2 {
		t.Fatalf("%d hops, want 2", len(resp.Hops))
	}
	if w := resp.Hops[0].Wait; w < think {
		t.Errorf("slow hop wait %v, want at least %v", w, think)
	}
	if resp.Hops[1].Wait <= 0 {
		t.Errorf("fast hop wait %v, want a measurement", resp.Hops[1].Wait)
	}
}

// TestDialScopedAndCounted: a connection for another protocol (the IMAP
// inbox) is judged like a request: in scope by host and port, counted,
// and a refusal recorded without dialing.
func TestDialScopedAndCounted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	tr := newTrap(t)
	c := newClient(t, Options{Scope: []string{ln.Addr().String()}})
	conn, err := c.Dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	trapAddr := strings.TrimPrefix(tr.srv.URL, "http://")
	var oos *OutOfScopeError
	if _, err := c.Dial(context.Background(), "tcp", trapAddr); !errors.As(err, &oos) {
		t.Fatalf("dial out of scope: %v", err)
	}
	if tr.hits.Load() != 0 || c.Requests() != 1 || !slices.Contains(c.OutOfScope(), "CONNECT "+trapAddr) {
		t.Errorf("trap %d, requests %d, refused %q", tr.hits.Load(), c.Requests(), c.OutOfScope())
	}
}
