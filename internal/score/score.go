// Package score turns check outcomes into the verdict, the readiness score,
// the per-area scorecard rows and the headline. It is pure: no I/O.
package score

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/launchready/launchready/internal/check"
)

// Verdict is the go/no-go answer.
type Verdict string

// The three verdicts.
const (
	Go          Verdict = "GO"
	NoGo        Verdict = "NO-GO"
	NotVerified Verdict = "NOT VERIFIED"
)

// ExitCode maps a verdict to the process exit code the SPEC fixes.
func (v Verdict) ExitCode() int {
	switch v {
	case NoGo:
		return 1
	case NotVerified:
		return 3
	}
	return 0
}

// Area statuses shown on the scorecard.
const (
	AreaPass        = "PASS"
	AreaFail        = "FAIL"
	AreaWarn        = "WARN"
	AreaNotVerified = "NOT VERIFIED"
	AreaNotCovered  = "NOT COVERED"
	// AreaNA is an area whose every check was not applicable to this
	// portal or config (no source: section for the repository checks):
	// nothing was verified, so it is no PASS.
	AreaNA = "N/A"
	// AreaNotRun is an area that has implemented checks, none of which
	// this run ran (narrowed by --only, or a command that runs one area):
	// unlike NOT COVERED, a full scan would cover it.
	AreaNotRun = "NOT RUN"
)

// AreaStatuses lists every area status, for readers that validate one.
var AreaStatuses = []string{AreaPass, AreaFail, AreaWarn, AreaNotVerified, AreaNotCovered, AreaNA, AreaNotRun}

// AreaRow is one scorecard row.
type AreaRow struct {
	Area   string `json:"area"`
	Status string `json:"status"`
	// Checks counts the checks that ran in the area.
	Checks int `json:"checks"`
}

// Summary is everything derived from a run's outcomes.
type Summary struct {
	Verdict  Verdict
	Score    int
	FailOn   check.Severity
	Areas    []AreaRow
	Headline string
	// Blockers counts blocker checks that ran; BlockersVerified those that
	// reached PASS, FAIL or WARN (or N/A).
	Blockers, BlockersVerified, BlockersFailed int
	// ToVerify lists, deduplicated, what would let skipped or errored
	// blocker checks run.
	ToVerify []string
	// Only names the checks a partial run was narrowed to (--only); empty
	// for a full run. Partial reports whether it is set.
	Only []string
	// Applicable counts the checks that ran and applied (all but N/A);
	// Verified those that reached a verdict of their own (PASS, FAIL or
	// WARN). The score is over the applicable ones.
	Applicable, Verified int
	// AreasCovered counts the scorecard areas with a verdict (PASS, WARN
	// or FAIL) out of all len(check.Areas).
	AreasCovered int
}

// Partial reports whether --only narrowed the run.
func (s Summary) Partial() bool { return len(s.Only) > 0 }

// Options are what Summarize needs besides the outcomes.
type Options struct {
	// FailOn is the lowest severity whose FAIL makes NO-GO.
	FailOn check.Severity
	// Only names the checks --only asked for; empty for a full run.
	Only []string
	// Implemented names the areas some implemented check belongs to: an
	// area among them with no outcome is NOT RUN, not NOT COVERED. Nil
	// makes every area with no outcome NOT COVERED.
	Implemented []string
}

// weight is each severity's share of the readiness score.
func weight(s check.Severity) float64 {
	switch s {
	case check.Blocker:
		return 10
	case check.Major:
		return 5
	case check.Minor:
		return 2
	}
	return 0
}

// Verdict applies the SPEC's rule, first match wins: NO-GO if any check at or
// above failOn FAILs; NOT VERIFIED if any blocker is ERROR or SKIP; else GO.
// WARN and N/A never count.
func VerdictOf(outcomes []check.Outcome, failOn check.Severity) Verdict {
	for _, o := range outcomes {
		if o.Result.Status == check.Fail && o.Meta.Severity >= failOn {
			return NoGo
		}
	}
	for _, o := range outcomes {
		if o.Meta.Severity == check.Blocker && (o.Result.Status == check.Error || o.Result.Status == check.Skip) {
			return NotVerified
		}
	}
	return Go
}

