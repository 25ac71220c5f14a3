package client

import (
	"net/http"
	"net/url"
	"slices"
)

// TargetHeader is a header sent on every request to the target's own
// origins (target.headers): a gateway's key, a staging password.
type TargetHeader struct {
	Name, Value string
	// Secure sends it over https only: a secret (a referenced value) never
	// travels in cleartext to a portal served over https.
	Secure bool
}

// addTargetHeaders adds the target headers to a request bound for one of
// the target's own origins, except those the request sets itself; a
// request anywhere else (a platform's API, the inbox, a host a redirect
// named) gets none.
func (c *Client) addTargetHeaders(req *http.Request) {
	if len(c.opts.TargetHeaders) == 0 || !c.isTargetOrigin(req.URL) {
		return
	}
	for _, h := range c.opts.TargetHeaders {
		if (h.Secure && req.URL.Scheme != "https") || req.Header.Get(h.Name) != "" {
			continue
		}
		req.Header.Set(h.Name, h.Value)
	}
}

// isTargetOrigin reports whether u is on one of the target's own origins.
func (c *Client) isTargetOrigin(u *url.URL) bool {
	o := originOf(u)
	return slices.ContainsFunc(c.opts.TargetOrigins, func(t string) bool {
		tu, err := url.Parse(t)
		return err == nil && originOf(tu) == o
	})
}
