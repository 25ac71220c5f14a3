package inbox

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/config"
)

// Network is the only way out an inbox built by FromConfig has: the
// caller's scoped HTTP client and dialer (the scan gives the inbox a
// client of its own, scoped to the inbox's origin, with target.resolver,
// the configured roots, the caps, and a count in the report). The inbox
// package builds no client, dialer or resolver of its own.
type Network struct {
	// HTTP sends every request of a Mailpit-shaped inbox (kinds builtin
	// and mailpit), redirects included.
	HTTP *http.Client
	// Dial opens an IMAP inbox's TCP connection.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs verifies the IMAP server's certificate; nil means the
	// system roots.
	RootCAs *x509.CertPool
}

// FromConfig builds the mail source auth.inbox describes, reaching it
// through nw only. A Mailpit with auth.inbox.username and password gets
// them as basic auth on requests to its own origin, never elsewhere. The
// caller adds the password to its redactor.
func FromConfig(ib *config.Inbox, nw Network) (Inbox, error) {
	if ib == nil {
		return nil, errors.New("no auth.inbox configured")
	}
	switch ib.Kind {
	case "builtin", "mailpit":
		if nw.HTTP == nil {
			return nil, errors.New("inbox: no HTTP client given for the mailpit inbox")
		}
		hc := nw.HTTP
		if ib.Username.Value != "" || ib.Password.Value != "" {
			origin, err := url.Parse(ib.URL)
			if err != nil {
				return nil, fmt.Errorf("auth.inbox.url: %w", err)
			}
			withAuth := *hc
			withAuth.Transport = &basicAuth{next: transportOf(hc), origin: origin, user: ib.Username.Value, pass: ib.Password.Value}
			hc = &withAuth
		}
		return NewMailpit(ib.URL, hc), nil
	case "imap":
		if nw.Dial == nil {
			return nil, errors.New("inbox: no dialer given for the imap inbox")
		}
		host, _, _ := net.SplitHostPort(ib.Host)
		return NewIMAP(IMAPConfig{
			Addr: ib.Host, Username: ib.Username.Value, Password: ib.Password.Value, Mailbox: ib.Mailbox,
			RootCAs: nw.RootCAs, ServerName: host, Timeout: 30 * time.Second, Dial: nw.Dial,
		}), nil
	}
	return nil, fmt.Errorf("auth.inbox.kind %q is not supported", ib.Kind)
}

func transportOf(hc *http.Client) http.RoundTripper {
	if hc.Transport != nil {
		return hc.Transport
	}
	return http.DefaultTransport
}

// basicAuth adds Mailpit's credentials to each request for the inbox's
// own origin (scheme, host and port), and to nothing else: a redirect to
// another origin, were it ever followed, would go without them.
type basicAuth struct {
	next       http.RoundTripper
	origin     *url.URL
	user, pass string
}

// RoundTrip implements http.RoundTripper.
func (b *basicAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if sameOrigin(req.URL, b.origin) {
		req.SetBasicAuth(b.user, b.pass)
	} else {
		req.Header.Del("Authorization")
	}
	return b.next.RoundTrip(req)
}

// sameOrigin compares scheme, host and port (the scheme's default port
// when none is written).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// Describe names the inbox in messages: its kind and where it is, never
// its password.
func Describe(ib *config.Inbox) string {
	if ib == nil {
		return "no inbox"
	}
	if ib.Kind == "imap" {
		return fmt.Sprintf("the imap inbox %s of %s at %s", ib.Mailbox, ib.Username.Value, ib.Host)
	}
	return fmt.Sprintf("the %s inbox at %s", ib.Kind, ib.URL)
}
