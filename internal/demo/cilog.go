package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ciLogPath is the deploy job's log, relative to the demo's directory: a
// file as a team downloads it from its CI run.
const ciLogPath = "ci/build.log"

// writeCILog writes the deploy job's log. Its "debug env" step printed
// the environment; with SecretInCILog the GitHub token stands in clear,
// hardened the CI masked it.
func writeCILog(path string, f Flaws, s planted) error {
	token := "***"
	if f.SecretInCILog {
		token = s.ciToken
	}
	lines := []string{
		"2026-11-28T09:12:01.114Z ##[group]Run actions/checkout@v4",
		"2026-11-28T09:12:02.530Z ##[endgroup]",
		"2026-11-28T09:12:02.611Z ##[group]Run npm ci",
		"2026-11-28T09:12:19.872Z added 412 packages, and audited 413 packages in 17s",
		"2026-11-28T09:12:19.873Z found 0 vulnerabilities",
		"2026-11-28T09:12:19.901Z ##[endgroup]",
		"2026-11-28T09:12:19.950Z ##[group]Run printenv | sort   # debug env",
		"2026-11-28T09:12:19.962Z CI=true",
		"2026-11-28T09:12:19.962Z GITHUB_REF=refs/heads/main",
		"2026-11-28T09:12:19.962Z GITHUB_TOKEN=" + token,
		"2026-11-28T09:12:19.963Z NODE_ENV=production",
		"2026-11-28T09:12:19.963Z ##[endgroup]",
		"2026-11-28T09:12:20.004Z ##[group]Run npm run build",
		"2026-11-28T09:12:31.418Z dist/static/app.js  14.2 kB",
		"2026-11-28T09:12:31.420Z ##[endgroup]",
		"2026-11-28T09:12:31.502Z Deploy finished: https://portal.test",
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("demo: writing the CI log: %w", err)
	}
	if err := writeFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("demo: writing the CI log: %w", err)
	}
	return nil
}
