package secrets

import (
	"context"
	"errors"
	"os/exec"
	"path"
	"sort"
	"strings"
)

// EnvState says how git sees a .env-style file.
type EnvState int

const (
	// EnvTracked is a file committed and still tracked.
	EnvTracked EnvState = iota
	// EnvUnignored is a file on disk that .gitignore does not ignore: one
	// `git add .` away from being committed.
	EnvUnignored
	// EnvInHistory is a file committed once (on any branch) and no longer
	// tracked: its values are still in the history.
	EnvInHistory
)

// String names the state for messages and waivers.
func (s EnvState) String() string {
	switch s {
	case EnvTracked:
		return "tracked"
	case EnvUnignored:
		return "not ignored"
	case EnvInHistory:
		return "in history"
	}
	return "unknown"
}

// Rule is the pseudo rule ID a waiver names for this state.
func (s EnvState) Rule() string {
	switch s {
	case EnvTracked:
		return "env-file-tracked"
	case EnvUnignored:
		return "env-file-not-ignored"
	}
	return "env-file-in-history"
}

// EnvFile is one .env-style file git has or could have.
type EnvFile struct {
	// Path is relative to the repository's top level, "/"-separated.
	Path  string
	State EnvState
	// Commit is a commit that added it (EnvInHistory only).
	Commit string
}

// EnvReport is what EnvFiles found.
type EnvReport struct {
	// Repo is the repository's top-level directory.
	Repo  string
	Files []EnvFile
	// DotEnvIgnored says whether .gitignore rules ignore a .env at the top
	// level, where the next one will most likely be created.
	DotEnvIgnored bool
}

// IsEnvFile reports a file name that holds environment secrets by
// convention: .env, .env.production, prod.env, .envrc, .dev.vars —
// but not the templates meant to be committed (.env.example and the like).
func IsEnvFile(name string) bool {
	base := strings.ToLower(path.Base(name))
	switch {
	case base == ".envrc" || base == ".dev.vars":
		return true
	case base != ".env" && !strings.HasPrefix(base, ".env.") && !strings.HasSuffix(base, ".env"):
		return false
	}
	for _, t := range []string{"example", "sample", "template", "dist", "defaults", "schema", "tpl", "stub"} {
		if strings.Contains(base, t) {
			return false
		}
	}
	return true
}

// EnvFiles lists the .env-style files git tracks, once committed, or would
// take with the next `git add .`, and whether .gitignore covers .env.
func EnvFiles(ctx context.Context, repo string) (*EnvReport, error) {
	top, err := RepoRoot(ctx, repo)
	if err != nil {
		return nil, err
	}
	rep := &EnvReport{Repo: top}
	tracked, err := git(ctx, top, "ls-files", "-z", "--cached")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range splitZ(tracked) {
		seen[f] = true
		if IsEnvFile(f) {
			rep.Files = append(rep.Files, EnvFile{Path: f, State: EnvTracked})
		}
	}
	others, err := git(ctx, top, "ls-files", "-z", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	for _, f := range splitZ(others) {
		if IsEnvFile(f) {
			rep.Files = append(rep.Files, EnvFile{Path: f, State: EnvUnignored})
		}
	}
	past, err := envInHistory(ctx, top, seen)
	if err != nil {
		return nil, err
	}
	rep.Files = append(rep.Files, past...)
	if rep.DotEnvIgnored, err = ignored(ctx, top, ".env"); err != nil {
		return nil, err
	}
	return rep, nil
}

// envInHistory lists .env-style files some commit on any branch added that
// are not tracked now, each with the most recent commit that added it.
func envInHistory(ctx context.Context, top string, tracked map[string]bool) ([]EnvFile, error) {
	out, err := git(ctx, top, "log", "--all", "--no-renames", "--diff-filter=A", "--name-only", "--format=%x00commit %H", "-z")
	if err != nil {
		return nil, err
	}
	var files []EnvFile
	seen := map[string]bool{}
	commit := ""
	for _, tok := range splitZ(out) {
		tok = strings.TrimLeft(tok, "\n")
		if c, ok := strings.CutPrefix(tok, "commit "); ok {
			commit = strings.TrimSpace(c)
			continue
		}
		if tok == "" || tracked[tok] || seen[tok] || !IsEnvFile(tok) {
			continue
		}
		seen[tok] = true
		files = append(files, EnvFile{Path: tok, State: EnvInHistory, Commit: commit})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// ignored asks git whether its ignore rules cover name (whether or not
// such a file exists).
func ignored(ctx context.Context, top, name string) (bool, error) {
	_, err := git(ctx, top, "check-ignore", "-q", "--no-index", name)
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return false, nil
	}
	return false, err
}
