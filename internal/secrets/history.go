package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"

	"github.com/fatih/semgroup"
	"github.com/zricethezav/gitleaks/v8/cmd/scm"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// History is the outcome of scanning every commit on every branch.
type History struct {
	// Repo is the repository's top-level directory.
	Repo string
	// Commits counts the commits reachable from any ref (branches, tags,
	// remotes, stash).
	Commits int
	// Scanned counts the commits whose added lines were scanned: merges,
	// empty commits and those that only delete are not among them.
	Scanned int
	// Bytes counts the bytes of added lines scanned.
	Bytes int64
	// Shallow is true for a shallow clone: older history is missing.
	Shallow bool
	// Findings are every classified finding, secrets and not.
	Findings []Finding
}

// HistoryError says the history could not be read to its end: the scan is
// incomplete and must not be taken for a pass.
type HistoryError struct {
	// Repo is the repository's top-level directory.
	Repo string
	// Why says what went wrong.
	Why string
	// GitLines are what git printed on stderr, when the library caught it.
	GitLines []string
	Err      error
}

// Error says what went wrong, with git's own words when known.
func (e *HistoryError) Error() string {
	msg := fmt.Sprintf("reading the history of %s: %s", e.Repo, e.Why)
	if len(e.GitLines) > 0 {
		msg += "; git said: " + strings.Join(e.GitLines, "; ")
	}
	if e.Err != nil {
		msg += fmt.Sprintf(" (%v)", e.Err)
	}
	return msg + fmt.Sprintf("; `git -C %s fsck` shows what is damaged", e.Repo)
}

// Unwrap returns the underlying cause.
func (e *HistoryError) Unwrap() error { return e.Err }

// History scans the added lines of every commit reachable from any ref
// (git log -p -U0 --full-history --all), as `gitleaks git` does. A git that
// fails part-way is an error, never a shorter clean history.
func (s *Scanner) History(ctx context.Context, repo string) (*History, error) {
	top, err := RepoRoot(ctx, repo)
	if err != nil {
		return nil, err
	}
	h := &History{Repo: top}
	if h.Commits, err = commitCount(ctx, top); err != nil {
		return nil, &HistoryError{Repo: top, Why: "cannot count its commits", Err: err}
	}
	if h.Shallow, err = isShallow(ctx, top); err != nil {
		return nil, &HistoryError{Repo: top, Why: "cannot tell whether it is a shallow clone", Err: err}
	}
	// Registered before git starts: gitleaks logs git's stderr lines as
	// soon as they come, and a line logged before would be lost.
	sink := logs.register(s.opts.Logger)
	defer logs.unregister(sink)
	cmd, err := sources.NewGitLogCmdContext(ctx, top, "")
	if err != nil {
		return nil, &HistoryError{Repo: top, Why: "cannot start git log", Err: err}
	}
	det := s.detector(ctx)
	col := s.newCollector(det)
	sema := semgroup.NewGroup(ctx, int64(s.opts.Workers))
	src := &sources.Git{
		Cmd:    cmd,
		Config: &det.Config,
		// Without a Remote the first finding dereferences nil.
		Remote: sources.NewRemoteInfoContext(ctx, scm.NoPlatform, top),
		Sema:   sema,
	}
	var stream firstError
	err = src.Fragments(ctx, func(f sources.Fragment, ferr error) error {
		if ferr != nil {
			// gitleaks reports git's stderr here, then stops reading.
			stream.set(ferr)
			return nil
		}
		col.scan(ctx, f)
		return nil
	})
	// Fragments can return while scans it started still run, and leave
	// the diff parser blocked: wait for the first, drain the second.
	semErr := sema.Wait()
	go drain(cmd)
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", top, cerr)
	}
	if problem := historyProblem(cmd, err, stream.get(), semErr); problem != nil {
		problem.Repo, problem.GitLines = top, sink.gitLines()
		return nil, problem
	}
	h.Scanned, h.Bytes, h.Findings = col.commitsSeen(), col.bytes.Load(), col.result()
	if h.Scanned > h.Commits {
		return nil, &HistoryError{Repo: top, Why: fmt.Sprintf("git log showed %d commits but git rev-list --all counts %d", h.Scanned, h.Commits)}
	}
	return h, nil
}

// historyProblem says why a history read is incomplete, or nil.
func historyProblem(cmd *sources.GitCmd, err, streamErr, semErr error) *HistoryError {
	switch {
	case err != nil:
		return &HistoryError{Why: "git log failed", Err: err}
	case streamErr != nil:
		return &HistoryError{Why: "git log reported errors and its output was not read to the end", Err: streamErr}
	case semErr != nil:
		return &HistoryError{Why: "scanning some commits failed", Err: semErr}
	}
	st, err := gitExit(cmd)
	if err != nil {
		return &HistoryError{Why: "cannot tell whether git log finished", Err: err}
	}
	if !st.Success() {
		return &HistoryError{Why: "git log " + st.String() + " before the end of the history"}
	}
	return nil
}

// drain empties the diff channel so gitleaks' parser goroutine can end.
func drain(cmd *sources.GitCmd) {
	for range cmd.DiffFilesCh() {
	}
}

// gitExit reads how the git log process ended. gitleaks v8.30.1 waits for
// it but only logs a failure (at debug level, where secret values are
// logged too, so that level stays off): the status is read from the
// command the GitCmd keeps in an unexported field. TestGitExitStatus pins
// this to the gitleaks version in go.mod.
func gitExit(c *sources.GitCmd) (*os.ProcessState, error) {
	v := reflect.ValueOf(c).Elem().FieldByName("cmd")
	if !v.IsValid() || v.Type() != reflect.TypeFor[*exec.Cmd]() || v.IsNil() {
		return nil, errors.New("this gitleaks version does not keep git's command where launchready reads its exit status")
	}
	cmd := (*exec.Cmd)(v.UnsafePointer())
	if cmd.ProcessState == nil {
		return nil, errors.New("git log was not waited for")
	}
	return cmd.ProcessState, nil
}

// firstError keeps the first error reported from any goroutine.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
