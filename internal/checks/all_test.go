package checks

import (
	"slices"
	"testing"

	"github.com/launchready/launchready/internal/check"
)

// TestWrongPasswordChecks: every check that sends wrong passwords is
// intrusive (they run only with consent), and AUTH-005 comes before
// AUTH-006: the runner runs such checks one at a time in this order, and
// AUTH-006 counts on the password reset being over before it starts.
func TestWrongPasswordChecks(t *testing.T) {
	var order []string
	for _, c := range All() {
		m := c.Meta()
		if m.Budget.WrongPasswords > 0 {
			order = append(order, m.ID)
			if !m.Intrusive {
				t.Errorf("%s sends wrong passwords but is not intrusive", m.ID)
			}
		}
	}
	i5, i6 := slices.Index(order, "AUTH-005"), slices.Index(order, "AUTH-006")
	if i5 < 0 || i6 < 0 || i5 > i6 {
		t.Errorf("checks with a wrong-password budget, in order: %v; want AUTH-005 before AUTH-006", order)
	}
}

// TestEveryCheckRanksItsImpact: the "Fix first" list orders blockers by
// each check's explicit impact; none may be left unset, and the order the
// issue fixes holds for the areas that exist: data exposure and account
// takeover before session and secrets, before transport.
func TestEveryCheckRanksItsImpact(t *testing.T) {
	worst := map[string]check.Impact{}
	for _, c := range All() {
		m := c.Meta()
		if m.Impact == check.ImpactUnset || m.Impact > check.ImpactOperations {
			t.Errorf("%s: impact %d is not one of the named impacts", m.ID, m.Impact)
		}
		if w, ok := worst[m.Area]; !ok || m.Impact < w {
			worst[m.Area] = m.Impact
		}
	}
	if !(worst[check.AreaAuthz] < worst[check.AreaSecrets] && worst[check.AreaSecrets] < worst[check.AreaTLS]) {
		t.Errorf("most urgent impact per area: %v; want Authorization before Secrets handling before SSL and redirects", worst)
	}
}
