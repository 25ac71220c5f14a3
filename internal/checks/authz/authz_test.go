package authz

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
)

// TestReadsProvedByData runs AUTHZ-001 and AUTHZ-003 against the test API
// answering non-owners in each way: only a response carrying a's data is a
// finding, whatever its status.
func TestReadsProvedByData(t *testing.T) {
	tests := []struct {
		name       string
		read, anon string
		want001    check.Status
		want003    check.Status
		in         string // in the evidence of a FAIL
	}{
		{"owner check", refuse404, "", check.Pass, check.Pass, ""},
		{"login-only check leaks", leakAny, "", check.Fail, check.Pass, "INV-2026-A-"},
		{"200 with an empty list is no finding", emptyList, emptyList, check.Pass, check.Pass, ""},
		{"302 whose body carries the object is a finding", redirectLeak, redirectLeak, check.Fail, check.Fail, "(a redirect to"},
		{"catch-all app shell is no finding", catchAll, catchAll, check.Pass, check.Pass, ""},
		{"login page with 200 is no finding", loginPage, loginPage, check.Pass, check.Pass, ""},
		{"WAF block page is no finding", wafBlock, wafBlock, check.Pass, check.Pass, ""},
		{"error page echoing the ID is no finding", errorEcho, errorEcho, check.Pass, check.Pass, ""},
		{"anonymous reads everything", refuse404, leakAny, check.Pass, check.Fail, "Anonymous asked for member a's"},
	}
	for _, token := range []bool{false, true} {
		for _, tt := range tests {
			name := tt.name
			if token {
				name += " (bearer token)"
			}
			t.Run(name, func(t *testing.T) {
				p := &apiPortal{Read: tt.read, Anon: tt.anon}
				env := p.start(t, token, false)
				for _, c := range []struct {
					check Reads
					want  check.Status
				}{{ByOtherMember(), tt.want001}, {ByAnonymous(), tt.want003}} {
					r := checktest.Run(t, c.check, env)
					if r.Status != c.want {
						t.Fatalf("%s = %s (%s), want %s", c.check.Meta().ID, r.Status, r.Summary, c.want)
					}
					if r.Table == nil || len(r.Table.Rows) == 0 {
						t.Fatalf("%s: no matrix", c.check.Meta().ID)
					}
					if c.want != check.Fail {
						continue
					}
					all := ""
					for _, ev := range r.Evidence {
						all += ev.Detail + "\n"
						if !strings.HasPrefix(ev.Repro, "curl ") || ev.Request == "" || ev.Status == 0 {
							t.Errorf("evidence without request, status or repro: %+v", ev)
						}
						if strings.Contains(ev.Repro, checktest.Password) {
							t.Error("password in the repro")
						}
					}
					if !strings.Contains(all, tt.in) {
						t.Errorf("%s evidence lacks %q:\n%s", c.check.Meta().ID, tt.in, all)
					}
				}
			})
		}
	}
}

