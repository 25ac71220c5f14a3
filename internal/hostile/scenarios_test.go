package hostile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// serveRaw accepts TCP connections on 127.0.0.1 and hands each to fn: for
// answers no HTTP server library would write.
func serveRaw(t *testing.T, fn func(c net.Conn)) target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				// Read the request head first, as a server would.
				br := bufio.NewReader(c)
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				for {
					l, err := br.ReadString('\n')
					if err != nil || l == "\r\n" || l == "\n" {
						break
					}
				}
				_ = c.SetReadDeadline(time.Time{})
				fn(c)
			}()
		}
	}()
	return target{url: "http://" + ln.Addr().String(), scope: []string{ln.Addr().String()}}
}

// everywhere answers every request with h, ignoring the portal.
func everywhere(h http.HandlerFunc) func(t *testing.T, s *suite) target {
	return func(t *testing.T, s *suite) target { return serveHTTP(t, h) }
}

// portalWith serves the portal, with wrap deciding per request.
func portalWith(wrap func(p *portal, w http.ResponseWriter, r *http.Request) bool) func(t *testing.T, s *suite) target {
	return func(t *testing.T, s *suite) target {
		p := &portal{s: s}
		return serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !wrap(p, w, r) {
				p.ServeHTTP(w, r)
			}
		}))
	}
}

// dnsTarget serves the portal at hostile.test behind a DNS server that
// answers with answer.
func dnsTarget(answer func(w dns.ResponseWriter, r *dns.Msg)) func(t *testing.T, s *suite) target {
	return func(t *testing.T, s *suite) target {
		tg := serveHTTP(t, &portal{s: s})
		_, port, _ := net.SplitHostPort(tg.scope[0])
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(answer)}
		go func() { _ = srv.ActivateAndServe() }()
		t.Cleanup(func() { _ = srv.Shutdown() })
		return target{url: "http://hostile.test:" + port, scope: []string{"hostile.test:" + port}, resolver: pc.LocalAddr().String()}
	}
}

// gzipBomb is ~1 MiB of gzip that inflates to 1 GiB, made once.
var gzipBomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 1024 {
		_, _ = zw.Write(zero)
	}
	_ = zw.Close()
	return buf.Bytes()
})

// nested builds n levels of open tags around a text: a tree a parser
// would build node by node.
func nested(n int, tag string) string {
	var b strings.Builder
	b.Grow(n * (2*len(tag) + 5))
	for range n {
		b.WriteString("<" + tag + ">")
	}
	b.WriteString("deep")
	return b.String()
}

