package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/report"
	"github.com/launchready/launchready/internal/runner"
	"github.com/launchready/launchready/internal/score"
	"github.com/launchready/launchready/internal/secrets"

	seccheck "github.com/launchready/launchready/internal/checks/secrets"
)

// secretsFlags are the secrets command's flags.
type secretsFlags struct {
	outs, builds, logs []string
	waivers, failOn    string
	noColor            bool
	timeout            time.Duration
	// The report flags shared with scan: --verbose, --baseline,
	// --report-url; baseline is read before the scan starts.
	verbose                 bool
	baselinePath, reportURL string
	baseline                *report.Run
}

func newSecrets(s *streams) *cobra.Command {
	var f secretsFlags
	cmd := &cobra.Command{
		Use:   "secrets [PATH]",
		Short: "Scan a repository's history on every branch, its uncommitted files and its build output for secrets",
		Long: "secrets runs the Secrets handling checks on a git repository (PATH, default the current folder) without a live\n" +
			"target: SEC-001 every commit on every branch, SEC-002 uncommitted files and the --build folders (source maps\n" +
			"decoded), SEC-006 .env files git tracks or would, and SEC-007 the --ci-log files when given. Keys designed to be\n" +
			"public (Stripe pk_, Supabase anon) are not findings; found secrets are shown only by their first characters and a\n" +
			"fingerprint. Findings can be waived in launchready-waivers.yaml (at the repository's top level, or --waivers).\n" +
			"Exit code: 0 clean, 1 an unwaived finding at or above --fail-on, 3 not verified (history unreadable, shallow\n" +
			"clone, build folder missing), 2 usage error, 4 the tool failed.",
		Example: "  launchready secrets\n" +
			"  launchready secrets ../portal --build ../portal/dist --out secrets.sarif\n" +
			"  launchready secrets --build dist --ci-log ci/build.log --waivers launchready-waivers.yaml --out secrets.html",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			cfg, failOn, err := f.config(cmd.Context(), path)
			if err != nil {
				return err
			}
			if f.baselinePath != "" {
				if f.baseline, err = readReport("--baseline", f.baselinePath); err != nil {
					return err
				}
			}
			if err := checkReportURL(f.reportURL); err != nil {
				return err
			}
			return runSecrets(cmd.Context(), s, cfg, &f, failOn)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.outs, "out", nil, "write the report to `FILE`; format by extension (.json .html .sarif .xml .md); repeatable")
	fl.StringArrayVar(&f.builds, "build", nil, "a build output `FOLDER` the host serves (dist, build, .next/static), scanned whole; repeatable")
	fl.StringArrayVar(&f.logs, "ci-log", nil, "the `PATH` of a CI log file (or a folder of logs) downloaded from the CI run; repeatable")
	fl.StringVar(&f.waivers, "waivers", "", "the waiver `FILE` (default launchready-waivers.yaml at the repository's top level, if present)")
	fl.StringVar(&f.failOn, "fail-on", "major", "lowest `SEVERITY` whose FAIL exits 1: blocker, major or minor")
	fl.BoolVar(&f.noColor, "no-color", false, "no colour in the terminal scorecard even on a TTY")
	fl.DurationVar(&f.timeout, "timeout", time.Hour, "bound each check to `DURATION` (a long history takes minutes)")
	registerRender(cmd, &f.verbose, &f.baselinePath, &f.reportURL)
	return cmd
}

// config validates the flags and builds the config the checks read; every
// problem is a usage error naming the flag or path.
func (f *secretsFlags) config(ctx context.Context, path string) (*config.Config, check.Severity, error) {
	failOn, err := check.ParseSeverity(f.failOn)
	if err != nil || failOn == check.Info {
		return nil, 0, usageErr("--fail-on %q: want blocker, major or minor", f.failOn)
	}
	if f.timeout <= 0 {
		return nil, 0, usageErr("--timeout %s: want a positive duration like 30m", f.timeout)
	}
	for _, out := range f.outs {
		if err := checkOut("--out", out); err != nil {
			return nil, 0, err
		}
		if _, err := report.ForPath(out); err != nil {
			return nil, 0, usageErr("%v", err)
		}
	}
	top, err := secrets.RepoRoot(ctx, path)
	var nr *secrets.NotRepoError
	switch {
	case errors.As(err, &nr):
		return nil, 0, usageErr("secrets %s: %v", path, err)
	case err != nil:
		return nil, 0, toolErr(err)
	}
	for _, p := range append(append([]string(nil), f.builds...), f.logs...) {
		if _, err := os.Stat(p); err != nil {
			return nil, 0, usageErr("%s: %v (--build and --ci-log take paths relative to the current folder)", p, statProblem(err))
		}
	}
	waivers := f.waivers
	if waivers == "" {
		if p := filepath.Join(top, config.WaiversFileName); fileExists(p) {
			waivers = p
		}
	}
	if waivers != "" {
		if _, err := secrets.LoadWaivers(waivers, seccheck.IDs); err != nil {
			return nil, 0, usageErr("%v", err)
		}
	}
	return &config.Config{Source: &config.Source{Repo: top, Build: f.builds, CILogs: f.logs, Waivers: waivers}}, failOn, nil
}

// statProblem says why a path given on the command line is unusable.
func statProblem(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "no such file or folder"
	}
	return err.Error()
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// secretsChecks are the checks the command runs: SEC-007 only with logs.
func secretsChecks(cfg *config.Config) []check.Check {
	cs := []check.Check{seccheck.History{}, seccheck.Tree{}, seccheck.EnvFiles{}}
	if len(cfg.Source.CILogs) > 0 {
		cs = append(cs, seccheck.CILogs{})
	}
	return cs
}

// runSecrets runs the checks, prints the scorecard, writes the reports and
// returns the verdict's exit code.
func runSecrets(ctx context.Context, s *streams, cfg *config.Config, f *secretsFlags, failOn check.Severity) error {
	start := time.Now()
	prog := newProgress(s.stderr, s.stderrTTY)
	outcomes := runner.Run(ctx, secretsChecks(cfg), &check.Env{Config: cfg}, runner.Options{Timeout: f.timeout, Progress: prog.event})
	prog.finish()
	run := &report.Run{
		ToolVersion: Version,
		Target:      cfg.Source.Repo,
		Started:     start,
		Duration:    time.Since(start),
		// The other areas are a scan's: NOT RUN here, not NOT COVERED.
		Summary:   score.SummarizeWith(outcomes, score.Options{FailOn: failOn, Implemented: implementedAreas()}),
		Outcomes:  outcomes,
		NotTested: append([]string{"the live portal: its pages, bundle, source maps and API (launchready scan)"}, report.NotTested...),
	}
	fmt.Fprintf(s.stderr, "scanned %s in %s\n", cfg.Source.Repo, run.Duration.Round(time.Millisecond))
	rerun := "launchready secrets"
	if cfg.Source.Repo != "." {
		rerun += " " + shellWord(cfg.Source.Repo)
	}
	return finish(s, run, &runFlags{outs: f.outs, noColor: f.noColor, verbose: f.verbose, baseline: f.baseline,
		reportURL: f.reportURL, rerun: rerun})
}

// implementedAreas names the areas some implemented check belongs to.
func implementedAreas() []string {
	var areas []string
	for _, c := range checks.All() {
		if a := c.Meta().Area; !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	return areas
}