// TestReadsCountFindings checks the counts on a portal where invoices and
// files leak to b but notes (owner-checked reads) do not: every leaked
// object is found and nothing on the protected kind.
func TestReadsCountFindings(t *testing.T) {
	p := &apiPortal{Read: leakAny}
	env := p.start(t, false, true)
	m, err := authz.Replay(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	leaked := map[string]int{}
	total := map[string]int{}
	for _, row := range m.Rows {
		total[row.Read.Kind]++
		if row.Cell(authz.Other).State == authz.Leaked {
			leaked[row.Read.Kind]++
		}
		if row.Cell(authz.Anonymous).State != authz.Denied {
			t.Errorf("%s: anonymous %s", row.Read.Label(), row.Cell(authz.Anonymous).State)
		}
	}
	if leaked["invoices"] != 2 || total["invoices"] != 2 {
		t.Errorf("invoices: %d of %d leaked, want 2 of 2", leaked["invoices"], total["invoices"])
	}
	if leaked["crawled /files/{id}"] != 2 {
		t.Errorf("crawled files: %d leaked, want 2 (kinds %v)", leaked["crawled /files/{id}"], total)
	}
	if total["notes"] != 1 || leaked["notes"] != 0 {
		t.Errorf("notes (canary, owner-checked): %d of %d leaked, want 0 of 1", leaked["notes"], total["notes"])
	}
	// Bounded: discovery and replays together.
	if n := m.Requests + m.Inventory.Requests; n > 80 {
		t.Errorf("%d requests for a portal this small", n)
	}
	// The crawler never followed the logout or delete links, and sent
	// nothing but GET apart from the canary's create.
	for _, req := range p.Requests {
		if strings.Contains(req, "/logout") || strings.Contains(req, "/account/delete") {
			t.Errorf("the crawl requested %s", req)
		}
		if !strings.HasPrefix(req, "GET ") && req != "POST /login" && req != "POST /api/notes" {
			t.Errorf("unexpected %s during discovery and replay", req)
		}
	}
}

func TestReadsSkipWithoutObjects(t *testing.T) {
	p := &apiPortal{}
	p.init()
	_, yaml := checktest.TLSServer(t, p)
	env := checktest.Env(t, yaml+`auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /api/me}
  protected: [/api/me]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`)
	r := checktest.Run(t, ByOtherMember(), env)
	if r.Status != check.Skip || !strings.Contains(r.Enable, "objects:") {
		t.Fatalf("AUTHZ-001 = %s (%s, enable %q), want SKIP naming objects:", r.Status, r.Summary, r.Enable)
	}
}

func TestWrites(t *testing.T) {
	for _, tt := range []struct {
		name  string
		open  bool
		want  check.Status
		cells []string
	}{
		{"owner-checked writes", false, check.Pass, []string{"refused (404)", "refused (404)"}},
		{"login-only writes", true, check.Fail, []string{"changed (200)", "deleted (204)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &apiPortal{NoteWrites: tt.open}
			env := p.start(t, true, true)
			r := checktest.Run(t, Writes{}, env)
			if r.Status != tt.want {
				t.Fatalf("AUTHZ-002 = %s (%s), want %s", r.Status, r.Summary, tt.want)
			}
			if got := r.Table.Rows[0].Cells; strings.Join(got, "|") != strings.Join(tt.cells, "|") {
				t.Errorf("cells %v, want %v", got, tt.cells)
			}
			if left := env.RunDeferred(context.Background()); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if len(p.notes) != 0 {
				t.Errorf("%d canary notes left in the portal", len(p.notes))
			}
		})
	}
}

func TestAdmin(t *testing.T) {
	for _, tt := range []struct {
		name string
		open bool
		want check.Status
	}{{"guarded admin API", false, check.Pass}, {"admin API checks only login", true, check.Fail}} {
		t.Run(tt.name, func(t *testing.T) {
			p := &apiPortal{AdminLoginOnly: tt.open}
			env := p.start(t, false, false)
			r := checktest.Run(t, Admin{}, env)
			if r.Status != tt.want {
				t.Fatalf("AUTHZ-004 = %s (%s), want %s", r.Status, r.Summary, tt.want)
			}
			if !strings.Contains(r.Summary, "/api/admin/users") {
				t.Errorf("summary: %s", r.Summary)
			}
			for _, req := range p.Requests {
				if strings.Contains(req, "purge-cache") || strings.HasPrefix(req, "DELETE ") {
					t.Errorf("sent %s: an action route or a state-changing admin entry", req)
				}
			}
		})
	}
}

func TestGuessableIDs(t *testing.T) {
	for _, tt := range []struct {
		seq  bool
		want check.Status
	}{{false, check.Pass}, {true, check.Fail}} {
		p := &apiPortal{Sequential: tt.seq}
		env := p.start(t, false, false)
		if r := checktest.Run(t, GuessableIDs{}, env); r.Status != tt.want {
			t.Errorf("sequential=%v: AUTHZ-005 = %s (%s), want %s", tt.seq, r.Status, r.Summary, tt.want)
		}
	}
}

func TestMassAssignment(t *testing.T) {
	for _, tt := range []struct {
		open bool
		want check.Status
	}{{false, check.Pass}, {true, check.Fail}} {
		p := &apiPortal{RoleFromBody: tt.open}
		env := p.start(t, true, true)
		r := checktest.Run(t, MassAssignment{}, env)
		if r.Status != tt.want {
			t.Fatalf("RoleFromBody=%v: AUTHZ-006 = %s (%s), want %s", tt.open, r.Status, r.Summary, tt.want)
		}
		p.mu.Lock()
		role, name := p.roles["a"], p.names["a"]
		p.mu.Unlock()
		if role != "member" || name != "Alice Anders" {
			t.Errorf("RoleFromBody=%v: member a left as role %q, name %q", tt.open, role, name)
		}
		if tt.want == check.Fail && !strings.Contains(r.Evidence[0].Detail, "was restored") {
			t.Errorf("evidence does not say a was restored: %s", r.Evidence[0].Detail)
		}
	}
}

// TestMatrixHoldsNoBodies: discovery and the replays serve every
// authorization check for the whole scan, so they keep what the checks
// read (markers, excerpts, statuses, hops) and none of the bodies: a's
// reads, the lists and pages the IDs came from, every identity's replies.
// A leak found in a redirect's body still quotes it.
func TestMatrixHoldsNoBodies(t *testing.T) {
	p := &apiPortal{Read: redirectLeak}
	env := p.start(t, false, true)
	m, err := authz.Replay(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	held := func(what string, resp *client.Response) {
		if resp == nil {
			return
		}
		n := len(resp.Body)
		for _, h := range resp.Hops {
			n += len(h.Body)
		}
		if n > 0 {
			t.Errorf("%s keeps %d bytes of bodies for the whole scan", what, n)
		}
	}
	leaks := 0
	for _, row := range m.Rows {
		held("a's read of "+row.Read.Label(), row.Read.Owner)
		for _, c := range row.Cells {
			held(c.Identity+"'s reply to "+row.Read.Label(), c.Response)
			if c.State == authz.Leaked {
				leaks++
				if ev := c.Evidence(env, row.Read.Label(), row.Read.Markers); !strings.Contains(ev.Detail, "Excerpt: ") || strings.HasSuffix(ev.Detail, "Excerpt: ") {
					t.Errorf("a leak's evidence lost its excerpt: %s", ev.Detail)
				}
			}
		}
	}
	for _, k := range m.Inventory.Kinds {
		held("the source of "+k.Name, k.Source)
	}
	for _, lr := range m.Lists {
		for _, c := range lr.Cells {
			held(c.Identity+"'s reply to "+lr.Label(), c.Response)
		}
	}
	if leaks == 0 {
		t.Error("no leak found in the redirects' bodies")
	}
}
