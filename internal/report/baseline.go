package report

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// Change says how a finding compares with the baseline run.
type Change string

// The changes a finding can have. Fixed findings are the baseline's and
// are listed apart (Baseline.Fixed), since this run has no outcome for them.
const (
	ChangeNew       Change = "new"
	ChangeUnchanged Change = "unchanged"
	ChangeFixed     Change = "fixed"
)

// Baseline is the comparison of a run with an earlier one (--baseline).
// A finding is a FAIL or WARN check; it is the same finding in both runs
// when its check ID and its identities match: a secret's fingerprint, or
// else the method, path (IDs in it generalised) and file of its first
// evidence.
type Baseline struct {
	// Started, Target and Verdict are the baseline run's.
	Started time.Time     `json:"started"`
	Target  string        `json:"target"`
	Verdict score.Verdict `json:"verdict"`
	// Changes holds, by check ID, each current finding's change.
	Changes map[string]FindingChange `json:"-"`
	// Fixed lists the baseline's findings that this run verified gone:
	// their check reached PASS or N/A, or reports none of their
	// identities any more.
	Fixed []FixedFinding `json:"fixed"`
	// NotRechecked names the baseline's findings whose check this run did
	// not verify (not run, SKIP or ERROR): neither fixed nor still there.
	NotRechecked []string `json:"not_rechecked"`
}

// FindingChange is one current finding's change and, for findings with
// several identities (secrets), how many of them are new.
type FindingChange struct {
	Change Change `json:"change"`
	// New counts the identities the baseline did not have, of Total.
	New   int `json:"new_identities,omitempty"`
	Total int `json:"identities,omitempty"`
}

// FixedFinding is a baseline finding this run found fixed, whole or in
// part (Identities of its identities are gone; the check may still fail
// on others).
type FixedFinding struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	Severity   check.Severity `json:"severity"`
	Summary    string         `json:"summary"`
	Identities int            `json:"identities"`
	// Partly is true when the check still reports other identities.
	Partly bool `json:"partly,omitempty"`
}

// Compare marks run's findings against old's and sets run.Baseline.
func Compare(run, old *Run) {
	b := &Baseline{Started: old.Started, Target: old.Target, Verdict: old.Summary.Verdict, Changes: map[string]FindingChange{}}
	before := map[string]check.Outcome{}
	for _, o := range old.Outcomes {
		if isFinding(o) {
			before[o.Meta.ID] = o
		}
	}
	now := map[string]check.Outcome{}
	for _, o := range run.Outcomes {
		now[o.Meta.ID] = o
		if !isFinding(o) {
			continue
		}
		ids := identities(o)
		prev, ok := before[o.Meta.ID]
		if !ok {
			b.Changes[o.Meta.ID] = FindingChange{Change: ChangeNew, New: len(ids), Total: len(ids)}
			continue
		}
		had := identities(prev)
		fresh := 0
		for _, id := range ids {
			if !slices.Contains(had, id) {
				fresh++
			}
		}
		c := FindingChange{Change: ChangeUnchanged, New: fresh, Total: len(ids)}
		if fresh > 0 {
			c.Change = ChangeNew
		}
		b.Changes[o.Meta.ID] = c
	}
	for _, prev := range old.Outcomes {
		if !isFinding(prev) {
			continue
		}
		cur, ran := now[prev.Meta.ID]
		switch {
		case !ran || cur.Result.Status == check.Skip || cur.Result.Status == check.Error:
			b.NotRechecked = append(b.NotRechecked, prev.Meta.ID)
		case !isFinding(cur):
			b.Fixed = append(b.Fixed, fixedFinding(prev, len(identities(prev)), false))
		default:
			had, has := identities(prev), identities(cur)
			gone := 0
			for _, id := range had {
				if !slices.Contains(has, id) {
					gone++
				}
			}
			// One finding with one identity that moved (another path) is
			// a new finding, and the old one is fixed.
			if gone > 0 {
				b.Fixed = append(b.Fixed, fixedFinding(prev, gone, gone < len(had) || len(has) > 0))
			}
		}
	}
	run.Baseline = b
}

