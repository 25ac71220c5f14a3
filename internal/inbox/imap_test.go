package inbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

const (
	imapUser     = "qa@example.com"
	imapPassword = "correct-horse-battery"
	verifyURL    = "https://portal.example.com/verify?token=abc123&u=42"
)

// selfSigned mints an ECDSA certificate for 127.0.0.1 and imap.test that is
// its own root.
func selfSigned(t *testing.T) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imap.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"imap.test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, cert
}

// imapFixture is an in-memory IMAP server on loopback with implicit TLS.
type imapFixture struct {
	addr  string
	roots *x509.CertPool
	user  *imapmemserver.User
}

func newIMAPFixture(t *testing.T) *imapFixture {
	t.Helper()
	cert, leaf := selfSigned(t)
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}))
	t.Cleanup(func() { srv.Close() })
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return &imapFixture{addr: ln.Addr().String(), roots: roots, user: user}
}

func (f *imapFixture) appendMail(t *testing.T, raw string, received time.Time) {
	t.Helper()
	b := []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
	if _, err := f.user.Append("INBOX", bytes.NewReader(b), &imap.AppendOptions{Time: received}); err != nil {
		t.Fatal(err)
	}
}

func (f *imapFixture) config() IMAPConfig {
	return IMAPConfig{Addr: f.addr, Username: imapUser, Password: imapPassword, RootCAs: f.roots}
}

// verificationMail is a multipart/alternative mail with a quoted-printable
// text part (a soft line break inside the link) and a base64 HTML part.
func verificationMail(to string, date time.Time) string {
	html := `<p>Welcome!</p><p><a href="https://portal.example.com/verify?token=abc123&amp;u=42">Verify</a></p>`
	return "From: Portal <no-reply@portal.example.com>\n" +
		"To: QA <" + to + ">\n" +
		"Subject: =?UTF-8?Q?V=C3=A9rifiez_your_email?=\n" +
		"Date: " + date.Format(time.RFC1123Z) + "\n" +
		"Message-ID: <verify-1@portal.example.com>\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\n" +
		"\n" +
		"--b1\n" +
		"Content-Type: text/plain; charset=utf-8\n" +
		"Content-Transfer-Encoding: quoted-printable\n" +
		"\n" +
		"Caf=C3=A9 members: confirm at https://portal.example.com/verify?token=3Dab=\nc123&u=3D42.\n" +
		"--b1\n" +
		"Content-Type: text/html; charset=utf-8\n" +
		"Content-Transfer-Encoding: base64\n" +
		"\n" +
		b64Lines(html) + "\n" +
		"--b1--\n"
}

func plainMail(to, subject string, date time.Time) string {
	return "From: no-reply@portal.example.com\nTo: " + to + "\nSubject: " + subject +
		"\nDate: " + date.Format(time.RFC1123Z) + "\n\nhello https://portal.example.com/other\n"
}

