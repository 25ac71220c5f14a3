package secrets

import (
	"context"
	"fmt"
	"time"

	"github.com/launchready/launchready/internal/check"
	engine "github.com/launchready/launchready/internal/secrets"
)

// EnvFiles is SEC-006: .env-style files are neither tracked by git nor left
// where the next `git add .` takes them.
type EnvFiles struct{}

var _ check.Check = EnvFiles{}

// Meta returns the static description.
func (EnvFiles) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-006", Area: check.AreaSecrets, Severity: check.Major,
		Impact: check.ImpactSecrets,
		Title:  ".env files are ignored by git, never committed",
		Pass: "No .env-style file (.env, .env.local, .env.production, prod.env, .envrc, .dev.vars; not the templates meant to be " +
			"shared such as .env.example) is tracked by git (git ls-files), was committed on any branch in the past, or sits in " +
			"the working tree without .gitignore ignoring it (git ls-files --others --exclude-standard). With none present, " +
			".gitignore must still ignore a top-level .env (git check-ignore), else WARN.",
		Why: "A .env file holds the very secrets the host's secret store should: once tracked, every value in it is in the " +
			"history of every clone, and a .env that is merely not ignored is one `git add .` away from it.",
		Breaks: "The database password, the payment provider's secret key and the mail credentials ship with the code to " +
			"everyone who can read the repository, now and in every past clone.",
		Fix: "Stop tracking the file and ignore it: `git rm --cached .env`, then add to .gitignore:\n" +
			"  .env\n  .env.*\n  !.env.example\n" +
			"Commit a .env.example with the variable names and no values. Every value that was in a committed .env is in " +
			"history: rotate it (SEC-001 lists them) and keep the new values in the host's secret store (Vercel or Netlify " +
			"environment variables, `fly secrets set`, GitHub Actions secrets).",
		Refs:  []string{"ASVS v5.0.0-13.3.1", "CWE-538", "CWE-798"},
		Needs: []string{"source.repo"},
	}
}

// Run lists the .env-style files git has or could have.
func (EnvFiles) Run(ctx context.Context, env *check.Env) check.Result {
	_, ws, errRes := prepare(ctx, env)
	if errRes != nil {
		return *errRes
	}
	rep, err := engine.EnvFiles(ctx, repo(env))
	if err != nil {
		return scanError(err)
	}
	var es []entry
	for _, f := range rep.Files {
		es = append(es, envEntry(f))
	}
	j := judge("SEC-006", es, ws, time.Now())
	r := j.result(".env file", "tracked, committed or left unignored in "+rep.Repo)
	if len(j.failing)+len(j.lesser) == 0 && !rep.DotEnvIgnored {
		r.Status = check.Warn
		r.Summary = "no .env file is tracked, but .gitignore does not ignore .env: the first one created is one `git add .` from history"
		r.Evidence = append(r.Evidence, check.Evidence{
			Detail:   "git check-ignore --no-index .env: not ignored; add .env and .env.* (with !.env.example) to .gitignore",
			Location: &check.Location{File: ".gitignore"},
			Repro:    "git check-ignore -v --no-index .env || echo 'not ignored'",
		})
	}
	return r
}

// envEntry describes one .env-style file; waivers match it by
// "path:rule" or by its state's rule and a path glob.
func envEntry(f engine.EnvFile) entry {
	e := entry{
		subject:  engine.Subject{Fingerprints: []string{f.Path + ":" + f.State.Rule()}, Rule: f.State.Rule(), File: f.Path},
		severity: check.Blocker,
		kind:     ".env file " + f.State.String(),
	}
	loc := &check.Location{File: f.Path}
	switch f.State {
	case engine.EnvTracked:
		e.ev = check.Evidence{Detail: f.Path + " is tracked by git: every value in it is in history (SEC-001 lists the secrets)",
			Location: loc, Repro: "git ls-files -- " + shellQuote(f.Path)}
	case engine.EnvUnignored:
		e.ev = check.Evidence{Detail: f.Path + " is in the working tree and .gitignore does not ignore it: `git add .` would commit it",
			Location: loc, Repro: "git status --short -- " + shellQuote(f.Path)}
	default:
		loc.Commit = f.Commit
		e.ev = check.Evidence{Detail: fmt.Sprintf("%s was committed (commit %s) and is no longer tracked, but its values are still "+
			"in history: rotate them (SEC-001 lists the secrets)", f.Path, short(f.Commit)),
			Location: loc, Repro: "git log --all --oneline -- " + shellQuote(f.Path)}
	}
	e.ev.Fingerprint = f.Path + ":" + f.State.Rule()
	e.ev.Detail += "\nfingerprint " + e.ev.Fingerprint
	return e
}

// short abbreviates a commit SHA.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
