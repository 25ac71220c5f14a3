package report

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// This file holds what several formats share: which outcomes go in which
// section, and how times and hints are spelled. It decides nothing about the
// verdict; it only arranges what score already decided.

// errNilRun is returned by every reporter asked to render nothing.
var errNilRun = errors.New("report: nil run")

// toolName is the scanner's name as every report spells it.
const toolName = "launchready"

// toolURI is where SARIF consumers and report footers point for the tool.
const toolURI = "https://github.com/launchready/launchready"

// findings returns the FAIL and WARN outcomes: FAIL before WARN, the most
// severe first, registry order otherwise, so the worst problem is read first.
func findings(outs []check.Outcome) []check.Outcome {
	var f []check.Outcome
	for _, o := range outs {
		if o.Result.Status == check.Fail || o.Result.Status == check.Warn {
			f = append(f, o)
		}
	}
	sort.SliceStable(f, func(i, j int) bool {
		fi, fj := f[i].Result.Status == check.Fail, f[j].Result.Status == check.Fail
		if fi != fj {
			return fi
		}
		return f[i].Meta.Severity > f[j].Meta.Severity
	})
	return f
}

// unverified returns the ERROR, SKIP and N/A outcomes in that order: what
// ran without a verdict of its own, worst (a broken check) first.
func unverified(outs []check.Outcome) []check.Outcome {
	var u []check.Outcome
	for _, st := range []check.Status{check.Error, check.Skip, check.NA} {
		u = append(u, withStatus(outs, st)...)
	}
	return u
}

// withStatus returns the outcomes with status st in registry order.
func withStatus(outs []check.Outcome, st check.Status) []check.Outcome {
	var w []check.Outcome
	for _, o := range outs {
		if o.Result.Status == st {
			w = append(w, o)
		}
	}
	return w
}

// notCovered names the scorecard areas no check covered.
func notCovered(rows []score.AreaRow) []string {
	var n []string
	for _, row := range rows {
		if row.Status == score.AreaNotCovered {
			n = append(n, row.Area)
		}
	}
	return n
}

// reasonText is why a check has no verdict of its own, with what would
// enable a skipped one; sep joins the two (" — to enable: " in JSON).
func reasonText(res check.Result, sep string) string {
	reason := res.Reason
	if reason == "" {
		reason = res.Summary
	}
	if res.Status == check.Skip && res.Enable != "" {
		reason += sep + res.Enable
	}
	return reason
}

// enableSep joins a SKIP's reason and its enable hint in JSON and prose.
const enableSep = " — to enable: "

// startedText is the run's start time as every format prints it: UTC,
// whole seconds, so a report read back from JSON renders identically.
func startedText(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// durationText is a run or check duration for people: milliseconds under a
// second, else seconds with one decimal.
func durationText(d time.Duration) string {
	d = d.Truncate(time.Millisecond)
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// requestURL returns the URL of a "METHOD URL" evidence request.
func requestURL(req string) string {
	if _, u, ok := strings.Cut(req, " "); ok {
		return strings.TrimSpace(u)
	}
	return req
}

// truncateLines keeps at most max lines of s, each at most width runes, and
// says how many lines it dropped.
func truncateLines(s string, max, width int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var out []string
	for i, l := range lines {
		if i == max {
			out = append(out, fmt.Sprintf("... (%d more lines)", len(lines)-max))
			break
		}
		if utf8.RuneCountInString(l) > width {
			l = string([]rune(l)[:width]) + "..."
		}
		out = append(out, l)
	}
	return out
}

// fixFirst returns the failures that decide the verdict (FAIL at or above
// --fail-on) in the order to fix them: by each check's impact (data
// exposure and account takeover first, then session and secrets, then
// transport, then mail and operations), then the most severe, then
// registry order.
func fixFirst(r *Run) []check.Outcome {
	var f []check.Outcome
	for _, o := range r.Outcomes {
		if o.Result.Status == check.Fail && o.Meta.Severity >= r.Summary.FailOn {
			f = append(f, o)
		}
	}
	sort.SliceStable(f, func(i, j int) bool {
		ii, ij := impactRank(f[i].Meta.Impact), impactRank(f[j].Meta.Impact)
		if ii != ij {
			return ii < ij
		}
		return f[i].Meta.Severity > f[j].Meta.Severity
	})
	return f
}

// impactRank orders impacts with an unset one (a report from an older
// version) last.
func impactRank(i check.Impact) int {
	if i == check.ImpactUnset {
		return int(check.ImpactOperations) + 1
	}
	return int(i)
}

// rerunCommand is the command that re-checks one check after a fix: Rerun
// with "--only ID" in place of its {only}, or as it is when it has none
// (a command that cannot narrow to one check).
func rerunCommand(r *Run, id string) string {
	cmd := r.Rerun
	if cmd == "" {
		cmd = "launchready scan {only}"
	}
	return strings.TrimSpace(strings.Replace(cmd, OnlyPlaceholder, "--only "+id, 1))
}

// OnlyPlaceholder marks where Run.Rerun takes "--only ID".
const OnlyPlaceholder = "{only}"
