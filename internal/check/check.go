// Package check holds the types every check, the runner, the scorer and the
// reporters share: a check's static metadata, its result, and its evidence.
package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/config"
)

// Severity ranks how much a failed check matters for launch.
type Severity int

// Severities from least to most serious; the order is used by --fail-on.
const (
	Info Severity = iota
	Minor
	Major
	Blocker
)

// String returns the lower-case name used in JSON, the CLI and reports.
func (s Severity) String() string {
	switch s {
	case Blocker:
		return "blocker"
	case Major:
		return "major"
	case Minor:
		return "minor"
	case Info:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads a severity name as written on the command line.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "blocker":
		return Blocker, nil
	case "major":
		return Major, nil
	case "minor":
		return Minor, nil
	case "info":
		return Info, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want blocker, major, minor or info)", s)
}

// MarshalText makes a Severity appear as its name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a Severity name back from JSON.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Status is the outcome of one check.
type Status string

// The statuses a check can end with. ERROR means the check itself could not
// evaluate: it is never a pass.
const (
	Pass  Status = "PASS"
	Fail  Status = "FAIL"
	Warn  Status = "WARN"
	Skip  Status = "SKIP"
	NA    Status = "N/A"
	Error Status = "ERROR"
)

// The scorecard areas, named exactly as in the SPEC's check catalog table and
// listed in its order.
const (
	AreaAuth       = "Auth login"
	AreaSession    = "Session security"
	AreaAuthz      = "Authorization"
	AreaPayments   = "Payments & gated content"
	AreaSecrets    = "Secrets handling"
	AreaEmail      = "Email deliverability"
	AreaTLS        = "SSL and redirects"
	AreaEdge       = "Edge protection"
	AreaPerf       = "API performance"
	AreaMonitoring = "Monitoring"
	AreaOps        = "Backup / rollback"
	AreaHygiene    = "Hygiene, domain & dependencies"
)

// Areas lists every scorecard row in catalog order.
var Areas = []string{
	AreaAuth, AreaSession, AreaAuthz, AreaPayments, AreaSecrets, AreaEmail,
	AreaTLS, AreaEdge, AreaPerf, AreaMonitoring, AreaOps, AreaHygiene,
}

// Meta is a check's static description: everything `checks`, `explain`,
// SARIF rules and reports need without running it.
type Meta struct {
	ID       string
	Area     string
	Severity Severity
	Title    string
	// Pass states the pass criteria.
	Pass string
	// Why says why it matters.
	Why string
	// Breaks says what breaks for members if it fails.
	Breaks string
	// Fix is the fix path.
	Fix string
	// Refs cite ASVS 5.0.0, OWASP API Top 10 2023 and CWE entries.
	Refs []string
	// Intrusive checks create data, send mail or bursts; they run only with
	// explicit consent.
	Intrusive bool
	// Needs lists the config keys the check cannot run without (see
	// config.Config.Need).
	Needs []string
	// Budget is the most an intrusive check does to the portal; the scan
	// prints the sum before any intrusive request.
	Budget Budget
	// Impact ranks what a failure exposes, for the "Fix first" list: every
	// check sets it explicitly (a registry test refuses one left unset).
	Impact Impact
}

// Impact ranks what a failed check exposes: the lower, the sooner to fix.
// Severity decides the verdict; Impact orders the blockers a person is told
// to fix first, within it severity and then registry order.
type Impact int

// The impacts, most urgent first.
const (
	// ImpactUnset is a check whose metadata forgot its impact.
	ImpactUnset Impact = iota
	// ImpactDataExposure: another member or an anonymous visitor reads,
	// changes or deletes member data, or reaches admin functions.
	ImpactDataExposure
	// ImpactAccountTakeover: someone else can end up holding a member's
	// account or more rights than given (forged sessions, reset links that
	// work twice, self-granted roles, sessions that survive logout).
	ImpactAccountTakeover
	// ImpactSession: session cookies and the sign-in journey itself.
	ImpactSession
	// ImpactSecrets: keys and credentials in history, bundles and logs.
	ImpactSecrets
	// ImpactTransport: TLS, redirects, headers and edge protection.
	ImpactTransport
	// ImpactMail: mail domain authentication and deliverability.
	ImpactMail
	// ImpactOperations: performance, monitoring, rollback and hygiene.
	ImpactOperations
)

// String names an impact as reports and JSON spell it.
func (i Impact) String() string {
	switch i {
	case ImpactDataExposure:
		return "data exposure"
	case ImpactAccountTakeover:
		return "account takeover"
	case ImpactSession:
		return "session"
	case ImpactSecrets:
		return "secrets"
	case ImpactTransport:
		return "transport"
	case ImpactMail:
		return "mail"
	case ImpactOperations:
		return "operations"
	}
	return "unset"
}

// MarshalText makes an Impact appear as its name in JSON.
func (i Impact) MarshalText() ([]byte, error) { return []byte(i.String()), nil }

// UnmarshalText reads an Impact name back; an unknown name is unset, so a
// newer report's impact still reads.
func (i *Impact) UnmarshalText(b []byte) error {
	for v := ImpactDataExposure; v <= ImpactOperations; v++ {
		if v.String() == string(b) {
			*i = v
			return nil
		}
	}
	*i = ImpactUnset
	return nil
}

