package authz

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

// evidenceText joins a result's evidence details.
func evidenceText(r check.Result) string {
	var b strings.Builder
	for _, ev := range r.Evidence {
		b.WriteString(ev.Request + " → " + ev.Detail + "\n")
	}
	return b.String()
}

// TestAdminAreaSignIn: an admin area that sends members and anonymous
// visitors to its own sign-in page, in the area's layout, refuses them;
// the same area leaking its member list to members still fails, on that
// route alone.
func TestAdminAreaSignIn(t *testing.T) {
	for _, tt := range []struct {
		area string
		want check.Status
		// in the summary; out of it
		in, out string
	}{
		{adminGuarded, check.Pass, "judged 3 admin routes × 2 identities", ""},
		{adminUsersLeak, check.Fail, "/admin/users", "/admin,"},
		// The admin's member list names member a, whose own dashboard
		// (where it is sent) shows the same name and email: a's own data.
		{adminToDashboard, check.Pass, "judged 3 admin routes × 2 identities", ""},
	} {
		t.Run(tt.area, func(t *testing.T) {
			p := &apiPortal{AdminArea: tt.area}
			env := p.start(t, false, false)
			r := checktest.Run(t, Admin{}, env)
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.in) || (tt.out != "" && strings.Contains(r.Summary+",", tt.out)) {
				t.Fatalf("AUTHZ-004 = %s (%s), want %s naming %q and not %q\n%s", r.Status, r.Summary, tt.want, tt.in, tt.out, evidenceText(r))
			}
			if tt.want == check.Fail && !strings.Contains(evidenceText(r), "Alice Anders") {
				t.Errorf("the evidence does not quote the member list:\n%s", evidenceText(r))
			}
		})
	}
}

// TestSmallIntegerIDs: invoices numbered 1 to 4, whose every line holds
// the ID's digits ("Total 120.00", "12 licences"), keep their markers, so
// b reading a's invoices is found.
func TestSmallIntegerIDs(t *testing.T) {
	p := &apiPortal{Invoices: smallIDs, Read: leakAny}
	env := p.start(t, true, true)
	r := checktest.Run(t, ByOtherMember(), env)
	ev := evidenceText(r)
	if r.Status != check.Fail || !strings.Contains(r.Summary, "invoices 1") || !strings.Contains(r.Summary, "invoices 2") {
		t.Fatalf("AUTHZ-001 = %s (%s), want FAIL on invoices 1 and 2", r.Status, r.Summary)
	}
	if !strings.Contains(ev, "/api/invoices/1 →") || !strings.Contains(ev, "Total 120.00") {
		t.Errorf("the evidence does not show b's read of invoice 1 with a's total:\n%s", ev)
	}
}

// TestNotJudgedObjects: objects with nothing a-specific in them are listed
// as not judged; a check that judged none of a's objects never passes.
func TestNotJudgedObjects(t *testing.T) {
	t.Run("nothing judged", func(t *testing.T) {
		p := &apiPortal{Invoices: blandInvoices, Read: leakAny}
		env := p.start(t, true, false)
		for _, c := range []Reads{ByOtherMember(), ByAnonymous()} {
			r := checktest.Run(t, c, env)
			if r.Status == check.Pass || r.Status == check.Fail || !strings.Contains(r.Summary, "invoices inv_") {
				t.Errorf("%s = %s (%s), want ERROR or SKIP naming the invoices not judged", c.Meta().ID, r.Status, r.Summary)
			}
		}
	})
	t.Run("one judged", func(t *testing.T) {
		p := &apiPortal{Invoices: blandInvoices}
		env := p.start(t, true, true)
		r := checktest.Run(t, ByOtherMember(), env)
		if r.Status != check.Pass || !strings.Contains(r.Summary, "judged 1 of member a's objects (notes ×1) × 1 identity (member b)") ||
			!strings.Contains(r.Summary, "not judged") || !strings.Contains(r.Summary, "invoices inv_") {
			t.Errorf("AUTHZ-001 = %s (%s), want a PASS naming what was judged and the invoices not judged", r.Status, r.Summary)
		}
	})
}

