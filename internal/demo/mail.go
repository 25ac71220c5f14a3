package demo

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

const (
	// mailFromName is the display name in the From header.
	mailFromName = "Portal"
	// mailTimeout bounds one SMTP delivery.
	mailTimeout = 10 * time.Second
)

// mailer delivers the portal's mail over SMTP to the portal's own mail
// server, as a real portal hands mail to its provider, DKIM-signed.
type mailer struct {
	addr string
	// id gives the From and envelope addresses and signs each mail.
	id *mailIdentity
	// mu guards sent: when each address was last mailed (MailThrottle).
	mu   sync.Mutex
	sent map[string]time.Time
}

// mailThrottleWindow is how long MailThrottle refuses to mail an address
// again.
const mailThrottleWindow = time.Minute

// mailedRecently says whether to was mailed within mailThrottleWindow.
func (ml *mailer) mailedRecently(to string) bool {
	ml.mu.Lock()
	defer ml.mu.Unlock()
	at, ok := ml.sent[strings.ToLower(to)]
	return ok && time.Since(at) < mailThrottleWindow
}

// outgoing is one mail: a greeting, a paragraph, one link, a closing line.
type outgoing struct {
	to, toName, subject string
	intro, action, link string
	outro               string
}

// send composes o and delivers it.
func (ml *mailer) send(ctx context.Context, o outgoing) error {
	raw, err := compose(o, ml.id.from, time.Now())
	if err != nil {
		return fmt.Errorf("composing mail to %s: %w", o.to, err)
	}
	// The signature covers these bytes as they are: compose writes CRLF
	// and net/smtp's DATA writer changes nothing else (the server undoes
	// its dot-stuffing).
	if raw, err = ml.id.sign(raw); err != nil {
		return fmt.Errorf("mail to %s: %w", o.to, err)
	}
	if err := ml.deliver(ctx, o.to, raw); err != nil {
		return fmt.Errorf("delivering mail to %s: %w", o.to, err)
	}
	ml.mu.Lock()
	if ml.sent == nil {
		ml.sent = map[string]time.Time{}
	}
	ml.sent[strings.ToLower(o.to)] = time.Now()
	ml.mu.Unlock()
	return nil
}

// deliver runs one SMTP transaction (EHLO, MAIL, RCPT, DATA, QUIT) with
// net/smtp, bounded by mailTimeout.
func (ml *mailer) deliver(ctx context.Context, to string, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ml.addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline) // a fresh TCP connection always takes a deadline
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("portal.test"); err != nil {
		return err
	}
	if err := c.Mail(ml.id.envelope); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose builds the RFC 5322 message from the address from:
// multipart/alternative with a text and an HTML part, both carrying the
// link, CRLF line endings.
func compose(o outgoing, from string, now time.Time) ([]byte, error) {
	var h gomail.Header
	h.SetDate(now)
	h.Set("From", mailFromName+" <"+from+">")
	h.SetAddressList("To", []*gomail.Address{{Name: o.toName, Address: o.to}})
	h.SetSubject(o.subject)
	h.SetMessageID(randomHex(16) + "@portal.test")
	var buf bytes.Buffer
	iw, err := gomail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct{ ctype, body string }{{"text/plain", o.text()}, {"text/html", o.html()}} {
		var ph gomail.InlineHeader
		ph.SetContentType(p.ctype, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "8bit") // raw stays readable: links are never folded or encoded
		w, err := iw.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	}
	if err := iw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// text is the plain-text body.
func (o outgoing) text() string {
	lines := []string{"Hi " + o.toName + ",", "", o.intro, "", o.link, "", o.outro, "", "-- ", "Portal, members community", ""}
	return strings.Join(lines, "\r\n")
}

// html is the HTML body.
func (o outgoing) html() string {
	e := html.EscapeString
	lines := []string{
		"<!doctype html><html><body>",
		"<p>Hi " + e(o.toName) + ",</p>",
		"<p>" + e(o.intro) + "</p>",
		`<p><a href="` + e(o.link) + `">` + e(o.action) + "</a></p>",
		"<p>Or paste this address into your browser: " + e(o.link) + "</p>",
		"<p>" + e(o.outro) + "</p>",
		"<p>Portal, members community</p>",
		"</body></html>", "",
	}
	return strings.Join(lines, "\r\n")
}

// mailLink is an absolute link for mail: on the canonical origin, or on
// http://localhost with the LocalhostLinks flaw.
func (a *app) mailLink(path, token string) string {
	if token == "" {
		return a.linkBase + path
	}
	return a.linkBase + path + "?token=" + token
}
