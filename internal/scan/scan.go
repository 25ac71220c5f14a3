// Package scan wires one scan together: config → scoped client and shared
// sessions → runner → score → the Run every reporter renders.
package scan

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
	"github.com/launchready/launchready/internal/owner"
	"github.com/launchready/launchready/internal/report"
	"github.com/launchready/launchready/internal/runner"
	"github.com/launchready/launchready/internal/score"
)

// Options tune a scan.
type Options struct {
	// Version is the tool version (User-Agent and reports).
	Version string
	// Only restricts the run to these check IDs.
	Only []string
	// FailOn is the lowest severity whose FAIL makes a NO-GO.
	FailOn check.Severity
	// Intrusive is the user's consent to intrusive checks.
	Intrusive bool
	// Progress receives runner events.
	Progress func(runner.Event)
	// Checks overrides the registry (tests); nil means checks.All().
	Checks []check.Check
	// Notice receives lines for the user before and after the run (the
	// side-effect budget, accounts left behind).
	Notice func(string)
	// JournalDir is where the journal of what the scan creates is
	// written (journal.Dir for the CLI); "" keeps no journal file, for
	// tests that have no use for one.
	JournalDir string
	// Abort, when it ends, aborts the clean-up (a second Ctrl-C); nil
	// never does.
	Abort context.Context
	// Deadline bounds the whole scan in place of target.timeouts.scan (0:
	// the config's); the --deadline flag sets it.
	Deadline time.Duration
	// OwnerKey is the operator key that checks ownership proofs (nil when
	// none was found; OwnerKeyErr then says why): with it, a host that is
	// not on loopback gets intrusive checks when it publishes the proof.
	OwnerKey    owner.Key
	OwnerKeyErr error

	// verifier replaces the proof look-ups (tests: a local DNS server and
	// CA in place of the system's).
	verifier *owner.Verifier
	// tune adjusts the client (tests: documentation addresses dialed on
	// loopback).
	tune []func(*client.Options)
}

// UsageError is a problem with how the scan was asked for (exit 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// summaryOptions tells the scorer what the run was narrowed to (the
// checks --only selected, in registry order) and which areas a full run
// covers, so an area left out is NOT RUN rather than NOT COVERED.
func summaryOptions(all, selected []check.Check, opts Options) score.Options {
	so := score.Options{FailOn: opts.FailOn}
	for _, c := range all {
		if a := c.Meta().Area; !slices.Contains(so.Implemented, a) {
			so.Implemented = append(so.Implemented, a)
		}
	}
	if len(opts.Only) > 0 {
		for _, c := range selected {
			so.Only = append(so.Only, c.Meta().ID)
		}
	}
	return so
}

// Select returns the checks to run: all, or those named by --only.
func Select(all []check.Check, only []string) ([]check.Check, error) {
	if len(only) == 0 {
		return all, nil
	}
	byID := map[string]check.Check{}
	for _, c := range all {
		byID[strings.ToUpper(c.Meta().ID)] = c
	}
	var out []check.Check
	seen := map[string]bool{}
	for _, id := range only {
		id = strings.ToUpper(strings.TrimSpace(id))
		if id == "" || seen[id] {
			continue
		}
		c, ok := byID[id]
		if !ok {
			return nil, &UsageError{Msg: fmt.Sprintf("--only %s: no such check (see `launchready checks`)", id)}
		}
		seen[id] = true
		out = append(out, c)
	}
	// Keep registry order so reports read the same whatever the flag order.
	ordered := make([]check.Check, 0, len(out))
	for _, c := range all {
		if seen[strings.ToUpper(c.Meta().ID)] {
			ordered = append(ordered, c)
		}
	}
	return ordered, nil
}

