package runner

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// fake is a check whose Run is a function.
type fake struct {
	meta check.Meta
	run  func(ctx context.Context) check.Result
}

func (f fake) Meta() check.Meta                                   { return f.meta }
func (f fake) Run(ctx context.Context, _ *check.Env) check.Result { return f.run(ctx) }

func mk(id string, run func(ctx context.Context) check.Result) fake {
	return fake{meta: check.Meta{ID: id, Area: check.AreaAuth, Severity: check.Blocker}, run: run}
}

func env(t *testing.T, yaml string) *check.Env {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return "pw-value-123", true }})
	if err != nil {
		t.Fatal(err)
	}
	return &check.Env{Config: cfg}
}

const minimal = "target:\n  url: https://portal.test\n"

const withLogin = `target:
  url: https://portal.test
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}}
  logout: none
session: {kind: token, from: token, header: Authorization}
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`

func TestRunOutcomes(t *testing.T) {
	pass := func(context.Context) check.Result { return check.Passf("fine") }
	tests := []struct {
		name   string
		check  fake
		yaml   string
		intr   bool
		status check.Status
		reason string
	}{
		{"pass", mk("A-1", pass), minimal, false, check.Pass, ""},
		{"panic becomes error", mk("A-2", func(context.Context) check.Result { panic("boom") }), minimal, false, check.Error, "panicked: boom"},
		{"empty status is error", mk("A-3", func(context.Context) check.Result { return check.Result{} }), minimal, false, check.Error, "no status"},
		{"missing need skips", fake{meta: check.Meta{ID: "A-4", Needs: []string{"auth.login"}}, run: pass}, minimal, false, check.Skip, "auth.login"},
		{"absent flow is n/a", fake{meta: check.Meta{ID: "A-5", Needs: []string{"auth.logout"}}, run: pass}, withLogin, false, check.NA, ""},
		{"token session makes cookie checks n/a", fake{meta: check.Meta{ID: "A-6", Needs: []string{"session.cookie"}}, run: pass}, withLogin, false, check.NA, "token"},
		{"intrusive without consent skips", fake{meta: check.Meta{ID: "A-7", Intrusive: true}, run: pass}, minimal, false, check.Skip, "intrusive"},
		{"intrusive with consent runs", fake{meta: check.Meta{ID: "A-8", Intrusive: true}, run: pass}, minimal, true, check.Pass, ""},
		{"pass after deadline is error", mk("A-9", func(ctx context.Context) check.Result {
			<-ctx.Done()
			return check.Passf("too late")
		}), minimal, false, check.Error, "did not finish"},
		{"ignoring the deadline is abandoned", mk("A-10", func(ctx context.Context) check.Result {
			time.Sleep(time.Hour)
			return check.Passf("never")
		}), minimal, false, check.Error, "abandoned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env(t, tt.yaml)
			e.Intrusive = tt.intr
			out := Run(context.Background(), []check.Check{tt.check}, e, Options{Timeout: 50 * time.Millisecond, Grace: 50 * time.Millisecond})
			r := out[0].Result
			if r.Status != tt.status {
				t.Fatalf("status = %s (%s), want %s", r.Status, r.Summary, tt.status)
			}
			if !strings.Contains(r.Reason+r.Summary, tt.reason) {
				t.Errorf("reason %q does not mention %q", r.Reason, tt.reason)
			}
			if r.Status == check.Skip && r.Enable == "" {
				t.Error("SKIP without what would enable it")
			}
		})
	}
}

func TestConsentWithheldSaysWhy(t *testing.T) {
	e := env(t, minimal)
	e.ConsentNote = "the target is not on loopback"
	c := fake{meta: check.Meta{ID: "I-1", Intrusive: true}, run: func(context.Context) check.Result { return check.Passf("ran") }}
	r := Run(context.Background(), []check.Check{c}, e, Options{})[0].Result
	if r.Status != check.Skip || !strings.Contains(r.Reason, "not on loopback") || !strings.Contains(r.Enable, "launchready token HOST") {
		t.Fatalf("got %s %q %q", r.Status, r.Reason, r.Enable)
	}
}

// TestSkipNamesConfigKey: a SKIP for a missing need says which key of
// launchready.yaml to add, not the need's own name (auth.form is the
// portal's own login, auth.login).
func TestSkipNamesConfigKey(t *testing.T) {
	c := fake{meta: check.Meta{ID: "N-1", Needs: []string{"auth.form"}}, run: func(context.Context) check.Result { return check.Passf("ran") }}
	r := Run(context.Background(), []check.Check{c}, env(t, minimal), Options{})[0].Result
	if r.Status != check.Skip || r.Enable != "add auth.login to launchready.yaml" {
		t.Fatalf("got %s %q, want SKIP with enable %q", r.Status, r.Enable, "add auth.login to launchready.yaml")
	}
}

