package demo

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const (
	// passwordLen is the length of each generated member password.
	passwordLen = 24
	// passwordAlphabet avoids characters that need quoting in a shell or URL.
	passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	// sessionLifetime is the session cookie's Max-Age and the server-side expiry.
	sessionLifetime = 8 * time.Hour
	// maxSessions bounds the server-side session table.
	maxSessions = 10_000
)

// member is one account and the content only that member may see.
type member struct {
	name, email string
	// display is the editable display name (guarded by app.mu).
	display  string
	passHash [sha256.Size]byte

	event    string
	groups   []string
	unread   int
	plan     string
	price    string
	renews   string
	card     string
	invoices []invoice
}

// invoice is one row of a member's invoice list.
type invoice struct {
	Number, Date, Amount, Status string
}

// newMembers returns the two pre-verified members, without passwords.
func newMembers() []*member {
	return []*member{
		{
			name: "a", email: "alice@portal.test", display: "Alice Example",
			event:  "Founders' breakfast, Thursday 4 December at 09:00 (Berlin)",
			groups: []string{"Product builders", "Berlin meetup"}, unread: 3,
			plan: "Community Pro", price: "€12.00 / month", renews: "1 December 2026", card: "4242",
			invoices: []invoice{
				{"INV-2026-A-0011", "1 November 2026", "€12.00", "Paid"},
				{"INV-2026-A-0010", "1 October 2026", "€12.00", "Paid"},
				{"INV-2026-A-0009", "1 September 2026", "€12.00", "Paid"},
			},
		},
		{
			name: "b", email: "bob@portal.test", display: "Bob Example",
			event:  "Async writing workshop, Tuesday 9 December at 17:30 (online)",
			groups: []string{"Indie SaaS", "Lisbon meetup"}, unread: 1,
			plan: "Community Pro", price: "€12.00 / month", renews: "14 December 2026", card: "1881",
			invoices: []invoice{
				{"INV-2026-B-0023", "14 November 2026", "€12.00", "Paid"},
				{"INV-2026-B-0019", "14 October 2026", "€12.00", "Paid"},
				{"INV-2026-B-0012", "14 September 2026", "€12.00", "Refunded"},
			},
		},
	}
}

// passwordOK compares in constant time.
func (m *member) passwordOK(pw string) bool {
	h := sha256.Sum256([]byte(pw))
	return subtle.ConstantTimeCompare(h[:], m.passHash[:]) == 1
}

// writeAccounts creates the members, gives each a random password and
// writes it to Dir/<name>.password.
func (p *Portal) writeAccounts() ([]*member, error) {
	ms := newMembers()
	for _, m := range ms {
		pw, err := newPassword()
		if err != nil {
			return nil, fmt.Errorf("demo: password for %s: %w", m.name, err)
		}
		file := filepath.Join(p.Dir, m.name+".password")
		if err := writeFile(file, []byte(pw+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("demo: writing the password of %s: %w", m.name, err)
		}
		m.passHash = sha256.Sum256([]byte(pw))
		p.Accounts = append(p.Accounts, Account{Name: m.name, Email: m.email, PasswordFile: file})
	}
	return ms, nil
}

// newPassword draws passwordLen characters uniformly from passwordAlphabet.
func newPassword() (string, error) {
	const n = len(passwordAlphabet)
	limit := 256 - 256%n // rejection sampling keeps the draw uniform
	out := make([]byte, 0, passwordLen)
	buf := make([]byte, 2*passwordLen)
	for len(out) < passwordLen {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < passwordLen {
				out = append(out, passwordAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// writeFile writes data with exactly perm, even over an existing file.
func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
