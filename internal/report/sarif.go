package report

import (
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/launchready/launchready/internal/check"
)

// SARIF writes a SARIF 2.1.0 log for GitHub code scanning and other SARIF
// consumers: one rule per check that ran, one result per FAIL or WARN with
// all its evidence (none is capped), locations code scanning accepts (see
// sarif_locations.go), the secrets' fingerprints, and, when compared with
// a baseline, each result's baselineState. The log validates against the
// official SARIF 2.1.0 schema (sarif_test.go).
type SARIF struct{}

var _ Reporter = SARIF{}

// SARIF schema and version written in every log.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Properties say what the run judged: the verdict and headline, a
	// partial run's checks, and the baseline's fixed findings.
	Properties sarifRunProps `json:"properties"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 *sarifText     `json:"help,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

// sarifRuleProps carries the references as tags, plus "security" and a
// numeric security-severity: GitHub code scanning ranks alerts by these.
type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity"`
}

// sarifResult is one finding (a FAIL or WARN check). Its evidence items
// give its locations: the first is the primary location, the others are
// related locations, so no evidence is dropped and a long redirect chain
// stays under code scanning's 1,000 locations per result.
type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	// BaselineState is "new" or "unchanged" on every result when the run
	// was compared with a baseline, and absent on all of them otherwise,
	// as SARIF asks.
	BaselineState string           `json:"baselineState,omitempty"`
	Properties    sarifResultProps `json:"properties"`
}

// sarifResultProps keeps the finding's status and every evidence item in
// full (request, status, detail, file, repro, fingerprint), as the JSON
// report spells them.
type sarifResultProps struct {
	Status   check.Status     `json:"status"`
	Severity check.Severity   `json:"severity"`
	Evidence []check.Evidence `json:"evidence"`
}

// sarifRunProps states the verdict; Only is set for a partial run
// (--only), Baseline when compared with an earlier run.
type sarifRunProps struct {
	Verdict  string         `json:"verdict"`
	Headline string         `json:"headline"`
	Partial  bool           `json:"partial,omitempty"`
	Only     []string       `json:"only,omitempty"`
	Baseline *sarifBaseline `json:"baseline,omitempty"`
}

// sarifBaseline names the baseline run and its findings this run found
// fixed. Fixed findings are not results: code scanning ignores
// baselineState, so an "absent" result would open an alert for a problem
// that is gone. Leaving them out lets code scanning close the alert, and
// other consumers read them here.
type sarifBaseline struct {
	Started      string         `json:"started"`
	Verdict      string         `json:"verdict"`
	Fixed        []FixedFinding `json:"fixed"`
	NotRechecked []string       `json:"notRechecked"`
}

type sarifLocation struct {
	// ID numbers the related locations from 1 (SARIF's -1 means unset).
	ID               int            `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// Write renders the log as indented JSON.
func (SARIF) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	driver := sarifDriver{Name: toolName, Version: r.ToolVersion, InformationURI: toolURI, Rules: []sarifRule{}}
	index := map[string]int{}
	for _, o := range r.Outcomes {
		if _, ok := index[o.Meta.ID]; !ok {
			index[o.Meta.ID] = len(driver.Rules)
			driver.Rules = append(driver.Rules, sarifRuleOf(o.Meta))
		}
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}, Properties: sarifRunPropsOf(r)}
	for _, o := range r.Outcomes {
		if o.Result.Status == check.Fail || o.Result.Status == check.Warn {
			run.Results = append(run.Results, sarifResultOf(r, o, index[o.Meta.ID]))
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// A report file is read by people and grep, not embedded in a page:
	// keep "&" and "<" as they are.
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifResultOf is one finding as a result.
func sarifResultOf(r *Run, o check.Outcome, ruleIndex int) sarifResult {
	level := "warning"
	if o.Result.Status == check.Fail {
		level = sarifLevel(o.Meta.Severity)
	}
	locs := sarifLocations(o.Result.Evidence, r.Target)
	res := sarifResult{
		RuleID: o.Meta.ID, RuleIndex: ruleIndex, Level: level,
		Message:             sarifText{Text: cmp.Or(o.Result.Summary, o.Meta.Title, o.Meta.ID)},
		Locations:           locs[:1],
		PartialFingerprints: sarifFingerprints(o.Result.Evidence),
		Properties: sarifResultProps{Status: o.Result.Status, Severity: o.Meta.Severity,
			Evidence: nonNil(o.Result.Evidence)},
	}
	for i, l := range locs[1:] {
		l.ID = i + 1
		res.RelatedLocations = append(res.RelatedLocations, l)
	}
	if r.Baseline != nil {
		// Compare records a change for every finding; one without (a
		// hand-edited report) was not seen before, so it is new.
		res.BaselineState = string(cmp.Or(r.ChangeOf(o.Meta.ID), ChangeNew))
	}
	return res
}

// sarifRunPropsOf is what the run judged, for consumers that read the
// log without the JSON report.
func sarifRunPropsOf(r *Run) sarifRunProps {
	p := sarifRunProps{Verdict: string(r.Summary.Verdict), Headline: r.Headline()}
	if r.Summary.Partial() {
		p.Partial, p.Only = true, r.Summary.Only
	}
	if b := r.Baseline; b != nil {
		p.Baseline = &sarifBaseline{Started: startedText(b.Started), Verdict: string(b.Verdict),
			Fixed: nonNil(b.Fixed), NotRechecked: nonNil(b.NotRechecked)}
	}
	return p
}

// sarifRuleOf describes a check as a rule. SARIF wants non-empty texts, so
// a missing title or why falls back to what there is, and a rule without a
// fix has no help.
func sarifRuleOf(m check.Meta) sarifRule {
	short := cmp.Or(m.Title, m.ID)
	rule := sarifRule{
		ID:                   m.ID,
		Name:                 ruleName(m.Title, m.ID),
		ShortDescription:     sarifText{Text: short},
		FullDescription:      sarifText{Text: cmp.Or(m.Why, short)},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(m.Severity)},
		Properties: sarifRuleProps{
			Tags:             sarifTags(m.Refs),
			SecuritySeverity: securitySeverity(m.Severity),
		},
	}
	if m.Fix != "" {
		rule.Help = &sarifText{Text: m.Fix}
	}
	return rule
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s check.Severity) string {
	switch s {
	case check.Blocker, check.Major:
		return "error"
	case check.Minor:
		return "warning"
	}
	return "note"
}

// securitySeverity follows GitHub's bands: ≥9 critical, ≥7 high, ≥4
// medium, else low.
func securitySeverity(s check.Severity) string {
	switch s {
	case check.Blocker:
		return "9.0"
	case check.Major:
		return "7.0"
	case check.Minor:
		return "4.0"
	}
	return "1.0"
}

// ruleName is the title as a PascalCase identifier, as SARIF suggests for
// rule names; the ID when the title has no letters or digits.
func ruleName(title, id string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(word)
		b.WriteString(string(unicode.ToUpper(rs[0])) + string(rs[1:]))
	}
	if b.Len() == 0 {
		return id
	}
	return b.String()
}

// sarifTags is "security" and the references, each once: SARIF wants
// tags unique.
func sarifTags(refs []string) []string {
	tags := []string{"security"}
	for _, r := range refs {
		if !slices.Contains(tags, r) {
			tags = append(tags, r)
		}
	}
	return tags
}
