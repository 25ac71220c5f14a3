package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
	"github.com/launchready/launchready/internal/owner"
	"github.com/launchready/launchready/internal/scan"
)

// Exit codes of cleanup: 0 everything deleted, 1 something is left, 2 usage,
// 4 the tool failed (as for the other commands).
const (
	exitCleaned = 0
	exitLeft    = 1
)

func newCleanup(s *streams) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "cleanup [JOURNAL]",
		Short: "Finish the clean-up of a scan that was killed: delete the accounts and objects its journal lists",
		Long: "Every scan that may create something journals it first, in $XDG_STATE_HOME/launchready/journals\n" +
			"(~/.local/state/launchready/journals), and removes the journal once everything is deleted. A run that was\n" +
			"killed, or whose clean-up left something, keeps its journal. cleanup reads it, logs in with the config that\n" +
			"run used (or --config), deletes what is left, lists what it could not delete, and removes the journal when\n" +
			"nothing is left. Without JOURNAL it takes the one journal of a killed run, or lists them when there are several.\n" +
			"Exit codes: 0 everything deleted, 1 something is left, 2 usage, 4 the tool failed.",
		Example: "  launchready cleanup\n  launchready cleanup ~/.local/state/launchready/journals/20261128T100000Z-0a1b2c3d.jsonl",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := journalPath(s, args)
			if err != nil || path == "" {
				return err
			}
			w, j, err := journal.Open(path)
			switch {
			case errors.Is(err, journal.ErrLocked):
				return usageErr("%s: %v", path, err)
			case err != nil:
				return usageErr("%v", err)
			}
			return finishJournal(cmd, s, w, j, cfgPath)
		},
	}
	cmd.Flags().StringVarP(&cfgPath, "config", "c", "", "the config `FILE` the run used (default: the one its journal names)")
	return cmd
}

// journalPath is the journal named, or the one killed run's journal in the
// journals folder ("" with nothing to do).
func journalPath(s *streams, args []string) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	dir, err := journal.Dir(os.Getenv)
	if err != nil {
		return "", usageErr("%v", err)
	}
	found, err := journal.Find(dir)
	if err != nil {
		return "", toolErr(fmt.Errorf("reading %s: %w", dir, err))
	}
	var killed []journal.Found
	for _, f := range found {
		switch {
		case f.Live:
			fmt.Fprintf(s.stderr, "%s belongs to a scan still running: left alone\n", f.Path)
		case f.Err != nil:
			fmt.Fprintf(s.stderr, "%s: %v\n", f.Path, f.Err)
		default:
			killed = append(killed, f)
		}
	}
	switch len(killed) {
	case 0:
		fmt.Fprintf(s.stderr, "no journal of a killed run in %s: nothing to clean up\n", dir)
		return "", nil
	case 1:
		return killed[0].Path, nil
	}
	fmt.Fprintf(s.stdout, "journals of killed runs in %s:\n", dir)
	for _, f := range killed {
		h := f.Journal.Header
		fmt.Fprintf(s.stdout, "  %s  %s against %s, %d left\n", f.Path, h.Started.Local().Format(time.DateTime), h.Target, len(f.Journal.Pending()))
	}
	return "", usageErr("%d journals of killed runs: name the one to finish (launchready cleanup JOURNAL)", len(killed))
}

// finishJournal loads the run's config and finishes its clean-up.
func finishJournal(cmd *cobra.Command, s *streams, w *journal.Writer, j *journal.Journal, cfgPath string) error {
	fmt.Fprintf(s.stderr, "journal: %s\n", w.Path())
	if len(j.Pending()) > 0 {
		if cfgPath == "" {
			cfgPath = j.Header.Config
		}
		if cfgPath == "" {
			w.Close()
			return usageErr("the journal names no config: give the one the run used with --config")
		}
	}
	var cfg *config.Config
	if cfgPath != "" {
		var err error
		if cfg, err = config.Load(cfgPath); err != nil {
			w.Close()
			return usageErr("%v", err)
		}
	} else {
		cfg = &config.Config{Target: config.Target{URL: j.Header.Target}}
	}
	opts := scan.FinishOptions{Version: Version, Notice: func(line string) { fmt.Fprintln(s.stderr, line) }}
	opts.OwnerKey, _, opts.OwnerKeyErr = owner.Load(os.Getenv)
	done, err := scan.Finish(cmd.Context(), cfg, w, j, opts)
	if err != nil {
		w.Close()
		var ue *scan.UsageError
		if errors.As(err, &ue) {
			return usageErr("%v", err)
		}
		return toolErr(err)
	}
	for _, r := range done.Removed {
		fmt.Fprintf(s.stdout, "deleted: %s\n", r)
	}
	for _, l := range done.Left {
		fmt.Fprintf(s.stdout, "left behind: %s\n", l)
	}
	if len(done.Left) > 0 {
		fmt.Fprintf(s.stderr, "the journal is kept at %s: delete what is left by hand, or run cleanup again\n", w.Path())
		return &exitError{code: exitLeft}
	}
	fmt.Fprintln(s.stderr, "nothing left: the journal is removed")
	return verdictExit(exitCleaned)
}
