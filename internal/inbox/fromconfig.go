package inbox

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/launchready/launchready/internal/config"
)

// FromConfig builds the mail source auth.inbox describes. The inbox is
// not the target, so it is read with its own bounded client, not the
// scan's scoped one. The caller adds the IMAP password to its redactor.
func FromConfig(ib *config.Inbox) (Inbox, error) {
	if ib == nil {
		return nil, fmt.Errorf("no auth.inbox configured")
	}
	switch ib.Kind {
	case "builtin", "mailpit":
		hc := &http.Client{
			Timeout:   15 * time.Second,
			Transport: &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext},
		}
		return NewMailpit(ib.URL, hc), nil
	case "imap":
		var roots *x509.CertPool
		if ib.CAFile != "" {
			pem, err := os.ReadFile(ib.CAFile)
			if err != nil {
				return nil, fmt.Errorf("auth.inbox.ca_file: %w", err)
			}
			roots = x509.NewCertPool()
			roots.AppendCertsFromPEM(pem)
		}
		host, _, _ := net.SplitHostPort(ib.Host)
		return NewIMAP(IMAPConfig{
			Addr: ib.Host, Username: ib.Username.Value, Password: ib.Password.Value, Mailbox: ib.Mailbox,
			RootCAs: roots, ServerName: host, Timeout: 30 * time.Second,
		}), nil
	}
	return nil, fmt.Errorf("auth.inbox.kind %q is not supported", ib.Kind)
}

// Describe names the inbox in messages: its kind and where it is, never
// its password.
func Describe(ib *config.Inbox) string {
	if ib == nil {
		return "no inbox"
	}
	if ib.Kind == "imap" {
		return fmt.Sprintf("the imap inbox %s of %s at %s", ib.Mailbox, ib.Username.Value, ib.Host)
	}
	return fmt.Sprintf("the %s inbox at %s", ib.Kind, ib.URL)
}
