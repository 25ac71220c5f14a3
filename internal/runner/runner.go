// Package runner runs checks concurrently with a per-check deadline. It turns
// a panic into ERROR, missing config into SKIP, a flow declared absent into
// N/A, and runs intrusive checks last and only with consent, those that
// send wrong passwords after every other.
package runner

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// EventKind says what a progress event reports.
type EventKind int

// Progress event kinds.
const (
	Started EventKind = iota
	Finished
)

// Event is one progress notification.
type Event struct {
	Kind    EventKind
	ID      string
	Outcome check.Outcome // set for Finished
	// Done and Total count finished and planned checks.
	Done, Total int
}

// Options tune a run.
type Options struct {
	// Timeout bounds one check (default 2 minutes).
	Timeout time.Duration
	// Concurrency caps checks running at once (default 6).
	Concurrency int
	// Progress, when set, receives events; calls are serialised.
	Progress func(Event)
	// Grace is how long past its deadline a check that ignores its context
	// is waited for before it is abandoned as ERROR (default 2 s).
	Grace time.Duration
	// BeforePhase, when set, is called before each phase that has checks
	// to run, once every check of the earlier phases has finished; the
	// scan logs its clean-up sessions in before WrongPasswords this way.
	BeforePhase func(ctx context.Context, p Phase)
}

// Phase is one stage of a run: every check of a phase finishes before the
// next phase starts.
type Phase int

// The phases, in the order they run.
const (
	// Ordinary checks have no side effects.
	Ordinary Phase = iota
	// Intrusive checks create accounts, send mail or write. They run after
	// every ordinary check, so a lockout or a WAF block they provoke
	// cannot spoil the others.
	Intrusive
	// WrongPasswords checks send wrong passwords (Budget.WrongPasswords >
	// 0): last, after every other intrusive check, and one at a time, in
	// the given order. A lockout they provoke can then stop nothing else,
	// one's burst never lands in another's timing samples, and a journey
	// that changes a password (AUTH-005) is over before the next check
	// sends wrong ones to the same account.
	WrongPasswords
)

var phases = []Phase{Ordinary, Intrusive, WrongPasswords}

// PhaseOf returns the phase a check runs in.
func PhaseOf(m check.Meta) Phase {
	switch {
	case m.Budget.WrongPasswords > 0:
		return WrongPasswords
	case m.Intrusive:
		return Intrusive
	}
	return Ordinary
}

// String names the phase.
func (p Phase) String() string {
	switch p {
	case Ordinary:
		return "ordinary"
	case Intrusive:
		return "intrusive"
	case WrongPasswords:
		return "wrong-passwords"
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// Run executes the checks and returns their outcomes in the given order.
// ctx is the scan's: when it ends (the scan's deadline), the checks still
// running are cancelled and, with those not started, are ERROR saying
// why (context.Cause(ctx)); Run returns once each has returned or been
// abandoned.
func Run(ctx context.Context, checks []check.Check, env *check.Env, opts Options) []check.Outcome {
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 6
	}
	if opts.Grace <= 0 {
		opts.Grace = 2 * time.Second
	}
	ctx = check.WithScan(ctx)
	out := make([]check.Outcome, len(checks))
	var mu sync.Mutex
	done := 0
	report := func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Kind == Finished {
			done++
		}
		ev.Done, ev.Total = done, len(checks)
		if opts.Progress != nil {
			opts.Progress(ev)
		}
	}
	for _, phase := range phases {
		var idx []int
		for i, c := range checks {
			if PhaseOf(c.Meta()) == phase {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		if opts.BeforePhase != nil && ctx.Err() == nil {
			opts.BeforePhase(ctx, phase)
		}
		limit := opts.Concurrency
		if phase == WrongPasswords {
			limit = 1
		}
		runPhase(idx, limit, func(i int) {
			c := checks[i]
			report(Event{Kind: Started, ID: c.Meta().ID})
			out[i] = runOne(ctx, c, env, opts)
			report(Event{Kind: Finished, ID: c.Meta().ID, Outcome: out[i]})
		})
	}
	return out
}

// runPhase calls run for each index, at most limit at once, starting them
// in the given order, and returns when all have returned.
func runPhase(idx []int, limit int, run func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, i := range idx {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			run(i)
		})
	}
	wg.Wait()
}

