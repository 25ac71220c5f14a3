package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/launchready/launchready/internal/config"
)

// MeConfig is accounts.me: how a logged-in member reads its own record,
// and where its id is in the JSON answer.
type MeConfig struct {
	// Path is where the record is read; Method GET or POST.
	Path, Method string
	// IDField is the dotted JSON path of the id (record.id).
	IDField string
}

// member is what a session knows of its member for the placeholders of
// config paths and bodies: the tag, and the id read at accounts.me once.
type member struct {
	tag    string
	me     *MeConfig
	origin *url.URL

	mu sync.Mutex
	id string
	// err is a failed read of the id, kept so a member whose session was
	// ended (a logout) is not asked again and again.
	err error
}

// SelfID returns the member's own id, read once per session at
// accounts.me (the answer's id_field).
func (s *Session) SelfID(ctx context.Context) (string, error) {
	m := s.member
	if m == nil || m.me == nil {
		return "", errors.New("{{self.id}} needs accounts.me (how a member reads its own record)")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.id != "" || m.err != nil {
		return m.id, m.err
	}
	id, err := s.readSelfID(ctx)
	if err != nil && ctx.Err() != nil {
		return "", err // the caller gave up; another may still ask
	}
	m.id, m.err = id, err
	return id, err
}

// readSelfID sends the accounts.me request as the member, the way the
// portal's script does, and reads the id from its answer.
func (s *Session) readSelfID(ctx context.Context) (string, error) {
	me := s.member.me
	origin := s.member.origin
	path := config.Expand(me.Path, map[string]string{config.PhEmail: s.Email, config.PhTag: s.member.tag}, url.PathEscape)
	ref, err := url.Parse(path)
	if err != nil {
		return "", fmt.Errorf("accounts.me.path %q: %w", me.Path, err)
	}
	target := origin.ResolveReference(ref)
	resp, err := s.Do(ctx, &Request{Method: me.Method, URL: target.String(), Follow: true,
		Header:  http.Header{"Accept": {"application/json"}},
		Browser: &Browser{From: origin.ResolveReference(&url.URL{Path: "/"}), Fetch: true}})
	if err != nil {
		return "", fmt.Errorf("reading the member's own record (accounts.me, %s %s): %w", me.Method, me.Path, err)
	}
	if resp.StatusCode >= 400 {
		return "", fmt.Errorf("accounts.me (%s %s) answered %d for %s", me.Method, me.Path, resp.StatusCode, s.Account)
	}
	id, err := JSONValue(resp.Body, me.IDField)
	if err != nil {
		return "", fmt.Errorf("accounts.me (%s %s): reading id_field %q: %w", me.Method, me.Path, me.IDField, err)
	}
	return id, nil
}

// JSONValue reads a string or number at a dotted path of a JSON body
// ("record.id"), as text.
func JSONValue(body []byte, path string) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("the response is not JSON: %w", err)
	}
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no object at %q", key)
		}
		if v, ok = m[key]; !ok {
			return "", fmt.Errorf("no field %q", key)
		}
	}
	switch x := v.(type) {
	case string:
		if x != "" {
			return x, nil
		}
	case json.Number:
		return x.String(), nil
	}
	return "", errors.New("the field is not a non-empty string or a number")
}

// placeholderMarks are how a placeholder may stand in a request already
// built: as written, or escaped by a URL or a form encoding.
func placeholderMarks(ph string) []string {
	esc := url.QueryEscape(ph) // "{{self.id}}" → "%7B%7Bself.id%7D%7D"
	return []string{ph, esc, strings.ToLower(esc)}
}

// memberPlaceholders are the placeholders a member's request may carry.
var memberPlaceholders = []string{config.PhSelfID, config.PhEmail, config.PhTag}

// carries reports whether s holds ph in any of its forms.
func carries(s []byte, ph string) bool {
	for _, m := range placeholderMarks(ph) {
		if bytes.Contains(s, []byte(m)) {
			return true
		}
	}
	return false
}

// fill returns req with the member's placeholders in its URL and body
// filled in, escaped as each part needs (req itself when it holds none):
// a request built from a config path is the member's own, so its
// {{self.id}} is the member's id. The id is read only when needed.
func (s *Session) fill(ctx context.Context, req *Request) (*Request, error) {
	if s.member == nil {
		return req, nil
	}
	vars := map[string]string{}
	for _, ph := range memberPlaceholders {
		if !carries([]byte(req.URL), ph) && !carries(req.Body, ph) {
			continue
		}
		switch ph {
		case config.PhEmail:
			vars[ph] = s.Email
		case config.PhTag:
			vars[ph] = s.member.tag
		case config.PhSelfID:
			if s.member.me == nil {
				// No accounts.me: the config cannot hold it (refused at
				// load), so this is text of the portal's own; left alone.
				continue
			}
			id, err := s.SelfID(ctx)
			if err != nil {
				return nil, err
			}
			vars[ph] = id
		}
	}
	if len(vars) == 0 {
		return req, nil
	}
	r := *req
	r.URL = fillURL(req.URL, vars)
	if req.Body != nil {
		r.Body = fillBody(req.Body, req.Header.Get("Content-Type"), vars)
	}
	return &r, nil
}

// fillURL fills a URL's placeholders: path-escaped before the query,
// query-escaped in it.
func fillURL(raw string, vars map[string]string) string {
	path, query, hasQuery := strings.Cut(raw, "?")
	path = replaceMarks(path, vars, url.PathEscape)
	if !hasQuery {
		return path
	}
	return path + "?" + replaceMarks(query, vars, url.QueryEscape)
}

// fillBody fills a body's placeholders in its encoding: JSON string
// content, form-encoded values, or the text as is.
func fillBody(body []byte, contentType string, vars map[string]string) []byte {
	mt, _, _ := mime.ParseMediaType(contentType)
	esc := func(v string) string { return v }
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		esc = func(v string) string {
			b, _ := json.Marshal(v) // a string always marshals
			return string(b[1 : len(b)-1])
		}
	case mt == "application/x-www-form-urlencoded":
		esc = url.QueryEscape
	}
	return []byte(replaceMarks(string(body), vars, esc))
}

// replaceMarks replaces every form of each placeholder with its escaped
// value.
func replaceMarks(s string, vars map[string]string, esc func(string) string) string {
	for ph, v := range vars {
		for _, m := range placeholderMarks(ph) {
			s = strings.ReplaceAll(s, m, esc(v))
		}
	}
	return s
}

// FillPath returns a path (or URL) with the member's placeholders
// ({{self.id}}, {{email}}, {{tag}}) filled in and escaped: for a request
// another identity sends to the member's own page (member b or an
// anonymous visitor replaying it), which must name the member's values,
// not the sender's.
func (s *Session) FillPath(ctx context.Context, path string) (string, error) {
	r, err := s.fill(ctx, &Request{URL: path})
	if err != nil {
		return "", err
	}
	return r.URL, nil
}
