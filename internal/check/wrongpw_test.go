package check_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

const ownerConfig = `target:
  url: https://portal.test
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}}
accounts:
  a: {email: Alice@Portal.test, password: env:A}
  b: {email: qa+b@example.com, password: env:B}
  admin: {email: root@example.com, password: env:ADMIN}
`

func owner(t *testing.T, limit int) *check.WrongPasswords {
	t.Helper()
	cfg, err := config.Parse([]byte(ownerConfig), "", config.Options{Getenv: func(string) (string, bool) { return "pw-value-123", true }})
	if err != nil {
		t.Fatal(err)
	}
	return check.NewWrongPasswords(cfg, nil, limit, "AUTH-006")
}

// TestWrongPasswordsRefusesConfiguredAccounts: no address that may reach
// a, b or admin gets a wrong password, whatever its case or +tag; the
// scanner's own tags of the same mailbox and unknown addresses do.
func TestWrongPasswordsRefusesConfiguredAccounts(t *testing.T) {
	tests := []struct {
		email string
		key   string // the account named in the refusal; "" = allowed
	}{
		{"Alice@Portal.test", "accounts.a"},
		{"alice@portal.test", "accounts.a"},
		{"  ALICE@PORTAL.TEST ", "accounts.a"},
		{"alice+lr1234@portal.test", "accounts.a"}, // a portal that drops +tags logs in as a
		{"qa+b@example.com", "accounts.b"},
		{"QA+B@Example.com", "accounts.b"},
		{"qa@example.com", "accounts.b"}, // b's mailbox without its tag
		{"root@example.com", "accounts.admin"},
		{"Root+x@example.com", "accounts.admin"},
		{"qa+lr1234@example.com", ""}, // another tag of b's mailbox: the scanner's own
		{"qa+lr1234-nobody@example.com", ""},
		{"nobody@portal.test", ""},
		{"alice@other.test", ""},
		{"alicex@portal.test", ""},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			w := owner(t, 100)
			err, allowed := w.Take(tt.email), w.Allowed(tt.email)
			if tt.key == "" {
				if err != nil || allowed != nil {
					t.Fatalf("Take = %v, Allowed = %v, want both nil", err, allowed)
				}
				if w.Sent() != 1 || w.Refused() != 0 {
					t.Errorf("sent %d, refused %d, want 1 and 0", w.Sent(), w.Refused())
				}
				return
			}
			for _, e := range []error{err, allowed} {
				if !errors.Is(e, check.ErrProtectedAccount) || !errors.Is(e, check.ErrRefused) || !strings.Contains(e.Error(), tt.key) {
					t.Errorf("got %v, want a refusal naming %s", e, tt.key)
				}
			}
			if w.Sent() != 0 || w.Refused() != 1 {
				t.Errorf("sent %d, refused %d, want 0 and 1", w.Sent(), w.Refused())
			}
			// Refused for the config's sake: the check is SKIP with the fix.
			if r := check.Errorf("logging in: %v", err); r.Status != check.Skip || !strings.Contains(r.Enable, "auth.inbox.address") {
				t.Errorf("Errorf = %s (%s), want SKIP naming auth.inbox.address", r.Status, r.Enable)
			}
		})
	}
	if err := owner(t, 1).Take(" "); err == nil {
		t.Error("an empty address was allowed")
	}
}

// TestWrongPasswordsBudget: the owner allows exactly its budget, counts
// what it sent and refused, also under concurrent use, and a nil owner
// refuses everything.
func TestWrongPasswordsBudget(t *testing.T) {
	for _, limit := range []int{0, 1, 22} {
		w := owner(t, limit)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, spent := 0, 0
		for range limit + 5 {
			wg.Go(func() {
				err := w.Take("nobody@portal.test")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, check.ErrBudgetSpent) && errors.Is(err, check.ErrRefused):
					spent++
				default:
					t.Errorf("unexpected refusal: %v", err)
				}
			})
		}
		wg.Wait()
		if ok != limit || spent != 5 || w.Sent() != limit || w.Refused() != 5 || w.Limit() != limit {
			t.Errorf("limit %d: %d taken, %d refused (Sent %d, Refused %d, Limit %d)", limit, ok, spent, w.Sent(), w.Refused(), w.Limit())
		}
		if got := w.Checks(); len(got) != 1 || got[0] != "AUTH-006" {
			t.Errorf("Checks() = %v", got)
		}
	}
	var none *check.WrongPasswords
	if err := none.Take("nobody@portal.test"); !errors.Is(err, check.ErrBudgetSpent) {
		t.Errorf("a nil owner: %v, want ErrBudgetSpent", err)
	}
	if none.Limit() != 0 || none.Sent() != 0 || none.Refused() != 0 || none.Checks() != nil {
		t.Error("a nil owner reports counts")
	}
}

// TestWrongPasswordsNeedACleanupSession: an account the scan created gets
// no wrong password before a clean-up session is kept for it, so a
// lockout cannot stop its deletion; other addresses need none.
func TestWrongPasswordsNeedACleanupSession(t *testing.T) {
	cfg, err := config.Parse([]byte(ownerConfig), "", config.Options{Getenv: func(string) (string, bool) { return "pw-value-123", true }})
	if err != nil {
		t.Fatal(err)
	}
	_, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	sessions.AddAccount("fresh", client.Credentials{Email: "qa+lr1@example.com", Password: "Lr-fresh-password-1!9"}, true)
	sessions.AddAccount("fresh-old", client.Credentials{Email: "qa+lr1@example.com", Password: "Lr-old-password-1!9"}, false)
	w := check.NewWrongPasswords(cfg, sessions, 10, "AUTH-006")
	if err := w.Take("QA+lr1@example.com"); !errors.Is(err, check.ErrRefused) || !strings.Contains(err.Error(), "no clean-up session is kept for fresh") {
		t.Errorf("before Keep: %v, want a refusal naming fresh", err)
	}
	if err := w.Take("qa+lr2-nobody@example.com"); err != nil {
		t.Errorf("an unknown address: %v", err)
	}
	sessions.Keep("fresh", &client.Session{})
	if err := w.Take("qa+lr1@example.com"); err != nil {
		t.Errorf("after Keep: %v", err)
	}
	if w.Sent() != 2 || w.Refused() != 1 {
		t.Errorf("sent %d, refused %d, want 2 and 1", w.Sent(), w.Refused())
	}
}
