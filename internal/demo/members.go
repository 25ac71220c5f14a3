package demo

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const (
	// passwordLen is the length of each generated member password.
	passwordLen = 24
	// passwordAlphabet avoids characters that need quoting in a shell or URL.
	passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	// maxMembers bounds the member table; signups past it are refused.
	maxMembers = 10_000
)

// member is one account and the content only that member may see.
type member struct {
	// id is the stable account ID (JWT sub, /api/me id); name is the
	// config's account key ("a", "b", "admin"), empty for signups.
	id, name, email string
	// role is "member" or "admin"; it changes only through the
	// ProfileMassAssignment flaw (guarded by app.mu).
	role string
	// display, passHash and verified change over time (guarded by app.mu).
	display  string
	passHash [sha256.Size]byte
	verified bool
	// failures counts wrong passwords since the last good login
	// (Options.LockoutAfter; guarded by app.mu).
	failures int

	event    string
	groups   []string
	unread   int
	plan     string
	price    string
	renews   string
	invoices []invoice
	cards    []card
	// messages and files are seeded when the app starts (guarded by
	// app.mu: messages change through the API).
	messages []*message
	files    []file
}

// newMembers returns the three pre-verified accounts, without passwords:
// members a and b, then the administrator.
func newMembers() []*member {
	return []*member{
		{
			id: newMemberID(), name: "a", email: "alice@portal.test", display: "Alice Example", role: "member", verified: true,
			event:  "Founders' breakfast, Thursday 4 December at 09:00 (Berlin)",
			groups: []string{"Product builders", "Berlin meetup"}, unread: 3,
			plan: "Community Pro", price: "€12.00 / month", renews: "1 December 2026",
			cards: []card{newCard("Visa", "4242", "08/2029")},
			invoices: []invoice{
				newInvoice("INV-2026-A-0011", "1 November 2026", "€12.00", "Paid"),
				newInvoice("INV-2026-A-0010", "1 October 2026", "€12.00", "Paid"),
				newInvoice("INV-2026-A-0009", "1 September 2026", "€12.00", "Paid"),
			},
		},
		{
			id: newMemberID(), name: "b", email: "bob@portal.test", display: "Bob Example", role: "member", verified: true,
			event:  "Async writing workshop, Tuesday 9 December at 17:30 (online)",
			groups: []string{"Indie SaaS", "Lisbon meetup"}, unread: 1,
			plan: "Community Pro", price: "€12.00 / month", renews: "14 December 2026",
			cards: []card{newCard("Visa", "1881", "03/2028")},
			invoices: []invoice{
				newInvoice("INV-2026-B-0023", "14 November 2026", "€12.00", "Paid"),
				newInvoice("INV-2026-B-0019", "14 October 2026", "€12.00", "Paid"),
				newInvoice("INV-2026-B-0012", "14 September 2026", "€12.00", "Refunded"),
			},
		},
		{
			id: newMemberID(), name: "admin", email: "admin@portal.test", display: "Ada Admin", role: "admin", verified: true,
			event:  "Community team stand-up, Monday 8 December at 10:00 (online)",
			groups: []string{"Community team"}, unread: 5,
			plan: "Staff", price: "€0.00 / month", renews: "never",
			cards: []card{newCard("Mastercard", "5454", "11/2027")},
			invoices: []invoice{
				newInvoice("INV-2026-S-0002", "1 November 2026", "€0.00", "Waived"),
			},
		},
	}
}

// newSignupMember is an unverified account with a free plan and no
// content yet.
func newSignupMember(email, display, password string) *member {
	return &member{
		id: newMemberID(), email: email, display: display, role: "member", passHash: sha256.Sum256([]byte(password)),
		event: "No events yet: browse the calendar to RSVP", plan: "Free", price: "€0.00 / month", renews: "never",
	}
}

// newMemberID returns a random, unguessable account ID.
func newMemberID() string { return "mbr_" + randomHex(8) }

// passwordMatches compares a password with a stored hash in constant time.
func passwordMatches(hash [sha256.Size]byte, pw string) bool {
	h := sha256.Sum256([]byte(pw))
	return subtle.ConstantTimeCompare(h[:], hash[:]) == 1
}

// memberByEmailLocked finds a member by email, case-insensitively.
func (a *app) memberByEmailLocked(email string) *member {
	for _, m := range a.members {
		if strings.EqualFold(m.email, email) {
			return m
		}
	}
	return nil
}

// memberByIDLocked finds a member by ID.
func (a *app) memberByIDLocked(id string) *member {
	for _, m := range a.members {
		if id != "" && m.id == id {
			return m
		}
	}
	return nil
}

// isVerified reads m's verified flag.
func (a *app) isVerified(m *member) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return m.verified
}

// deleteMember removes m, its sessions and its mail tokens.
func (a *app) deleteMember(m *member) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, x := range a.members {
		if x == m {
			a.members = append(a.members[:i:i], a.members[i+1:]...)
			break
		}
	}
	a.revokeLocked(m)
	for t, tok := range a.tokens {
		if tok.memberID == m.id {
			delete(a.tokens, t)
		}
	}
	if a.last == m {
		a.last = nil
	}
}

// memberEmails lists every member's email in creation order.
func (a *app) memberEmails() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.members))
	for i, m := range a.members {
		out[i] = m.email
	}
	return out
}

// messageBodies returns the bodies of every member's messages.
func (a *app) messageBodies() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, m := range a.members {
		for _, msg := range m.messages {
			out = append(out, msg.body)
		}
	}
	return out
}

// writeAccounts creates the accounts, gives each a random password and
// writes it to Dir/<name>.password.
func (p *Portal) writeAccounts() ([]*member, map[string]string, error) {
	ms := newMembers()
	// The passwords also seed the data API's users, who log in there
	// with the same credentials.
	passwords := map[string]string{}
	for _, m := range ms {
		pw, err := newPassword()
		if err != nil {
			return nil, nil, fmt.Errorf("demo: password for %s: %w", m.name, err)
		}
		passwords[m.name] = pw
		file := filepath.Join(p.Dir, m.name+".password")
		if err := writeFile(file, []byte(pw+"\n"), 0o600); err != nil {
			return nil, nil, fmt.Errorf("demo: writing the password of %s: %w", m.name, err)
		}
		m.passHash = sha256.Sum256([]byte(pw))
		p.Accounts = append(p.Accounts, Account{Name: m.name, Email: m.email, PasswordFile: file})
	}
	return ms, passwords, nil
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
func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
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