func TestRunConcurrentOrderAndIntrusiveLast(t *testing.T) {
	var mu sync.Mutex
	var order []string
	var running, peak atomic.Int64
	rec := func(id string, d time.Duration) func(context.Context) check.Result {
		return func(context.Context) check.Result {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(d)
			running.Add(-1)
			mu.Lock()
			order = append(order, id)
			mu.Unlock()
			return check.Passf("%s", id)
		}
	}
	intr := fake{meta: check.Meta{ID: "I-1", Intrusive: true}, run: rec("I-1", 0)}
	checks := []check.Check{intr, mk("C-1", rec("C-1", 40*time.Millisecond)), mk("C-2", rec("C-2", 40*time.Millisecond)), mk("C-3", rec("C-3", 40*time.Millisecond))}
	e := env(t, minimal)
	e.Intrusive = true
	var events []Event
	out := Run(context.Background(), checks, e, Options{Concurrency: 3, Progress: func(ev Event) { events = append(events, ev) }})
	for i, c := range checks {
		if out[i].Meta.ID != c.Meta().ID {
			t.Errorf("outcome %d is %s, want %s (input order)", i, out[i].Meta.ID, c.Meta().ID)
		}
	}
	if order[len(order)-1] != "I-1" {
		t.Errorf("intrusive check ran before others finished: %v", order)
	}
	if peak.Load() < 2 {
		t.Errorf("checks did not run concurrently (peak %d)", peak.Load())
	}
	if len(events) != 8 || events[len(events)-1].Done != 4 || events[len(events)-1].Total != 4 {
		t.Errorf("progress events: %+v", events)
	}
}

// TestIntrusiveChecksMarkTheirRequests: the client refuses every request
// of an intrusive check to a host without consent, so the runner marks the
// context of intrusive checks and only theirs.
func TestIntrusiveChecksMarkTheirRequests(t *testing.T) {
	e := env(t, minimal)
	e.Intrusive = true
	marked := func(ctx context.Context) check.Result {
		if client.IsIntrusive(ctx) {
			return check.Passf("marked")
		}
		return check.Failf(nil, "not marked")
	}
	out := Run(context.Background(), []check.Check{
		fake{meta: check.Meta{ID: "I-1", Intrusive: true}, run: marked},
		fake{meta: check.Meta{ID: "N-1"}, run: marked},
	}, e, Options{})
	if out[0].Result.Status != check.Pass || out[1].Result.Status != check.Fail {
		t.Fatalf("intrusive %s, non-intrusive %s", out[0].Result.Summary, out[1].Result.Summary)
	}
}

// TestWrongPasswordChecksRunLast: a check with a wrong-password budget
// starts only after every other check, intrusive ones included, has
// finished and after the hook before its phase; such checks run one at a
// time in the given order, wherever they are listed.
func TestWrongPasswordChecksRunLast(t *testing.T) {
	ordinary := func(id string) check.Meta { return check.Meta{ID: id} }
	intrusive := func(id string) check.Meta {
		return check.Meta{ID: id, Intrusive: true, Budget: check.Budget{Accounts: 1}}
	}
	wrong := func(id string, n int) check.Meta {
		return check.Meta{ID: id, Intrusive: true, Budget: check.Budget{WrongPasswords: n}}
	}
	tests := []struct {
		name  string
		metas []check.Meta
		// hooks are the phases BeforePhase must see, in order.
		hooks []Phase
	}{
		{"listed first", []check.Meta{wrong("W-1", 21), wrong("W-2", 5), intrusive("I-1"), intrusive("I-2"), ordinary("C-1")},
			[]Phase{Ordinary, Intrusive, WrongPasswords}},
		{"listed between", []check.Meta{intrusive("I-1"), wrong("W-1", 1), ordinary("C-1"), wrong("W-2", 1), intrusive("I-2")},
			[]Phase{Ordinary, Intrusive, WrongPasswords}},
		{"no other intrusive check", []check.Meta{wrong("W-1", 3), ordinary("C-1"), wrong("W-2", 3)},
			[]Phase{Ordinary, WrongPasswords}},
		{"none sends wrong passwords", []check.Meta{intrusive("I-1"), ordinary("C-1")},
			[]Phase{Ordinary, Intrusive}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var log []string
			add := func(s string) {
				mu.Lock()
				defer mu.Unlock()
				log = append(log, s)
			}
			var checks []check.Check
			for _, m := range tt.metas {
				checks = append(checks, fake{meta: m, run: func(context.Context) check.Result {
					add("start " + m.ID)
					// Each takes a while, so checks started together
					// overlap in the log.
					time.Sleep(20 * time.Millisecond)
					add("end " + m.ID)
					return check.Passf("ran")
				}})
			}
			e := env(t, minimal)
			e.Intrusive = true
			var hooks []Phase
			Run(context.Background(), checks, e, Options{Concurrency: 6, BeforePhase: func(_ context.Context, p Phase) {
				hooks = append(hooks, p)
				add("before " + p.String())
			}})
			if !slices.Equal(hooks, tt.hooks) {
				t.Errorf("BeforePhase saw %v, want %v", hooks, tt.hooks)
			}
			at := func(s string) int { return slices.Index(log, s) }
			var wrongIDs []string
			for _, m := range tt.metas {
				if m.Budget.WrongPasswords > 0 {
					wrongIDs = append(wrongIDs, m.ID)
				}
			}
			for _, w := range wrongIDs {
				if at("before wrong-passwords") > at("start "+w) {
					t.Errorf("%s started before the hook: %v", w, log)
				}
				for _, m := range tt.metas {
					if m.Budget.WrongPasswords == 0 && at("end "+m.ID) > at("before wrong-passwords") {
						t.Errorf("the hook ran before %s ended: %v", m.ID, log)
					}
				}
			}
			for i := 1; i < len(wrongIDs); i++ {
				if at("end "+wrongIDs[i-1]) > at("start "+wrongIDs[i]) {
					t.Errorf("%s started before %s ended: %v", wrongIDs[i], wrongIDs[i-1], log)
				}
			}
		})
	}
}

