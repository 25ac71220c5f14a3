package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/report"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/* from the current output")

// variable matches what differs between two demo runs of the same portal:
// ports, temporary folders, generated IDs, tags, tokens and commit hashes.
// Each is replaced by a fixed word before the golden comparison, so the
// golden pins every finding text and the layout, not the run.
var variable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`((?:portal\.test|localhost|127\.0\.0\.1)):\d+`), "$1:PORT"},
	{regexp.MustCompile(`/tmp/launchready-[a-z]+-\d+`), "/tmp/launchready-TMP"},
	{regexp.MustCompile(`(dig \+norecurse @\S+ -p )\d+`), "${1}PORT"},
	{regexp.MustCompile(`\d{8}T\d{6}Z-[0-9a-f]{8}`), "JOURNAL"},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "UUID"},
	{regexp.MustCompile(`\b[0-9a-f]{40}\b`), "COMMIT"},
	{regexp.MustCompile(`\b[0-9a-f]{12}\b`), "SHORTCOMMIT"},
	{regexp.MustCompile(`\b([a-z]{2,5})_[0-9a-f]{8,}`), "${1}_ID"},
	{regexp.MustCompile(`(breached password )\w{4}…`), "${1}XXXX…"},
	{regexp.MustCompile(`(\(generic rule\) )\w{4}…`), "${1}XXXX…"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`), "DATE TIME"},
	{regexp.MustCompile(`\d+(\.\d+)?(µs|ms|s)\b`), "T"},
	{regexp.MustCompile(`lrcanary[0-9a-f]{8,}`), "lrcanaryID"},
	{regexp.MustCompile(`lr[0-9a-f]{8,}`), "lrTAG"},
}

func normalize(s string) string {
	for _, v := range variable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// normalizedRun reads a JSON report and makes it the same on every run:
// the variable parts of every text replaced, times fixed.
func normalizedRun(t *testing.T, path string) *report.Run {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r, err := report.ReadJSON(fh)
	if err != nil {
		t.Fatal(err)
	}
	// The version depends on how the binary was built (a VCS stamp in a
	// clone, -X in a release).
	r.ToolVersion = "0.1.0-test"
	r.Started = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	r.Duration = 6 * time.Second
	r.Target = normalize(r.Target)
	r.Rerun = "launchready demo " + report.OnlyPlaceholder
	for _, list := range [][]string{r.OutOfScope, r.NoConsent, r.Leftovers} {
		for i := range list {
			list[i] = normalize(list[i])
		}
	}
	r.Summary.Headline = normalize(r.Summary.Headline)
	for i := range r.Outcomes {
		o := &r.Outcomes[i]
		o.Duration = 0
		res := &o.Result
		res.Summary, res.Reason, res.Enable = normalize(res.Summary), normalize(res.Reason), normalize(res.Enable)
		for j := range res.Evidence {
			e := &res.Evidence[j]
			e.Request, e.Detail, e.Repro, e.Fingerprint = normalize(e.Request), normalize(e.Detail), normalize(e.Repro), normalize(e.Fingerprint)
			if e.Location != nil {
				e.Location.File, e.Location.Commit = normalize(e.Location.File), normalize(e.Location.Commit)
			}
		}
		if res.Table != nil {
			for k := range res.Table.Rows {
				row := &res.Table.Rows[k]
				row.Label = normalize(row.Label)
				for c := range row.Cells {
					row.Cells[c] = normalize(row.Cells[c])
				}
			}
		}
	}
	return r
}

// TestScorecardGolden pins the terminal scorecard of the flawed and the
// hardened demo, of a run narrowed by --only, and of a comparison with a
// baseline: every finding text (a golden diff shows a broken sentence),
// the order ("Fix first" last), and that no line is wider than 100
// columns. Regenerate with `go test ./cmd/launchready -run
// TestScorecardGolden -update` and read the diff.
func TestScorecardGolden(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"demo", "--out", "flawed.json"},
		{"demo", "--hardened", "--out", "hardened.json"},
		{"demo", "--hardened", "--only", "SESS-001", "--out", "only.json"},
	} {
		r := run(t, dir, args...)
		if r.code != 0 && r.code != 1 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		for _, out := range []string{r.stdout, r.stderr} {
			assertWidth(t, strings.Join(args, " "), out)
		}
	}
	flawed := normalizedRun(t, filepath.Join(dir, "flawed.json"))
	hardened := normalizedRun(t, filepath.Join(dir, "hardened.json"))
	only := normalizedRun(t, filepath.Join(dir, "only.json"))
	since := normalizedRun(t, filepath.Join(dir, "hardened.json"))
	report.Compare(since, flawed)
	regressed := normalizedRun(t, filepath.Join(dir, "flawed.json"))
	report.Compare(regressed, hardened)

	for _, tc := range []struct {
		file    string
		run     *report.Run
		verbose bool
	}{
		{"demo-flawed.txt", flawed, false},
		{"demo-flawed-verbose.txt", flawed, true},
		{"demo-hardened.txt", hardened, false},
		{"demo-only-SESS-001.txt", only, false},
		{"demo-hardened-since-flawed.txt", since, false},
		{"demo-flawed-since-hardened.txt", regressed, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := (report.Terminal{Verbose: tc.verbose}).Write(&b, tc.run); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			assertWidth(t, tc.file, got)
			golden(t, tc.file, got)
		})
	}

	// What the goldens must say, beyond matching: a partial run says so
	// and is GO for what ran; a baseline diff counts the new blockers.
	var b bytes.Buffer
	_ = report.Terminal{}.Write(&b, only)
	if first := strings.SplitN(b.String(), "\n", 2)[0]; !strings.HasPrefix(first, "GO for 1 of 12 areas (partial: 1 check, SESS-001)") {
		t.Errorf("--only headline: %q", first)
	}
	if only.Outcomes[0].Meta.ID != "SESS-001" || len(only.Outcomes) != 1 || only.Summary.Verdict != "GO" {
		t.Errorf("--only run: %d outcomes, verdict %s", len(only.Outcomes), only.Summary.Verdict)
	}
	if h := regressed.Headline(); !strings.Contains(h, "since the baseline of 2026-12-01T09:00:00Z (GO): 20 new blockers") {
		t.Errorf("regression headline: %q", h)
	}
	for _, o := range flawed.Outcomes {
		if o.Result.Status == check.Fail && regressed.ChangeOf(o.Meta.ID) != report.ChangeNew {
			t.Errorf("%s failed after a GO baseline but is %q, not new", o.Meta.ID, regressed.ChangeOf(o.Meta.ID))
		}
	}
}

// assertWidth fails for a line wider than 100 display columns.
func assertWidth(t *testing.T, what, out string) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		if !utf8.ValidString(l) {
			t.Errorf("%s line %d is not valid UTF-8: %q", what, i+1, l)
		}
		if w := runewidth.StringWidth(l); w > 100 {
			t.Errorf("%s line %d is %d columns wide: %q", what, i+1, w, l)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update and read the diff):\n%s", name, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want " + w + "\n  got " + g
		}
	}
	return ""
}
