package report

import (
	"cmp"
	"encoding/json"
	"io"
	"strings"
	"unicode"

	"github.com/launchready/launchready/internal/check"
)

// SARIF writes a SARIF 2.1.0 log for GitHub code scanning and other SARIF
// consumers: one rule per check that ran, one result per FAIL or WARN.
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

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
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
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, o := range r.Outcomes {
		if o.Result.Status != check.Fail && o.Result.Status != check.Warn {
			continue
		}
		level := "warning"
		if o.Result.Status == check.Fail {
			level = sarifLevel(o.Meta.Severity)
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: o.Meta.ID, RuleIndex: index[o.Meta.ID], Level: level,
			Message:   sarifText{Text: cmp.Or(o.Result.Summary, o.Meta.Title, o.Meta.ID)},
			Locations: sarifLocations(o.Result.Evidence, r.Target),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// A report file is read by people and grep, not embedded in a page:
	// keep "&" and "<" as they are.
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
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
			Tags:             append([]string{"security"}, m.Refs...),
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

// sarifLocations points at each evidence item: the file and line for
// repository evidence, else the requested URL (as an artifact, which code
// scanning requires, and as a logical location carrying the method). With
// no evidence at all the result points at the target.
func sarifLocations(evs []check.Evidence, target string) []sarifLocation {
	locs := []sarifLocation{}
	seen := map[string]bool{}
	for _, e := range evs {
		// Several hops of one redirect chain name the same URL once.
		key := e.Request
		if e.Location != nil {
			key = locationText(e.Location)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		switch {
		case e.Location != nil && e.Location.File != "":
			phys := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: e.Location.File}}
			if e.Location.Line > 0 {
				phys.Region = &sarifRegion{StartLine: e.Location.Line}
			}
			locs = append(locs, sarifLocation{PhysicalLocation: phys})
		case e.Request != "":
			locs = append(locs, sarifLocation{
				PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: requestURL(e.Request)}},
				LogicalLocations: []sarifLogical{{FullyQualifiedName: e.Request, Kind: "resource"}},
			})
		}
	}
	if len(locs) == 0 && target != "" {
		locs = append(locs, sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: target}}})
	}
	return locs
}
