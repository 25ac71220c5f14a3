package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// TestScanEndStopsChecks: when the scan's context ends (its deadline), the
// checks still running are cancelled and every check that did not finish,
// started or not, is ERROR with the scan's reason; a FAIL found before
// stands, and a check that finished before keeps its result.
func TestScanEndStopsChecks(t *testing.T) {
	deadline := errors.New("the scan deadline (1s) passed before it finished")
	// The scan ends once the four blocking checks run and the first has
	// finished.
	const blockers = 4
	ready := make(chan struct{}, blockers+1)
	block := func(ctx context.Context) {
		ready <- struct{}{}
		<-ctx.Done()
	}
	release := make(chan struct{})
	defer close(release)
	tests := []struct {
		name   string
		check  check.Check
		status check.Status
		reason string
	}{
		{"finished before", mk("E-1", func(context.Context) check.Result { return check.Passf("done") }), check.Pass, "done"},
		{"stopped, claims a pass", mk("E-2", func(ctx context.Context) check.Result { block(ctx); return check.Passf("late") }), check.Error, deadline.Error()},
		{"stopped, returns its context error", mk("E-3", func(ctx context.Context) check.Result {
			block(ctx)
			return check.Errorf("%v", ctx.Err())
		}), check.Error, deadline.Error()},
		{"stopped, a failure found on the way stands", mk("E-4", func(ctx context.Context) check.Result {
			block(ctx)
			return check.Failf(nil, "found it")
		}), check.Fail, "found it"},
		{"ignores its context, abandoned", mk("E-5", func(ctx context.Context) check.Result {
			block(ctx)
			<-release
			return check.Passf("never")
		}), check.Error, deadline.Error()},
		{"never started", fake{meta: check.Meta{ID: "E-6", Intrusive: true}, run: func(context.Context) check.Result {
			t.Error("a check of a later phase started after the scan's end")
			return check.Passf("ran")
		}}, check.Error, deadline.Error()},
	}
	var checks []check.Check
	for _, tt := range tests {
		checks = append(checks, tt.check)
	}
	e := env(t, minimal)
	e.Intrusive = true
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		for range blockers + 1 {
			<-ready
		}
		cancel(deadline)
	}()
	progress := func(ev Event) {
		if ev.Kind == Finished && ev.ID == "E-1" {
			ready <- struct{}{}
		}
	}
	out := Run(ctx, checks, e, Options{Timeout: time.Hour, Grace: 50 * time.Millisecond, Concurrency: len(checks), Progress: progress})
	for i, tt := range tests {
		r := out[i].Result
		if r.Status != tt.status || !strings.Contains(r.Reason+r.Summary, tt.reason) {
			t.Errorf("%s: %s %q, want %s %q", tt.name, r.Status, r.Reason+r.Summary, tt.status, tt.reason)
		}
	}
}

// TestShortfallIsNeverAPass: a check some of whose responses did not fit
// in the scan's memory budget judged less than the target sent: its PASS,
// WARN or N/A becomes ERROR with the reason, also when the refusal
// happened in a computation it shared with other checks; a FAIL stands.
func TestShortfallIsNeverAPass(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 4<<20))
	}))
	defer site.Close()
	cl, err := client.New(client.Options{Scope: []string{"127.0.0.1"}, Budget: client.NewBodyBudget(1 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	e := env(t, minimal)
	e.Client = cl
	fetch := func(ctx context.Context) error {
		_, err := cl.Do(ctx, &client.Request{URL: site.URL})
		return err
	}
	shared := func(ctx context.Context) error {
		_, err := check.Shared(ctx, e, "big page", func(ctx context.Context) (bool, error) {
			_ = fetch(ctx) // a crawl that shrugs off one failed page
			return true, nil
		})
		return err
	}
	tests := []struct {
		name   string
		run    func(ctx context.Context) check.Result
		status check.Status
	}{
		{"pass on what it read", func(ctx context.Context) check.Result { _ = fetch(ctx); return check.Passf("nothing found") }, check.Error},
		{"warn on what it read", func(ctx context.Context) check.Result { _ = fetch(ctx); return check.Warnf(nil, "little found") }, check.Error},
		{"n/a on what it read", func(ctx context.Context) check.Result { _ = fetch(ctx); return check.NotApplicable("none") }, check.Error},
		{"a failure stands", func(ctx context.Context) check.Result { _ = fetch(ctx); return check.Failf(nil, "found") }, check.Fail},
		{"pass on a shared result, first user", func(ctx context.Context) check.Result { _ = shared(ctx); return check.Passf("fine") }, check.Error},
		{"pass on a shared result, second user", func(ctx context.Context) check.Result { _ = shared(ctx); return check.Passf("fine") }, check.Error},
		{"pass without the page", func(context.Context) check.Result { return check.Passf("fine") }, check.Pass},
	}
	var checks []check.Check
	for i, tt := range tests {
		checks = append(checks, mk(fmt.Sprintf("M-%d", i), tt.run))
	}
	out := Run(context.Background(), checks, e, Options{Concurrency: 1})
	for i, tt := range tests {
		r := out[i].Result
		if r.Status != tt.status {
			t.Errorf("%s: %s %q, want %s", tt.name, r.Status, r.Summary, tt.status)
		}
		if r.Status == check.Error && !strings.Contains(r.Reason, "did not fit in the scan's memory budget") {
			t.Errorf("%s: reason %q does not say why", tt.name, r.Reason)
		}
	}
}

// TestSharedStopsWithTheScan: a computation checks share outlives the
// check that started it, but a waiting check stops waiting at its own
// deadline, and the computation itself stops when the scan ends.
func TestSharedStopsWithTheScan(t *testing.T) {
	e := env(t, minimal)
	scan, endScan := context.WithCancel(context.Background())
	ctx := check.WithScan(scan)
	stopped := make(chan error, 1)
	compute := func(ctx context.Context) (int, error) {
		<-ctx.Done()
		stopped <- ctx.Err()
		return 0, ctx.Err()
	}
	first, cancelFirst := context.WithCancel(ctx)
	waited := make(chan error, 1)
	go func() {
		_, err := check.Shared(first, e, "slow", compute)
		waited <- err
	}()
	cancelFirst()
	if err := <-waited; !errors.Is(err, context.Canceled) {
		t.Errorf("a caller past its deadline got %v, want its own cancellation", err)
	}
	select {
	case err := <-stopped:
		t.Fatalf("the computation stopped with its first caller: %v", err)
	default:
	}
	endScan()
	if err := <-stopped; err == nil {
		t.Error("the computation did not see the scan's end")
	}
}