// runOne decides whether the check may run, then runs it under its deadline.
func runOne(ctx context.Context, c check.Check, env *check.Env, opts Options) check.Outcome {
	meta := c.Meta()
	start := time.Now()
	res, ok := gate(meta, env)
	switch {
	case ok && ctx.Err() != nil:
		res = scanOver(ctx)
	case ok:
		res = execute(ctx, c, env, opts)
	}
	return check.Outcome{Meta: meta, Result: normalise(res), Duration: time.Since(start)}
}

// gate returns the SKIP or N/A result when the check cannot run.
func gate(meta check.Meta, env *check.Env) (check.Result, bool) {
	for _, need := range meta.Needs {
		state, why := env.Config.Need(need)
		switch state {
		case config.NeedAbsent:
			return check.NotApplicable("%s", why), false
		case config.NeedMissing:
			return check.Skipped(why, "add "+config.NeedConfigKeys(need)+" to launchready.yaml"), false
		}
	}
	if meta.Intrusive && !env.Intrusive && env.ConsentNote != "" {
		return check.Skipped("intrusive check: "+env.ConsentNote, "publish the value `launchready token HOST` prints for the target host (TXT _launchready.HOST or https://HOST/.well-known/launchready.txt)"), false
	}
	if meta.Intrusive && !env.Intrusive {
		return check.Skipped("intrusive check: it creates data or sends mail, bursts or writes, so it runs only with consent",
			"re-run with --intrusive (a host off loopback also needs the proof `launchready token HOST` prints)"), false
	}
	return check.Result{}, true
}

// execute runs the check in its own goroutine so a check that ignores its
// context cannot hang the run; a panic becomes ERROR.
func execute(ctx context.Context, c check.Check, env *check.Env, opts Options) check.Result {
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if c.Meta().Intrusive {
		// Every request it sends, reads included, needs consent for its
		// host: the client refuses the others.
		cctx = client.WithIntrusive(cctx)
	}
	short := &client.Shortfall{}
	cctx = client.WithShortfall(cctx, short)
	ch := make(chan check.Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- check.Errorf("the check panicked: %v (%s)", p, firstFrame(debug.Stack()))
			}
		}()
		ch <- c.Run(cctx, env)
	}()
	select {
	case r := <-ch:
		return judged(ctx, cctx, r, short, opts)
	case <-cctx.Done():
	}
	grace := time.NewTimer(opts.Grace)
	defer grace.Stop()
	select {
	case r := <-ch:
		return judged(ctx, cctx, r, short, opts)
	case <-grace.C:
		if ctx.Err() != nil {
			return scanOver(ctx)
		}
		return check.Errorf("did not finish within %s and ignored its deadline; abandoned", opts.Timeout)
	}
}

// judged is a check's result once its circumstances are known: a check
// stopped by the scan's end, or by its own deadline, did not finish its
// work, and one some of whose responses did not fit in the scan's memory
// budget judged less than the target sent: neither passes. A FAIL found
// on the way stands.
func judged(scan, cctx context.Context, r check.Result, short *client.Shortfall, opts Options) check.Result {
	unfinished := r.Status == check.Pass || r.Status == check.Warn || r.Status == check.NA
	switch {
	case scan.Err() != nil && (unfinished || r.Status == check.Error):
		return scanOver(scan)
	case cctx.Err() != nil && r.Status == check.Pass:
		return check.Errorf("did not finish within %s", opts.Timeout)
	}
	if err := short.Err(); err != nil && unfinished {
		return check.Errorf("%v", err)
	}
	return r
}

// scanOver is the result of a check the scan's end stopped or never
// started.
func scanOver(scan context.Context) check.Result {
	// The scan names its deadline in the cause; a bare cancellation is an
	// interruption (Ctrl-C).
	switch cause := context.Cause(scan); cause {
	case context.Canceled:
		return check.Errorf("the scan was interrupted before it finished")
	case context.DeadlineExceeded:
		return check.Errorf("the scan's deadline passed before it finished")
	default:
		return check.Errorf("%v", cause)
	}
}

// normalise guards the result contract: an empty status is a bug in the
// check, never a pass.
func normalise(r check.Result) check.Result {
	switch r.Status {
	case check.Pass, check.Fail, check.Warn, check.Skip, check.NA, check.Error:
	default:
		return check.Errorf("the check returned no status (%q)", r.Status)
	}
	if r.Summary == "" {
		r.Summary = strings.ToLower(string(r.Status))
	}
	return r
}

// firstFrame picks the panicking function's line out of a stack trace.
func firstFrame(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") && i+3 < len(lines) {
			return strings.TrimSpace(lines[i+3])
		}
	}
	return fmt.Sprintf("%d-byte stack", len(stack))
}
