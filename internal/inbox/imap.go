package inbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// DefaultIMAPTimeout bounds one IMAP Find when IMAPConfig.Timeout is zero.
const DefaultIMAPTimeout = 30 * time.Second

// IMAPConfig says how to reach an IMAP mailbox.
type IMAPConfig struct {
	// Addr is the server as host:port, spoken to over implicit TLS (port 993
	// usually); STARTTLS and plain text are not offered.
	Addr string
	// Username and Password log in with IMAP LOGIN. The password never
	// appears in errors.
	Username, Password string
	// Mailbox is the mailbox searched; empty means INBOX.
	Mailbox string
	// RootCAs verifies the server's certificate; nil means the system roots.
	RootCAs *x509.CertPool
	// ServerName is checked against the certificate and sent as SNI; empty
	// means Addr's host.
	ServerName string
	// Timeout bounds a whole Find (dial, TLS, login, search, fetch); zero
	// means DefaultIMAPTimeout. The context passed to Find bounds it too.
	Timeout time.Duration
	// Dial, when set, opens the TCP connection (for a custom resolver or a
	// scoped dialer); nil means a plain net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// imapInbox reads an IMAP mailbox, one connection per Find.
type imapInbox struct {
	cfg IMAPConfig
}

var _ Inbox = (*imapInbox)(nil)

// NewIMAP returns an Inbox reading an IMAP mailbox over implicit TLS.
//
// Each Find opens its own connection and always logs out and closes it: it
// dials, completes TLS (verified against RootCAs and ServerName), logs in,
// selects the mailbox read-only (EXAMINE), runs UID SEARCH TO addr SINCE day
// (IMAP matches TO by substring and SINCE by day, so a day of slack is added
// and both are then checked exactly on the parsed message and its
// INTERNALDATE), fetches BODY.PEEK[] (never setting \Seen) for at most the 50
// highest matching UIDs, and parses each with Parse. Errors name the server
// and the step (dial, TLS, greeting, login, select, search, fetch) and
// never include the password.
func NewIMAP(cfg IMAPConfig) Inbox {
	if cfg.Mailbox == "" {
		cfg.Mailbox = "INBOX"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultIMAPTimeout
	}
	return &imapInbox{cfg: cfg}
}

// Find implements Inbox.
func (ib *imapInbox) Find(ctx context.Context, q Query) ([]Message, error) {
	if err := checkQuery(q); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, ib.cfg.Timeout)
	defer cancel()
	step := "dial"
	conn, err := ib.dial(ctx, &step)
	if err != nil {
		return nil, ib.stepError(ctx, step, err)
	}
	// Closing the connection is the one way to interrupt imapclient, which
	// sets its own per-command deadlines.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c := imapclient.New(conn, nil)
	defer func() {
		// The mail is already read (or the error already wrapped): a failed
		// LOGOUT changes nothing.
		_ = c.Logout().Wait()
		_ = c.Close()
	}()
	msgs, err := ib.session(c, q, &step)
	if err != nil {
		return nil, ib.stepError(ctx, step, err)
	}
	return msgs, nil
}

// session runs the commands of one Find on a connected client, keeping *step
// up to date for error messages.
func (ib *imapInbox) session(c *imapclient.Client, q Query, step *string) ([]Message, error) {
	*step = "greeting"
	if err := c.WaitGreeting(); err != nil {
		return nil, err
	}
	*step = "login"
	if err := c.Login(ib.cfg.Username, ib.cfg.Password).Wait(); err != nil {
		return nil, err
	}
	*step = "select"
	sel, err := c.Select(ib.cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil, err
	}
	*step = "search"
	uids, err := searchUIDs(c, q)
	if err != nil || len(uids) == 0 {
		return nil, err
	}
	*step = "fetch"
	return fetchMessages(c, uids, q)
}

