package scan

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

// scanDemo starts the demo with the flaws and runs one check on it, with
// consent to intrusive checks.
func scanDemo(t *testing.T, flaws demo.Flaws, id string) check.Result {
	t.Helper()
	return scanDemoWith(t, demo.Options{Flaws: flaws, AuthJourney: true}, id)[id]
}

// scanDemoWith starts the demo with opts and runs the checks on it
// together, with consent to intrusive checks; results by check ID.
func scanDemoWith(t *testing.T, opts demo.Options, ids ...string) map[string]check.Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.Dir = t.TempDir()
	p, err := demo.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Only: ids, Intrusive: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]check.Result{}
	for _, o := range run.Outcomes {
		got[o.Meta.ID] = o.Result
	}
	return got
}

// TestDemoOpenCallbackAlone plants only the demo's open auth callback: the
// login itself is safe, so AUTH-010 must find the callback and name it, and
// nothing else.
func TestDemoOpenCallbackAlone(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flaws demo.Flaws
		want  check.Status
	}{
		{"open callback", demo.Flaws{OpenCallback: true}, check.Fail},
		{"safe callback", demo.Flaws{}, check.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := scanDemo(t, tc.flaws, "AUTH-010")
			if r.Status != tc.want {
				t.Fatalf("AUTH-010 = %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			if !strings.Contains(r.Summary, "auth callback /auth/callback") {
				t.Errorf("summary does not name the callback: %s", r.Summary)
			}
			if tc.want == check.Fail && (strings.Contains(r.Summary, "login redirects") || len(r.Evidence) != 1) {
				t.Errorf("want the callback alone, through next only: %s %+v", r.Summary, r.Evidence)
			}
		})
	}
}

// TestDemoLoginTiming plants only the login timing gap: the messages are
// the same, so AUTH-006 must WARN on timing alone, with the figures; the
// hardened demo's timing shows nothing.
func TestDemoLoginTiming(t *testing.T) {
	r := scanDemo(t, demo.Flaws{LoginTiming: true}, "AUTH-006")
	if r.Status != check.Warn || !strings.Contains(r.Summary, "the login's timing tells") || len(r.Evidence) != 1 ||
		!strings.Contains(r.Evidence[0].Detail, "interleaved pairs") {
		t.Fatalf("AUTH-006 = %s (%s) %+v, want WARN on timing", r.Status, r.Summary, r.Evidence)
	}
	r = scanDemo(t, demo.Hardened(), "AUTH-006")
	if r.Status != check.Pass || !strings.Contains(r.Summary, "login timing shows no consistent difference") {
		t.Fatalf("hardened AUTH-006 = %s (%s)", r.Status, r.Summary)
	}
}

type budgeted struct{ meta check.Meta }

func (b budgeted) Meta() check.Meta                           { return b.meta }
func (budgeted) Run(context.Context, *check.Env) check.Result { return check.Passf("ran") }

// TestBudgetCountsSharedSideEffectsOnce: two checks sharing one discovery
// run declare its canaries once; a check without side effects counts not.
func TestBudgetCountsSharedSideEffectsOnce(t *testing.T) {
	checks := []check.Check{
		budgeted{check.Meta{ID: "X-1", Budget: check.Budget{Objects: 5, Shared: "d"}}},
		budgeted{check.Meta{ID: "X-2", Budget: check.Budget{Objects: 5, Shared: "d"}}},
		budgeted{check.Meta{ID: "X-3", Intrusive: true, Budget: check.Budget{Objects: 5, Accounts: 1}}},
		budgeted{check.Meta{ID: "X-4"}},
		budgeted{check.Meta{ID: "X-5", Intrusive: true, Budget: check.Budget{WrongPasswords: 22}}},
		budgeted{check.Meta{ID: "X-6", Intrusive: true, Budget: check.Budget{WrongPasswords: 2, Mails: 1}}},
	}
	b, n, wrongPW := budget(checks, &config.Config{})
	if n != 5 || b.Objects != 10 || b.Accounts != 1 || b.WrongPasswords != 24 || !slices.Equal(wrongPW, []string{"X-5", "X-6"}) {
		t.Errorf("budget = %+v over %d checks (wrong passwords: %v), want 10 objects, 1 account and 24 wrong passwords of X-5 and X-6 over 5", b, n, wrongPW)
	}
	msg := budgetNotice(b, n, wrongPW)
	if !strings.Contains(msg, "24 wrong-password attempts (one budget: X-5, X-6;") {
		t.Errorf("the notice does not name the one budget: %s", msg)
	}
}