// Score is the readiness score 0–100 weighted by severity: PASS earns the
// full weight, WARN half, FAIL, ERROR and SKIP nothing; N/A is left out.
func Score(outcomes []check.Outcome) int {
	var earned, possible float64
	for _, o := range outcomes {
		w := weight(o.Meta.Severity)
		switch o.Result.Status {
		case check.NA:
			continue
		case check.Pass:
			earned += w
		case check.Warn:
			earned += w / 2
		}
		possible += w
	}
	if possible == 0 {
		return 0
	}
	return int(math.Round(100 * earned / possible))
}

// Areas builds the scorecard rows in catalog order. An area with no outcome
// is NOT COVERED, one whose checks were all N/A is N/A; otherwise FAIL beats NOT VERIFIED beats WARN beats PASS.
func Areas(outcomes []check.Outcome) []AreaRow { return areaRows(outcomes, nil) }

// areaRows is Areas where an area named in implemented with no outcome is
// NOT RUN.
func areaRows(outcomes []check.Outcome, implemented []string) []AreaRow {
	rows := make([]AreaRow, 0, len(check.Areas))
	for _, area := range check.Areas {
		row := AreaRow{Area: area, Status: AreaNotCovered}
		if slices.Contains(implemented, area) {
			row.Status = AreaNotRun
		}
		var fail, unverified, warn bool
		applicable := 0
		for _, o := range outcomes {
			if o.Meta.Area != area {
				continue
			}
			row.Checks++
			if o.Result.Status != check.NA {
				applicable++
			}
			switch o.Result.Status {
			case check.Fail:
				fail = true
			case check.Error, check.Skip:
				unverified = true
			case check.Warn:
				warn = true
			}
		}
		switch {
		case row.Checks == 0:
			// NOT COVERED or NOT RUN, as set above.
		case applicable == 0:
			row.Status = AreaNA
		case fail:
			row.Status = AreaFail
		case unverified:
			row.Status = AreaNotVerified
		case warn:
			row.Status = AreaWarn
		default:
			row.Status = AreaPass
		}
		rows = append(rows, row)
	}
	return rows
}

// Summarize computes the verdict, score, rows and headline of a full run
// whose areas with no outcome are NOT COVERED.
func Summarize(outcomes []check.Outcome, failOn check.Severity) Summary {
	return SummarizeWith(outcomes, Options{FailOn: failOn})
}

// SummarizeWith computes the verdict, score, rows, coverage and headline.
func SummarizeWith(outcomes []check.Outcome, opts Options) Summary {
	s := Summary{
		Verdict: VerdictOf(outcomes, opts.FailOn),
		Score:   Score(outcomes),
		FailOn:  opts.FailOn,
		Areas:   areaRows(outcomes, opts.Implemented),
		Only:    slices.Clone(opts.Only),
	}
	for _, o := range outcomes {
		switch o.Result.Status {
		case check.NA:
			continue
		case check.Pass, check.Fail, check.Warn:
			s.Verified++
		}
		s.Applicable++
	}
	for _, row := range s.Areas {
		if verifiedArea(row.Status) {
			s.AreasCovered++
		}
	}
	enable := map[string]bool{}
	for _, o := range outcomes {
		if o.Meta.Severity != check.Blocker {
			continue
		}
		s.Blockers++
		switch o.Result.Status {
		case check.Pass, check.Fail, check.Warn, check.NA:
			s.BlockersVerified++
		default:
			hint := o.Result.Enable
			if hint == "" {
				hint = "fix the error in " + o.Meta.ID + " and re-run with --only " + o.Meta.ID
			}
			enable[hint] = true
		}
		if o.Result.Status == check.Fail {
			s.BlockersFailed++
		}
	}
	for h := range enable {
		s.ToVerify = append(s.ToVerify, h)
	}
	sort.Strings(s.ToVerify)
	s.Headline = headline(s, outcomes)
	return s
}

// verifiedArea reports whether an area status is a verdict on the area.
func verifiedArea(status string) bool {
	return status == AreaPass || status == AreaWarn || status == AreaFail
}

