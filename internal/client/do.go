package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one logical request, possibly followed through redirects.
type Request struct {
	// Method defaults to GET.
	Method string
	// URL is absolute.
	URL string
	// Header holds extra headers; credential headers (Authorization,
	// Cookie, apikey, the session header) are dropped on hops to another
	// origin, as browsers drop Authorization.
	Header http.Header
	// Body is sent as is (set Content-Type in Header).
	Body []byte
	// Follow follows redirects inside the scope, up to the hop cap. A
	// redirect out of scope is recorded in Response.OutOfScope, not followed.
	Follow bool
	// Cookies are sent explicitly (in addition to any jar) on every hop to
	// the original origin: used to replay a chosen subset of a session.
	Cookies []*http.Cookie
	// NoRetry disables the single capped Retry-After retry (checks that
	// count 429s want to see them).
	NoRetry bool
	// Browser, when set, sends on each hop the headers a member's browser
	// would (Origin, Referer, Sec-Fetch-*, Accept): for requests that
	// stand for a member's own navigations and form submissions.
	Browser *Browser
}

// Hop is one request/response exchange of a chain.
type Hop struct {
	Method string
	URL    string
	Status int
	Header http.Header
	// Location is the absolute redirect target ("" when not a redirect).
	Location string
	// RemoteAddr is the ip:port actually dialed.
	RemoteAddr string
	// Wait is from the request sent to the first byte of the answer: the
	// server's think time plus one round trip.
	Wait time.Duration
	// Body is the hop's body under the size cap: a redirect's body can
	// carry the very page it claims to refuse.
	Body []byte
}

// WithoutBodies returns a copy of the response without its bodies (the
// hops' included): what evidence and repros need, for results that
// outlive the check that read the page.
func (r *Response) WithoutBodies() *Response {
	if r == nil {
		return nil
	}
	out := *r
	out.Body = nil
	out.Hops = make([]Hop, len(r.Hops))
	for i, h := range r.Hops {
		h.Body = nil
		out.Hops[i] = h
	}
	return &out
}

// Response is the final answer of a request and the chain that led to it.
type Response struct {
	Method     string
	URL        *url.URL
	StatusCode int
	Header     http.Header
	Body       []byte
	RemoteAddr string
	// Hops lists every exchange in order; the last is this response.
	Hops []Hop
	// OutOfScope is a redirect target that was refused (not followed).
	OutOfScope string
	// NotFollowed says why an in-scope redirect was not followed (a 307 or
	// 308 that would re-send a body to another origin), "" otherwise.
	NotFollowed string
	// Sent is the first hop's request headers as sent (for repro).
	Sent http.Header
	// Request is the request as given.
	Request *Request
}

// IsRedirect reports whether a status is a redirect with a Location.
func IsRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// Do sends an anonymous request: no session, and a fresh cookie jar for the
// chain so cookies set on one hop reach the next, as in a new browser.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	return c.do(ctx, NewJar(), req)
}

// DoWith sends a request using the given cookie jar (nil: no cookies at all
// beyond req.Cookies).
func (c *Client) DoWith(ctx context.Context, jar http.CookieJar, req *Request) (*Response, error) {
	return c.do(ctx, jar, req)
}

func (c *Client) do(ctx context.Context, jar http.CookieJar, req *Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("request URL %q is not absolute", c.redactor.Redact(req.URL))
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	body := req.Body
	resp := &Response{Request: req}
	// A hop repeats an earlier one when it sends the same method to the
	// same URL: a form POSTed to /login that redirects to GET /login (the
	// usual answer to a refused login) is no loop.
	seen := map[string]bool{method + " " + u.String(): true}
	chain := []*url.URL{u}
	// The hops' bodies share one cap: a chain of near-cap redirect bodies
	// holds no more than one near-cap page.
	room := c.opts.MaxBodyBytes
	for {
		h, raw, sent, err := c.exchange(ctx, jar, req, method, chain, body, room)
		if err != nil {
			return nil, err
		}
		if resp.Sent == nil {
			resp.Sent = sent
		}
		h.Body = raw.body
		room -= int64(len(raw.body))
		resp.Hops = append(resp.Hops, h)
		resp.Method, resp.URL, resp.StatusCode, resp.Header, resp.RemoteAddr = method, u, h.Status, h.Header, h.RemoteAddr
		resp.Body = raw.body
		if raw.err != nil {
			return resp, raw.err
		}
		if !req.Follow || h.Location == "" {
			return resp, nil
		}
		next, _ := url.Parse(h.Location) // exchange already validated it
		if !c.scope.Allows(next) {
			resp.OutOfScope = c.refuse(next).(*OutOfScopeError).URL
			return resp, nil
		}
		keep := h.Status == http.StatusTemporaryRedirect || h.Status == http.StatusPermanentRedirect
		nextMethod := method
		if !keep && method != http.MethodHead {
			nextMethod = http.MethodGet
		}
		if seen[nextMethod+" "+next.String()] {
			return resp, &RedirectError{Reason: "loop: " + nextMethod + " " + c.redactor.Redact(next.String()) + " was already visited", Hops: resp.Hops}
		}
		if len(resp.Hops) > c.opts.MaxRedirects {
			return resp, &RedirectError{Reason: fmt.Sprintf("more than %d redirects (target.max_redirects)", c.opts.MaxRedirects), Hops: resp.Hops}
		}
		if keep && !safeMethod(method) && !sameOrigin(next, originOf(u)) {
			// A browser would re-send the body there; a scanner never
			// carries a write to an origin it was not sent to.
			resp.NotFollowed = fmt.Sprintf("a %d would re-send the %s body to another origin (%s)", h.Status, method, c.redactor.Redact(originOf(next)))
			return resp, nil
		}
		seen[nextMethod+" "+next.String()] = true
		if nextMethod != method {
			method, body = nextMethod, nil
		}
		u = next
		chain = append(chain, u)
	}
}

