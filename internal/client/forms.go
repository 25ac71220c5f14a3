package client

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/page"
)

// FormSubmission is the request a browser sends when form, on the page
// from shows, is submitted through its first submit button: the form's
// data set (every hidden field, whatever its name, and the button's name
// and value) with values set over it, to action ("" = the form's own), by
// the form's method and encoding, with the headers of a navigation from
// that page. An explicit action (a form built by script, posting
// elsewhere) and a form with a password are always POSTed.
func FormSubmission(from *Response, form page.Form, values url.Values, action string) (*Request, error) {
	data := form.Data(form.Submitter())
	for k, vs := range values {
		data[k] = vs
	}
	method := http.MethodPost
	if action == "" {
		action = form.Action
		// A GET form goes as a browser sends it, its data in the URL;
		// but a password never: a form with one and no method is sent
		// by its page's script, as a POST.
		if form.Method == http.MethodGet && !form.HasPassword {
			method = http.MethodGet
		}
	}
	req := &Request{Method: method, URL: action, Follow: true, Browser: FromPage(from)}
	if method == http.MethodGet {
		u, err := url.Parse(action)
		if err != nil {
			return nil, fmt.Errorf("the form's action %q: %w", action, err)
		}
		u.RawQuery = data.Encode()
		req.URL = u.String()
		return req, nil
	}
	body, ct, err := encodeForm(data, form.Enctype)
	if err != nil {
		return nil, err
	}
	req.Body, req.Header = body, http.Header{"Content-Type": {ct}}
	return req, nil
}

// encodeForm writes a form data set in the form's encoding and returns it
// with its content type.
func encodeForm(data url.Values, enctype string) ([]byte, string, error) {
	switch enctype {
	case "multipart/form-data":
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, k := range slices.Sorted(maps.Keys(data)) {
			for _, v := range data[k] {
				if err := w.WriteField(k, v); err != nil {
					return nil, "", fmt.Errorf("encoding the form: %w", err)
				}
			}
		}
		if err := w.Close(); err != nil {
			return nil, "", fmt.Errorf("encoding the form: %w", err)
		}
		return buf.Bytes(), w.FormDataContentType(), nil
	case "text/plain":
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(data)) {
			for _, v := range data[k] {
				b.WriteString(k + "=" + v + "\r\n")
			}
		}
		return []byte(b.String()), "text/plain", nil
	}
	return []byte(data.Encode()), "application/x-www-form-urlencoded", nil
}

// Submit submits form, on the page from shows, in the session as
// FormSubmission builds it, following redirects.
func (s *Session) Submit(ctx context.Context, from *Response, form page.Form, values url.Values, action string) (*Response, error) {
	req, err := FormSubmission(from, form, values, action)
	if err != nil {
		return nil, err
	}
	resp, err := s.Do(ctx, req)
	if err != nil {
		return resp, fmt.Errorf("submitting the form to %s: %w", s.client.redactor.Redact(req.URL), err)
	}
	return resp, nil
}

// PageAction is the request a member's browser sends with method to
// target from the page from (nil: the front page of target's origin): a
// form-encoded body holding the data of the page's form whose action has
// target's path (its hidden fields, a CSRF token, and its button), empty
// when the page has no such form; a GET sends no body.
func PageAction(from *Response, method, target string) *Request {
	req := &Request{Method: method, URL: target, Follow: true}
	if from == nil {
		req.Browser = FromURL(target)
		if req.Browser.From != nil {
			req.Browser.From = &url.URL{Scheme: req.Browser.From.Scheme, Host: req.Browser.From.Host, Path: "/"}
		}
	} else {
		req.Browser = FromPage(from)
	}
	if method == http.MethodGet {
		return req
	}
	data := url.Values{}
	if t, err := url.Parse(target); err == nil && from != nil {
		for _, f := range page.Forms(from.Body, from.URL) {
			if fu, err := url.Parse(f.Action); err == nil && fu.Path == t.Path {
				data = f.Data(f.Submitter())
				break
			}
		}
	}
	req.Body = []byte(data.Encode())
	req.Header = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	return req
}
