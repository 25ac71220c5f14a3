// Package inbox is where the scanner reads the verification and
// password-reset mail a portal sends: a Mailpit-shaped REST API (Mailpit
// itself, or the demo portal's built-in inbox) or an IMAP mailbox over
// implicit TLS.
//
// A source answers one question, Find: "which messages to this address,
// received since then, are there now?". Wait turns that into a bounded poll,
// Links pulls the http(s) links out of a message, and PlusAddress builds the
// per-account address (qa+tag@example.com) the scanner signs up with.
//
// Everything read from a mailbox is untrusted input: sizes, counts and
// nesting are capped, and parsing never panics.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Limits shared by every source. They are constants, not settings: a
// verification mail is a few kilobytes, so these only stop a hostile or broken
// mailbox from exhausting memory.
const (
	// MaxMessages is the most messages one Find fetches in full.
	MaxMessages = 50
	// MaxBodyBytes caps every body read: one HTTP response, one raw message.
	MaxBodyBytes = 10 << 20
)

// Message is one received mail.
type Message struct {
	// ID is the source's own identifier: the Mailpit ID, or the IMAP UID.
	ID string
	// MessageID is the Message-ID header without its angle brackets.
	MessageID string
	// From is the sender's address, without display name.
	From string
	// To holds the recipients' addresses, without display names.
	To []string
	// Subject is the decoded Subject header.
	Subject string
	// Date is the Date header, or the time the source received the mail when
	// the header is missing or unreadable.
	Date time.Time
	// Text is the decoded text/plain content (transfer encoding and charset
	// undone), UTF-8.
	Text string
	// HTML is the decoded text/html content, UTF-8.
	HTML string
	// Header holds the top-level header fields, raw (unfolded, not
	// RFC 2047-decoded), keyed by canonical name. It is nil when the source
	// gives no raw message or the raw message's header cannot be read.
	Header map[string][]string
	// Raw is the message as RFC 5322 bytes, when the source gives them.
	Raw []byte
}

// Query selects messages.
type Query struct {
	// To is the recipient address, matched exactly (case-insensitively)
	// against the To header. Empty matches every recipient.
	To string
	// Since drops messages received before it. The zero time keeps all.
	Since time.Time
	// SubjectContains, when set, keeps only messages whose subject contains
	// it, case-insensitively.
	SubjectContains string
}

// Inbox is a mail source.
type Inbox interface {
	// Find looks once and returns the matching messages, newest first, in
	// full. No match is an empty result, not an error.
	Find(ctx context.Context, q Query) ([]Message, error)
}

// TimeoutError is returned by Wait when no matching message arrived in time.
type TimeoutError struct {
	// Query is what was waited for.
	Query Query
	// Timeout is how long Wait waited.
	Timeout time.Duration
	// Polls is how many times the inbox was asked.
	Polls int
	// LastErr is the last error a poll returned, if any.
	LastErr error
}

// Error names the address, the window and the number of polls.
func (e *TimeoutError) Error() string {
	var b strings.Builder
	to := e.Query.To
	if to == "" {
		to = "any address"
	}
	fmt.Fprintf(&b, "inbox: no mail to %s", to)
	if e.Query.SubjectContains != "" {
		fmt.Fprintf(&b, " with subject containing %q", e.Query.SubjectContains)
	}
	if !e.Query.Since.IsZero() {
		fmt.Fprintf(&b, " received since %s", e.Query.Since.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, " arrived within %s (%d polls)", e.Timeout, e.Polls)
	if e.LastErr != nil {
		fmt.Fprintf(&b, "; last poll failed: %v", e.LastErr)
	}
	return b.String()
}

// Unwrap returns the last poll error.
func (e *TimeoutError) Unwrap() error { return e.LastErr }

// maxPollErrors is how many polls in a row may fail before Wait gives up: a
// blip (a restarting Mailpit, a dropped IMAP connection) should not fail a
// check, a wrong password should not hold it for the whole timeout.
const maxPollErrors = 3

// Wait polls ib every interval until a message matching q arrives, and returns
// the newest one. It looks at once, then after each interval, for at most
// timeout. On timeout the error is a *TimeoutError naming the address, the
// window and the number of polls; when ctx ends first, ctx's error is returned.
func Wait(ctx context.Context, ib Inbox, q Query, timeout, interval time.Duration) (*Message, error) {
	if ib == nil {
		return nil, errors.New("inbox: Wait: nil inbox")
	}
	if timeout <= 0 || interval <= 0 {
		return nil, fmt.Errorf("inbox: Wait: timeout and interval must be positive, got %s and %s", timeout, interval)
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var (
		polls, failed int
		lastErr       error
	)
	for {
		select {
		case <-wctx.Done():
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("inbox: waiting for mail to %s after %d polls: %w", q.To, polls, err)
			}
			return nil, &TimeoutError{Query: q, Timeout: timeout, Polls: polls, LastErr: lastErr}
		case <-timer.C:
		}
		polls++
		msgs, err := ib.Find(wctx, q)
		switch {
		case err != nil && wctx.Err() == nil:
			lastErr, failed = err, failed+1
			if failed >= maxPollErrors {
				return nil, fmt.Errorf("inbox: waiting for mail to %s: %d polls failed in a row: %w", q.To, failed, err)
			}
		case err == nil && len(msgs) > 0:
			m := msgs[0]
			return &m, nil
		case err == nil:
			failed = 0
		}
		timer.Reset(interval)
	}
}

// matches reports whether a message with these recipients, subject and
// received time passes q. received is the source's best idea of when the
// mail arrived; a zero received time fails any Since bound, since freshness
// cannot be shown.
func (q Query) matches(to []string, subject string, received time.Time) bool {
	if q.To != "" && !containsFold(to, q.To) {
		return false
	}
	if !q.Since.IsZero() && (received.IsZero() || received.Before(q.Since)) {
		return false
	}
	if q.SubjectContains != "" && !strings.Contains(strings.ToLower(subject), strings.ToLower(q.SubjectContains)) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// found is a matching message with the time the source received it, which
// orders results newest first.
type found struct {
	msg      Message
	received time.Time
	order    int // tie-break: higher is newer (UID, list position)
}

func newestFirst(fs []found) []Message {
	sort.SliceStable(fs, func(i, j int) bool {
		if !fs[i].received.Equal(fs[j].received) {
			return fs[i].received.After(fs[j].received)
		}
		return fs[i].order > fs[j].order
	})
	out := make([]Message, len(fs))
	for i := range fs {
		out[i] = fs[i].msg
	}
	return out
}

// checkQuery rejects a To that is not a plain address: it is sent to the
// source inside a search expression, so quotes, spaces and control
// characters must not reach it.
func checkQuery(q Query) error {
	if q.To == "" {
		return nil
	}
	if len(q.To) > 320 || !strings.Contains(q.To, "@") || strings.ContainsFunc(q.To, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '"' || r == '\\' || r == '(' || r == ')' || r == '<' || r == '>' || r == ','
	}) {
		return fmt.Errorf("inbox: query address %q is not a plain email address", q.To)
	}
	return nil
}
