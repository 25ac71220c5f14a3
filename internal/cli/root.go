// Package cli holds launchready's cobra commands. Commands are thin: they
// parse flags, call a package, and print.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/safetext"
	"github.com/launchready/launchready/internal/scan"
)

// Version is the tool version; release builds set it with
// -ldflags "-X github.com/launchready/launchready/internal/cli.Version=…".
// A binary from `go install …@v1.2.3` that was not given one takes the
// module version Go recorded in it (init below). It must stay initialised
// by a constant: -X sets only such string variables.
var Version = "0.1.0-dev"

// devVersion is Version's value in a build without -X.
const devVersion = "0.1.0-dev"

func init() {
	if Version == devVersion {
		Version = moduleVersion(devVersion, readBuildInfo)
	}
}

// readBuildInfo is debug.ReadBuildInfo, replaced in tests.
var readBuildInfo = debug.ReadBuildInfo

// moduleVersion is the main module's version Go recorded in the binary
// (go install pkg@version) when there is one, else fallback.
func moduleVersion(fallback string, read func() (*debug.BuildInfo, bool)) string {
	bi, ok := read()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return fallback
	}
	return strings.TrimPrefix(bi.Main.Version, "v")
}

// Exit codes fixed by the SPEC.
const (
	ExitGo          = 0
	ExitNoGo        = 1
	ExitUsage       = 2
	ExitNotVerified = 3
	ExitToolFailed  = 4
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

func toolErr(err error) error { return &exitError{code: ExitToolFailed, err: err} }

// verdictExit ends a command with a verdict's exit code and no message.
func verdictExit(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code: code}
}

// streams are the process's outputs, passed in so tests can capture them.
type streams struct {
	stdout, stderr io.Writer
	// tty says whether stderr/stdout are terminals (colour, live progress).
	stdoutTTY, stderrTTY bool
}

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := &streams{stdout: stdout, stderr: stderr, stdoutTTY: isTTY(stdout), stderrTTY: isTTY(stderr)}
	root := newRoot(s)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitGo
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			printError(stderr, ee.err)
		}
		return ee.code
	}
	var ue *scan.UsageError
	if errors.As(err, &ue) {
		printError(stderr, err)
		return ExitUsage
	}
	// Anything cobra itself reports (unknown command, bad flag) is usage.
	printError(stderr, err)
	fmt.Fprintln(stderr, "Run 'launchready --help' for usage.")
	return ExitUsage
}

// printError prints an error for the user. Errors quote what the target
// sent (a status line, a URL, a server's message): sanitised, so a hostile
// portal cannot rewrite the terminal.
func printError(w io.Writer, err error) {
	fmt.Fprintln(w, "launchready:", safetext.Lines(err.Error()))
}

func newRoot(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "launchready",
		Short: "Is this client portal ready for its first 100 users? A go/no-go audit with proof.",
		Long: "launchready audits a live client portal (and its repository) before launch: the login journey, session cookies,\n" +
			"access control, TLS and redirects, security headers and more. It prints a go/no-go scorecard with evidence and\n" +
			"a fix path for every failure, and gates CI with its exit code:\n" +
			"  0 GO, 1 NO-GO, 3 NOT VERIFIED, 2 usage or config error, 4 the tool failed.",
		Example:       "  launchready demo\n  launchready scan --config launchready.yaml --out report.html",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	// -v and --version print what `launchready version` prints.
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newScan(s), newInit(s), newDemo(s), newSecrets(s), newLogin(s), newCleanup(s), newChecks(s), newExplain(s), newToken(s), newVersion(s), newReport(s))
	return root
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
