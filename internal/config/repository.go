package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// WaiversFileName is the waiver file looked for beside the config.
const WaiversFileName = "launchready-waivers.yaml"

// Source is the portal's repository and what is built from it, for the
// Secrets handling checks. Paths are relative to the config file.
type Source struct {
	// Repo is the git repository: a clone with its full history, on every
	// branch (SEC-001), and its working tree (SEC-002, SEC-006).
	Repo string `yaml:"repo,required"`
	// Build lists the folders the build writes and the host serves (dist,
	// build, .next/static, public); they are scanned whole (SEC-002).
	Build []string `yaml:"build"`
	// CILogs lists CI log files, downloaded, to search for secrets the
	// build printed (SEC-007).
	CILogs []string `yaml:"ci_logs"`
	// Waivers is the waiver file; when left out, launchready-waivers.yaml
	// beside the config is used if it exists.
	Waivers string `yaml:"waivers"`
}

// SourcePath resolves a path written under source: against the config's
// folder (unchanged for a config built in code, or an absolute path).
func (c *Config) SourcePath(p string) string {
	if c.src == nil {
		return p
	}
	return c.src.path(p)
}

// WaiversPath is the waiver file to read and whether the config named it:
// a named file must exist, the default one is read only when it does.
// It is "" when there is neither.
func (c *Config) WaiversPath() (path string, named bool) {
	if c.Source != nil && c.Source.Waivers != "" {
		return c.SourcePath(c.Source.Waivers), true
	}
	switch {
	case c.src != nil && c.src.baseDir != "":
		return filepath.Join(c.src.baseDir, WaiversFileName), false
	case c.Path != "":
		return filepath.Join(filepath.Dir(c.Path), WaiversFileName), false
	}
	return "", false
}

// validateSource checks the source: paths are written, once each, and
// hold nothing a shell or git would read differently. Whether they exist
// is for the checks to say: build output may not be built yet.
func (c *Config) validateSource() error {
	s := c.Source
	if s == nil {
		return nil
	}
	if problem := pathProblem(s.Repo); problem != "" {
		return c.src.errKey("source.repo", "%s", problem)
	}
	for _, list := range []struct {
		key   string
		paths []string
	}{{"source.build", s.Build}, {"source.ci_logs", s.CILogs}} {
		seen := map[string]int{}
		for i, p := range list.paths {
			key := fmt.Sprintf("%s[%d]", list.key, i)
			if problem := pathProblem(p); problem != "" {
				return c.src.errKey(key, "%s", problem)
			}
			clean := filepath.Clean(p)
			if first, dup := seen[clean]; dup {
				return c.src.errKey(key, "%s is listed twice (first at %s[%d])", p, list.key, first)
			}
			seen[clean] = i
		}
	}
	if s.Waivers != "" {
		if problem := pathProblem(s.Waivers); problem != "" {
			return c.src.errKey("source.waivers", "%s", problem)
		}
	}
	return nil
}

// pathProblem says what is wrong with a path written in the config, or "".
func pathProblem(p string) string {
	switch {
	case strings.TrimSpace(p) == "":
		return "needs a path (relative to the config file, e.g. . or dist)"
	case strings.ContainsAny(p, "\x00\r\n"):
		return "a path cannot hold NUL or line breaks"
	}
	return ""
}
