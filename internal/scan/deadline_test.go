package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// funcCheck is a check whose Run is a function.
type funcCheck struct {
	meta check.Meta
	run  func(ctx context.Context, env *check.Env) check.Result
}

func (f funcCheck) Meta() check.Meta                                     { return f.meta }
func (f funcCheck) Run(ctx context.Context, env *check.Env) check.Result { return f.run(ctx, env) }

func blocker(id string, intrusive bool, run func(ctx context.Context, env *check.Env) check.Result) funcCheck {
	return funcCheck{meta: check.Meta{ID: id, Area: check.AreaAuth, Severity: check.Blocker, Intrusive: intrusive}, run: run}
}

// TestScanDeadline: past target.timeouts.scan the checks still running are
// stopped and, with those not started, are ERROR saying the deadline
// passed; what finished keeps its result, the report is returned and the
// clean-up still runs, on a live context.
func TestScanDeadline(t *testing.T) {
	portal := httptest.NewServer(http.NotFoundHandler())
	defer portal.Close()
	cfg, err := config.Parse([]byte(fmt.Sprintf("target:\n  url: %s\n  scope: [127.0.0.1]\n  timeouts: {check: 10m, scan: 1s}\n", portal.URL)), "", config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	var cleanupCtxErr atomic.Value
	const want = "the scan deadline (1s) passed before it finished"
	tests := []struct {
		name   string
		check  funcCheck
		status check.Status
		reason string
	}{
		{"done in time", blocker("D-1", false, func(context.Context, *check.Env) check.Result { return check.Passf("quick") }), check.Pass, "quick"},
		{"running, honours its context", blocker("D-2", false, func(ctx context.Context, env *check.Env) check.Result {
			c, err := env.Plan(check.Undo{What: "D-2's object", Run: func(ctx context.Context) error {
				cleanupCtxErr.Store(fmt.Sprint(ctx.Err()))
				return nil
			}})
			if err != nil {
				return check.Errorf("%v", err)
			}
			c.Created(nil, nil)
			<-ctx.Done()
			return check.Passf("looked fine so far")
		}), check.Error, want},
		{"running, ignores its context", blocker("D-3", false, func(context.Context, *check.Env) check.Result {
			<-release
			return check.Passf("never")
		}), check.Error, want},
		{"not started: a later phase", blocker("D-4", true, func(context.Context, *check.Env) check.Result {
			t.Error("an intrusive check started after the deadline")
			return check.Passf("ran")
		}), check.Error, want},
	}
	var checks []check.Check
	for _, tt := range tests {
		checks = append(checks, tt.check)
	}
	var notices []string
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, Checks: checks,
		Notice: func(s string) { notices = append(notices, s) }})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		r := run.Outcomes[i].Result
		if r.Status != tt.status || !strings.Contains(r.Reason+r.Summary, tt.reason) {
			t.Errorf("%s: %s %q, want %s %q", tt.name, r.Status, r.Summary, tt.status, tt.reason)
		}
	}
	if got := cleanupCtxErr.Load(); got != "<nil>" {
		t.Errorf("the clean-up ran on a context ended by the deadline (%v), or did not run", got)
	}
	if run.Summary.Verdict != "NOT VERIFIED" {
		t.Errorf("verdict %s, want NOT VERIFIED", run.Summary.Verdict)
	}
	if !strings.Contains(strings.Join(notices, "\n"), "the scan deadline (1s) passed") {
		t.Errorf("no notice says the deadline passed: %q", notices)
	}
}

// TestAbandonedCheckSendsNothingAfterTheScan: a check that ignores its
// context entirely, and keeps sending requests on a context of its own,
// is abandoned past its deadline; once the scan has returned, its requests
// are refused and none reaches the portal.
func TestAbandonedCheckSendsNothingAfterTheScan(t *testing.T) {
	var returned atomic.Bool
	var after atomic.Int64
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if returned.Load() {
			after.Add(1)
		}
	}))
	defer portal.Close()
	cfg, err := config.Parse([]byte(fmt.Sprintf("target:\n  url: %s\n  scope: [127.0.0.1]\n  timeouts: {check: 200ms}\n", portal.URL)), "", config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	rogue := blocker("R-1", false, func(_ context.Context, env *check.Env) check.Result {
		for {
			if _, err := env.Client.Do(context.Background(), &client.Request{URL: portal.URL + "/poll"}); err != nil {
				stopped <- err
				return check.Errorf("%v", err)
			}
		}
	})
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Checks: []check.Check{rogue}})
	returned.Store(true)
	if err != nil {
		t.Fatal(err)
	}
	if r := run.Outcomes[0].Result; r.Status != check.Error || !strings.Contains(r.Reason, "abandoned") {
		t.Errorf("R-1 = %s %q, want ERROR abandoned", r.Status, r.Reason)
	}
	// Watch the rogue check until its requests fail (at once: the client
	// is closed) or a few seconds pass (the old client kept sending).
	select {
	case err := <-stopped:
		t.Logf("the abandoned check's requests now fail: %v", err)
	case <-time.After(3 * time.Second):
		t.Error("the abandoned check still sends requests after the scan returned")
	}
	// One request may have been on the wire when the scan returned.
	if n := after.Load(); n > 1 {
		t.Errorf("%d requests of an abandoned check reached the portal after the scan returned", n)
	}
}
