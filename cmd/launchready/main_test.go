package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/browser"
	"github.com/launchready/launchready/internal/config"
)

// bin is the launchready binary built once for these tests: exit codes must
// be read from a real process (go run always reports 1).
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "launchready-bin-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "launchready")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building launchready: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runEnv(t, dir, nil, args...)
}

// runEnv runs the binary with env added to the test's environment.
func runEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// jsonReport is the part of the JSON core these tests read.
type jsonReport struct {
	Schema  string `json:"schema"`
	Verdict string `json:"verdict"`
	Checks  []struct {
		ID       string         `json:"id"`
		Status   string         `json:"status"`
		Evidence []jsonEvidence `json:"evidence"`
	} `json:"checks"`
}

type jsonEvidence struct {
	Request  string `json:"request"`
	Detail   string `json:"detail"`
	Repro    string `json:"repro"`
	Location *struct {
		File string `json:"file"`
	} `json:"location"`
}

// evidenced reports whether evidence points at the flaw and says how to
// see it again: a request with a reproducible repro, or for what the
// repository holds (SEC-001, SEC-002, SEC-006), a file and the command
// that shows it.
func evidenced(e jsonEvidence) bool {
	if e.Request != "" {
		return reproducible(e)
	}
	return e.Location != nil && e.Location.File != "" && e.Repro != ""
}

// demoChecks are the checks the demo plants a flaw for: each must FAIL in
// flawed mode and PASS in hardened mode.
var demoChecks = []string{
	"AUTH-001", "AUTH-002", "AUTH-003", "AUTH-004", "AUTH-005", "AUTH-006", "AUTH-007", "AUTH-008", "AUTH-009", "AUTH-010", "AUTH-011",
	"SESS-001", "SESS-002", "SESS-003", "SESS-004", "SESS-005", "SESS-006", "TLS-003", "TLS-004", "EDGE-004",
	"AUTHZ-001", "AUTHZ-002", "AUTHZ-003", "AUTHZ-004", "AUTHZ-005", "AUTHZ-006", "AUTHZ-007", "AUTHZ-009",
	"SEC-001", "SEC-002", "SEC-003", "SEC-004", "SEC-005", "SEC-006", "SEC-008",
	"MAIL-001", "MAIL-002", "MAIL-003", "MAIL-004",
}

// reproducible reports whether evidence says how to see the flaw again: a
// curl command, a dig command for a DNS record, or for what only a
// browser shows, the DevTools steps.
func reproducible(e jsonEvidence) bool {
	return strings.HasPrefix(e.Repro, "curl ") || strings.HasPrefix(e.Repro, "dig ") || strings.Contains(e.Detail, "DevTools")
}

// haveBrowser reports whether browser-mode checks can run here. CI installs
// Chromium and certutil, so there a missing one fails the test.
func haveBrowser(t *testing.T) bool {
	t.Helper()
	_, err := browser.Find()
	if err == nil {
		_, err = exec.LookPath("certutil")
	}
	if err != nil && os.Getenv("CI") != "" {
		t.Fatalf("browser mode unavailable in CI: %v", err)
	}
	return err == nil
}

