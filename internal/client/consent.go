package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Consent is enforced here, in the transport, for every request the
// scanner sends (the Go client, the browser's proxy and the inbox clients
// alike). A request needs consent for its destination host when it belongs
// to an intrusive check, or when it is not a GET, HEAD or OPTIONS and is
// not one of the exempt exchanges a member's own browser makes (signing
// in, signing out, renewing a token, or a read the API sends as a POST) on
// the portal's or its sign-in platform's own endpoints.
//
// A host has consent when the operator asked for intrusive checks and the
// host is proven: every address it is pinned to is loopback, or it
// publishes the operator's ownership proof. A platform project (Supabase,
// Firebase, Clerk) is granted separately by the scan (GrantPlatform), never
// by a proof it cannot publish.

// Purpose marks the requests of an exchange that needs no consent even
// when it is not a GET.
type Purpose int

// Purposes of exempt exchanges.
const (
	purposeNone Purpose = iota
	// SignIn is the configured login or a platform's sign-in, and the
	// reads that verify it.
	SignIn
	// SignOut is the configured logout.
	SignOut
	// Refresh renews a platform session's token.
	Refresh
	// Read is a request an API documents as a read though it is sent as a
	// POST (Supabase Storage's list, Firebase's accounts:lookup).
	Read
)

func (p Purpose) String() string {
	switch p {
	case SignIn:
		return "sign-in"
	case SignOut:
		return "sign-out"
	case Refresh:
		return "token refresh"
	case Read:
		return "read"
	}
	return "none"
}

type purposeKey struct{}
type intrusiveKey struct{}

// WithPurpose marks the requests sent with ctx as one exempt exchange.
func WithPurpose(ctx context.Context, p Purpose) context.Context {
	return context.WithValue(ctx, purposeKey{}, p)
}

// WithIntrusive marks the requests sent with ctx as an intrusive check's:
// every one of them, whatever its method, needs consent for its host. The
// runner sets it for each intrusive check.
func WithIntrusive(ctx context.Context) context.Context {
	return context.WithValue(ctx, intrusiveKey{}, true)
}

// Shared returns ctx detached from the caller's cancellation and from its
// intrusive mark: for a login shared by every check, which is no one
// check's request.
func Shared(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), intrusiveKey{}, false)
}

// IsIntrusive reports whether ctx belongs to an intrusive check.
func IsIntrusive(ctx context.Context) bool {
	v, _ := ctx.Value(intrusiveKey{}).(bool)
	return v
}

func purposeOf(ctx context.Context) Purpose {
	p, _ := ctx.Value(purposeKey{}).(Purpose)
	return p
}

// ConsentError is returned for a request that needs consent its
// destination does not have; nothing was sent.
type ConsentError struct {
	Method, URL string
	// Reason says what the host lacks.
	Reason string
}

func (e *ConsentError) Error() string {
	return fmt.Sprintf("refused without consent: %s %s (%s)", e.Method, e.URL, e.Reason)
}

// Prover checks the published ownership proof of u's host; note says what
// is missing when it is not proven.
type Prover func(ctx context.Context, u *url.URL) (ok bool, note string)

// consent is the client's per-host record of what may receive intrusive
// requests and writes.
type consent struct {
	// asked is the operator's --intrusive; without it nothing has consent.
	asked bool
	prove Prover

	mu sync.Mutex
	// hosts caches each host's decision (proofs are looked up once).
	hosts map[string]*hostConsent
	// platforms are URL bases granted by the scan.
	platforms []string
}

type hostConsent struct {
	once sync.Once
	ok   bool
	how  string // "loopback", "proof", or why not
}

// EnableConsent records the operator's consent to intrusive checks:
// from now on a host that is proven may receive them. prove checks a
// published ownership proof (nil: only loopback hosts are proven).
func (c *Client) EnableConsent(prove Prover) {
	c.consent.mu.Lock()
	defer c.consent.mu.Unlock()
	c.consent.asked = true
	c.consent.prove = prove
	c.consent.hosts = map[string]*hostConsent{}
}

