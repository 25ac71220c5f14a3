package demo

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

const (
	// maxBody caps every request body the portal reads.
	maxBody = 64 << 10
	// maxHeader caps request headers.
	maxHeader = 64 << 10
)

// Hardened security headers, sent on every response unless NoSecurityHeaders.
const (
	headerCSP  = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	headerHSTS = "max-age=31536000; includeSubDomains"
)

// newServer returns an http.Server with bounded timeouts and sizes, whose
// error log (TLS handshake noise from probes) is discarded so the demo
// never writes into the scanner's output.
func newServer(h http.Handler, tc *tls.Config) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tc,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
}

// router sends each request, by listener scheme and Host, to a redirect,
// the app, or 421 Misdirected Request.
type router struct {
	p    *Portal
	f    Flaws
	app  http.Handler
	data http.Handler
	// observe, when set, hears of each request once it is served.
	observe func(RequestRecord)
}

// handler serves one listener.
func (rt *router) handler(scheme string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.p.record(r, scheme)
		if rt.observe != nil {
			rec := RequestRecord{Host: r.Host, Method: r.Method, Path: r.URL.Path, Scheme: scheme}
			defer rt.observe(rec)
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		securityHeaders(w.Header(), rt.f, scheme)
		host := hostOnly(r.Host)
		to, serveApp := rt.route(scheme, host)
		switch {
		case host == dataHost && scheme == "https" && rt.data != nil:
			rt.data.ServeHTTP(w, r)
		case to != "":
			http.Redirect(w, r, to+r.URL.RequestURI(), http.StatusMovedPermanently)
		case serveApp:
			rt.app.ServeHTTP(w, r)
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusMisdirectedRequest)
			io.WriteString(w, "421 Misdirected Request: this server does not serve that host name.\n")
		}
	})
}

// route decides one request: the origin to redirect to (path and query are
// kept), or whether the app serves it. Neither means an unknown host.
func (rt *router) route(scheme, host string) (to string, serveApp bool) {
	canonical := rt.p.URL
	chains := rt.f.RedirectChains
	switch {
	case host == "portal.test" && scheme == "https":
		return "", true
	case host == "portal.test":
		if rt.f.PlainHTTPContent {
			return "", true
		}
		return canonical, false
	case host == "www.portal.test" && chains && scheme == "http":
		return rt.p.origin("http", "portal.test"), false
	case host == "www.portal.test" && chains:
		return rt.p.origin("https", "app.portal.test"), false
	case host == "app.portal.test" && chains && scheme == "http":
		return rt.p.origin("https", "app.portal.test"), false
	case host == "www.portal.test", host == "app.portal.test":
		return canonical, false
	}
	return "", false
}

// securityHeaders sets the hardened headers (HSTS only over HTTPS), or
// none of them for the flawed portal.
func securityHeaders(h http.Header, f Flaws, scheme string) {
	if f.NoSecurityHeaders {
		return
	}
	h.Set("Content-Security-Policy", headerCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if scheme == "https" {
		h.Set("Strict-Transport-Security", headerHSTS)
	}
}

// hostOnly returns the lower-case host name of a Host header, without the
// port or a trailing dot.
func hostOnly(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
