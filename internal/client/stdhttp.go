package client

import (
	"fmt"
	"io"
	"net/http"
)

// RoundTripper returns the client's policy as an http.RoundTripper, for a
// library that speaks HTTP through a standard *http.Client (the Mailpit
// inbox): each call is one hop, sent like any other request of the
// client's — in scope or refused and recorded in OutOfScope, on the host's
// pinned addresses, under the consent rules and the rate cap, counted in
// Requests, Set-Cookie values added to the redactor — and its body is
// capped at MaxBodyBytes after decoding (reading past it fails with a
// *TooLargeError). It follows no redirect itself; HTTPClient wraps it in a
// client that follows them inside the scope only.
func (c *Client) RoundTripper() http.RoundTripper { return roundTripper{c} }

type roundTripper struct{ c *Client }

var _ http.RoundTripper = roundTripper{}

// RoundTrip implements http.RoundTripper.
func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	// roundTrip sets the User-Agent; a RoundTripper must leave the
	// caller's request as it was given.
	req = req.Clone(req.Context())
	resp, _, err := rt.c.roundTrip(req)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: rt.c.opts.MaxBodyBytes,
		err: &TooLargeError{URL: rt.c.redactor.Redact(req.URL.String()), Limit: rt.c.opts.MaxBodyBytes}}
	return resp, nil
}

// HTTPClient returns a standard *http.Client whose every hop goes through
// RoundTripper: a redirect is followed only inside the scope and up to the
// hop cap, and a redirect outside the scope is refused before anything is
// dialed and recorded in OutOfScope. It keeps no cookies, and
// RequestTimeout bounds each call including its body.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{
		Transport: c.RoundTripper(),
		Timeout:   c.opts.RequestTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !c.scope.Allows(req.URL) {
				return c.refuse(req.URL)
			}
			if len(via) > c.opts.MaxRedirects {
				return &RedirectError{Reason: fmt.Sprintf("more than %d redirects (target.max_redirects)", c.opts.MaxRedirects)}
			}
			return nil
		},
	}
}

// cappedBody reads at most left bytes of a body; one byte more is err.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, b.err
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