// leakedKinds returns, per identity column of an authorization matrix, the
// object kinds (the first word of a row label) with a leaked cell, and how
// many leaked cells there are in all.
func leakedKinds(t *testing.T, tab *check.Table) (map[string]map[string]bool, int) {
	t.Helper()
	if tab == nil {
		t.Fatal("no matrix")
	}
	kinds, n := map[string]map[string]bool{}, 0
	for _, row := range tab.Rows {
		for i, cell := range row.Cells {
			if !strings.HasPrefix(cell, "leaked") {
				continue
			}
			col := tab.Columns[i]
			if kinds[col] == nil {
				kinds[col] = map[string]bool{}
			}
			kinds[col][strings.Fields(row.Label)[0]] = true
			n++
		}
	}
	return kinds, n
}

// TestDemoAuthorization scans the demo's authorization flaws with cookie
// and with bearer-token sessions. Flawed, every planted leak is found and
// nothing on the objects the portal does protect (cards always, messages
// through the API); hardened, nothing at all.
func TestDemoAuthorization(t *testing.T) {
	ids := []string{"AUTHZ-001", "AUTHZ-002", "AUTHZ-003", "AUTHZ-004", "AUTHZ-005", "AUTHZ-006", "AUTHZ-007"}
	for _, tc := range []struct {
		name   string
		tokens bool
		// byB and byAnon are the object kinds whose reads leak.
		byB, byAnon []string
	}{
		// With cookies, messages are read on their HTML page, which
		// MessageIDOR leaves open; their API is owner-only.
		{"cookies", false, []string{"files", "invoices", "messages"}, []string{"files"}},
		// With tokens the config reads messages through the API.
		{"tokens", true, []string{"files", "invoices"}, []string{"files"}},
	} {
		t.Run(tc.name+"/flawed", func(t *testing.T) {
			got := scanDemoWith(t, demo.Options{Flaws: demo.Flawed(), TokenSessions: tc.tokens}, ids...)
			for _, id := range ids {
				if r := got[id]; r.Status != check.Fail || len(r.Evidence) == 0 {
					t.Errorf("%s = %s (%s), want FAIL with evidence", id, r.Status, r.Summary)
				}
			}
			for _, id := range ids {
				t.Logf("%s %s %s", id, got[id].Status, got[id].Summary)
			}
			kinds, _ := leakedKinds(t, got["AUTHZ-001"].Table)
			for col, want := range map[string][]string{"member b": tc.byB, "anonymous": tc.byAnon} {
				var have []string
				for k := range kinds[col] {
					have = append(have, k)
				}
				slices.Sort(have)
				if !slices.Equal(have, want) {
					t.Errorf("%s leaked %v, want exactly %v", col, have, want)
				}
			}
			if s := got["AUTHZ-004"].Summary; !strings.Contains(s, "/api/admin/users") || strings.Contains(s, "/admin,") {
				t.Errorf("AUTHZ-004 should name the unguarded admin API alone: %s", s)
			}
			if s := got["AUTHZ-005"].Summary; !strings.Contains(s, "files") || strings.Contains(s, "invoices") {
				t.Errorf("AUTHZ-005 should name the sequential file IDs alone: %s", s)
			}
		})
		t.Run(tc.name+"/hardened", func(t *testing.T) {
			got := scanDemoWith(t, demo.Options{Flaws: demo.Hardened(), TokenSessions: tc.tokens}, ids...)
			for _, id := range ids {
				if r := got[id]; r.Status != check.Pass {
					t.Errorf("%s = %s (%s), want PASS", id, r.Status, r.Summary)
				}
			}
			if _, n := leakedKinds(t, got["AUTHZ-001"].Table); n != 0 {
				t.Errorf("hardened matrix has %d leaked cells", n)
			}
		})
	}
}

