package scan

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

// mailbox is a real mail path on loopback: an SMTP server that delivers
// every message into the INBOX of one user of an IMAP server (TLS).
type mailbox struct {
	smtpAddr, imapAddr, caFile string
	user                       *imapmemserver.User
}

type deliver struct{ user *imapmemserver.User }

func (d deliver) NewSession(*smtp.Conn) (smtp.Session, error) { return &delivery{user: d.user}, nil }

type delivery struct{ user *imapmemserver.User }

func (s *delivery) Mail(string, *smtp.MailOptions) error { return nil }
func (s *delivery) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *delivery) Reset()                               {}
func (s *delivery) Logout() error                        { return nil }
func (s *delivery) Data(r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return err
	}
	_, err = s.user.Append("INBOX", bytes.NewReader(b), &imap.AppendOptions{Time: time.Now()})
	return err
}

func newMailbox(t *testing.T, user, password string) *mailbox {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "imap.test"}, DNSNames: []string{"imap.test", "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "imap-ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)

	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	isrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: log.New(io.Discard, "", 0),
	})
	iln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go isrv.Serve(tls.NewListener(iln, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}))
	t.Cleanup(func() { isrv.Close() })

	ssrv := smtp.NewServer(deliver{user: u})
	ssrv.Domain = "mx.test"
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ssrv.Serve(sln)
	t.Cleanup(func() { ssrv.Close() })
	return &mailbox{smtpAddr: sln.Addr().String(), imapAddr: iln.Addr().String(), caFile: caFile, user: u}
}

// TestSignupJourneyThroughIMAP runs the signup journey against the hardened
// demo whose mail goes over SMTP into a real IMAP mailbox, which the
// scanner reads over TLS with plus-addressing.
func TestSignupJourneyThroughIMAP(t *testing.T) {
	const imapPassword = "imap-test-password-1"
	mb := newMailbox(t, "qa@portal.test", imapPassword)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := demo.Start(ctx, demo.Options{Flaws: demo.Hardened(), Dir: dir, AuthJourney: true, MailRelay: mb.smtpAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	raw, err := os.ReadFile(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	inboxLine := regexp.MustCompile(`(?m)^  inbox: .*$`)
	if !inboxLine.Match(raw) {
		t.Fatalf("the demo config has no inbox line:\n%s", raw)
	}
	os.WriteFile(filepath.Join(dir, "imap.password"), []byte(imapPassword+"\n"), 0o600)
	imapCfg := "  inbox: {kind: imap, host: " + mb.imapAddr + ", username: qa@portal.test, password: file:imap.password, ca_file: " +
		mb.caFile + ", address: \"qa+{{tag}}@portal.test\", wait: 20s}"
	os.WriteFile(p.ConfigPath, inboxLine.ReplaceAll(raw, []byte(imapCfg)), 0o600)
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true,
		Only: []string{"AUTH-001", "AUTH-011", "AUTH-005"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range run.Outcomes {
		if o.Result.Status != check.Pass {
			t.Errorf("%s = %s: %s %s", o.Meta.ID, o.Result.Status, o.Result.Summary, o.Result.Reason)
		}
	}
	if len(run.Leftovers) > 0 {
		t.Errorf("accounts left behind: %v", run.Leftovers)
	}
	// The mail really travelled SMTP → IMAP: the demo's own inbox is empty.
	resp, err := http.Get(p.InboxURL + "/api/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"total": 0`) && !strings.Contains(string(body), `"total":0`) {
		t.Errorf("mail reached the built-in inbox, not the IMAP mailbox: %s", body)
	}
	if n := len(p.Members()); n != len(p.Accounts) {
		t.Errorf("%d members after clean-up, want the %d pre-made ones", n, len(p.Accounts))
	}
	var out bytes.Buffer
	for _, o := range run.Outcomes {
		out.WriteString(o.Result.Summary)
		for _, ev := range o.Result.Evidence {
			out.WriteString(ev.Detail + ev.Repro + ev.Request)
		}
	}
	if strings.Contains(out.String(), imapPassword) {
		t.Error("the IMAP password appears in the results")
	}
}