func fixedFinding(o check.Outcome, n int, partly bool) FixedFinding {
	return FixedFinding{ID: o.Meta.ID, Title: o.Meta.Title, Severity: o.Meta.Severity, Summary: o.Result.Summary, Identities: n, Partly: partly}
}

// isFinding reports whether an outcome is a finding: FAIL or WARN.
func isFinding(o check.Outcome) bool {
	return o.Result.Status == check.Fail || o.Result.Status == check.Warn
}

// identities lists what makes a finding the same across runs: each
// evidence fingerprint (secrets), else the first evidence's method, path
// and file, else nothing more than the check ID.
func identities(o check.Outcome) []string {
	var ids []string
	for _, e := range o.Result.Evidence {
		if e.Fingerprint != "" && !slices.Contains(ids, e.Fingerprint) {
			ids = append(ids, e.Fingerprint)
		}
	}
	if len(ids) > 0 {
		return ids
	}
	if len(o.Result.Evidence) == 0 {
		return []string{""}
	}
	e := o.Result.Evidence[0]
	id := requestIdentity(e.Request)
	if e.Location != nil {
		id += " " + e.Location.File
	}
	return []string{id}
}

// idSegment matches a path segment that names one object rather than a
// route: digits, a UUID, or a token of hex or mixed letters and digits
// long enough to be generated.
var idSegment = regexp.MustCompile(`^(\d+|[0-9a-fA-F-]{32,36}|[A-Za-z]*_?[0-9a-fA-F]{8,}|[A-Za-z0-9_-]{20,})$`)

// requestIdentity is "METHOD /path" of a "METHOD URL" with the scheme,
// host, port and query left out and object IDs generalised, so a run that
// created new objects (canaries) or ran on another port compares equal.
func requestIdentity(req string) string {
	method, raw, ok := strings.Cut(req, " ")
	if !ok {
		return req
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return req
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// Text says in one line what changed since the baseline ("since the
// baseline of 2026-12-01T10:00:00Z: 2 new blockers, 3 fixed, 15
// unchanged"), for every format's headline.
func (b *Baseline) Text(run *Run) string {
	if b == nil {
		return ""
	}
	var newBlockers, newOther, unchanged int
	for _, o := range run.Outcomes {
		c, ok := b.Changes[o.Meta.ID]
		if !ok {
			continue
		}
		switch {
		case c.Change == ChangeUnchanged:
			unchanged++
		case o.Result.Status == check.Fail && o.Meta.Severity >= run.Summary.FailOn:
			newBlockers++
		default:
			newOther++
		}
	}
	what := "blockers"
	if run.Summary.FailOn != check.Blocker {
		what = "failures at or above " + run.Summary.FailOn.String()
	} else if newBlockers == 1 {
		what = "blocker"
	}
	parts := []string{fmt.Sprintf("%d new %s", newBlockers, what)}
	if newOther > 0 {
		parts = append(parts, fmt.Sprintf("%d other new %s", newOther, plural(newOther, "finding", "findings")))
	}
	parts = append(parts, fmt.Sprintf("%d fixed", len(b.Fixed)), fmt.Sprintf("%d unchanged", unchanged))
	if n := len(b.NotRechecked); n > 0 {
		parts = append(parts, fmt.Sprintf("%d not re-checked", n))
	}
	return fmt.Sprintf("since the baseline of %s (%s): %s", startedText(b.Started), b.Verdict, strings.Join(parts, ", "))
}

// Headline is the run's headline with, when compared with a baseline,
// what changed since it.
func (r *Run) Headline() string {
	if r.Baseline == nil {
		return r.Summary.Headline
	}
	return r.Summary.Headline + " — " + r.Baseline.Text(r)
}

// change is a finding's change; ok is false without a baseline or for a
// check that is no finding.
func (b *Baseline) change(id string) (FindingChange, bool) {
	if b == nil {
		return FindingChange{}, false
	}
	c, ok := b.Changes[id]
	return c, ok
}

// ChangeOf is a finding's change against the baseline, "" without one.
func (r *Run) ChangeOf(id string) Change {
	if r.Baseline == nil {
		return ""
	}
	return r.Baseline.Changes[id].Change
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
