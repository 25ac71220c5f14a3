package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/interrupt"
	"github.com/launchready/launchready/internal/journal"
	"github.com/launchready/launchready/internal/owner"
	"github.com/launchready/launchready/internal/report"
	"github.com/launchready/launchready/internal/scan"
)

// runFlags are the flags every scanning command shares.
type runFlags struct {
	outs     []string
	only     []string
	failOn   string
	noColor  bool
	deadline time.Duration
	// deadlineSet is true when --deadline was given (0 is then an error,
	// not "the config's").
	deadlineSet bool
	// verbose prints each evidence item's repro in the terminal.
	verbose bool
	// baselinePath is --baseline; baseline the run read from it, loaded
	// before any traffic.
	baselinePath string
	baseline     *report.Run
	// reportURL is where the full report is published (--report-url).
	reportURL string
	// rerun is the command that runs this scan again, for "Fix first".
	rerun string
}

func (f *runFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.outs, "out", nil, "write the report to `FILE`; format by extension (.json .html .sarif .xml .md); repeatable")
	cmd.Flags().StringSliceVar(&f.only, "only", nil, "run only the checks with these `IDS` (comma-separated), e.g. to re-check a fix")
	cmd.Flags().StringVar(&f.failOn, "fail-on", "blocker", "lowest `SEVERITY` whose FAIL makes the verdict NO-GO: blocker, major or minor")
	cmd.Flags().BoolVar(&f.noColor, "no-color", false, "no colour in the terminal scorecard even on a TTY")
	cmd.Flags().DurationVar(&f.deadline, "deadline", 0, "bound the whole scan to `DURATION` (e.g. 30m), in place of target.timeouts.scan (default 15m): past it the checks still running are stopped and reported as ERROR, the report is written and the clean-up runs")
	registerRender(cmd, &f.verbose, &f.baselinePath, &f.reportURL)
}

// registerRender adds the flags that shape the reports, shared by the
// scanning commands and `report`.
func registerRender(cmd *cobra.Command, verbose *bool, baseline, reportURL *string) {
	cmd.Flags().BoolVar(verbose, "verbose", false, "print each evidence item's repro command (curl, git) in the terminal; the reports always carry them")
	cmd.Flags().StringVar(baseline, "baseline", "", "compare with an earlier JSON report `FILE`: mark each finding new or unchanged and list the fixed ones, in every format")
	cmd.Flags().StringVar(reportURL, "report-url", "", "where the full report will be published (`URL`): the Markdown report, sized for a pull-request comment, links to it")
}

// parse validates the flags before any traffic is sent.
func (f *runFlags) parse() (check.Severity, error) {
	sev, err := check.ParseSeverity(f.failOn)
	if err != nil || sev == check.Info {
		return 0, usageErr("--fail-on %q: want blocker, major or minor", f.failOn)
	}
	for _, out := range f.outs {
		if err := checkOut("--out", out); err != nil {
			return 0, err
		}
		if _, err := report.ForPath(out); err != nil {
			return 0, usageErr("%v", err)
		}
	}
	if _, err := scan.Select(checks.All(), f.only); err != nil {
		return 0, usageErr("%v", err)
	}
	if f.deadline < 0 || (f.deadline == 0 && f.deadlineSet) {
		return 0, usageErr("--deadline %s: want a duration above 0, like 30m", f.deadline)
	}
	if f.baselinePath != "" {
		b, err := readReport("--baseline", f.baselinePath)
		if err != nil {
			return 0, err
		}
		f.baseline = b
	}
	if err := checkReportURL(f.reportURL); err != nil {
		return 0, err
	}
	return sev, nil
}

// readReport reads a saved JSON report named by flag (exit 2 when it
// cannot: a missing file, not JSON, another schema).
func readReport(flag, path string) (*report.Run, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, usageErr("%s %s: %v", flag, path, err)
	}
	defer fh.Close()
	r, err := report.ReadJSON(fh)
	if err != nil {
		return nil, usageErr("%s %s: %v (want a JSON report written by --out FILE.json)", flag, path, err)
	}
	return r, nil
}

// checkReportURL accepts an empty --report-url or an absolute http(s) URL.
func checkReportURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usageErr("--report-url %q: want an absolute http:// or https:// URL", raw)
	}
	return nil
}

