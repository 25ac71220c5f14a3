package checks

import (
	"slices"
	"testing"
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
