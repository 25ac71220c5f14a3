package secrets

import (
	"context"
	"fmt"
	"time"

	"github.com/launchready/launchready/internal/check"
	engine "github.com/launchready/launchready/internal/secrets"
)

// History is SEC-001: no secret in the repository's git history, on any
// branch.
type History struct{}

var _ check.Check = History{}

// Meta returns the static description.
func (History) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-001", Area: check.AreaSecrets, Severity: check.Blocker,
		Impact: check.ImpactSecrets,
		Title:  "No secrets in git history (all branches)",
		Pass: "The added lines of every commit reachable from any ref — every branch, tag, remote-tracking branch and the stash " +
			"(git log -p --all, as gitleaks scans it, base64- and otherwise-encoded values decoded up to 5 levels) — hold no secret: " +
			"gitleaks' rules plus launchready's (database and SMTP URLs with passwords, Supabase and Stripe keys), classified by meaning. " +
			"Browser keys designed to be public (Stripe pk_, Supabase anon or sb_publishable_, a Firebase web config's apiKey) are not " +
			"findings; a Stripe test-mode key or an expiring token is a WARN; a live secret fails. A repository whose history cannot be " +
			"read to the end (git fails part-way, or a shallow clone with nothing found) is an ERROR, never a pass.",
		Why: "Whatever was ever committed is in every clone, fork, CI cache and backup of the repository, on every branch, even after " +
			"the file was deleted; secret scanners and attackers read public history within minutes of a push, and a private " +
			"repository is one leaked laptop or contractor account away from public.",
		Breaks: "A leaked Stripe secret key refunds or charges members; a Supabase service_role key or a database URL reads and rewrites " +
			"every member's data, bypassing row-level security; an SMTP password sends phishing from the portal's own domain.",
		Fix:   fixSecret,
		Refs:  []string{"ASVS v5.0.0-13.3.1", "API8:2023", "CWE-798", "CWE-540"},
		Needs: []string{"source.repo"},
	}
}

// Run scans the history and judges what it finds.
func (History) Run(ctx context.Context, env *check.Env) check.Result {
	sc, ws, errRes := prepare(ctx, env)
	if errRes != nil {
		return *errRes
	}
	h, err := sc.History(ctx, repo(env))
	if err != nil {
		return scanError(err)
	}
	es, info := findingEntries(h.Findings, historyRepro)
	j := judge("SEC-001", es, ws, time.Now())
	where := fmt.Sprintf("in git history (%s on all branches, %s of added lines scanned)", count(h.Commits, "commit"), size(h.Bytes))
	if h.Shallow {
		if len(j.failing) == 0 {
			return check.Errorf("%s is a shallow clone: only %d commits are here, older history was not fetched and may hold secrets; "+
				"fetch it all (git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0) and re-run", h.Repo, h.Commits)
		}
		where += " of a shallow clone (older history not fetched)"
	}
	return j.result("secret", where, publishedNote(info)...)
}

// historyRepro prints the committed line, run from the repository.
func historyRepro(f engine.Finding) string {
	if f.Commit == "" {
		return sedLine(f.File, f.Line)
	}
	short := f.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	return fmt.Sprintf("git show %s | sed -n %dp", shellQuote(short+":"+f.File), max(f.Line, 1))
}

// size formats a byte count for a summary.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
