package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Call is a configured request sent straight to an API path, the way the
// portal's page script sends it (a signup, a verification request, a
// token's confirmation): no page is fetched first.
type Call struct {
	// URL is absolute.
	URL string
	// Method defaults to POST.
	Method string
	// JSON is sent as a JSON object of strings; else Form, form-encoded;
	// else no body.
	JSON, Form map[string]string
}

// Request builds the call as the page's script sends it: a fetch from the
// front page of the URL's origin, with the body's content type.
func (c Call) Request() (*Request, error) {
	method := c.Method
	if method == "" {
		method = http.MethodPost
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("call URL %q is not absolute", c.URL)
	}
	from := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
	req := &Request{Method: method, URL: c.URL, Follow: true, Header: http.Header{},
		Browser: &Browser{From: from, Fetch: true}}
	switch {
	case c.JSON != nil:
		b, err := json.Marshal(c.JSON)
		if err != nil {
			return nil, err
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
	case c.Form != nil:
		v := url.Values{}
		for k, x := range c.Form {
			v.Set(k, x)
		}
		req.Body = []byte(v.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, nil
}

// Send sends a call in the session.
func (s *Session) Send(ctx context.Context, c Call) (*Response, error) {
	req, err := c.Request()
	if err != nil {
		return nil, err
	}
	resp, err := s.Do(ctx, req)
	if err != nil {
		return resp, fmt.Errorf("%s %s: %w", req.Method, s.client.redactor.Redact(req.URL), err)
	}
	return resp, nil
}