// Execute runs the scan described by cfg.
func Execute(ctx context.Context, cfg *config.Config, opts Options) (*report.Run, error) {
	all := opts.Checks
	if all == nil {
		all = checks.All()
	}
	selected, err := Select(all, opts.Only)
	if err != nil {
		return nil, err
	}
	cl, sessions, err := client.FromConfig(cfg, opts.Version, opts.tune...)
	if err != nil {
		return nil, err
	}
	// Nothing sends a request once the scan has returned, not even a check
	// the runner abandoned past its deadline.
	defer closeClients(cl, sessions.Mailbox())
	env := &check.Env{Config: cfg, Client: cl, Sessions: sessions, Intrusive: opts.Intrusive}
	start := time.Now()
	red := cl.Redactor()
	notice := func(string) {}
	if opts.Notice != nil {
		notice = func(s string) { opts.Notice(red.Redact(s)) }
	}
	// The checks run under the scan's deadline; the clean-up after them
	// does not (it runs on ctx).
	deadline := cmp.Or(opts.Deadline, cfg.Target.Timeouts.Scan, config.DefaultScanTimeout)
	sctx, stop := context.WithTimeoutCause(ctx, deadline, fmt.Errorf("the scan deadline (%s) passed before it finished", deadline))
	defer stop()
	// Each host is pinned to the addresses it has now, for the whole scan.
	cl.Pin(sctx)
	if mb := sessions.Mailbox(); mb != nil {
		mb.Client.Pin(sctx)
	}
	if opts.Intrusive {
		v, keyErr := opts.verifier, opts.OwnerKeyErr
		if v == nil && opts.OwnerKey != nil {
			v = &owner.Verifier{Key: opts.OwnerKey}
		}
		if v == nil && keyErr == nil {
			keyErr = owner.ErrNoKey
		}
		env.Intrusive, env.ConsentNote = consent(sctx, env, v, keyErr)
	}
	b, n, wrongPW := budget(selected, cfg)
	env.WrongPasswords = check.NewWrongPasswords(cfg, sessions, b.WrongPasswords, wrongPW...)
	if env.Intrusive && n > 0 {
		startJournal(env, opts, start, notice)
	}
	if env.Intrusive && n > 0 {
		notice(budgetNotice(b, n, wrongPW))
	}
	outcomes := runner.Run(sctx, selected, env, runner.Options{Timeout: cfg.Target.Timeouts.Check, Progress: redactProgress(opts.Progress, red),
		BeforePhase: beforePhase(env, cfg.Target.Timeouts.Check)})
	if sctx.Err() != nil && ctx.Err() == nil {
		notice(fmt.Sprintf("the scan deadline (%s) passed: the checks still running were stopped and are reported as ERROR; clean-up follows", deadline))
	}
	redactOutcomes(cl.Redactor(), outcomes)
	// Clean-up runs on its own deadline even after Ctrl-C canceled ctx.
	leftovers := cleanUp(ctx, env, start, opts.Abort, notice)
	spent := wrongPasswordsSpent(env)
	if spent != nil {
		notice("wrong-password attempts: " + spent.Text())
	}
	tr := trafficOf(cl, sessions.Mailbox())
	// Refusals were redacted when recorded; a value learnt since is
	// masked now, as in the outcomes.
	for _, list := range [][]string{tr.outOfScope, tr.noConsent, leftovers} {
		for i := range list {
			list[i] = red.Redact(list[i])
		}
	}
	return &report.Run{
		ToolVersion:    opts.Version,
		Target:         cfg.Target.URL,
		Started:        start,
		Duration:       time.Since(start),
		Summary:        score.SummarizeWith(outcomes, summaryOptions(all, selected, opts)),
		Outcomes:       outcomes,
		OutOfScope:     tr.outOfScope,
		NoConsent:      tr.noConsent,
		Requests:       tr.requests,
		Leftovers:      leftovers,
		WrongPasswords: spent,
		Intrusive:      env.Intrusive,
		NotTested:      report.NotTested,
	}, nil
}

