package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	engine "github.com/launchready/launchready/internal/secrets"
)

// Tree is SEC-002: no secret in the working tree's uncommitted files or in
// the build output the host serves.
type Tree struct{}

var _ check.Check = Tree{}

// Meta returns the static description.
func (Tree) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-002", Area: check.AreaSecrets, Severity: check.Blocker,
		Impact: check.ImpactSecrets,
		Title:  "No secrets in uncommitted files or build output",
		Pass: "No secret (the same rules and classification as SEC-001) in the files of the working tree that are not committed — " +
			"untracked files .gitignore does not ignore, and added or modified ones — nor in any file of the build folders listed " +
			"under source.build, scanned whole whether ignored or not; source maps (*.map) are decoded and each embedded source " +
			"scanned on its own. Committed files are SEC-001's; ignored files such as a local .env never leave the machine. " +
			"Binary files are skipped; a text file over 64 MiB or a symbolic link out of the folder is listed as not scanned (WARN); " +
			"a build folder that does not exist is a SKIP.",
		Why: "The build folder is what the host serves to every visitor: a secret read at build time (a server key behind a " +
			"NEXT_PUBLIC_ or VITE_ prefix, a config file copied into public/) ships in the JavaScript bundle or its source map, " +
			"where anyone can read it. Untracked files are one `git add .` away from history.",
		Breaks: "Any visitor who opens DevTools reads the key out of the bundle and uses it with the portal's privileges: " +
			"members' data read or rewritten, payments made, mail sent in the portal's name.",
		Fix:   fixSecret,
		Refs:  []string{"ASVS v5.0.0-13.3.1", "ASVS v5.0.0-13.4.7", "API8:2023", "CWE-798", "CWE-540"},
		Needs: []string{"source.repo"},
	}
}

// Run scans the uncommitted files, then each build folder.
func (Tree) Run(ctx context.Context, env *check.Env) check.Result {
	sc, ws, errRes := prepare(ctx, env)
	if errRes != nil {
		return *errRes
	}
	res, err := sc.Uncommitted(ctx, repo(env))
	if err != nil {
		return scanError(err)
	}
	all := []*engine.Files{res}
	var missing []string
	for _, b := range env.Config.Source.Build {
		out, err := sc.Path(ctx, env.Config.SourcePath(b), b)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, b)
			continue
		}
		if err != nil {
			return scanError(err)
		}
		all = append(all, out)
	}
	var findings []engine.Finding
	var skipped []engine.Skipped
	scanned := 0
	for _, f := range all {
		findings, skipped, scanned = append(findings, f.Findings...), append(skipped, f.Skipped...), scanned+f.Scanned
	}
	es, info := findingEntries(findings, fileRepro)
	j := judge("SEC-002", es, ws, time.Now())
	if len(missing) > 0 && len(j.failing) == 0 {
		return check.Skipped(fmt.Sprintf("build folder %s does not exist, so what the host serves was not scanned",
			strings.Join(missing, ", ")), "run the build before launchready, or fix source.build in "+configName(env))
	}
	notes := publishedNote(info)
	if len(skipped) > 0 {
		notes = append(notes, count(len(skipped), "file")+" could not be scanned (listed)")
	}
	r := j.result("secret", fmt.Sprintf("in %d uncommitted or built files", scanned), notes...)
	if len(skipped) > 0 {
		r.Evidence = append(r.Evidence, skippedEvidence(skipped)...)
		if r.Status == check.Pass {
			// Not scanned is not verified: never a clean pass.
			r.Status = check.Warn
		}
	}
	return r
}

// skippedEvidence lists every file that could not be scanned: each is a
// place the result does not vouch for.
func skippedEvidence(skipped []engine.Skipped) []check.Evidence {
	var ev []check.Evidence
	for _, s := range skipped {
		ev = append(ev, clipped(check.Evidence{Detail: "not scanned: " + s.Why, Location: &check.Location{File: s.File}}))
	}
	return ev
}