// TestDemoSupabaseData scans the demo's data API with and without
// consent: flawed, AUTHZ-007 names orders and avatars alone and AUTHZ-009
// (with consent) the notes table a's self-made admin role opens; hardened
// both pass. Counts travel in headers: the only rows any response carried
// are the ids of a's canary inserts, and every canary is gone afterwards.
func TestDemoSupabaseData(t *testing.T) {
	for _, tc := range []struct {
		name      string
		flaws     demo.Flaws
		intrusive bool
		want      check.Status
	}{
		{"flawed", demo.Flawed(), true, check.Fail},
		{"flawed without consent", demo.Flawed(), false, check.Fail},
		{"hardened", demo.Hardened(), true, check.Pass},
		{"hardened without consent", demo.Hardened(), false, check.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, err := demo.Start(ctx, demo.Options{Flaws: tc.flaws, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			cfg, err := config.Load(p.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			only := []string{"AUTHZ-007"}
			if tc.intrusive {
				// AUTHZ-009 writes a's own metadata: consent only.
				only = append(only, "AUTHZ-009")
			}
			run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Only: only, Intrusive: tc.intrusive})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]check.Result{}
			for _, o := range run.Outcomes {
				byID[o.Meta.ID] = o.Result
			}
			r := byID["AUTHZ-007"]
			if e := byID["AUTHZ-009"]; tc.intrusive && (e.Status != tc.want || tc.want == check.Fail && !strings.Contains(e.Summary, "table notes")) {
				t.Errorf("AUTHZ-009 = %s (%s), want %s naming notes", e.Status, e.Summary, tc.want)
			}
			t.Logf("%s %s", r.Status, r.Summary)
			if r.Status != tc.want {
				t.Fatalf("AUTHZ-007 = %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			if tc.want == check.Fail && (!strings.Contains(r.Summary, "in orders") || !strings.Contains(r.Summary, "bucket avatars") ||
				strings.Contains(r.Summary, "notes")) {
				t.Errorf("want orders and avatars named alone: %s", r.Summary)
			}
			inserts := 0
			if tc.intrusive {
				inserts = 2
			}
			if n := p.DataRowsReturned("notes") + p.DataRowsReturned("orders"); n > inserts {
				t.Errorf("%d rows copied, want at most %d (the ids of a's canary inserts)", n, inserts)
			}
			if len(run.Leftovers) > 0 {
				t.Errorf("left behind: %v", run.Leftovers)
			}
			for _, table := range []string{"notes", "orders"} {
				if rows := p.DataRows(table); len(rows) != map[string]int{"notes": 4, "orders": 6}[table] {
					t.Errorf("%s has %d rows after the scan", table, len(rows))
				}
			}
			if objs := p.DataObjects("avatars"); len(objs) != 2 {
				t.Errorf("avatars after the scan: %v", objs)
			}
		})
	}
}

// TestBudgetCountsWhatTheConfigCanCreate: the printed side-effect budget
// counts only what the config lets the checks create: no canaries without
// objects[].create or a platform project, nothing for a check whose needs
// the config leaves out.
func TestBudgetCountsWhatTheConfigCanCreate(t *testing.T) {
	const base = `target: {url: https://app.example.com}
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}}
  protected: [/dashboard]
accounts:
  a: {email: a@example.com, password: env:LR_A}
  b: {email: b@example.com, password: env:LR_B}
`
	for _, tc := range []struct {
		name    string
		yaml    string
		objects int
		n       int
	}{
		{"nothing to create", base + "objects:\n  - {name: invoices, list: /api/invoices, item: \"/api/invoices/{id}\"}\n", 0, 0},
		{"two creatable kinds, one changeable", base + `objects:
  - {name: notes, list: /api/notes, item: "/api/notes/{id}", create: {path: /api/notes, json: {body: "{{canary}}"}}, delete: {path: "/api/notes/{id}", method: DELETE}}
  - {name: tags, list: /api/tags, item: "/api/tags/{id}", create: {path: /api/tags, json: {name: "{{canary}}"}}}
`, 2 + 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tc.yaml), "launchready.yaml", config.Options{BaseDir: t.TempDir(),
				Getenv: func(k string) (string, bool) { return "pw-" + k, true }})
			if err != nil {
				t.Fatal(err)
			}
			b, n, _ := budget(checks.All(), cfg)
			if b.Objects != tc.objects || b.Accounts != 0 || b.Mails != 0 || n != tc.n {
				t.Errorf("budget = %+v over %d checks, want %d objects, no account or mail, over %d checks", b, n, tc.objects, tc.n)
			}
		})
	}
}