func newScan(s *streams) *cobra.Command {
	var f runFlags
	var cfgPath string
	var intrusive bool
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Audit the portal described in launchready.yaml and print the go/no-go scorecard",
		Long: "scan runs every implemented check against the target in the config (or those named by --only), prints the\n" +
			"scorecard, writes the reports asked for with --out, and exits with the verdict: 0 GO, 1 NO-GO, 3 NOT VERIFIED.\n" +
			"Only the hosts in target.scope are ever contacted.",
		Example: "  launchready scan\n" +
			"  launchready scan --config staging.yaml --out report.html --out report.json\n" +
			"  launchready scan --only SESS-001,SESS-002 --fail-on major",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.deadlineSet = cmd.Flags().Changed("deadline")
			failOn, err := f.parse()
			if err != nil {
				return err
			}
			cfg, err := loadConfig(cfgPath, cmd.Flags().Changed("config"))
			if err != nil {
				return err
			}
			dir, err := journal.Dir(os.Getenv)
			if err != nil && intrusive {
				return usageErr("%v", err)
			}
			f.rerun = rerunOf("launchready scan", cmd, "config", "intrusive")
			return runScan(cmd.Context(), s, cfg, &f, failOn, intrusive, dir)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&cfgPath, "config", "c", "launchready.yaml", "the target config `FILE`")
	cmd.Flags().BoolVar(&intrusive, "intrusive", false, "allow intrusive checks (account creation, mail, wrong-password attempts); a non-loopback target must publish the ownership proof from 'launchready token'")
	return cmd
}

// runScan executes, prints the scorecard, writes reports, and returns the
// verdict's exit code. The journal of what the scan creates goes in
// journalDir; a first Ctrl-C (ctx) stops the checks, a second (ctx's
// abort) the clean-up.
func runScan(ctx context.Context, s *streams, cfg *config.Config, f *runFlags, failOn check.Severity, intrusive bool, journalDir string) error {
	prog := newProgress(s.stderr, s.stderrTTY)
	opts := scan.Options{
		Version: Version, Only: f.only, FailOn: failOn, Intrusive: intrusive, Progress: prog.event, Deadline: f.deadline,
		Notice: func(line string) { prog.note(line) }, JournalDir: journalDir, Abort: interrupt.Abort(ctx),
	}
	if intrusive {
		// The operator key proves ownership of hosts off loopback; without
		// one only loopback hosts get consent, and the note says why.
		opts.OwnerKey, _, opts.OwnerKeyErr = owner.Load(os.Getenv)
	}
	run, err := scan.Execute(ctx, cfg, opts)
	prog.finish()
	if err != nil {
		var ue *scan.UsageError
		if errors.As(err, &ue) {
			return usageErr("%v", err)
		}
		return toolErr(err)
	}
	fmt.Fprintf(s.stderr, "sent %d requests to the target in %s; %d refused as out of scope, %d without consent\n",
		run.Requests, run.Duration.Round(time.Millisecond), len(run.OutOfScope), len(run.NoConsent))
	return finish(s, run, f)
}

// rerunOf is the command that runs this one again: base and the flags
// among names that were given (their values shell-quoted), and the place
// where "Fix first" puts --only ID.
func rerunOf(base string, cmd *cobra.Command, names ...string) string {
	parts := []string{base, report.OnlyPlaceholder}
	for _, name := range names {
		fl := cmd.Flags().Lookup(name)
		if fl == nil || !fl.Changed {
			continue
		}
		if fl.Value.Type() == "bool" {
			parts = append(parts, "--"+name)
			continue
		}
		parts = append(parts, "--"+name, shellWord(fl.Value.String()))
	}
	return strings.Join(parts, " ")
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// finish compares with the baseline, prints the scorecard, writes each
// --out report and ends with the verdict's exit code; a report that
// cannot be written is a tool failure, after the others are written.
func finish(s *streams, run *report.Run, f *runFlags) error {
	run.Rerun, run.ReportURL = f.rerun, f.reportURL
	if f.baseline != nil {
		report.Compare(run, f.baseline)
	}
	return render(s, run, f.outs, f.noColor, f.verbose)
}

// render prints the scorecard, writes each report and returns the
// verdict's exit code.
func render(s *streams, run *report.Run, outs []string, noColor, verbose bool) error {
	term := report.Terminal{Color: s.stdoutTTY && !noColor, Verbose: verbose}
	if err := term.Write(s.stdout, run); err != nil {
		return toolErr(fmt.Errorf("printing the scorecard: %w", err))
	}
	var failed []string
	for _, out := range outs {
		if err := report.WriteFile(out, run); err != nil {
			failed = append(failed, err.Error())
			continue
		}
		fmt.Fprintf(s.stderr, "wrote %s\n", out)
	}
	if len(failed) > 0 {
		return toolErr(fmt.Errorf("writing reports: %s", strings.Join(failed, "; ")))
	}
	return verdictExit(run.Summary.Verdict.ExitCode())
}