// startJournal creates the run's journal in opts.JournalDir before
// anything is created, and prints its path. When it cannot be written,
// intrusive checks are withheld: nothing is made that the clean-up could
// not find again after a kill.
func startJournal(env *check.Env, opts Options, start time.Time, notice func(string)) {
	if opts.JournalDir == "" {
		return
	}
	path := env.Config.Path
	if path != "" {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	j, err := journal.Create(opts.JournalDir, journal.Header{Tool: opts.Version, Target: env.Config.Target.URL, Config: path, Started: start})
	if err != nil {
		env.Intrusive, env.ConsentNote = false, "the journal of what the scan creates cannot be written: "+err.Error()
		notice("intrusive checks withheld: " + env.ConsentNote)
		return
	}
	env.Journal = j
	notice("journal of what this scan creates (0600; removed after a clean finish):\n  " + j.Path())
}

// closeClients ends the scan's clients: requests still under way are
// cancelled and later ones refused.
func closeClients(cl *client.Client, mb *client.Mailbox) {
	cl.Close()
	if mb != nil {
		mb.Client.Close()
	}
}

// budgetNotice states the side-effect budget, the wrong-password attempts
// as one budget with the checks that share it.
func budgetNotice(b check.Budget, n int, wrongPW []string) string {
	msg := fmt.Sprintf("side-effect budget of %d checks: at most %d accounts created (tagged, deleted at the end), %d mails sent, %d wrong-password attempts",
		n, b.Accounts, b.Mails, b.WrongPasswords)
	if len(wrongPW) > 0 {
		msg += fmt.Sprintf(" (one budget: %s; sent last, after the clean-up logins, only to accounts the scan creates or to unknown addresses, never to a, b or admin)",
			strings.Join(wrongPW, ", "))
	}
	if b.Objects > 0 {
		msg += fmt.Sprintf(", %d objects created as member a (deleted at the end)", b.Objects)
	}
	return msg
}

// beforePhase makes the clean-up logins (each bounded like a check) once
// every other check has finished and before the checks that send wrong
// passwords start.
func beforePhase(env *check.Env, timeout time.Duration) func(context.Context, runner.Phase) {
	return func(ctx context.Context, p runner.Phase) {
		if p != runner.WrongPasswords || !env.Intrusive {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cleanupLogins(ctx, env)
	}
}

// wrongPasswordsSpent is what the one wrong-password budget allowed and
// spent, or nil when no check that sends wrong passwords had consent.
func wrongPasswordsSpent(env *check.Env) *report.WrongPasswords {
	w := env.WrongPasswords
	if !env.Intrusive || w.Limit() == 0 {
		return nil
	}
	return &report.WrongPasswords{Budget: w.Limit(), Sent: w.Sent(), Refused: w.Refused(), Checks: w.Checks()}
}

// traffic is what a scan's clients sent and refused.
type traffic struct {
	requests              int
	outOfScope, noConsent []string
}

// trafficOf sums the scan's client and the inbox's (mb nil when there is
// none): the report accounts for every request the scanner made, to the
// target or to the operator's own inbox, and every one it refused.
func trafficOf(cl *client.Client, mb *client.Mailbox) traffic {
	t := traffic{requests: cl.Requests(), outOfScope: cl.OutOfScope(), noConsent: cl.NoConsent()}
	if mb != nil {
		t.requests += mb.Client.Requests()
		t.outOfScope = append(t.outOfScope, mb.Client.OutOfScope()...)
		t.noConsent = append(t.noConsent, mb.Client.NoConsent()...)
	}
	return t
}

// redactProgress masks what a progress event shows of a finished check:
// the progress line is printed before the run ends, and so before
// redactOutcomes.
func redactProgress(fn func(runner.Event), red *client.Redactor) func(runner.Event) {
	if fn == nil {
		return nil
	}
	return func(ev runner.Event) {
		r := &ev.Outcome.Result
		r.Summary, r.Reason = red.Redact(r.Summary), red.Redact(r.Reason)
		fn(ev)
	}
}

// redactOutcomes masks, once more before any report is written, every
// value the redactor learnt during the run: a secret one check found can
// sit in a body another check quoted before it was known.
func redactOutcomes(red *client.Redactor, outs []check.Outcome) {
	for i := range outs {
		r := &outs[i].Result
		r.Summary, r.Reason = red.Redact(r.Summary), red.Redact(r.Reason)
		for j := range r.Evidence {
			ev := &r.Evidence[j]
			ev.Request, ev.Detail, ev.Repro = red.Redact(ev.Request), red.Redact(ev.Detail), red.Redact(ev.Repro)
		}
		if r.Table != nil {
			r.Table.Title = red.Redact(r.Table.Title)
			for j := range r.Table.Rows {
				row := &r.Table.Rows[j]
				row.Label = red.Redact(row.Label)
				for k := range row.Cells {
					row.Cells[k] = red.Redact(row.Cells[k])
				}
			}
		}
	}
}