// headline leads with the verdict, then says what it covers: the areas
// verified, not verified, not run and not covered, and how many checks
// reached a verdict. A NO-GO never shows the score; a partial run says so;
// a run that left blockers unverified says what would verify them.
func headline(s Summary, outcomes []check.Outcome) string {
	var b strings.Builder
	b.WriteString(string(s.Verdict))
	total := len(check.Areas)
	switch s.Verdict {
	case NoGo:
		failed := failedIDs(outcomes, s.FailOn)
		what := plural(len(failed), "blocker", "blockers")
		if s.FailOn != check.Blocker {
			what = plural(len(failed), "check", "checks") + " at or above " + s.FailOn.String()
		}
		fmt.Fprintf(&b, ": %d %s failed (%s)", len(failed), what, failedByArea(outcomes, s.FailOn))
	case NotVerified:
		fmt.Fprintf(&b, ": no blocker failed, but %d of %d blocker %s could not be verified",
			s.Blockers-s.BlockersVerified, s.Blockers, plural(s.Blockers, "check", "checks"))
	case Go:
		fmt.Fprintf(&b, " for %d of %d areas", s.AreasCovered, total)
	}
	if s.Partial() {
		fmt.Fprintf(&b, " (partial: %s)", onlyText(s.Only))
	}
	b.WriteString(" — ")
	var parts []string
	if s.Verdict != Go {
		parts = append(parts, fmt.Sprintf("%d of %d areas verified", s.AreasCovered, total))
	}
	for _, st := range []struct{ status, label string }{
		{AreaNotVerified, "not verified"}, {AreaNA, "not applicable"}, {AreaNotRun, "not run"}, {AreaNotCovered, "not covered"},
	} {
		names := areasWith(s.Areas, st.status)
		switch {
		case len(names) == 0:
		case st.status == AreaNotRun && s.Partial():
			// A narrowed run leaves most areas out on purpose: count them.
			parts = append(parts, fmt.Sprintf("%s: %d %s", st.label, len(names), plural(len(names), "area", "areas")))
		default:
			parts = append(parts, st.label+": "+strings.Join(names, ", "))
		}
	}
	b.WriteString(strings.Join(parts, "; "))
	fmt.Fprintf(&b, "; %d of %d %s verified", s.Verified, s.Applicable, plural(s.Applicable, "check", "checks"))
	if s.Verdict != NoGo {
		fmt.Fprintf(&b, ", readiness score %d/100", s.Score)
	}
	if s.Verdict != Go && s.BlockersVerified < s.Blockers {
		fmt.Fprintf(&b, "; to verify the rest: %s", strings.Join(s.ToVerify, "; "))
	}
	return b.String()
}

// onlyText names a partial run's checks: all of them when few.
func onlyText(only []string) string {
	n := fmt.Sprintf("%d %s", len(only), plural(len(only), "check", "checks"))
	if len(only) <= 5 {
		return n + ", " + strings.Join(only, ", ")
	}
	return n
}

// areasWith names the areas with status st, in catalog order.
func areasWith(rows []AreaRow, st string) []string {
	var names []string
	for _, r := range rows {
		if r.Status == st {
			names = append(names, r.Area)
		}
	}
	return names
}

// failedByArea counts the verdict-deciding failures per area, the area
// with most first ("Authorization 7, Auth login 5").
func failedByArea(outcomes []check.Outcome, failOn check.Severity) string {
	count := map[string]int{}
	var order []string
	for _, o := range outcomes {
		if o.Result.Status == check.Fail && o.Meta.Severity >= failOn {
			if count[o.Meta.Area] == 0 {
				order = append(order, o.Meta.Area)
			}
			count[o.Meta.Area]++
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	parts := make([]string, len(order))
	for i, a := range order {
		parts[i] = fmt.Sprintf("%s %d", a, count[a])
	}
	return strings.Join(parts, ", ")
}

func failedIDs(outcomes []check.Outcome, failOn check.Severity) []string {
	var ids []string
	for _, o := range outcomes {
		if o.Result.Status == check.Fail && o.Meta.Severity >= failOn {
			ids = append(ids, o.Meta.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
