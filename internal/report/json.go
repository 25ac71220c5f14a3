package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// JSON writes the SPEC's versioned JSON report (schema launchready/v1).
//
// Besides the SPEC's core it carries these additive fields: "headline",
// "partial" and "only" (a run narrowed by --only and its checks),
// "checks_verified", "checks_applicable", "areas_covered" and "areas_total"
// (what the verdict covers), "baseline" (with --baseline: the earlier run's
// started, target and verdict, its "fixed" findings, those "not_rechecked"
// and a "text" line; and in each check that is a finding, "baseline":
// {"change": "new|unchanged", …}), each check's "impact" (the "Fix first"
// rank), each evidence's "fingerprint" (secrets), "fail_on", "intrusive", "out_of_scope", "requests", "wrong_passwords" (only when checks that send
// wrong passwords had consent: budget, sent, refused, checks), "leftover_accounts" and "not_tested" at
// the top level;
// "checks" (the count) in each area; and in each check "error" (the reason
// of an ERROR), "enable" (what would let a SKIP run, kept apart so it reads
// back exactly) and "why" (needed to rebuild SARIF rules from a saved
// report). ReadJSON reads it back so `report IN.json --out X` renders the
// same as the scan did.
type JSON struct{}

var _ Reporter = JSON{}

// jsonReport is the document's top level, fields in the order written.
type jsonReport struct {
	Schema     string          `json:"schema"`
	Tool       jsonTool        `json:"tool"`
	Target     string          `json:"target"`
	Started    string          `json:"started"`
	DurationMS int64           `json:"duration_ms"`
	Verdict    score.Verdict   `json:"verdict"`
	Score      int             `json:"score"`
	Headline   string          `json:"headline"`
	Partial    bool            `json:"partial"`
	Only       []string        `json:"only"`
	Verified   int             `json:"checks_verified"`
	Applicable int             `json:"checks_applicable"`
	Covered    int             `json:"areas_covered"`
	AreasTotal int             `json:"areas_total"`
	Baseline   *jsonBaseline   `json:"baseline,omitempty"`
	FailOn     check.Severity  `json:"fail_on"`
	Intrusive  bool            `json:"intrusive"`
	Areas      []score.AreaRow `json:"areas"`
	Checks     []jsonCheck     `json:"checks"`
	OutOfScope []string        `json:"out_of_scope"`
	NoConsent  []string        `json:"refused_without_consent"`
	Requests   int             `json:"requests"`
	WrongPW    *WrongPasswords `json:"wrong_passwords,omitempty"`
	Leftovers  []string        `json:"leftover_accounts"`
	NotTested  []string        `json:"not_tested"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// jsonCheck is one outcome. SkipReason and Error are pointers so that they
// are present (even empty) exactly on the statuses they belong to.
type jsonCheck struct {
	ID         string         `json:"id"`
	Area       string         `json:"area"`
	Title      string         `json:"title"`
	Severity   check.Severity `json:"severity"`
	Impact     check.Impact   `json:"impact"`
	Status     check.Status   `json:"status"`
	Change     *FindingChange `json:"baseline,omitempty"`
	Summary    string         `json:"summary"`
	SkipReason *string        `json:"skip_reason,omitempty"`
	Error      *string        `json:"error,omitempty"`
	Enable     string         `json:"enable,omitempty"`
	Evidence   []jsonEvidence `json:"evidence"`
	Matrix     *check.Table   `json:"matrix,omitempty"`
	Fix        string         `json:"fix"`
	Refs       []string       `json:"refs"`
	Why        string         `json:"why,omitempty"`
	DurationMS int64          `json:"duration_ms"`
}

// jsonEvidence keeps request, detail and repro always present so scripts
// see one shape; status only for HTTP, location only for files (SPEC).
type jsonEvidence struct {
	Request     string          `json:"request"`
	Status      int             `json:"status,omitempty"`
	Detail      string          `json:"detail"`
	Location    *check.Location `json:"location,omitempty"`
	Repro       string          `json:"repro"`
	Fingerprint string          `json:"fingerprint,omitempty"`
}

// jsonBaseline is the comparison with --baseline: the earlier run, what
// it had that is fixed, and a line for people ("text").
type jsonBaseline struct {
	Baseline
	Text string `json:"text"`
}

// Write renders the run as indented JSON. The output depends only on the
// run, so the same run always yields the same bytes.
func (JSON) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// A report file is read by people and grep, not embedded in a page:
	// keep "&" and "<" as they are.
	enc.SetEscapeHTML(false)
	return enc.Encode(toJSON(r))
}

func toJSON(r *Run) jsonReport {
	doc := jsonReport{
		Schema:     Schema,
		Tool:       jsonTool{Name: toolName, Version: r.ToolVersion},
		Target:     r.Target,
		Started:    startedText(r.Started),
		DurationMS: r.Duration.Milliseconds(),
		Verdict:    r.Summary.Verdict,
		Score:      r.Summary.Score,
		Headline:   r.Summary.Headline,
		Partial:    r.Summary.Partial(),
		Only:       nonNil(r.Summary.Only),
		Verified:   r.Summary.Verified,
		Applicable: r.Summary.Applicable,
		Covered:    r.Summary.AreasCovered,
		AreasTotal: len(check.Areas),
		FailOn:     r.Summary.FailOn,
		Intrusive:  r.Intrusive,
		Areas:      nonNil(r.Summary.Areas),
		Checks:     make([]jsonCheck, 0, len(r.Outcomes)),
		OutOfScope: nonNil(r.OutOfScope),
		NoConsent:  nonNil(r.NoConsent),
		Requests:   r.Requests,
		WrongPW:    wrongPWToJSON(r.WrongPasswords),
		Leftovers:  nonNil(r.Leftovers),
		NotTested:  nonNil(r.NotTested),
	}
	if b := r.Baseline; b != nil {
		doc.Baseline = &jsonBaseline{Baseline: *b, Text: b.Text(r)}
		doc.Baseline.Fixed = nonNil(b.Fixed)
		doc.Baseline.NotRechecked = nonNil(b.NotRechecked)
	}
	for _, o := range r.Outcomes {
		c := checkToJSON(o)
		if ch, ok := r.Baseline.change(o.Meta.ID); ok {
			c.Change = &ch
		}
		doc.Checks = append(doc.Checks, c)
	}
	return doc
}

// wrongPWToJSON copies the counts with checks always a list.
func wrongPWToJSON(w *WrongPasswords) *WrongPasswords {
	if w == nil {
		return nil
	}
	c := *w
	c.Checks = nonNil(c.Checks)
	return &c
}

func checkToJSON(o check.Outcome) jsonCheck {
	c := jsonCheck{
		ID:         o.Meta.ID,
		Area:       o.Meta.Area,
		Title:      o.Meta.Title,
		Severity:   o.Meta.Severity,
		Impact:     o.Meta.Impact,
		Status:     o.Result.Status,
		Summary:    o.Result.Summary,
		Enable:     o.Result.Enable,
		Evidence:   make([]jsonEvidence, 0, len(o.Result.Evidence)),
		Matrix:     o.Result.Table,
		Fix:        o.Meta.Fix,
		Refs:       nonNil(o.Meta.Refs),
		Why:        o.Meta.Why,
		DurationMS: o.Duration.Milliseconds(),
	}
	switch o.Result.Status {
	case check.Skip, check.NA:
		reason := o.Result.Reason
		if o.Result.Status == check.Skip && o.Result.Enable != "" {
			reason += enableSep + o.Result.Enable
		}
		c.SkipReason = &reason
	case check.Error:
		reason := o.Result.Reason
		c.Error = &reason
	}
	for _, e := range o.Result.Evidence {
		c.Evidence = append(c.Evidence, jsonEvidence(e))
	}
	return c
}

// nonNil makes an absent list encode as [] rather than null, so scripts
// can always iterate.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ms is a whole number of milliseconds as a duration.
func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
