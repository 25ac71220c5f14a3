// Package report renders a finished run in each output format. One file per
// format, all behind the Reporter interface; reporters never decide verdicts.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// Schema is the versioned JSON schema name.
const Schema = "launchready/v1"

// Run is a finished scan as every reporter sees it.
type Run struct {
	// Tool is the scanner's name and version.
	ToolVersion string
	// Target is the canonical URL scanned (or the repository path).
	Target   string
	Started  time.Time
	Duration time.Duration
	Summary  score.Summary
	// Outcomes are in registry order.
	Outcomes []check.Outcome
	// OutOfScope lists requests the scoped clients refused (redacted URLs):
	// the scan's, outside target.scope, and the inbox's, outside the
	// auth.inbox origin.
	OutOfScope []string
	// NoConsent lists requests refused because their host had no consent
	// for writes or intrusive checks ("METHOD URL", redacted).
	NoConsent []string
	// Leftovers lists accounts the scanner created but could not delete.
	Leftovers []string
	// Requests counts the requests sent (every hop), to the target and to
	// the inbox (an IMAP connection counts as one).
	Requests int
	// WrongPasswords is what the scan's one wrong-password budget allowed
	// and spent; nil when no check with such a budget had consent.
	WrongPasswords *WrongPasswords
	// Intrusive is true when intrusive checks had consent.
	Intrusive bool
	// NotTested lists what launchready does not test, closing every report.
	NotTested []string
	// Rerun is the command that runs this scan again ("launchready scan
	// --config staging.yaml {only}"), where "Fix first" puts --only ID in
	// place of {only} (OnlyPlaceholder); one without it is printed as it
	// is; empty means "launchready scan {only}". Not saved in JSON.
	Rerun string
	// ReportURL is where the full report is published (--report-url):
	// formats that shorten (Markdown for a pull-request comment) link to it.
	// Not saved in JSON.
	ReportURL string
	// Baseline, when set, compares the findings with an earlier run's
	// (--baseline): each is new or unchanged, and the baseline's fixed
	// findings are listed.
	Baseline *Baseline
}

// WrongPasswords counts the wrong-password login attempts of a run.
type WrongPasswords struct {
	// Budget is the most the run would send, as printed before it.
	Budget int `json:"budget"`
	// Sent counts the attempts sent; Refused those the budget's owner
	// refused (budget spent, or an address of a configured account).
	Sent    int `json:"sent"`
	Refused int `json:"refused"`
	// Checks are the checks sharing the budget.
	Checks []string `json:"checks"`
}

// Text states the counts in one line.
func (w *WrongPasswords) Text() string {
	s := fmt.Sprintf("%d sent of a budget of %d (%s)", w.Sent, w.Budget, strings.Join(w.Checks, ", "))
	if w.Refused > 0 {
		s += fmt.Sprintf("; %d refused", w.Refused)
	}
	return s
}

// Reporter writes a run in one format.
type Reporter interface {
	// Write renders the run. Colour is a hint for the terminal format only.
	Write(w io.Writer, r *Run) error
}

// NotTested is what no launchready check covers, printed at the end of every
// report so a GO is never read as more than it is.
var NotTested = []string{
	"business logic (prices, quotas, workflows specific to your portal)",
	"server-side request forgery (SSRF) in integrations and webhooks you call",
	"injection flaws (SQL, template, command) beyond what the checks above probe",
	"trackers and analytics loaded before cookie consent (privacy law compliance)",
	"third-party services' own security (payment provider, email provider, CDN)",
	"accessibility, browser compatibility and content correctness",
	"denial of service beyond the bounded bursts and load the checks send",
}