func TestIMAPFindEndToEnd(t *testing.T) {
	f := newIMAPFixture(t)
	now := time.Now().Truncate(time.Second)
	since := now.Add(-time.Hour)
	f.appendMail(t, verificationMail("qa+alice@example.com", now.Add(-3*time.Hour)), now.Add(-3*time.Hour)) // too old
	f.appendMail(t, plainMail("qa+bob@example.com", "Verify", now), now)                                    // other address
	f.appendMail(t, plainMail("qa+alice@example.com.evil.test", "Verify", now), now)                        // substring of the address
	f.appendMail(t, verificationMail("QA+Alice@example.com", now.Add(-time.Minute)), now.Add(-time.Minute)) // the one

	msgs, err := NewIMAP(f.config()).Find(context.Background(), Query{To: "qa+alice@example.com", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	checks := map[string]bool{
		"ID is the UID 4":      m.ID == "4",
		"MessageID":            m.MessageID == "verify-1@portal.example.com",
		"From":                 m.From == "no-reply@portal.example.com",
		"To":                   len(m.To) == 1 && m.To[0] == "QA+Alice@example.com",
		"Subject decoded":      m.Subject == "Vérifiez your email",
		"Date":                 m.Date.Equal(now.Add(-time.Minute)),
		"Text decoded":         strings.Contains(m.Text, "Café members: confirm at "+verifyURL+"."),
		"HTML decoded":         strings.Contains(m.HTML, `href="https://portal.example.com/verify?token=abc123&amp;u=42"`),
		"Header kept":          len(m.Header["Message-Id"]) == 1 && m.Header["Mime-Version"][0] == "1.0",
		"Raw kept":             bytes.HasPrefix(m.Raw, []byte("From: Portal")),
		"Links finds the link": len(Links(&m)) == 1 && Links(&m)[0] == verifyURL,
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s: got %+v", name, m)
		}
	}
	// BODY.PEEK[]: nothing was marked \Seen.
	st, err := f.user.Status("INBOX", &imap.StatusOptions{NumUnseen: true})
	if err != nil || st.NumUnseen == nil || *st.NumUnseen != 4 {
		t.Errorf("unseen after Find = %v (err %v), want 4", st.NumUnseen, err)
	}
}

func TestIMAPFindSubjectAndNewestFirst(t *testing.T) {
	f := newIMAPFixture(t)
	now := time.Now().Truncate(time.Second)
	f.appendMail(t, plainMail("qa+a@example.com", "Reset your password", now.Add(-2*time.Minute)), now.Add(-2*time.Minute))
	f.appendMail(t, plainMail("qa+a@example.com", "Welcome", now), now)
	f.appendMail(t, plainMail("qa+a@example.com", "Reset your password (again)", now.Add(-time.Minute)), now.Add(-time.Minute))
	ib := NewIMAP(f.config())

	msgs, err := ib.Find(context.Background(), Query{To: "qa+a@example.com", SubjectContains: "reset"})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Subject != "Reset your password (again)" || msgs[1].Subject != "Reset your password" {
		t.Fatalf("got %+v, want the two resets, newest first", msgs)
	}
	none, err := ib.Find(context.Background(), Query{To: "qa+nobody@example.com"})
	if err != nil || len(none) != 0 {
		t.Fatalf("no match: got %v, %v", none, err)
	}
}

func TestIMAPWait(t *testing.T) {
	f := newIMAPFixture(t)
	since := time.Now().Add(-time.Second)
	ib := NewIMAP(f.config())
	var polls atomic.Int32
	counting := inboxFunc(func(ctx context.Context, q Query) ([]Message, error) {
		if polls.Add(1) == 3 {
			f.appendMail(t, verificationMail("qa+w@example.com", time.Now()), time.Now())
		}
		return ib.Find(ctx, q)
	})
	m, err := Wait(context.Background(), counting, Query{To: "qa+w@example.com", Since: since}, time.Minute, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if got := Links(m); len(got) != 1 || got[0] != verifyURL {
		t.Errorf("Links = %q", got)
	}
	if polls.Load() != 3 {
		t.Errorf("polls = %d, want 3", polls.Load())
	}
}

func TestIMAPWrongPassword(t *testing.T) {
	f := newIMAPFixture(t)
	cfg := f.config()
	cfg.Password = "wrong-password-123"
	_, err := NewIMAP(cfg).Find(context.Background(), Query{To: "qa@example.com"})
	if err == nil {
		t.Fatal("wrong password: no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "login") || !strings.Contains(msg, f.addr) {
		t.Errorf("error %q should name the login step and the server", msg)
	}
	if strings.Contains(msg, cfg.Password) || strings.Contains(msg, imapPassword) {
		t.Errorf("error %q contains the password", msg)
	}
}

func TestIMAPUntrustedCertificate(t *testing.T) {
	f := newIMAPFixture(t)
	for name, mutate := range map[string]func(*IMAPConfig){
		"unknown root":    func(c *IMAPConfig) { c.RootCAs = x509.NewCertPool() },
		"wrong host name": func(c *IMAPConfig) { c.ServerName = "other.test" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := f.config()
			mutate(&cfg)
			_, err := NewIMAP(cfg).Find(context.Background(), Query{})
			var verr *tls.CertificateVerificationError
			if err == nil || !strings.Contains(err.Error(), ": TLS: ") || !errors.As(err, &verr) {
				t.Fatalf("got %v, want a TLS verification error", err)
			}
		})
	}
}

func TestIMAPCustomDialAndServerName(t *testing.T) {
	f := newIMAPFixture(t)
	f.appendMail(t, plainMail("qa+d@example.com", "hi", time.Now()), time.Now())
	var dialed atomic.Value
	cfg := f.config()
	cfg.Addr = "imap.test:993" // resolved by Dial; the certificate is checked for imap.test
	cfg.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed.Store(addr)
		return (&net.Dialer{}).DialContext(ctx, network, f.addr)
	}
	msgs, err := NewIMAP(cfg).Find(context.Background(), Query{To: "qa+d@example.com"})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("got %v, %v", msgs, err)
	}
	if dialed.Load() != "imap.test:993" {
		t.Errorf("Dial got %v", dialed.Load())
	}
}

