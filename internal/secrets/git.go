package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/launchready/launchready/internal/safetext"
)

// NotRepoError says a path is not inside a git repository (or git cannot
// be run there).
type NotRepoError struct {
	// Path is the path as given.
	Path string
	// Detail is what git or the file system said.
	Detail string
}

// Error names the path and says what to give instead.
func (e *NotRepoError) Error() string {
	return fmt.Sprintf("%s is not a git repository (%s); give the folder of a clone that has its full history", e.Path, e.Detail)
}

// GitError is a git command that failed.
type GitError struct {
	// Args are git's arguments.
	Args []string
	// Stderr is what git printed, trimmed and bounded.
	Stderr string
	Err    error
}

// Error names the git command, its failure and what git printed.
func (e *GitError) Error() string {
	msg := fmt.Sprintf("git %s: %v", strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// Unwrap returns the process error.
func (e *GitError) Unwrap() error { return e.Err }

// maxStderr bounds the git error text kept for a message.
const maxStderr = 600

// git runs a git command in dir and returns its standard output.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	full := append([]string{"-C", dir}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	// Plain messages, no pager, never a credential prompt or a lazy fetch
	// from a partial clone's remote.
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0", "GIT_NO_LAZY_FETCH=1", "GIT_PAGER=cat")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > maxStderr {
			msg = safetext.Prefix(msg, maxStderr) + "…"
		}
		return out, &GitError{Args: args, Stderr: oneLine(msg), Err: err}
	}
	return out, nil
}

// oneLine keeps a message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// RepoRoot returns the top-level directory of the git repository holding
// path, or a *NotRepoError naming path.
func RepoRoot(ctx context.Context, path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", &NotRepoError{Path: path, Detail: "no such directory"}
	}
	if !st.IsDir() {
		return "", &NotRepoError{Path: path, Detail: "not a directory"}
	}
	if _, err := exec.LookPath("git"); err != nil {
		return "", fmt.Errorf("git is not installed or not on PATH: the secrets checks need it (%w)", err)
	}
	out, err := git(ctx, path, "rev-parse", "--show-toplevel")
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && ge.Stderr != "" {
			return "", &NotRepoError{Path: path, Detail: "git: " + ge.Stderr}
		}
		return "", &NotRepoError{Path: path, Detail: err.Error()}
	}
	top := strings.TrimSpace(string(out))
	if top == "" {
		return "", &NotRepoError{Path: path, Detail: "it is inside a .git directory or a bare repository"}
	}
	return filepath.Clean(top), nil
}

// commitCount counts the commits reachable from any ref.
func commitCount(ctx context.Context, top string) (int, error) {
	out, err := git(ctx, top, "rev-list", "--all", "--count")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("git rev-list --all --count printed %q", strings.TrimSpace(string(out)))
	}
	return n, nil
}

// isShallow reports a shallow clone, whose history is cut short.
func isShallow(ctx context.Context, top string) (bool, error) {
	out, err := git(ctx, top, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(string(out)) == "true", nil
}

// splitZ splits NUL-terminated output.
func splitZ(out []byte) []string {
	var parts []string
	for p := range strings.SplitSeq(string(out), "\x00") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// uncommitted lists the files on disk that are not committed at HEAD:
// untracked files that are not ignored, and added or modified ones.
func uncommitted(ctx context.Context, top string) ([]string, error) {
	// --no-optional-locks: a scan must not write the index.
	out, err := git(ctx, top, "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, entry := range splitZ(out) {
		if len(entry) < 4 {
			continue
		}
		xy, name := entry[:2], entry[3:]
		if strings.Contains(xy, "D") {
			continue
		}
		files = append(files, name)
	}
	return files, nil
}