// GrantPlatform gives consent to the URLs under base, a platform project
// (Supabase, Firebase, Clerk) the scan has tied to the proven portal.
func (c *Client) GrantPlatform(base string) {
	c.consent.mu.Lock()
	defer c.consent.mu.Unlock()
	c.consent.platforms = append(c.consent.platforms, base)
}

// Consent reports whether u's host may receive intrusive requests and
// writes, and how it was proven or why it is not. It resolves and pins the
// host when that was not done yet.
func (c *Client) Consent(ctx context.Context, u *url.URL) (bool, string) {
	c.consent.mu.Lock()
	switch {
	case c.opts.Operator:
		c.consent.mu.Unlock()
		return false, "the operator's own service (the inbox) is only read, never written"
	case !c.consent.asked:
		c.consent.mu.Unlock()
		return false, "intrusive checks were not asked for (--intrusive)"
	}
	prove := c.consent.prove
	for _, base := range c.consent.platforms {
		if underBase(u, base) {
			c.consent.mu.Unlock()
			return true, "platform project of the proven portal"
		}
	}
	host := canonicalHost(u.Hostname())
	hc, ok := c.consent.hosts[host]
	if !ok {
		hc = &hostConsent{}
		c.consent.hosts[host] = hc
	}
	c.consent.mu.Unlock()
	hc.once.Do(func() { hc.ok, hc.how = c.judge(ctx, u, prove) })
	return hc.ok, hc.how
}

// judge decides one host: loopback by the addresses it is pinned to, else
// by its published proof.
func (c *Client) judge(ctx context.Context, u *url.URL, prove Prover) (bool, string) {
	host := canonicalHost(u.Hostname())
	addrs, err := c.pins.lookup(ctx, host)
	if err == nil && allLoopback(addrs) {
		return true, "loopback"
	}
	if prove == nil {
		if err != nil {
			return false, fmt.Sprintf("%s does not resolve: %v", host, err)
		}
		return false, fmt.Sprintf("%s is not on loopback (%v) and no ownership proof is accepted here", host, addrs)
	}
	ok, note := prove(context.WithoutCancel(ctx), u)
	if ok {
		return true, "proof"
	}
	return false, note
}

// safeMethod is a method that asks for a read.
func safeMethod(m string) bool {
	return m == "" || m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// needsConsent reports whether a request sent with ctx needs consent for
// its destination, and why.
func (c *Client) needsConsent(ctx context.Context, method string, u *url.URL) (bool, string) {
	if IsIntrusive(ctx) && !c.opts.Operator {
		return true, "an intrusive check's request"
	}
	if safeMethod(method) {
		return false, ""
	}
	if p := purposeOf(ctx); p != purposeNone && c.home(u) {
		return false, ""
	}
	return true, "a " + method + " (a write)"
}

// home reports whether u is on an endpoint where the exempt exchanges of
// a member's browser go: the portal's origin or a configured sign-in
// platform's API.
func (c *Client) home(u *url.URL) bool {
	for _, base := range c.opts.Home {
		if underBase(u, base) {
			return true
		}
	}
	return false
}

// admit applies the consent rule to one outgoing request.
func (c *Client) admit(ctx context.Context, method string, u *url.URL) error {
	need, why := c.needsConsent(ctx, method, u)
	if !need {
		return nil
	}
	ok, how := c.Consent(ctx, u)
	if ok {
		return nil
	}
	red := c.redactor.Redact(u.String())
	c.mu.Lock()
	entry := method + " " + red
	if !slices.Contains(c.noConsent, entry) {
		c.noConsent = append(c.noConsent, entry)
	}
	c.mu.Unlock()
	return &ConsentError{Method: method, URL: red, Reason: why + " to a host without consent: " + how}
}

// NoConsent lists the (redacted) requests refused for want of consent.
func (c *Client) NoConsent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.noConsent...)
}

// canonicalHost lower-cases a host name and drops a trailing dot and IPv6
// brackets.
func canonicalHost(h string) string {
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
}