func TestIMAPTimeoutAndErrors(t *testing.T) {
	// A server that accepts and never answers: the TLS handshake hangs
	// until Timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cfg := IMAPConfig{Addr: ln.Addr().String(), Username: "u", Password: "p", Timeout: 100 * time.Millisecond}
	_, err = NewIMAP(cfg).Find(context.Background(), Query{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), ": TLS: ") {
		t.Errorf("silent server: got %v, want a deadline error at the TLS step", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg.Timeout = time.Minute
	if _, err := NewIMAP(cfg).Find(ctx, Query{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: got %v", err)
	}

	for name, c := range map[string]IMAPConfig{
		"no port":  {Addr: "imap.test"},
		"refused":  {Addr: closedAddr(t)},
		"bad addr": {Addr: "127.0.0.1:1", Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("boom") }},
	} {
		if _, err := NewIMAP(c).Find(context.Background(), Query{}); err == nil || !strings.Contains(err.Error(), ": dial: ") {
			t.Errorf("%s: got %v, want a dial error", name, err)
		}
	}
	if _, err := NewIMAP(cfg).Find(context.Background(), Query{To: `a" OR ALL "@x`}); err == nil {
		t.Error("quoted To accepted")
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// scriptedIMAP serves IMAP over TLS on loopback, answering each command line
// with reply(tag, command); an empty reply leaves the client waiting.
func scriptedIMAP(t *testing.T, reply func(tag, cmd string) string) IMAPConfig {
	t.Helper()
	cert, leaf := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		fmt.Fprint(c, "* OK [CAPABILITY IMAP4rev1] ready\r\n")
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, cmd, _ := strings.Cut(strings.TrimSpace(line), " ")
			if strings.EqualFold(cmd, "LOGOUT") {
				fmt.Fprintf(c, "* BYE\r\n%s OK bye\r\n", tag)
				return
			}
			if r := reply(tag, cmd); r != "" {
				fmt.Fprint(c, r)
			}
		}
	}()
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return IMAPConfig{Addr: ln.Addr().String(), Username: "qa", Password: "s3cret-hunter2", RootCAs: roots}
}

func TestIMAPPasswordEchoRedacted(t *testing.T) {
	// A server that quotes the whole LOGIN command back in its refusal.
	cfg := scriptedIMAP(t, func(tag, cmd string) string { return tag + " NO refused: " + cmd + "\r\n" })
	_, err := NewIMAP(cfg).Find(context.Background(), Query{})
	if err == nil || !strings.Contains(err.Error(), ": login: ") || !strings.Contains(err.Error(), "[password]") {
		t.Fatalf("got %v, want a redacted login error", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q contains the password", err)
	}
}

func TestIMAPServerStallsAfterGreeting(t *testing.T) {
	cfg := scriptedIMAP(t, func(tag, cmd string) string { return "" })
	cfg.Timeout = 200 * time.Millisecond
	_, err := NewIMAP(cfg).Find(context.Background(), Query{})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), ": login: ") {
		t.Fatalf("got %v, want a deadline error at login", err)
	}
}