// TestListLeak: a notes list that shows every member's notes leaks a's to
// b even though each note's own read checks its owner; b's view of that
// list is never taken as what b may see.
func TestListLeak(t *testing.T) {
	for _, token := range []bool{false, true} {
		p := &apiPortal{Notes: notesListLeak, Read: refuse404}
		env := p.start(t, token, false)
		r := checktest.Run(t, ByOtherMember(), env)
		ev := evidenceText(r)
		if r.Status != check.Fail || !strings.Contains(r.Summary, "the notes list") || !strings.Contains(r.Summary, "/api/notes") {
			t.Fatalf("token=%v: AUTHZ-001 = %s (%s), want FAIL naming the notes list", token, r.Status, r.Summary)
		}
		if !strings.Contains(ev, "/api/notes →") || !strings.Contains(ev, "Alice Anders's note") {
			t.Errorf("token=%v: the evidence does not show b's list with a's note:\n%s", token, ev)
		}
		if r := checktest.Run(t, ByAnonymous(), env); r.Status != check.Pass {
			t.Errorf("token=%v: AUTHZ-003 = %s (%s), want PASS: anonymous visitors get 401", token, r.Status, r.Summary)
		}
	}
}

// TestPublicCollection: notes every visitor can list and read. Anonymous
// reads of a's notes are judged (and found); for b, a note both members'
// lists show and b opens may be b's own, so it is listed as not judged.
func TestPublicCollection(t *testing.T) {
	p := &apiPortal{Notes: notesPublic, Read: refuse404}
	env := p.start(t, true, false)
	r := checktest.Run(t, ByAnonymous(), env)
	if r.Status != check.Fail || !strings.Contains(r.Summary, "notes note_") || !strings.Contains(r.Summary, "the notes list") {
		t.Fatalf("AUTHZ-003 = %s (%s), want FAIL on the notes and their list", r.Status, r.Summary)
	}
	if !strings.Contains(evidenceText(r), "parcel locker code") {
		t.Errorf("the evidence does not quote a note:\n%s", evidenceText(r))
	}
	r = checktest.Run(t, ByOtherMember(), env)
	if r.Status != check.Pass || !strings.Contains(r.Summary, "not judged") || !strings.Contains(r.Summary, "member b's own list shows it too") {
		t.Errorf("AUTHZ-001 = %s (%s), want PASS on the invoices listing the notes as not judged", r.Status, r.Summary)
	}
}

// TestMassAssignmentOneField: a profile update refused whole for one
// unknown field (is_admin) still binds role when role is sent alone; the
// role is read back, then restored.
func TestMassAssignmentOneField(t *testing.T) {
	for _, tt := range []struct {
		roleFromBody bool
		want         check.Status
	}{{false, check.Pass}, {true, check.Fail}} {
		p := &apiPortal{StrictProfile: true, RoleFromBody: tt.roleFromBody}
		env := p.start(t, true, true)
		r := checktest.Run(t, MassAssignment{}, env)
		if r.Status != tt.want {
			t.Fatalf("RoleFromBody=%v: AUTHZ-006 = %s (%s), want %s", tt.roleFromBody, r.Status, r.Summary, tt.want)
		}
		ev := evidenceText(r)
		if tt.want == check.Fail && (!strings.Contains(ev, "role alone answered 200") || !strings.Contains(ev, `role = "admin"`) ||
			!strings.Contains(ev, profileRestored)) {
			t.Errorf("the evidence lacks the read-back or the restore:\n%s", ev)
		}
		if tt.want == check.Pass && !strings.Contains(r.Summary, "judged 9 role fields") {
			t.Errorf("the PASS does not say what was judged: %s", r.Summary)
		}
		if left := env.RunDeferred(context.Background()); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
		p.mu.Lock()
		role, name := p.roles["a"], p.names["a"]
		p.mu.Unlock()
		if role != "member" || name != "Alice Anders" {
			t.Errorf("RoleFromBody=%v: member a left as role %q, name %q", tt.roleFromBody, role, name)
		}
	}
}