// Budget counts an intrusive check's side effects. Work shared between
// checks (one fresh account for several) is counted once, by the check
// that owns it.
type Budget struct {
	Accounts, Mails, WrongPasswords int
	// Objects counts objects created in the portal as member a.
	Objects int
	// Shared names side effects several checks share (one discovery run
	// for all of them): budgets with the same Shared are counted once.
	Shared string
}

// Budgeter is a check whose side effects depend on the config: BudgetFor
// says the most it does with this one (never more than Meta().Budget),
// so that the printed budget counts only what the config lets it create.
type Budgeter interface {
	BudgetFor(cfg *config.Config) Budget
}

// Add sums two budgets.
func (b Budget) Add(o Budget) Budget {
	return Budget{Accounts: b.Accounts + o.Accounts, Mails: b.Mails + o.Mails, WrongPasswords: b.WrongPasswords + o.WrongPasswords,
		Objects: b.Objects + o.Objects}
}

// Check is one verifiable claim about the portal.
type Check interface {
	Meta() Meta
	// Run evaluates the check. The context carries the per-check deadline set
	// by the runner. Run reports problems through the Result, not by panicking.
	Run(ctx context.Context, env *Env) Result
}

// Result is what a check's Run returns.
type Result struct {
	Status  Status
	Summary string
	// Reason explains a SKIP, N/A or ERROR: what happened.
	Reason string
	// Enable names what would let a SKIP run: a config key, a flag such as
	// --intrusive, or a tool to install.
	Enable   string
	Evidence []Evidence
	// Table, when set, is a matrix shown beside the evidence.
	Table *Table
}

// Table is a small matrix a check reports beside its evidence, such as the
// authorization matrix (object × identity → allowed / denied / leaked).
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    []TableRow `json:"rows"`
}

// TableRow is one labelled row of a Table.
type TableRow struct {
	Label string   `json:"label"`
	Cells []string `json:"cells"`
}

// Evidence backs a verdict with what was actually sent and seen.
type Evidence struct {
	// Request is "METHOD URL" with credentials redacted.
	Request string `json:"request,omitempty"`
	// Status is the HTTP status; zero (omitted) for non-HTTP evidence.
	Status int `json:"status,omitempty"`
	// Detail carries the relevant headers, body excerpt or explanation.
	Detail string `json:"detail,omitempty"`
	// Location points into a file for repository evidence.
	Location *Location `json:"location,omitempty"`
	// Repro is a redacted curl command that reproduces the observation.
	Repro string `json:"repro,omitempty"`
	// Fingerprint identifies a secret finding across runs (file, rule and
	// line, as gitleaks spells it, the key a waiver names); empty for
	// evidence of other kinds.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Location is a place in a file or commit.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Commit string `json:"commit,omitempty"`
}

// Outcome is a finished check: its metadata, result and timing.
type Outcome struct {
	Meta     Meta
	Result   Result
	Duration time.Duration
}

// Passf returns a PASS result with a formatted summary.
func Passf(format string, a ...any) Result {
	return Result{Status: Pass, Summary: fmt.Sprintf(format, a...)}
}

// Failf returns a FAIL result with a formatted summary and evidence.
func Failf(ev []Evidence, format string, a ...any) Result {
	return Result{Status: Fail, Summary: fmt.Sprintf(format, a...), Evidence: ev}
}

// Warnf returns a WARN result with a formatted summary and evidence.
func Warnf(ev []Evidence, format string, a ...any) Result {
	return Result{Status: Warn, Summary: fmt.Sprintf(format, a...), Evidence: ev}
}

// skipper is an error that means the check cannot run with this config,
// not that it broke (a fresh login with a recorded session).
type skipper interface {
	SkipReason() (reason, enable string)
}

// NotRunnable is an error that says a check cannot run with this config
// (nothing broke): Errorf turns it into a SKIP with its reason and what
// would enable it.
type NotRunnable struct {
	Reason, Enable string
}

func (e *NotRunnable) Error() string { return e.Reason }

// SkipReason makes Errorf a SKIP.
func (e *NotRunnable) SkipReason() (reason, enable string) { return e.Reason, e.Enable }

// Errorf returns an ERROR result: the check could not evaluate. An error
// argument that carries a skip reason makes it a SKIP instead.
func Errorf(format string, a ...any) Result {
	for _, x := range a {
		var s skipper
		if err, ok := x.(error); ok && errors.As(err, &s) {
			return Skipped(s.SkipReason())
		}
	}
	msg := fmt.Sprintf(format, a...)
	return Result{Status: Error, Summary: "could not evaluate: " + msg, Reason: msg}
}

// Skipped returns a SKIP result with the reason and what would enable it.
func Skipped(reason, enable string) Result {
	return Result{Status: Skip, Summary: "skipped: " + reason, Reason: reason, Enable: enable}
}

// NotApplicable returns an N/A result for a flow the portal does not have.
func NotApplicable(format string, a ...any) Result {
	msg := fmt.Sprintf(format, a...)
	return Result{Status: NA, Summary: "not applicable: " + msg, Reason: msg}
}