type hopBody struct {
	body []byte
	err  error
}

// exchange sends one hop to the last URL of chain (with the one capped
// Retry-After retry) and reads its body under the size cap.
func (c *Client) exchange(ctx context.Context, jar http.CookieJar, req *Request, method string, chain []*url.URL, body []byte, room int64) (Hop, hopBody, http.Header, error) {
	u := chain[len(chain)-1]
	same := sameOrigin(u, originOf(chain[0]))
	header := c.hopHeader(req.Header, same)
	if req.Browser != nil {
		req.Browser.apply(header, req, method, chain, body != nil)
	}
	for attempt := 0; ; attempt++ {
		hctx, cancelHop := context.WithTimeout(ctx, c.opts.RequestTimeout)
		// Closing the client cancels the hop under way.
		stop := context.AfterFunc(c.life, cancelHop)
		cancel := func() { stop(); cancelHop() }
		hreq, err := newHTTPRequest(hctx, method, u, header, body)
		if err != nil {
			cancel()
			return Hop{}, hopBody{}, nil, err
		}
		addCookies(hreq, jar, u, req.Cookies, same)
		sent := hreq.Header.Clone()
		resp, cn, err := c.roundTrip(hreq)
		if err != nil {
			cancel()
			return Hop{}, hopBody{}, nil, c.describe(err, method, u)
		}
		if jar != nil {
			jar.SetCookies(u, resp.Cookies())
		}
		if wait, ok := c.retryAfter(resp, method); ok && attempt == 0 && !req.NoRetry {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			cancel()
			if err := sleepCtx(ctx, wait); err != nil {
				return Hop{}, hopBody{}, nil, err
			}
			continue
		}
		b, rerr := c.readBody(hctx, resp, u, room)
		cancel()
		h := Hop{Method: method, URL: c.redactor.Redact(u.String()), Status: resp.StatusCode, Header: resp.Header, RemoteAddr: cn.remote, Wait: cn.wait}
		if IsRedirect(resp.StatusCode) {
			// A redirect without a usable Location ends the chain here; the
			// checks judge it from the hop.
			h.Location, _ = locationOf(resp, u)
		}
		return h, hopBody{b, rerr}, sent, nil
	}
}

// hopHeader is the request's headers for one hop: on a hop to another
// origin (scheme, host or port changed) every header that carries a
// credential is dropped, so a redirect cannot carry a token to another
// server, or from https to http on the same one.
func (c *Client) hopHeader(h http.Header, sameOrigin bool) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	if !sameOrigin {
		for _, name := range credentialHeaders {
			out.Del(name)
		}
		for _, name := range c.opts.CredentialHeaders {
			out.Del(name)
		}
	}
	return out
}

// credentialHeaders always carry a credential.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Apikey", "X-Api-Key"}

func addCookies(req *http.Request, jar http.CookieJar, u *url.URL, explicit []*http.Cookie, sameOrigin bool) {
	if jar != nil {
		for _, ck := range jar.Cookies(u) {
			req.AddCookie(ck)
		}
	}
	if sameOrigin {
		for _, ck := range explicit {
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
	}
}

// originOf is u's origin, scheme://host:port with the port always written.
func originOf(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(canonicalHost(u.Hostname()), effectivePort(u))
}

// sameOrigin reports whether u is on origin (as originOf writes it, or
// any URL of that origin).
func sameOrigin(u *url.URL, origin string) bool {
	o, err := url.Parse(origin)
	if err != nil || u == nil {
		return false
	}
	return originOf(u) == originOf(o)
}

func locationOf(resp *http.Response, base *url.URL) (string, error) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", errNoLocation
	}
	ref, err := base.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("bad Location %q: %w", loc, err)
	}
	// What is followed is the URL written out, so judge that: a resolved
	// reference can hold a host no URL parser reads back ("//::0").
	next, err := url.Parse(ref.String())
	if err != nil {
		return "", fmt.Errorf("bad Location %q: %w", loc, err)
	}
	if next.Scheme != "http" && next.Scheme != "https" {
		return "", fmt.Errorf("Location %q is not http(s)", loc)
	}
	if next.Host == "" || next.Opaque != "" {
		// "http:0" parses as an http URL with no host.
		return "", fmt.Errorf("Location %q names no host", loc)
	}
	return next.String(), nil
}

// describe turns transport errors into messages naming the URL and phase.
func (c *Client) describe(err error, method string, u *url.URL) error {
	var oos *OutOfScopeError
	if errors.As(err, &oos) {
		return err
	}
	where := method + " " + c.redactor.Redact(u.String())
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%s: cannot resolve host %s: %w", where, u.Hostname(), err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: timed out: %w", where, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