func TestDemoFlawedIsNoGoAndHardenedIsGo(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		verdict string
		status  string
	}{
		{"flawed", []string{"demo", "--out", "flawed.json", "--out", "flawed.html"}, 1, "NO-GO", "FAIL"},
		{"hardened", []string{"demo", "--hardened", "--out", "hardened.json"}, 0, "GO", "PASS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, "config: ") || !strings.Contains(r.stdout, tc.verdict) {
				t.Errorf("config path or verdict not printed:\n%s\n%s", r.stderr, r.stdout)
			}
			raw, err := os.ReadFile(filepath.Join(dir, tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			// Reports quote members' data: --out writes them for the
			// owner only (breach 9 of issue 12).
			if st, err := os.Stat(filepath.Join(dir, tc.name+".json")); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("--out %s.json: mode %v (%v), want 0600", tc.name, st.Mode().Perm(), err)
			}
			var rep jsonReport
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Schema != "launchready/v1" || rep.Verdict != tc.verdict {
				t.Errorf("schema %q verdict %q", rep.Schema, rep.Verdict)
			}
			got := map[string]string{}
			for _, c := range rep.Checks {
				got[c.ID] = c.Status
				if c.Status == "FAIL" && (len(c.Evidence) == 0 || !evidenced(c.Evidence[0])) {
					t.Errorf("%s FAIL without evidence naming the request and a repro: %+v", c.ID, c.Evidence)
				}
			}
			for _, id := range demoChecks {
				if id == "SESS-005" && !haveBrowser(t) {
					continue
				}
				if got[id] != tc.status {
					t.Errorf("%s = %q, want %s", id, got[id], tc.status)
				}
			}
		})
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "launchready.yaml")
	os.WriteFile(bad, []byte("target:\n  url: https://portal.test\n  colour: blue\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--config", bad}, "launchready.yaml:3: target.colour: unknown key"},
		{[]string{"scan", "--config", bad, "--out", "report.pdf"}, `unknown format ".pdf"`},
		{[]string{"scan", "--fail-on", "sometimes"}, "--fail-on"},
		{[]string{"scan", "--only", "NOPE-1"}, "NOPE-1"},
		{[]string{"scan", "--config", filepath.Join(dir, "missing.yaml")}, "missing.yaml"},
		{[]string{"explain", "NOPE-1"}, "no such check"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"scan", "--bogus"}, "unknown flag"},
		{[]string{"init", "portal.example.com"}, "absolute http(s) URL"},
		{[]string{"init", "https://portal.test", "--out", bad}, "exists; use --force"},
	}
	for _, tt := range tests {
		r := run(t, dir, tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

func TestExplainChecksVersion(t *testing.T) {
	r := run(t, t.TempDir(), "explain", "sess-001")
	if r.code != 0 || !strings.Contains(r.stdout, "Fix:") || !strings.Contains(r.stdout, "SESS-001") {
		t.Errorf("explain: %d %q", r.code, r.stdout)
	}
	r = run(t, t.TempDir(), "checks")
	for _, id := range demoChecks {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("checks does not list %s", id)
		}
	}
	r = run(t, t.TempDir(), "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "launchready ") {
		t.Errorf("version: %q", r.stdout)
	}
	for _, cmd := range []string{"demo", "scan", "checks", "explain", "version"} {
		r = run(t, t.TempDir(), cmd, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help has no example: %q", cmd, r.stdout)
		}
	}
}

// TestScanWithoutConfig: with no launchready.yaml the scan says how to
// get one (init) or try the tool (demo); a --config naming a missing file
// names it as given.
func TestScanWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	r := run(t, dir, "scan")
	if r.code != 2 || !strings.Contains(r.stderr, "no launchready.yaml in this folder") ||
		!strings.Contains(r.stderr, "`launchready init URL`") || !strings.Contains(r.stderr, "`launchready demo`") {
		t.Errorf("scan without a config: exit %d, stderr %q; want 2 pointing at init and demo", r.code, r.stderr)
	}
	missing := filepath.Join("configs", "staging.yaml")
	r = run(t, dir, "scan", "--config", missing)
	if r.code != 2 || !strings.Contains(r.stderr, "--config "+missing+": no such file") {
		t.Errorf("scan --config %s: exit %d, stderr %q; want 2 naming the path", missing, r.code, r.stderr)
	}
}

// TestVersionSpellings: -v, --version and the version command print the
// same line.
func TestVersionSpellings(t *testing.T) {
	want := run(t, t.TempDir(), "version")
	if want.code != 0 || !strings.HasPrefix(want.stdout, "launchready ") || strings.Count(want.stdout, "\n") != 1 {
		t.Fatalf("version: exit %d, %q", want.code, want.stdout)
	}
	for _, flag := range []string{"-v", "--version"} {
		if r := run(t, t.TempDir(), flag); r.code != 0 || r.stdout != want.stdout {
			t.Errorf("launchready %s: exit %d, %q; want 0, %q", flag, r.code, r.stdout, want.stdout)
		}
	}
}

func TestDemoServe(t *testing.T) {
	cmd := exec.Command(bin, "demo", "--serve")
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read until the serve banner is complete (it ends with the scan hint).
	var out strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(out.String(), "launchready scan --config") {
		n, err := stdout.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("serve output ended early: %v\n%s\n%s", err, out.String(), errb.String())
		}
	}
	text := out.String()
	for _, want := range []string{"Canonical URL: https://portal.test:", "alice@portal.test", "bob@portal.test", "password in "} {
		if !strings.Contains(text, want) {
			t.Errorf("serve output lacks %q:\n%s", want, text)
		}
	}
	// The password files exist while the portal runs.
	var passwords []string
	for _, line := range strings.Split(text, "\n") {
		if _, file, ok := strings.Cut(line, "password in "); ok {
			pw, err := os.ReadFile(strings.TrimSpace(file))
			if err != nil {
				t.Fatalf("password file: %v", err)
			}
			passwords = append(passwords, strings.TrimSpace(string(pw)))
		}
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("demo --serve did not stop cleanly on interrupt: %v", err)
	}
	// stderr is complete only after Wait.
	for _, pw := range passwords {
		if pw == "" || strings.Contains(text+errb.String(), pw) {
			t.Error("a password was printed (or a password file was empty)")
		}
	}
}

