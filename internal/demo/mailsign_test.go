package demo

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// verifyMail checks raw's DKIM signatures, fetching keys from the portal's
// own DNS server.
func verifyMail(t *testing.T, p *Portal, raw []byte) []*dkim.Verification {
	t.Helper()
	r := portalDialer(p).Resolver
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) { return r.LookupTXT(context.Background(), name) },
	})
	if err != nil {
		t.Fatalf("verifying: %v", err)
	}
	return vs
}

// signedMail signs a fresh member up and returns the raw verification mail
// as the inbox stored it.
func signedMail(t *testing.T, p *Portal) []byte {
	t.Helper()
	email := testEmail("dkim")
	if resp, body := signup(t, p, email, strongPassword()); resp.StatusCode != http.StatusOK {
		t.Fatalf("signup: %d\n%s", resp.StatusCode, body)
	}
	m := lastMail(t, p, email, "Verify your email")
	_, raw := inboxGet(t, p, "/api/v1/message/"+m.ID+"/raw", nil)
	return raw
}

func TestMailDKIM(t *testing.T) {
	cases := []struct {
		mode       string
		flaws      Flaws
		returnPath string
		published  []string
		domains    []string
	}{
		{"flawed", Flawed(), "no-reply@portal.test", []string{"legacy2019"}, []string{"portal.test", "news.portal.test"}},
		{"hardened", Hardened(), "bounces@bounce.portal.test", []string{"mail2026"},
			[]string{"portal.test", "news.portal.test", "bounce.portal.test"}},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			p := startPortal(t, tc.flaws)
			if p.MailFrom != "no-reply@portal.test" || p.ReturnPath != tc.returnPath || p.DKIMSelector != "mail2026" ||
				!slices.Equal(p.DKIMSelectors, tc.published) || !slices.Equal(p.MailDomains, tc.domains) {
				t.Errorf("portal mail identity: from %s, return path %s, selector %s, published %v, domains %v",
					p.MailFrom, p.ReturnPath, p.DKIMSelector, p.DKIMSelectors, p.MailDomains)
			}
			raw := signedMail(t, p)
			if !bytes.HasPrefix(raw, []byte("Return-Path: <"+tc.returnPath+">\r\nDKIM-Signature: ")) {
				t.Errorf("the mail does not start with its Return-Path and signature:\n%.300s", raw)
			}
			if n := bytes.Count(raw, []byte("\n")); n != bytes.Count(raw, []byte("\r\n")) {
				t.Errorf("the mail has %d line feeds without a carriage return", n-bytes.Count(raw, []byte("\r\n")))
			}
			vs := verifyMail(t, p, raw)
			if len(vs) != 1 || vs[0].Domain != "portal.test" {
				t.Fatalf("verifications %+v, want one for portal.test", vs)
			}
			v := vs[0]
			if !slices.ContainsFunc(v.HeaderKeys, func(k string) bool { return strings.EqualFold(k, "From") }) {
				t.Errorf("signed headers %v lack From", v.HeaderKeys)
			}
			if tc.mode == "hardened" {
				if v.Err != nil {
					t.Errorf("hardened signature: %v", v.Err)
				}
				return
			}
			// Flawed: mail2026 has no key in the zone, a permanent failure.
			if v.Err == nil || !dkim.IsPermFail(v.Err) || !strings.Contains(v.Err.Error(), "no key for signature") {
				t.Errorf("flawed signature: %v, want a permanent failure for the missing key", v.Err)
			}
		})
	}
}

// TestMailDKIMTampered shows the verifier is not vacuous: one changed body
// byte after signing breaks the hardened portal's signature.
func TestMailDKIMTampered(t *testing.T) {
	p := startPortal(t, Hardened())
	raw := signedMail(t, p)
	i := bytes.Index(raw, []byte("/verify?token="))
	if i < 0 {
		t.Fatalf("no verification link in the mail:\n%s", raw)
	}
	tampered := bytes.Replace(raw, []byte("/verify?token="), []byte("/verifx?token="), 1)
	vs := verifyMail(t, p, tampered)
	if len(vs) != 1 || vs[0].Err == nil || !strings.Contains(vs[0].Err.Error(), "body hash did not verify") {
		t.Fatalf("tampered mail: %+v", vs[0])
	}
}

func TestSMTPRecordsReturnPath(t *testing.T) {
	p := startPortal(t, Hardened())
	to := "launchready+rp@portal.test"
	if err := sendRaw(p, []string{to}, plainMail(to, "Envelope")); err != nil {
		t.Fatal(err)
	}
	s := mailsTo(t, p, to)
	if len(s) != 1 {
		t.Fatalf("%d mails to %s, want 1", len(s), to)
	}
	_, raw := inboxGet(t, p, "/api/v1/message/"+s[0].ID+"/raw", nil)
	if !bytes.HasPrefix(raw, []byte("Return-Path: <sender@portal.test>\r\nFrom: Sender <sender@portal.test>\r\n")) {
		t.Errorf("raw message:\n%s", raw)
	}
}
