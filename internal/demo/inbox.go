package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

const (
	// maxStoredMail is how many messages the inbox keeps; the oldest go first.
	maxStoredMail = 1000
	// maxPartBytes bounds the text or HTML kept from one message.
	maxPartBytes = maxMailBytes
	// maxMailParts bounds the MIME parts read from one message.
	maxMailParts = 100
)

// inbox stores the mail the SMTP server received.
type inbox struct {
	mu   sync.Mutex
	msgs []*storedMail // oldest first
}

// mailAddr is an address as Mailpit's API shows it.
type mailAddr struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// storedMail is one received message.
type storedMail struct {
	ID, MessageID, Subject string
	From                   mailAddr
	To                     []mailAddr
	Date, Created          time.Time
	Text, HTML             string
	Raw                    []byte
}

// mailSummary is one entry of a listing (Mailpit's field names).
type mailSummary struct {
	ID        string     `json:"ID"`
	MessageID string     `json:"MessageID"`
	From      mailAddr   `json:"From"`
	To        []mailAddr `json:"To"`
	Subject   string     `json:"Subject"`
	Created   time.Time  `json:"Created"`
}

// mailList is a listing or search result.
type mailList struct {
	Total    int           `json:"total"`
	Messages []mailSummary `json:"messages"`
}

// mailMessage is one message in full (Mailpit's field names).
type mailMessage struct {
	ID        string     `json:"ID"`
	MessageID string     `json:"MessageID"`
	From      mailAddr   `json:"From"`
	To        []mailAddr `json:"To"`
	Subject   string     `json:"Subject"`
	Date      time.Time  `json:"Date"`
	Text      string     `json:"Text"`
	HTML      string     `json:"HTML"`
}

// add parses and stores a received message; rcpts stand in for a missing
// To header.
func (b *inbox) add(raw []byte, rcpts []string, now time.Time) {
	m := parseMail(raw)
	m.ID, m.Created, m.Raw = randomHex(12), now, raw
	if len(m.To) == 0 {
		for _, r := range rcpts {
			m.To = append(m.To, mailAddr{Address: r})
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.msgs) >= maxStoredMail {
		b.msgs = append(b.msgs[:0:0], b.msgs[len(b.msgs)-maxStoredMail+1:]...)
	}
	b.msgs = append(b.msgs, m)
}

// parseMail reads the headers and the text and HTML parts; what cannot be
// parsed stays empty (the raw message is always kept).
func parseMail(raw []byte) *storedMail {
	m := &storedMail{}
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if r == nil {
		return m
	}
	_ = err // an unknown charset still yields a usable reader
	h := r.Header
	m.Subject, _ = h.Subject()
	m.Date, _ = h.Date()
	m.MessageID, _ = h.MessageID()
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.From = mailAddr{Name: from[0].Name, Address: from[0].Address}
	}
	if to, err := h.AddressList("To"); err == nil {
		for _, a := range to {
			m.To = append(m.To, mailAddr{Name: a.Name, Address: a.Address})
		}
	}
	for range maxMailParts {
		// A nil part is the end or a broken structure; a part with an
		// unknown-charset error is still readable.
		p, _ := r.NextPart()
		if p == nil {
			break
		}
		readPart(m, p)
	}
	return m
}

// readPart keeps the first text/plain and text/html inline parts.
func readPart(m *storedMail, p *gomail.Part) {
	h, ok := p.Header.(*gomail.InlineHeader)
	if !ok {
		return
	}
	t, _, _ := h.ContentType()
	body, _ := io.ReadAll(io.LimitReader(p.Body, maxPartBytes))
	switch {
	case t == "text/plain" && m.Text == "":
		m.Text = string(body)
	case t == "text/html" && m.HTML == "":
		m.HTML = string(body)
	}
}

// find returns the messages that match, newest first.
func (b *inbox) find(match func(*storedMail) bool) []*storedMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*storedMail
	for i := len(b.msgs) - 1; i >= 0; i-- {
		if match(b.msgs[i]) {
			out = append(out, b.msgs[i])
		}
	}
	return out
}

