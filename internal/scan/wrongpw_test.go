package scan

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

// TestWrongPasswordsLastAndOwned scans the hardened demo, which here locks
// an account silently after 3 wrong passwords in a row, and reads the
// portal's own log of logins. Every wrong-password login it received went
// to an account the scan created or to an address that never was a
// member (never a, b or admin); there were no more of them than the
// printed budget, exactly as many as the scan reports; the created
// account that got wrong passwords never logged in again after the first
// one (its clean-up session was taken before), and it was deleted all the
// same, lockout or not.
func TestWrongPasswordsLastAndOwned(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
		// owners are the checks the printed budget must name.
		owners string
	}{
		{"AUTH-006 alone", []string{"AUTH-006"}, "AUTH-006"},
		{"with the reset journey and other intrusive checks", []string{"AUTH-001", "AUTH-005", "AUTH-006", "AUTH-009"}, "AUTH-005, AUTH-006"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, err := demo.Start(ctx, demo.Options{Flaws: demo.Hardened(), AuthJourney: true, LockoutAfter: 3, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			cfg, err := config.Load(p.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			var notices []string
			run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Only: tc.ids, Intrusive: true,
				Notice: func(s string) { notices = append(notices, s) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range run.Outcomes {
				t.Logf("%s %s %s", o.Meta.ID, o.Result.Status, o.Result.Summary)
			}
			if r := outcome(run.Outcomes, "AUTH-006"); r.Status != check.Pass || !strings.Contains(r.Summary, "over 10 interleaved pairs") {
				t.Errorf("AUTH-006 = %s (%s), want PASS on every timed pair", r.Status, r.Summary)
			}
			budget := printedBudget(t, notices, tc.owners)
			wrong, lastOK := wrongLogins(p.Logins())
			if len(wrong) == 0 || len(wrong) > budget {
				t.Errorf("the portal received %d wrong-password logins, want 1 to %d (the printed budget)", len(wrong), budget)
			}
			if w := run.WrongPasswords; w == nil || w.Budget != budget || w.Sent != len(wrong) || w.Refused != 0 {
				t.Errorf("reported %+v, want budget %d with %d sent (as the portal counted) and none refused", w, budget, len(wrong))
			}
			accounts := map[string]bool{}
			for _, a := range p.Accounts {
				accounts[strings.ToLower(a.Email)] = true
			}
			first, members := wrong[0].at, map[string]bool{}
			for _, w := range wrong {
				if accounts[strings.ToLower(w.email)] {
					t.Errorf("a wrong password went to the configured account %s", w.email)
				}
				if !strings.HasPrefix(w.email, "launchready+lr") {
					t.Errorf("a wrong password went to %s, not an address of the scan's own", w.email)
				}
				members[w.email] = members[w.email] || w.member
			}
			for email, member := range members {
				if member && lastOK[email] > first {
					t.Errorf("%s logged in again (login #%d) after the first wrong password (#%d): its clean-up login came too late", email, lastOK[email], first)
				}
				if member && slices.Contains(p.Members(), email) {
					t.Errorf("%s, which got wrong passwords, was not deleted", email)
				}
			}
			if !slices.Contains(slices.Collect(maps.Values(members)), true) {
				t.Error("no wrong password went to an existing account: the test proves nothing about the clean-up")
			}
			if len(run.Leftovers) > 0 || len(p.Members()) != len(p.Accounts) {
				t.Errorf("left behind: %v; members now %v", run.Leftovers, p.Members())
			}
			if !slices.ContainsFunc(notices, func(s string) bool {
				return strings.HasPrefix(s, "wrong-password attempts: "+strconv.Itoa(len(wrong))+" sent")
			}) {
				t.Errorf("no closing notice of the %d attempts sent: %q", len(wrong), notices)
			}
		})
	}
}

func outcome(outs []check.Outcome, id string) check.Result {
	for _, o := range outs {
		if o.Meta.ID == id {
			return o.Result
		}
	}
	return check.Result{}
}

var budgetRE = regexp.MustCompile(`(\d+) wrong-password attempts \(one budget: ([^;]+);`)

// printedBudget reads the wrong-password budget from the side-effect
// notice and checks it names the checks sharing it.
func printedBudget(t *testing.T, notices []string, owners string) int {
	t.Helper()
	for _, n := range notices {
		if m := budgetRE.FindStringSubmatch(n); m != nil && strings.HasPrefix(n, "side-effect budget") {
			if m[2] != owners {
				t.Errorf("the budget names %q, want %q", m[2], owners)
			}
			b, _ := strconv.Atoi(m[1])
			return b
		}
	}
	t.Fatalf("no side-effect budget naming one wrong-password budget among %q", notices)
	return 0
}

// wrongLogin is a login the portal received with a password that was not
// the account's.
type wrongLogin struct {
	email string
	// at is its index in the portal's login log.
	at int
	// member is true when the address was an account then.
	member bool
}

// wrongLogins picks the wrong-password logins out of the portal's log,
// leaving out the login that proves a deleted account gone (an unknown
// email that had been a member), and returns with them the index of each
// address's last successful login.
func wrongLogins(log []demo.LoginAttempt) ([]wrongLogin, map[string]int) {
	wasMember, lastOK := map[string]bool{}, map[string]int{}
	for i, l := range log {
		if l.Outcome != demo.LoginUnknown {
			wasMember[l.Email] = true
		}
		if l.Outcome == demo.LoginOK {
			lastOK[l.Email] = i
		}
	}
	var out []wrongLogin
	for i, l := range log {
		switch {
		case l.PasswordOK:
		case l.Outcome == demo.LoginUnknown && wasMember[l.Email]:
		default:
			out = append(out, wrongLogin{email: l.Email, at: i, member: l.Outcome != demo.LoginUnknown})
		}
	}
	return out, lastOK
}