func scenarios() []scenario {
	var hops atomic.Int64
	return []scenario{
		{name: "redirect loop", serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			next := "/a"
			if r.URL.Path == "/a" {
				next = "/b"
			}
			http.Redirect(w, r, next, http.StatusFound)
		})},
		{name: "redirect to another port of the host", serve: func(t *testing.T, s *suite) target {
			return everywhere(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://"+s.traps.sameHost+r.URL.Path, http.StatusFound)
			})(t, s)
		}},
		{name: "redirect to IP-literal spellings", serve: func(t *testing.T, s *suite) target {
			_, port, _ := net.SplitHostPort(s.traps.other)
			forms := []string{"http://2130706434:" + port, "http://0x7f000002:" + port, "http://[::ffff:127.0.0.2]:" + port, "http://127.2:" + port}
			return everywhere(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, forms[hops.Add(1)%int64(len(forms))]+r.URL.Path, http.StatusFound)
			})(t, s)
		}},
		{name: "redirect to javascript, data, file", serve: func(t *testing.T, s *suite) target {
			forms := []string{"javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"}
			return everywhere(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", forms[hops.Add(1)%int64(len(forms))])
				w.WriteHeader(http.StatusFound)
			})(t, s)
		}},
		// Every page is the refresh page (a catch-all): SEC-005 judges the
		// files by content.
		{name: "meta refresh and JS redirects out", pass: []string{"SEC-005"}, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/login" && r.Method == http.MethodPost {
				return false
			}
			fmt.Fprintf(w, `<html><head><meta http-equiv="refresh" content="0;url=%s"></head><body><script>location.href=%q</script></body></html>`,
				p.trapURL("/meta"), p.trapURL("/js"))
			return true
		})},
		{name: "endless body", serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			chunk := bytes.Repeat([]byte("<p>more</p>"), 4096)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})},
		{name: "2 GiB Content-Length", serve: func(t *testing.T, s *suite) target {
			return serveRaw(t, func(c net.Conn) {
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n<html>", int64(2)<<30)
				time.Sleep(200 * time.Millisecond)
			})
		}},
		{name: "gzip bomb", serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipBomb())
		})},
		{name: "slow drip", serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fl, _ := w.(http.Flusher)
			for i := 0; r.Context().Err() == nil && i < 600; i++ {
				if _, err := w.Write([]byte("<")); err != nil {
					return
				}
				if fl != nil {
					fl.Flush()
				}
				time.Sleep(500 * time.Millisecond)
			}
		})},
		{name: "endless headers", serve: func(t *testing.T, s *suite) target {
			return serveRaw(t, func(c net.Conn) {
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\n")
				line := []byte("X-Filler: " + strings.Repeat("a", 1000) + "\r\n")
				for i := 0; i < 1<<20; i++ {
					if _, err := c.Write(line); err != nil {
						return
					}
				}
			})
		}},
		{name: "100 KB Set-Cookie and 500 cookies", serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			w.Header().Add("Set-Cookie", "huge="+strings.Repeat("h", 100<<10)+"; Path=/")
			for i := range 500 {
				w.Header().Add("Set-Cookie", fmt.Sprintf("c%03d=value-%03d-%x; Path=/", i, i, i*7919))
			}
			return false
		}), pass: portalPasses},
		{name: "invalid chunked encoding", serve: func(t *testing.T, s *suite) target {
			return serveRaw(t, func(c net.Conn) {
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\nzz\r\n<html>\r\nfffffffffffffffffffff\r\n")
			})
		}},
		{name: "TCP reset mid-response", serve: func(t *testing.T, s *suite) target {
			return serveRaw(t, func(c net.Conn) {
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body>")
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // close sends RST
				}
			})
		}},
		{name: "TLS handshake stall", serve: func(t *testing.T, s *suite) target {
			tg := serveRaw(t, func(c net.Conn) { time.Sleep(10 * time.Second) })
			tg.url = strings.Replace(tg.url, "http://", "https://", 1)
			tg.caFile = s.mustCert.caFile
			return tg
		}},
		{name: "expired certificate", serve: func(t *testing.T, s *suite) target {
			return s.serveTLS(t, &portal{s: s}, s.mustCert.leaf(t, "127.0.0.1", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), false))
		}},
		{name: "self-signed certificate", serve: func(t *testing.T, s *suite) target {
			return s.serveTLS(t, &portal{s: s}, s.mustCert.selfSign)
		}},
		{name: "wrong-host certificate", serve: func(t *testing.T, s *suite) target {
			return s.serveTLS(t, &portal{s: s}, s.mustCert.leaf(t, "other.example", time.Now().Add(-time.Hour), time.Now().Add(time.Hour), false))
		}},
		{name: "HTTP/2 only", anyPass: true, serve: func(t *testing.T, s *suite) target {
			return s.serveTLS(t, &portal{s: s}, s.mustCert.leaf(t, "127.0.0.1", time.Now().Add(-time.Hour), time.Now().Add(time.Hour), false), "h2")
		}},
		{name: "DNS timeout", serve: dnsTarget(func(dns.ResponseWriter, *dns.Msg) {})},
		{name: "DNS SERVFAIL", serve: dnsTarget(func(w dns.ResponseWriter, r *dns.Msg) {
			m := new(dns.Msg)
			m.SetRcode(r, dns.RcodeServerFailure)
			_ = w.WriteMsg(m)
		})},
		{name: "DNS NXDOMAIN", serve: dnsTarget(func(w dns.ResponseWriter, r *dns.Msg) {
			m := new(dns.Msg)
			m.SetRcode(r, dns.RcodeNameError)
			_ = w.WriteMsg(m)
		})},
		// SEC-005 judges each sensitive file by its content against the
		// catch-all page: none is served, which is true.
		{name: "catch-all 200", pass: []string{"SEC-005"}, serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><body><h1>Welcome to the portal</h1><p>Everything is fine.</p></body></html>`)
		})},
		// Only the login lies; the files are refused with 404s.
		{name: "login accepts any password", pass: []string{"SEC-005"}, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/login" && r.Method == http.MethodPost {
				fmt.Fprint(w, `<html><body><h1>Welcome back!</h1></body></html>`)
				return true
			}
			return false
		})},
		{name: "WAF block page everywhere", serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server", "cloudflare")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<html><body><h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: 8a1b2c3d4e5f6071</p></body></html>`)
		})},
		{name: "429 with Retry-After 999999", serve: everywhere(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "999999")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		})},
		// The home page and dashboard are the same for everyone (no
		// session can be proven); the JSON API and the files are intact.
		{name: "HTML with 100k links", pass: apiPasses, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/dashboard" && r.URL.Path != "/" {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			bw := bufio.NewWriter(w)
			bw.WriteString("<html><body>")
			for i := range 100_000 {
				fmt.Fprintf(bw, `<a href="/p/%d">page %d</a><a href="%s">t</a>`, i, i, p.trapURL(fmt.Sprintf("/l%d", i)))
			}
			bw.WriteString("</body></html>")
			_ = bw.Flush()
			return true
		})},
		{name: "50 MB inline script", pass: apiPasses, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/" && r.URL.Path != "/dashboard" {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body><script>var x = '")
			chunk := bytes.Repeat([]byte("abcdefghij"), 100_000)
			for range 50 {
				if _, err := w.Write(chunk); err != nil {
					return true
				}
			}
			_, _ = io.WriteString(w, "';</script></body></html>")
			return true
		})},
		// Only /api/ is hostile: the login, the pages and the files work.
		{name: "JSON nested 100k deep", pass: without(portalPasses, "AUTHZ-001", "AUTHZ-003", "AUTHZ-005"), serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/api/") {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000))
			return true
		})},
		{name: "source map URL out of scope", serve: func(t *testing.T, s *suite) target { return serveHTTP(t, &portal{s: s}) }, pass: portalPasses},
		{name: "nested inline HTML 10 MB", pass: apiPasses, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/" && r.URL.Path != "/dashboard" {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>"+nested(3_200_000, "b")) // 9.6 MB, under the 10 MiB cap
			return true
		})},
		// The script is all fake keys (SEC-003 fails on them) and names no
		// map; the rest of the portal works.
		{name: "bundle of 250k fake keys", pass: append([]string{"SEC-004"}, portalPasses...), serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/app.js" {
				return false
			}
			w.Header().Set("Content-Type", "text/javascript")
			bw := bufio.NewWriter(w)
			for i := range 250_000 {
				fmt.Fprintf(bw, "const k%d='AKIA%016X';\n", i, uint64(i)*0x9E3779B97F4A7C15)
			}
			_ = bw.Flush()
			return true
		})},
		// A bounded sample of the IDs is judged: a truthful verdict.
		{name: "JSON list of 100k IDs", pass: portalPasses, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/api/invoices" || p.session(r) == "" {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			bw := bufio.NewWriter(w)
			bw.WriteString("[")
			for i := range 100_000 {
				if i > 0 {
					bw.WriteString(",")
				}
				fmt.Fprintf(bw, `{"id":"inv-%s-%08x","total":"1.00"}`, p.session(r), i)
			}
			bw.WriteString("]")
			_ = bw.Flush()
			return true
		})},
		{name: "pages near the cap linking more", pass: apiPasses, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/" && r.URL.Path != "/dashboard" && !strings.HasPrefix(r.URL.Path, "/big/") {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			bw := bufio.NewWriter(w)
			bw.WriteString("<html><body>")
			for i := range 200 {
				fmt.Fprintf(bw, `<a href="/big/%d">next %d</a>`, i, i)
			}
			filler := strings.Repeat("<p>filler text of a heavy page</p>", 1000)
			for written := 0; written < 9<<20 && r.Context().Err() == nil; written += len(filler) {
				if _, err := bw.WriteString(filler); err != nil {
					return true
				}
			}
			_ = bw.Flush()
			return true
		})},
		{name: "redirect chain of near-cap bodies", pass: apiPasses, serve: portalWith(func(p *portal, w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/hop/") && r.URL.Path != "/dashboard" && r.URL.Path != "/" {
				return false
			}
			n := 0
			fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/hop/"), "%d", &n)
			w.Header().Set("Location", fmt.Sprintf("/hop/%d", n+1))
			w.WriteHeader(http.StatusFound)
			filler := bytes.Repeat([]byte("x"), 1<<20)
			for range 9 {
				if _, err := w.Write(filler); err != nil {
					return true
				}
			}
			return true
		})},
	}
}

// apiPasses are what a portal whose home page and dashboard are replaced
// (for everyone) still truthfully passes: member b and anonymous are
// refused a's invoices by the JSON API, its IDs are random, the files
// answer 404 and what the crawl read holds no key.
var apiPasses = []string{"AUTHZ-001", "AUTHZ-003", "AUTHZ-005", "SEC-003", "SEC-004", "SEC-005", "SEC-008"}

// without returns ids less drop.
func without(ids []string, drop ...string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// portalPasses are the checks a working portal with these flaws passes
// truthfully: the anonymous refusal, the session mechanism, the object
// authorization (the JSON endpoints refuse other members), cookie flags it
// sets right and what the scan reads in full.
var portalPasses = []string{"AUTH-002", "AUTH-004", "AUTH-007", "AUTH-008", "AUTH-010", "SESS-002", "SESS-003", "SESS-004",
	"SESS-005", "AUTHZ-001", "AUTHZ-003", "AUTHZ-005", "SEC-003", "SEC-005", "SEC-008", "EDGE-004"}
