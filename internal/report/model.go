// Package report renders a finished run in each output format. One file per
// format, all behind the Reporter interface; reporters never decide verdicts.
package report

import (
	"io"
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
	// Intrusive is true when intrusive checks had consent.
	Intrusive bool
	// NotTested lists what launchready does not test, closing every report.
	NotTested []string
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
