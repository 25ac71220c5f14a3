package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

const (
	// maxMailBytes caps one message (SIZE and the DATA reader).
	maxMailBytes = 64 << 10
	// maxRecipients caps RCPT TO per message.
	maxRecipients = 10
	// mailDomain is the only domain the portal's mail server accepts.
	mailDomain = "portal.test"
)

// mailServer is the portal's SMTP server and its listener.
type mailServer struct {
	srv *gosmtp.Server
	ln  net.Listener
}

// close stops the server and its connections. The listener is closed here
// too, in case Serve has not registered it yet.
func (s *mailServer) close() error {
	err := s.srv.Close()
	if lerr := s.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) && err == nil {
		err = lerr
	}
	if errors.Is(err, gosmtp.ErrServerClosed) {
		return nil
	}
	return err
}

// startMail starts the SMTP server and the inbox's HTTP API, both on
// loopback.
func (p *Portal) startMail(ctx context.Context) error {
	box := &inbox{}
	var lc net.ListenConfig
	sl, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: SMTP listener: %w", err)
	}
	il, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		sl.Close()
		return fmt.Errorf("demo: inbox listener: %w", err)
	}
	p.SMTPAddr = sl.Addr().String()
	p.InboxURL = "http://127.0.0.1:" + strconv.Itoa(port(il.Addr()))
	p.mail = &mailServer{srv: newSMTPServer(box), ln: sl}
	p.inboxServer = newServer(box.handler(), nil)
	p.serve(func() error { return p.mail.srv.Serve(sl) })
	p.serve(func() error { return p.inboxServer.Serve(il) })
	return nil
}

// newSMTPServer accepts mail for @portal.test addresses into box, bounded
// in size, recipients and time, with its error log discarded.
func newSMTPServer(box *inbox) *gosmtp.Server {
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &smtpSession{box: box}, nil
	}))
	s.Domain = "mx." + mailDomain
	s.MaxMessageBytes = maxMailBytes
	s.MaxRecipients = maxRecipients
	s.ReadTimeout = 30 * time.Second
	s.WriteTimeout = 30 * time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	return s
}

// smtpSession is one SMTP conversation.
type smtpSession struct {
	box *inbox
	// from is the envelope sender, rcpts the recipients, of the current
	// message.
	from  string
	rcpts []string
}

var _ gosmtp.Session = (*smtpSession)(nil)

// Mail accepts any sender and keeps it for the Return-Path.
func (s *smtpSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts local@portal.test (plus addressing included) and refuses
// every other address: the server relays nothing.
func (s *smtpSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if !localRecipient(to) {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1},
			Message: "No such mailbox: this server only accepts mail for @" + mailDomain}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data stores the message; go-smtp caps its size.
func (s *smtpSession) Data(r io.Reader) error {
	if len(s.rcpts) == 0 {
		return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 5, 1}, Message: "No valid recipients"}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	// As the final delivery MTA (RFC 5321 §4.4), record the envelope
	// sender on top: SPF is judged on its domain. Headers added above a
	// DKIM signature leave it valid.
	raw = append([]byte("Return-Path: <"+s.from+">\r\n"), raw...)
	s.box.add(raw, s.rcpts, time.Now())
	return nil
}

// Reset forgets the current message's sender and recipients.
func (s *smtpSession) Reset() { s.from, s.rcpts = "", nil }

// Logout ends the session.
func (s *smtpSession) Logout() error { return nil }

// localRecipient reports whether addr is local@portal.test with a
// plausible local part.
func localRecipient(addr string) bool {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || len(addr) > 254 {
		return false
	}
	local := addr[:i]
	return strings.EqualFold(addr[i+1:], mailDomain) && !strings.ContainsAny(local, " \t<>()\",;:\\[]@")
}
