package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// mailpit reads a Mailpit REST API (v1), or anything serving the same subset:
// the demo portal's built-in inbox does.
type mailpit struct {
	base    *url.URL
	baseErr error // a bad base URL, reported by Find
	hc      *http.Client
	maxBody int64
}

var _ Inbox = (*mailpit)(nil)

// NewMailpit returns an Inbox reading Mailpit's REST API at baseURL (like
// http://127.0.0.1:8025, with any path prefix Mailpit is served under).
//
// Find makes one search request (GET /api/v1/search?query=to:"ADDR", or
// GET /api/v1/messages when the query has no address), keeps the summaries
// that match exactly, and for at most 50 of them fetches
// GET /api/v1/message/{ID} (subject, addresses, date, text, HTML) and
// GET /api/v1/message/{ID}/raw (Raw and Header; skipped when it answers 404).
// Every request goes through hc, so the caller controls timeouts, proxies and
// TLS; every response body is capped at MaxBodyBytes; a non-2xx status is an
// error naming the URL and status. A bad baseURL or a nil hc is reported by
// Find.
func NewMailpit(baseURL string, hc *http.Client) Inbox {
	mp := &mailpit{hc: hc, maxBody: MaxBodyBytes}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		mp.baseErr = fmt.Errorf("inbox: mailpit base URL: %w", err)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		mp.baseErr = fmt.Errorf("inbox: mailpit base URL %q: want http(s)://host[:port][/prefix]", u.Redacted())
	default:
		mp.base = u
	}
	return mp
}

// Mailpit's JSON, reduced to the fields used.
type (
	mailpitAddress struct {
		Name    string `json:"Name"`
		Address string `json:"Address"`
	}
	mailpitSummary struct {
		ID      string           `json:"ID"`
		To      []mailpitAddress `json:"To"`
		Subject string           `json:"Subject"`
		Created string           `json:"Created"`
	}
	mailpitList struct {
		Messages []mailpitSummary `json:"messages"`
	}
	mailpitMessage struct {
		ID        string           `json:"ID"`
		MessageID string           `json:"MessageID"`
		From      *mailpitAddress  `json:"From"`
		To        []mailpitAddress `json:"To"`
		Subject   string           `json:"Subject"`
		Date      string           `json:"Date"`
		Text      string           `json:"Text"`
		HTML      string           `json:"HTML"`
	}
)

// Find implements Inbox.
func (mp *mailpit) Find(ctx context.Context, q Query) ([]Message, error) {
	switch {
	case mp.baseErr != nil:
		return nil, mp.baseErr
	case mp.hc == nil:
		return nil, errors.New("inbox: mailpit: no http.Client given")
	}
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	var list mailpitList
	if err := mp.getJSON(ctx, mp.listURL(q), &list); err != nil {
		return nil, err
	}
	var fs []found
	for i, s := range list.Messages {
		if i == MaxMessages {
			break
		}
		created := parseRFC3339(s.Created)
		pre := q
		if created.IsZero() {
			pre.Since = time.Time{} // judged on the message's Date below
		}
		if !pre.matches(addresses(s.To), s.Subject, created) {
			continue
		}
		m, err := mp.message(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		received := created
		if received.IsZero() {
			received = m.Date
		}
		if !q.matches(m.To, m.Subject, received) {
			continue
		}
		if m.Date.IsZero() {
			m.Date = created
		}
		fs = append(fs, found{msg: *m, received: received, order: -i})
	}
	return newestFirst(fs), nil
}

// listURL is the search for q.To, or the plain listing when q has no address.
// Mailpit lists newest first.
func (mp *mailpit) listURL(q Query) *url.URL {
	v := url.Values{"limit": {strconv.Itoa(MaxMessages)}}
	u := mp.base.JoinPath("api/v1/messages")
	if q.To != "" {
		u = mp.base.JoinPath("api/v1/search")
		v.Set("query", `to:"`+q.To+`"`)
	}
	u.RawQuery = v.Encode()
	return u
}

// message fetches one message and, when the server has it, its raw form.
func (mp *mailpit) message(ctx context.Context, id string) (*Message, error) {
	if id == "" || id == "." || id == ".." || len(id) > 256 || strings.ContainsAny(id, "/?#%\\") {
		return nil, fmt.Errorf("inbox: mailpit: listing gave an unusable message ID %q", id)
	}
	var pm mailpitMessage
	u := mp.base.JoinPath("api/v1/message", id)
	if err := mp.getJSON(ctx, u, &pm); err != nil {
		return nil, err
	}
	m := &Message{
		ID:        id,
		MessageID: strings.Trim(pm.MessageID, "<>"),
		To:        addresses(pm.To),
		Subject:   pm.Subject,
		Date:      parseRFC3339(pm.Date),
		Text:      pm.Text,
		HTML:      pm.HTML,
	}
	if pm.From != nil {
		m.From = pm.From.Address
	}
	raw, status, err := mp.get(ctx, mp.base.JoinPath("api/v1/message", id, "raw"))
	switch {
	case status == http.StatusNotFound:
		return m, nil
	case err != nil:
		return nil, err
	}
	m.Raw = raw
	// The JSON is what Mailpit decoded; the raw message adds the header
	// fields, and the parts if the JSON left them out.
	if p, err := Parse(raw); err == nil {
		m.Header = p.Header
		if m.Text == "" && m.HTML == "" {
			m.Text, m.HTML = p.Text, p.HTML
		}
	}
	return m, nil
}

// getJSON fetches u and decodes its JSON body into v.
func (mp *mailpit) getJSON(ctx context.Context, u *url.URL, v any) error {
	body, _, err := mp.get(ctx, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("inbox: mailpit GET %s: decode JSON: %w", u.Redacted(), err)
	}
	return nil
}

// get fetches u with a capped body. A non-2xx status is an error, returned
// with the status.
func (mp *mailpit) get(ctx context.Context, u *url.URL) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: mailpit GET %s: %w", u.Redacted(), err)
	}
	req.Header.Set("Accept", "application/json, text/plain;q=0.9")
	resp, err := mp.hc.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: mailpit: %w", err) // *url.Error names the URL, without password
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		return nil, resp.StatusCode, fmt.Errorf("inbox: mailpit GET %s: %s%s", u.Redacted(), resp.Status, quoteSnippet(snippet))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, mp.maxBody+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("inbox: mailpit GET %s: read body: %w", u.Redacted(), err)
	}
	if int64(len(body)) > mp.maxBody {
		return nil, resp.StatusCode, fmt.Errorf("inbox: mailpit GET %s: response body over the %d-byte limit", u.Redacted(), mp.maxBody)
	}
	return body, resp.StatusCode, nil
}

// quoteSnippet renders the start of an error body for an error message.
func quoteSnippet(b []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), ""))
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", s)
}

func addresses(as []mailpitAddress) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		if len(out) == maxAddresses {
			break
		}
		out = append(out, a.Address)
	}
	return out
}

// parseRFC3339 parses Mailpit's timestamps; anything else is the zero time.
func parseRFC3339(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}
