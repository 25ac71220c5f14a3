package secrets

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// contextLines is how many lines either side of a match classification
// may look at (a Firebase config names itself a few lines above its key).
const contextLines = 15

// collector gathers one scan's findings from fragments scanned
// concurrently, converting each gitleaks finding at once so that no
// secret value outlives the fragment it was found in.
type collector struct {
	det *detect.Detector
	now time.Time

	bytes     atomic.Int64
	fragments atomic.Int64

	skipPaths []*config.Allowlist
	found     func(string) // Options.Found, or nil

	mu       sync.Mutex
	findings []Finding
	commits  map[string]struct{}
	skipped  map[string]bool // path -> exempt by a global allowlist
}

func (s *Scanner) newCollector(det *detect.Detector) *collector {
	return &collector{det: det, now: time.Now(), skipPaths: s.eng.skipPaths, found: s.opts.Found,
		commits: map[string]struct{}{}, skipped: map[string]bool{}}
}

// exempt reports whether a global allowlist exempts the file, asking each
// path once per scan.
func (c *collector) exempt(path string) bool {
	if path == "" || len(c.skipPaths) == 0 {
		return false
	}
	c.mu.Lock()
	skip, ok := c.skipped[path]
	c.mu.Unlock()
	if ok {
		return skip
	}
	for _, a := range c.skipPaths {
		if a.PathAllowed(path) {
			skip = true
			break
		}
	}
	c.mu.Lock()
	c.skipped[path] = skip
	c.mu.Unlock()
	return skip
}

// scan detects in one fragment and keeps what it finds.
func (c *collector) scan(ctx context.Context, f sources.Fragment) {
	c.bytes.Add(int64(len(f.Raw)))
	c.fragments.Add(1)
	if f.CommitSHA != "" {
		c.mu.Lock()
		c.commits[f.CommitSHA] = struct{}{}
		c.mu.Unlock()
	}
	if strings.HasSuffix(strings.ToLower(f.FilePath), ".map") {
		// A committed source map's sources are JSON-escaped: scan them
		// unescaped, each on its own. A hunk that is not a whole map
		// (an edit inside a pretty-printed one) is scanned as it is.
		if srcs, err := DecodeSourceMap([]byte(f.Raw)); err == nil {
			for _, src := range srcs {
				c.detect(ctx, sources.Fragment{Raw: src.Content, FilePath: f.FilePath + sources.InnerPathSeparator + src.Name,
					StartLine: 1, CommitSHA: f.CommitSHA, CommitInfo: f.CommitInfo})
			}
			return
		}
	}
	c.detect(ctx, f)
}

// detect runs the detector on one fragment and keeps what it finds.
func (c *collector) detect(ctx context.Context, f sources.Fragment) {
	if c.exempt(f.FilePath) {
		return
	}
	found := c.det.DetectContext(ctx, detect.Fragment(f))
	if len(found) == 0 {
		return
	}
	out := make([]Finding, 0, len(found))
	for _, g := range found {
		if c.found != nil {
			c.found(g.Secret)
		}
		out = append(out, convert(g, f, c.now))
	}
	c.mu.Lock()
	c.findings = append(c.findings, out...)
	c.mu.Unlock()
}

// result returns the findings in a stable order: by file, line, commit
// and rule.
func (c *collector) result() []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]Finding(nil), c.findings...)
	sortFindings(out)
	return out
}

// commitsSeen counts the commits whose added lines were scanned.
func (c *collector) commitsSeen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.commits)
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Commit != b.Commit {
			return a.Commit < b.Commit
		}
		return a.RuleID < b.RuleID
	})
}

// convert classifies and redacts one gitleaks finding.
func convert(g report.Finding, f sources.Fragment, now time.Time) Finding {
	m := classify(candidate{
		rule: g.RuleID, value: g.Secret, line: g.Line, now: now,
		around: func() string { return around(f, g.StartLine) },
	})
	file := filepath.ToSlash(g.File)
	date := g.Date
	if len(date) >= len("2006-01-02") {
		date = date[:len("2006-01-02")]
	}
	return Finding{
		Kind:        m.kind,
		Class:       m.class,
		Severity:    m.severity,
		Rotate:      m.rotate,
		RuleID:      g.RuleID,
		File:        file,
		Line:        g.StartLine,
		Commit:      g.Commit,
		Date:        date,
		Encoding:    encodingOf(g.Tags),
		Redacted:    Redact(g.Secret),
		Fingerprint: fingerprint(g.Commit, file, g.RuleID, g.StartLine),
		value:       digest(g.Secret),
	}
}

// around returns the fragment's lines near line (1-based, as findings
// count), for classification that needs context.
func around(f sources.Fragment, line int) string {
	lines := strings.Split(f.Raw, "\n")
	i := line - f.StartLine
	lo, hi := max(i-contextLines, 0), min(i+contextLines+1, len(lines))
	if lo >= hi {
		return ""
	}
	return strings.Join(lines[lo:hi], "\n")
}
