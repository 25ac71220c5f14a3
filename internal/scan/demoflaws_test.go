package scan

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

// scanDemo starts the demo with the flaws and runs one check on it, with
// consent to intrusive checks.
func scanDemo(t *testing.T, flaws demo.Flaws, id string) check.Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := demo.Start(ctx, demo.Options{Flaws: flaws, Dir: t.TempDir(), AuthJourney: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Only: []string{id}, Intrusive: true})
	if err != nil {
		t.Fatal(err)
	}
	return run.Outcomes[0].Result
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
	}
	b, n := budget(checks)
	if n != 3 || b.Objects != 10 || b.Accounts != 1 {
		t.Errorf("budget = %+v over %d checks, want 10 objects and 1 account over 3", b, n)
	}
}
