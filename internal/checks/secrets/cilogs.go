package secrets

import (
	"context"
	"fmt"
	"time"

	"github.com/launchready/launchready/internal/check"
	engine "github.com/launchready/launchready/internal/secrets"
)

// CILogs is SEC-007: no secret printed in the CI logs given as files.
type CILogs struct{}

var _ check.Check = CILogs{}

// Meta returns the static description.
func (CILogs) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-007", Area: check.AreaSecrets, Severity: check.Major,
		Impact: check.ImpactSecrets,
		Title:  "No secrets printed in CI logs",
		Pass: "No secret (the same rules and classification as SEC-001) in the CI log files listed under source.ci_logs " +
			"(downloaded from the CI run; a folder is scanned whole). Values the CI masked (***) are not secrets.",
		Why: "CI logs are kept for months and readable by everyone with access to the repository — on a public repository, by " +
			"everyone: a build step that echoes its environment, a verbose deploy command or a failing test that prints its " +
			"config puts the secret there.",
		Breaks: "Anyone who can open the CI run reads the deploy token or the API key and acts as the portal.",
		Fix: "Rotate the printed secret first (the finding says where). Then stop printing it: remove `env`, `printenv`, `set -x` " +
			"and verbose flags from steps that hold secrets, pass secrets as CI secrets (GitHub Actions secrets are masked in logs; " +
			"::add-mask:: masks derived values), and delete the affected runs' logs.\n\n" + fixSecret,
		Refs:  []string{"ASVS v5.0.0-13.3.1", "CWE-532", "CWE-798"},
		Needs: []string{"source.ci_logs"},
	}
}

// Run scans each CI log.
func (CILogs) Run(ctx context.Context, env *check.Env) check.Result {
	sc, ws, errRes := prepare(ctx, env)
	if errRes != nil {
		return *errRes
	}
	var findings []engine.Finding
	var skipped []engine.Skipped
	for _, l := range env.Config.Source.CILogs {
		out, err := sc.Path(ctx, env.Config.SourcePath(l), l)
		if err != nil {
			return check.Errorf("source.ci_logs %v", err)
		}
		findings, skipped = append(findings, out.Findings...), append(skipped, out.Skipped...)
	}
	es, info := findingEntries(findings, fileRepro)
	j := judge("SEC-007", es, ws, time.Now())
	notes := publishedNote(info)
	if len(skipped) > 0 {
		notes = append(notes, count(len(skipped), "file")+" could not be scanned (listed)")
	}
	r := j.result("secret", fmt.Sprintf("in %s", count(len(env.Config.Source.CILogs), "CI log")), notes...)
	if len(skipped) > 0 {
		r.Evidence = append(r.Evidence, skippedEvidence(skipped)...)
		if r.Status == check.Pass {
			r.Status = check.Warn
		}
	}
	return r
}