// get returns one message by ID ("latest" is the newest), or nil.
func (b *inbox) get(id string) *storedMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id == "latest" && len(b.msgs) > 0 {
		return b.msgs[len(b.msgs)-1]
	}
	for _, m := range b.msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// handler serves the subset of Mailpit's REST API v1 that launchready's
// Mailpit client reads.
func (b *inbox) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/messages", func(w http.ResponseWriter, r *http.Request) {
		b.list(w, r, func(*storedMail) bool { return true })
	})
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		b.list(w, r, parseSearch(r.URL.Query().Get("query")).matches)
	})
	mux.HandleFunc("GET /api/v1/message/{id}", b.message)
	mux.HandleFunc("GET /api/v1/message/{id}/raw", b.raw)
	return mux
}

// list answers a listing, honouring Mailpit's start and limit.
func (b *inbox) list(w http.ResponseWriter, r *http.Request, match func(*storedMail) bool) {
	found := b.find(match)
	out := mailList{Total: len(found), Messages: []mailSummary{}}
	start, _ := strconv.Atoi(r.URL.Query().Get("start"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	found = found[min(max(start, 0), len(found)):]
	if limit > 0 && limit < len(found) {
		found = found[:limit]
	}
	for _, m := range found {
		out.Messages = append(out.Messages, mailSummary{ID: m.ID, MessageID: m.MessageID, From: m.From, To: m.To, Subject: m.Subject, Created: m.Created})
	}
	writeJSON(w, http.StatusOK, out)
}

// message answers one message as JSON.
func (b *inbox) message(w http.ResponseWriter, r *http.Request) {
	m := b.get(r.PathValue("id"))
	if m == nil {
		http.Error(w, "message not found", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, mailMessage{ID: m.ID, MessageID: m.MessageID, From: m.From, To: m.To,
		Subject: m.Subject, Date: m.Date, Text: m.Text, HTML: m.HTML})
}

// raw answers the message exactly as received.
func (b *inbox) raw(w http.ResponseWriter, r *http.Request) {
	m := b.get(r.PathValue("id"))
	if m == nil {
		http.Error(w, "message not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(m.Raw)
}

// searchTerm is one term of a Mailpit search: field is to, from, subject
// or "" (free text in the subject and text).
type searchTerm struct{ field, value string }

// search is a parsed query: every term must match.
type search []searchTerm

// parseSearch splits a query like `to:"a@b" subject:Verify` into terms;
// double quotes keep spaces in a value.
func parseSearch(q string) search {
	var out search
	for _, tok := range splitQuery(q) {
		field, value, ok := strings.Cut(tok, ":")
		switch f := strings.ToLower(field); {
		case ok && (f == "to" || f == "from" || f == "subject"):
			out = append(out, searchTerm{f, strings.Trim(value, `"`)})
		default:
			out = append(out, searchTerm{"", strings.Trim(tok, `"`)})
		}
	}
	return out
}

// splitQuery splits on spaces outside double quotes.
func splitQuery(q string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, c := range q {
		switch {
		case c == '"':
			quoted = !quoted
			cur.WriteRune(c)
		case c == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// matches reports whether m matches every term, case-insensitively by
// substring as Mailpit does.
func (s search) matches(m *storedMail) bool {
	for _, t := range s {
		if !t.matches(m) {
			return false
		}
	}
	return true
}

func (t searchTerm) matches(m *storedMail) bool {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(t.value)) }
	switch t.field {
	case "to":
		for _, a := range m.To {
			if has(a.Address) || has(a.Name) {
				return true
			}
		}
		return false
	case "from":
		return has(m.From.Address) || has(m.From.Name)
	case "subject":
		return has(m.Subject)
	}
	return has(m.Subject) || has(m.Text)
}

// writeJSON answers v as JSON, never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