func TestPhaseOf(t *testing.T) {
	for _, tt := range []struct {
		meta check.Meta
		want Phase
	}{
		{check.Meta{}, Ordinary},
		{check.Meta{Budget: check.Budget{Objects: 3}}, Ordinary},
		{check.Meta{Intrusive: true, Budget: check.Budget{Accounts: 1, Mails: 2}}, Intrusive},
		{check.Meta{Intrusive: true, Budget: check.Budget{WrongPasswords: 22}}, WrongPasswords},
		{check.Meta{Budget: check.Budget{WrongPasswords: 1}}, WrongPasswords},
	} {
		if got := PhaseOf(tt.meta); got != tt.want {
			t.Errorf("PhaseOf(%+v) = %s, want %s", tt.meta, got, tt.want)
		}
	}
}

// TestInterruptStopsTheChecks: once the run's context ends (the first
// Ctrl-C), no check starts and no phase hook runs; work a check shares
// with others (check.Shared), which outlives that check's own deadline,
// stops too.
func TestInterruptStopsTheChecks(t *testing.T) {
	e := env(t, minimal)
	e.Intrusive = true
	ctx, cancel := context.WithCancel(context.Background())
	var ran []string
	var sharedErr error
	first := mk("FIRST-1", func(cctx context.Context) check.Result {
		ran = append(ran, "FIRST-1")
		_, sharedErr = check.Shared(cctx, e, "journey", func(sctx context.Context) (int, error) {
			cancel() // Ctrl-C while the shared journey runs
			<-sctx.Done()
			return 0, sctx.Err()
		})
		return check.Passf("fine")
	})
	later := mk("LATER-1", func(context.Context) check.Result { ran = append(ran, "LATER-1"); return check.Passf("fine") })
	later.meta.Intrusive = true
	hooks := 0
	out := Run(ctx, []check.Check{first, later}, e, Options{Concurrency: 1, BeforePhase: func(context.Context, Phase) { hooks++ }})
	if !slices.Equal(ran, []string{"FIRST-1"}) || hooks != 1 {
		t.Errorf("ran %v with %d phase hooks after the interrupt, want FIRST-1 alone and the first phase's hook", ran, hooks)
	}
	if sharedErr == nil {
		t.Error("the shared work outlived the interrupt")
	}
	if r := out[0].Result; r.Status != check.Error || !strings.Contains(r.Summary+r.Reason, "interrupted before it finished") {
		t.Errorf("FIRST-1, which passed after the interrupt, = %s %q, want ERROR: interrupted", r.Status, r.Summary+r.Reason)
	}
	if r := out[1].Result; r.Status != check.Error || !strings.Contains(r.Summary+r.Reason, "interrupted") {
		t.Errorf("LATER-1 = %s %q, want ERROR: interrupted", r.Status, r.Summary+r.Reason)
	}
}
