package client

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/inbox"
)

// Mailbox is the scan's inbox (auth.inbox): the mail source, and the
// scoped client every one of its requests and connections goes through.
// It is built once per scan, with the scan's client and sessions.
type Mailbox struct {
	// Inbox reads the mail.
	Inbox inbox.Inbox
	// Client is the inbox's own client: its scope is the inbox's origin
	// only (the Mailpit base URL, or the IMAP host:port), and it has the
	// scan's resolver, roots (plus auth.inbox.ca_file), timeouts, caps,
	// rate and redactor. It is an Operator client: it only reads. The
	// scan's report counts its requests and refusals.
	Client *Client
	// Name names the inbox in messages (never its password).
	Name string
}

// newMailbox builds the inbox auth.inbox describes on a client of its own
// derived from the scan's options (base, after the scan's tuning). Its
// password, and for Mailpit the basic-auth header value, join the scan's
// redactor.
func newMailbox(ib *config.Inbox, base Options, red *Redactor) (*Mailbox, error) {
	scope, err := inboxScope(ib)
	if err != nil {
		return nil, err
	}
	opts := base
	opts.Scope = []string{scope}
	opts.ScopeName = "the auth.inbox origin (" + scope + ")"
	opts.Home, opts.CredentialHeaders = nil, nil
	// The target's headers are the target's: never sent to the inbox.
	opts.TargetHeaders, opts.TargetOrigins = nil, nil
	opts.Operator = true
	opts.Redactor = red
	if ib.CAFile != "" {
		opts.ExtraCAFiles = append(append([]string(nil), base.ExtraCAFiles...), ib.CAFile)
	}
	c, err := New(opts)
	if err != nil {
		return nil, fmt.Errorf("auth.inbox: %w", err)
	}
	if pw := ib.Password.Value; pw != "" {
		red.AddSecret(pw)
		if ib.Kind != "imap" {
			red.AddSecret(base64.StdEncoding.EncodeToString([]byte(ib.Username.Value + ":" + pw)))
		}
	}
	src, err := inbox.FromConfig(ib, inbox.Network{HTTP: c.HTTPClient(), Dial: c.Dial, RootCAs: c.RootCAs()})
	if err != nil {
		return nil, err
	}
	return &Mailbox{Inbox: src, Client: c, Name: inbox.Describe(ib)}, nil
}

// inboxScope is the one scope entry of the inbox's client: the IMAP
// server's host:port, or the Mailpit base URL as a URL prefix (its
// scheme, host, port and path).
func inboxScope(ib *config.Inbox) (string, error) {
	if ib.Kind == "imap" {
		return ib.Host, nil
	}
	u, err := url.Parse(ib.URL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("auth.inbox.url: want the REST API base URL, like http://127.0.0.1:8025")
	}
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/") + "/", nil
}
