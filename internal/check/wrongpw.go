package check

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// ErrRefused is wrapped by every refusal of WrongPasswords.Take: the
// scanner held the attempt back, the portal did nothing.
var ErrRefused = errors.New("wrong-password attempt held back")

// ErrBudgetSpent is wrapped by WrongPasswords.Take when the scan's
// wrong-password budget is used up.
var ErrBudgetSpent = fmt.Errorf("%w: the scan's wrong-password budget is spent", ErrRefused)

// ErrProtectedAccount is wrapped by WrongPasswords.Take when the address
// is, or may reach, one of the accounts the config names.
var ErrProtectedAccount = fmt.Errorf("%w: wrong passwords are never sent to an account the config names", ErrRefused)

// WrongPasswords is the one owner of the scan's wrong-password login
// attempts (AUTH-005's old-password probe, AUTH-006's comparisons and
// timing samples, and every later check that sends a password it expects
// to fail). Every such attempt takes one unit through Take before it is
// sent. The budget is the sum the selected checks declare
// (Budget.WrongPasswords), the one printed before intrusive checks run;
// the configured accounts (accounts.a, b, admin) are never a target, so a
// lockout the attempts provoke can only hit an account the scanner made or
// nobody. It is safe for concurrent use; a nil owner refuses everything.
type WrongPasswords struct {
	limit    int
	checks   []string
	sessions *client.Sessions
	// protected maps each configured account's address (lower case) to
	// its config key.
	protected map[string]string

	mu            sync.Mutex
	sent, refused int
}

// NewWrongPasswords returns an owner that allows limit attempts, on behalf
// of the checks named (for the notice and the report). It refuses the
// addresses of every account in cfg, and, with sessions, an account the
// scan created that has no clean-up session kept yet (Sessions.Keep): a
// lockout could then stop its deletion.
func NewWrongPasswords(cfg *config.Config, sessions *client.Sessions, limit int, checks ...string) *WrongPasswords {
	w := &WrongPasswords{limit: max(limit, 0), checks: slices.Clone(checks), sessions: sessions, protected: map[string]string{}}
	if cfg != nil {
		for name, a := range cfg.Accounts {
			if e := normalEmail(a.Email.Value); e != "" {
				w.protected[e] = "accounts." + name
			}
		}
	}
	return w
}

// Take spends one wrong-password attempt on a login to email, or refuses:
// with ErrProtectedAccount when email may reach a configured account, with
// ErrBudgetSpent when the budget is used up; every refusal wraps
// ErrRefused. A refused attempt must not be sent.
func (w *WrongPasswords) Take(email string) error {
	if w == nil {
		return fmt.Errorf("%w: this run set no wrong-password budget", ErrBudgetSpent)
	}
	err := w.target(email)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err != nil:
		w.refused++
		return err
	case w.sent >= w.limit:
		w.refused++
		return fmt.Errorf("%w (%d of %d sent)", ErrBudgetSpent, w.sent, w.limit)
	}
	w.sent++
	return nil
}

// Allowed reports, without spending anything, whether email may receive
// wrong passwords at all: a check asks before it starts, so a refusal is
// a SKIP with the reason rather than a half-done run.
func (w *WrongPasswords) Allowed(email string) error {
	if w == nil {
		return fmt.Errorf("%w: this run set no wrong-password budget", ErrBudgetSpent)
	}
	return w.target(email)
}

// target refuses an address that may reach a configured account.
func (w *WrongPasswords) target(email string) error {
	if normalEmail(email) == "" {
		return fmt.Errorf("%w: it has no address", ErrRefused)
	}
	if key := w.reaches(email); key != "" {
		return &protectedError{key: key}
	}
	if name := w.unkept(email); name != "" {
		return fmt.Errorf("%w: no clean-up session is kept for %s, the account the scan created: a lockout could stop its deletion", ErrRefused, name)
	}
	return nil
}

// unkept returns the name of an account the scan created with that email
// and no clean-up session kept, or "".
func (w *WrongPasswords) unkept(email string) string {
	if w.sessions == nil {
		return ""
	}
	e := normalEmail(email)
	for _, name := range w.sessions.Created() {
		if c, _ := w.sessions.Account(name); normalEmail(c.Email) == e && w.sessions.Kept(name) == nil {
			return name
		}
	}
	return ""
}

// Limit is the budget (0 for a nil owner, as are the counts below).
func (w *WrongPasswords) Limit() int {
	if w == nil {
		return 0
	}
	return w.limit
}

// Sent counts the attempts taken.
func (w *WrongPasswords) Sent() int {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sent
}

// Refused counts the attempts refused.
func (w *WrongPasswords) Refused() int {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refused
}

// Checks names the checks whose budgets make up the limit.
func (w *WrongPasswords) Checks() []string {
	if w == nil {
		return nil
	}
	return slices.Clone(w.checks)
}

// reaches returns the config key of the configured account a login to
// email may reach, or "". Addresses compare case-insensitively (portals
// fold case). A +tag variant of a configured untagged address, or the
// untagged address of a configured tagged one, counts too: a portal that
// drops +tags treats both as one account. Two different tags of one
// mailbox do not: the scanner's own accounts are tags of the inbox's
// mailbox, often the very mailbox of a and b (qa+a@, qa+b@, qa+{{tag}}@),
// and a portal that dropped tags would have refused the scanner's signup.
func (w *WrongPasswords) reaches(email string) string {
	e := normalEmail(email)
	if key, ok := w.protected[e]; ok {
		return key
	}
	box, tagged := mailbox(e)
	for _, p := range slices.Sorted(maps.Keys(w.protected)) {
		if pbox, ptagged := mailbox(p); pbox == box && (!tagged || !ptagged) {
			return w.protected[p]
		}
	}
	return ""
}

func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// mailbox strips the +tag from an address's local part.
func mailbox(email string) (box string, tagged bool) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email, false
	}
	local, domain := email[:at], email[at:]
	base, _, tagged := strings.Cut(local, "+")
	return base + domain, tagged
}

// protectedError refuses an address of a configured account. It is a skip
// reason: the config, not the portal, stops the check.
type protectedError struct{ key string }

func (e *protectedError) Error() string {
	return fmt.Sprintf("%v: the address may reach %s", ErrProtectedAccount, e.key)
}

func (e *protectedError) Is(target error) bool {
	return target == ErrProtectedAccount || target == ErrRefused
}

// SkipReason makes Errorf a SKIP naming the fix.
func (e *protectedError) SkipReason() (reason, enable string) {
	return e.Error(), "give auth.inbox.address a mailbox that no configured account uses (e.g. qa-scan+{{tag}}@…), so the scanner's own addresses cannot reach " + e.key
}
