package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// maxJSONBytes bounds what ReadJSON accepts: a saved report is a few
// hundred kilobytes; anything this large is not one of ours.
const maxJSONBytes = 64 << 20

// ReadJSON reads a report written by JSON back into a Run, for commands that
// render a saved result in another format. The verdict, score, headline and
// scorecard rows are taken as saved, never re-decided; only the blocker
// counters the JSON does not carry are recounted from the saved outcomes.
// Meta fields the JSON does not carry (Pass, Breaks, Intrusive, Needs) come
// back empty. Unknown fields are ignored so newer additive fields still read.
func ReadJSON(r io.Reader) (*Run, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSONBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	if len(data) > maxJSONBytes {
		return nil, fmt.Errorf("reading report: larger than %d MiB", maxJSONBytes>>20)
	}
	var doc jsonReport
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	if doc.Schema != Schema {
		return nil, fmt.Errorf("reading report: schema %q, want %q", doc.Schema, Schema)
	}
	return fromJSON(&doc)
}

func fromJSON(doc *jsonReport) (*Run, error) {
	started, err := time.Parse(time.RFC3339, doc.Started)
	if err != nil {
		return nil, fmt.Errorf("reading report: started: %w", err)
	}
	if err := validVerdict(doc.Verdict); err != nil {
		return nil, err
	}
	run := &Run{
		ToolVersion:    doc.Tool.Version,
		Target:         doc.Target,
		Started:        started.UTC(),
		Duration:       ms(doc.DurationMS),
		OutOfScope:     nilIfEmpty(doc.OutOfScope),
		NoConsent:      nilIfEmpty(doc.NoConsent),
		Requests:       doc.Requests,
		Leftovers:      nilIfEmpty(doc.Leftovers),
		WrongPasswords: wrongPWToJSON(doc.WrongPW), // checks always a list, as written
		Intrusive:      doc.Intrusive,
		NotTested:      nilIfEmpty(doc.NotTested),
	}
	for i, c := range doc.Checks {
		o, err := checkFromJSON(c)
		if err != nil {
			return nil, fmt.Errorf("reading report: checks[%d]: %w", i, err)
		}
		run.Outcomes = append(run.Outcomes, o)
		if doc.Baseline != nil && c.Change != nil {
			if run.Baseline == nil {
				run.Baseline = baselineFromJSON(doc.Baseline)
			}
			run.Baseline.Changes[c.ID] = *c.Change
		}
	}
	if doc.Baseline != nil && run.Baseline == nil {
		run.Baseline = baselineFromJSON(doc.Baseline)
	}
	for i, a := range doc.Areas {
		if err := validAreaStatus(a.Status); err != nil {
			return nil, fmt.Errorf("reading report: areas[%d]: %w", i, err)
		}
	}
	counts := score.SummarizeWith(run.Outcomes, score.Options{FailOn: doc.FailOn, Only: doc.Only})
	run.Summary = score.Summary{
		Verdict:          doc.Verdict,
		Score:            doc.Score,
		FailOn:           doc.FailOn,
		Areas:            nilIfEmpty(doc.Areas),
		Headline:         doc.Headline,
		Blockers:         counts.Blockers,
		BlockersVerified: counts.BlockersVerified,
		BlockersFailed:   counts.BlockersFailed,
		ToVerify:         counts.ToVerify,
		Only:             nilIfEmpty(doc.Only),
		Verified:         doc.Verified,
		Applicable:       doc.Applicable,
		AreasCovered:     doc.Covered,
	}
	if doc.Partial != run.Summary.Partial() {
		return nil, fmt.Errorf("reading report: partial is %v but only lists %d checks", doc.Partial, len(doc.Only))
	}
	return run, nil
}

// baselineFromJSON copies the saved comparison, its lists nil when empty
// as Compare leaves them.
func baselineFromJSON(j *jsonBaseline) *Baseline {
	b := j.Baseline
	b.Fixed = nilIfEmpty(b.Fixed)
	b.NotRechecked = nilIfEmpty(b.NotRechecked)
	b.Changes = map[string]FindingChange{}
	return &b
}

func checkFromJSON(c jsonCheck) (check.Outcome, error) {
	switch c.Status {
	case check.Pass, check.Fail, check.Warn, check.Skip, check.NA, check.Error:
	default:
		return check.Outcome{}, fmt.Errorf("unknown status %q", c.Status)
	}
	o := check.Outcome{
		Meta: check.Meta{
			ID: c.ID, Area: c.Area, Severity: c.Severity, Impact: c.Impact, Title: c.Title,
			Why: c.Why, Fix: c.Fix, Refs: nilIfEmpty(c.Refs),
		},
		Result:   check.Result{Status: c.Status, Summary: c.Summary, Enable: c.Enable},
		Duration: ms(c.DurationMS),
	}
	// Each reason field counts only on the statuses the writer puts it on,
	// so a document read back writes out the same.
	switch {
	case c.Status == check.Error && c.Error != nil:
		o.Result.Reason = *c.Error
	case (c.Status == check.Skip || c.Status == check.NA) && c.SkipReason != nil:
		o.Result.Reason = *c.SkipReason
		if c.Status == check.Skip && c.Enable != "" {
			// The writer appended the hint; strip exactly that suffix.
			o.Result.Reason = strings.TrimSuffix(o.Result.Reason, enableSep+c.Enable)
		}
	}
	for _, e := range c.Evidence {
		o.Result.Evidence = append(o.Result.Evidence, check.Evidence(e))
	}
	o.Result.Table = c.Matrix
	return o, nil
}

func validVerdict(v score.Verdict) error {
	switch v {
	case score.Go, score.NoGo, score.NotVerified:
		return nil
	}
	return fmt.Errorf("reading report: unknown verdict %q", v)
}

func validAreaStatus(s string) error {
	if slices.Contains(score.AreaStatuses, s) {
		return nil
	}
	return fmt.Errorf("unknown area status %q", s)
}

// nilIfEmpty undoes nonNil, so a run read back equals the run written.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
