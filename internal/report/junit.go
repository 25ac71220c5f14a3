package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
)

// JUnit writes JUnit XML for CI test tabs: one testsuite named launchready,
// one testcase per check (classname = area, name = "ID title"). FAIL is a
// failure, ERROR an error, SKIP and N/A skipped; a WARN passes and carries
// the warning in system-out.
type JUnit struct{}

var _ Reporter = JUnit{}

// junitSuites is the root. Jenkins' junit-10.xsd, the schema CI test tabs
// follow, allows no skipped count on it (only on each testsuite), so it
// carries none.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element content kept readable as CDATA (encoding/xml splits
// any "]]>" inside); clean has already made control characters visible,
// which CDATA could not carry.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Write renders the XML document. encoding/xml escapes markup and replaces
// characters XML cannot carry, so hostile evidence cannot break the file.
func (JUnit) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	suite := junitSuite{
		Name:      toolName,
		Time:      seconds(r.Duration),
		Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{Name: "target", Value: r.Target},
			{Name: "verdict", Value: string(r.Summary.Verdict)},
			{Name: "headline", Value: r.Headline()},
			{Name: "tool.version", Value: r.ToolVersion},
		},
	}
	if r.Summary.Partial() {
		suite.Properties = append(suite.Properties, junitProperty{Name: "only", Value: strings.Join(r.Summary.Only, ",")})
	}
	for _, o := range r.Outcomes {
		c := junitCaseOf(o)
		suite.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		case c.Skipped != nil:
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{
		Name: toolName, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCaseOf(o check.Outcome) junitCase {
	c := junitCase{
		Classname: safetext.Lines(o.Meta.Area),
		Name:      safetext.Lines(o.Meta.ID + " " + o.Meta.Title),
		Time:      seconds(o.Duration),
	}
	sev := o.Meta.Severity.String()
	switch o.Result.Status {
	case check.Fail:
		c.Failure = &junitProblem{Message: safetext.Lines(o.Result.Summary), Type: sev, Text: plainFinding(o)}
	case check.Error:
		c.Error = &junitProblem{Message: safetext.Lines(reasonText(o.Result, enableSep)), Type: sev, Text: safetext.Lines(o.Result.Summary)}
	case check.Skip, check.NA:
		c.Skipped = &junitSkipped{Message: safetext.Lines(reasonText(o.Result, enableSep))}
	case check.Warn:
		c.SystemOut = &junitText{Text: safetext.Lines("WARN: "+o.Result.Summary) + "\n" + plainFinding(o)}
	}
	return c
}

// plainFinding is a finding's evidence and fix as plain text, control
// characters made visible.
func plainFinding(o check.Outcome) string {
	var b strings.Builder
	for _, e := range o.Result.Evidence {
		fmt.Fprintf(&b, "Evidence: %s\n", evidenceHead(e))
		if e.Detail != "" {
			fmt.Fprintf(&b, "%s\n", strings.TrimRight(e.Detail, "\n"))
		}
		if e.Repro != "" {
			fmt.Fprintf(&b, "Reproduce: %s\n", e.Repro)
		}
	}
	if o.Meta.Fix != "" {
		fmt.Fprintf(&b, "Fix: %s\n", strings.TrimRight(o.Meta.Fix, "\n"))
	}
	return safetext.Lines(b.String())
}

// seconds is a duration as JUnit spells it, to the millisecond.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", float64(d.Milliseconds())/1000)
}