// dial opens the TLS connection, advancing *step from dial to TLS.
func (ib *imapInbox) dial(ctx context.Context, step *string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(ib.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("want host:port: %w", err)
	}
	dial := ib.cfg.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	raw, err := dial(ctx, "tcp", ib.cfg.Addr)
	if err != nil {
		return nil, err
	}
	*step = "TLS"
	name := ib.cfg.ServerName
	if name == "" {
		name = host
	}
	conn := tls.Client(raw, &tls.Config{
		RootCAs:    ib.cfg.RootCAs,
		ServerName: name,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"imap"},
	})
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return conn, nil
}

// stepError wraps err with the server and the step, says so when the
// deadline or the caller ended the Find, and makes sure the password never
// shows: a server may echo what it was sent in its response text.
func (ib *imapInbox) stepError(ctx context.Context, step string, err error) error {
	pw := ib.cfg.Password
	var ie *imap.Error
	if pw != "" && errors.As(err, &ie) && strings.Contains(ie.Text, pw) {
		redacted := *ie
		redacted.Text = strings.ReplaceAll(ie.Text, pw, "[password]")
		err = &redacted
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (limit %s): %w", ctxErr, ib.cfg.Timeout, err)
	}
	err = fmt.Errorf("inbox: imap %s: %s: %w", ib.cfg.Addr, step, err)
	// Last resort for any other echo; short passwords would match by chance.
	if len(pw) >= 8 && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "[password]"))
	}
	return err
}

// searchUIDs returns the UIDs matching q's address and day, lowest first.
func searchUIDs(c *imapclient.Client, q Query) ([]imap.UID, error) {
	var crit imap.SearchCriteria
	if q.To != "" {
		crit.Header = append(crit.Header, imap.SearchCriteriaHeaderField{Key: "To", Value: q.To})
	}
	if !q.Since.IsZero() {
		// SINCE compares the server's day; one day earlier covers any zone.
		crit.Since = q.Since.UTC().AddDate(0, 0, -1)
	}
	data, err := c.UIDSearch(&crit, nil).Wait()
	if err != nil {
		return nil, err
	}
	set, ok := data.All.(imap.UIDSet)
	if !ok {
		return nil, nil
	}
	uids, ok := set.Nums()
	if !ok {
		return nil, errors.New("server answered with a dynamic UID set")
	}
	slices.Sort(uids)
	return uids, nil
}

// fetchMessages fetches the newest MaxMessages of uids and keeps those that
// match q exactly, newest first.
func fetchMessages(c *imapclient.Client, uids []imap.UID, q Query) ([]Message, error) {
	if len(uids) > MaxMessages {
		uids = uids[len(uids)-MaxMessages:]
	}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:          true,
		InternalDate: true,
		BodySection:  []*imap.FetchItemBodySection{{Peek: true}},
	})
	defer cmd.Close()
	var fs []found
	for {
		data := cmd.Next()
		if data == nil {
			break
		}
		f, err := readFetched(data)
		if err != nil {
			return nil, err
		}
		if f != nil && q.matches(f.msg.To, f.msg.Subject, f.received) {
			fs = append(fs, *f)
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	return newestFirst(fs), nil
}

// readFetched reads one FETCH response into a found message; a response
// without a body (an unsolicited flag update) yields nil.
func readFetched(data *imapclient.FetchMessageData) (*found, error) {
	var (
		uid      imap.UID
		internal time.Time
		raw      []byte
	)
	for item := data.Next(); item != nil; item = data.Next() {
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = item.UID
		case imapclient.FetchItemDataInternalDate:
			internal = item.Time
		case imapclient.FetchItemDataBodySection:
			if item.Literal == nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(item.Literal, MaxBodyBytes+1))
			if err != nil {
				return nil, err
			}
			if len(b) > MaxBodyBytes {
				return nil, fmt.Errorf("message UID %d is over the %d-byte limit", uid, MaxBodyBytes)
			}
			raw = b
		}
	}
	if raw == nil {
		return nil, nil
	}
	m, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("message UID %d: %w", uid, err)
	}
	m.ID = strconv.FormatUint(uint64(uid), 10)
	received := internal
	if received.IsZero() {
		received = m.Date
	}
	if m.Date.IsZero() {
		m.Date = internal
	}
	return &found{msg: *m, received: received, order: int(uid)}, nil
}
