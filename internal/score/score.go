// Package score turns check outcomes into the verdict, the readiness score,
// the per-area scorecard rows and the headline. It is pure: no I/O.
package score

import (
	"fmt"
	"math"
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
)

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
func Areas(outcomes []check.Outcome) []AreaRow {
	rows := make([]AreaRow, 0, len(check.Areas))
	for _, area := range check.Areas {
		row := AreaRow{Area: area, Status: AreaNotCovered}
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

// Summarize computes the verdict, score, rows and headline.
func Summarize(outcomes []check.Outcome, failOn check.Severity) Summary {
	s := Summary{
		Verdict: VerdictOf(outcomes, failOn),
		Score:   Score(outcomes),
		FailOn:  failOn,
		Areas:   Areas(outcomes),
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

// headline leads with the verdict. A NO-GO never shows the score; a run that
// left blockers unverified says how many and what would verify them.
func headline(s Summary, outcomes []check.Outcome) string {
	var b strings.Builder
	b.WriteString(string(s.Verdict))
	switch s.Verdict {
	case NoGo:
		failed := failedIDs(outcomes, s.FailOn)
		if s.FailOn == check.Blocker {
			fmt.Fprintf(&b, ": %d %s found (%s)", len(failed), plural(len(failed), "blocker", "blockers"), strings.Join(failed, ", "))
		} else {
			fmt.Fprintf(&b, ": %d %s at or above %s failed (%s)", len(failed), plural(len(failed), "check", "checks"), s.FailOn, strings.Join(failed, ", "))
		}
	case NotVerified:
		fmt.Fprintf(&b, ": no blocker failed, but not every blocker could be verified")
	case Go:
		fmt.Fprintf(&b, ": all %d blocker %s verified, none failed; readiness score %d/100", s.Blockers, plural(s.Blockers, "check", "checks"), s.Score)
	}
	if s.Verdict != Go && s.BlockersVerified < s.Blockers {
		fmt.Fprintf(&b, "; %d of %d blocker checks verified; to verify the rest: %s",
			s.BlockersVerified, s.Blockers, strings.Join(s.ToVerify, "; "))
	}
	return b.String()
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