// TestInitWritesAConfigThatScans: init against a loopback portal writes a
// config naming its login form and a protected page, which loads.
func TestInitWritesAConfigThatScans(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><body><a href="/members">Members</a></body></html>`)
		case "/members":
			http.Redirect(w, r, "/signin", http.StatusFound)
		case "/signin":
			fmt.Fprint(w, `<html><body><form method="post"><input name="login"><input type="password" name="secret"></form></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	r := run(t, dir, "init", srv.URL)
	if r.code != 0 || !strings.Contains(r.stderr, "login form at /signin") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "launchready.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`login: {path: "/signin", form: {"login": "{{email}}", "secret": "{{password}}"}}`, `protected: ["/members"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config lacks %q:\n%s", want, data)
		}
	}
	env := func(k string) (string, bool) {
		if strings.HasSuffix(k, "EMAIL") {
			return strings.ToLower(k) + "@portal.test", true
		}
		return "pw-123456", true
	}
	if _, err := config.Parse(data, "launchready.yaml", config.Options{Getenv: env}); err != nil {
		t.Errorf("the written config does not load: %v", err)
	}
	r = run(t, dir, "init", srv.URL)
	if r.code != 2 {
		t.Errorf("second init over the file: exit %d, want 2", r.code)
	}
}

// TestToken: the first `launchready token` makes the operator key (0600,
// under XDG_CONFIG_HOME) and every later one reuses it; the value is bound
// to the key and the domain; LAUNCHREADY_OWNER_KEY takes the key's place.
func TestToken(t *testing.T) {
	dir := t.TempDir()
	env := []string{"XDG_CONFIG_HOME=" + dir, "LAUNCHREADY_OWNER_KEY="}
	first := runEnv(t, dir, env, "token", "App.Example.com.")
	keyFile := filepath.Join(dir, "launchready", "owner.key")
	if first.code != 0 || !strings.HasPrefix(first.stdout, "lr1:") || !strings.Contains(first.stderr, "made a new operator key in "+keyFile) {
		t.Fatalf("first token: exit %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	value := strings.SplitN(first.stdout, "\n", 2)[0]
	again := runEnv(t, dir, env, "token", "app.example.com")
	if again.code != 0 || !strings.HasPrefix(again.stdout, value+"\n") || strings.Contains(again.stderr, "made a new") {
		t.Errorf("second token: exit %d, %q (want %q again, same key)", again.code, again.stdout, value)
	}
	if r := runEnv(t, dir, env, "token", "www.example.com"); strings.HasPrefix(r.stdout, value) {
		t.Error("another domain got the same value")
	}
	exp := runEnv(t, dir, env, "token", "app.example.com", "--expires", "2027-01-31")
	if !strings.HasPrefix(exp.stdout, value+";exp=2027-01-31\n") {
		t.Errorf("--expires: %q", exp.stdout)
	}
	ci := runEnv(t, dir, append(env, "LAUNCHREADY_OWNER_KEY="+strings.Repeat("ab", 32)), "token", "app.example.com")
	if ci.code != 0 || strings.HasPrefix(ci.stdout, value) {
		t.Errorf("LAUNCHREADY_OWNER_KEY did not replace the key file: exit %d %q", ci.code, ci.stdout)
	}
	for _, args := range [][]string{{"token", "app.example.com", "--expires", "31/01/2027"}, {"token", "https://app.example.com/"}} {
		if r := runEnv(t, dir, env, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
	if r := runEnv(t, dir, []string{"XDG_CONFIG_HOME=" + dir, "LAUNCHREADY_OWNER_KEY=not-hex"}, "token", "app.example.com"); r.code != 2 ||
		!strings.Contains(r.stderr, "LAUNCHREADY_OWNER_KEY") {
		t.Errorf("a malformed LAUNCHREADY_OWNER_KEY: exit %d %q", r.code, r.stderr)
	}
}

// TestDeadlineFlagWins: --deadline bounds the scan in place of
// target.timeouts.scan; past it the check still waiting on the portal is
// ERROR naming the flag's deadline, the report is written and the verdict
// is NOT VERIFIED.
func TestDeadlineFlagWins(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hang.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "launchready.yaml")
	yaml := fmt.Sprintf("target:\n  url: %s\n  scope: [127.0.0.1]\n  timeouts: {header: 10m, request: 10m, check: 10m, scan: 10m}\n", hang.URL)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "scan", "--config", cfg, "--only", "SEC-005", "--deadline", "2s", "--out", "r.json", "--no-color")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 (not verified)\nstderr: %s", r.code, r.stderr)
	}
	var rep struct {
		Checks []struct {
			ID, Status, Summary string
		} `json:"checks"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Checks) != 1 {
		t.Fatalf("report: %v %s", err, data)
	}
	if c := rep.Checks[0]; c.Status != "ERROR" || !strings.Contains(c.Summary, "the scan deadline (2s) passed before it finished") {
		t.Errorf("%s = %s %q, want ERROR naming the 2s deadline", c.ID, c.Status, c.Summary)
	}
	if !strings.Contains(r.stderr, "the scan deadline (2s) passed") {
		t.Errorf("stderr does not say the deadline passed: %s", r.stderr)
	}
}
