package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath finds Debian's Chromium. CI installs it (.ci/run), so there a
// missing browser fails the test instead of skipping it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "/usr/lib/chromium/chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run should have installed it")
	}
	t.Skip("chromium not installed (apt-get install -y chromium)")
	return ""
}

// TestHTMLRendersInChromium opens the report in a real headless browser
// with every non-loopback name unresolvable, and reads the DOM it built:
// the verdict and findings are there, and hostile evidence stayed text.
func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := WriteFile(file, fakeRun()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--dump-dom", "file://"+file)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	run := fakeRun()
	for _, want := range []string{string(run.Summary.Verdict), "Scorecard"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	for _, o := range run.Outcomes {
		if !strings.Contains(dom, o.Meta.ID) {
			t.Errorf("rendered DOM lacks check %s", o.Meta.ID)
		}
	}
	if strings.Contains(dom, hostileScript) {
		t.Error("hostile evidence became a live <script> element")
	}
}
