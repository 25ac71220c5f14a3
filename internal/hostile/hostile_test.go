package hostile

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// bin is a plain (non-race) build of launchready: the scans run in their
// own process so each one's peak memory is measured alone.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "launchready-hostile-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "launchready")
	build := exec.Command("go", "build", "-o", bin, "github.com/launchready/launchready/cmd/launchready")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building launchready: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// traps are the places outside every scenario's scope that the scenarios
// point at: an HTTP server on 127.0.0.2, one on the target's own host on
// another port, and UDP sockets on both addresses. Nothing may reach them.
type traps struct {
	other, sameHost string // host:port
	udp             []string
	hits            atomic.Int64
}

func newTraps(t *testing.T) *traps {
	t.Helper()
	tr := &traps{}
	for _, addr := range []string{"127.0.0.2:0", "127.0.0.1:0"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("%s: %v", addr, err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				tr.hits.Add(1)
				c.Close()
			}
		}()
		if strings.HasPrefix(addr, "127.0.0.2") {
			tr.other = ln.Addr().String()
		} else {
			tr.sameHost = ln.Addr().String()
		}
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			t.Skipf("%s: %v", addr, err)
		}
		t.Cleanup(func() { pc.Close() })
		go func() {
			buf := make([]byte, 2048)
			for {
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return
				}
				tr.hits.Add(1)
			}
		}()
		tr.udp = append(tr.udp, pc.LocalAddr().String())
	}
	return tr
}

// target is what a scenario serves and how the config reaches it.
type target struct {
	url      string
	scope    []string
	caFile   string
	resolver string
	// flags are extra command-line flags for the scan.
	flags []string
}

// scenario is one hostile target.
type scenario struct {
	name string
	// serve starts the target; its servers end with the test.
	serve func(t *testing.T, env *suite) target
	// pass lists the checks that may PASS here: what the target does
	// serve truthfully (established by reading each case). Every other
	// check must end FAIL, WARN, SKIP, N/A or ERROR.
	pass []string
	// anyPass marks a target that is a working portal (HTTP/2 only):
	// its verdicts are a normal scan's, so none is asserted.
	anyPass bool
}

// suite is what every scenario shares.
type suite struct {
	traps    *traps
	pw       map[string]string // account → password
	dir      string
	mustCert *certs
}

// row is one line of the suite's table.
type row struct {
	name string
	exit int
	wall time.Duration
	// rssMB is launchready's own peak RSS (VmHWM); treeMB the largest of
	// it and the children it waited for (Chromium).
	rssMB, treeMB   float64
	counts          map[string]int
	trapHits        int64
	passed, errored []string
	// hang, crash and falsePass count what must never happen.
	hang, crash bool
	falsePass   int
}

// report is the part of the JSON report the suite reads.
type report struct {
	Verdict string `json:"verdict"`
	Checks  []struct {
		ID         string  `json:"id"`
		Status     string  `json:"status"`
		Summary    string  `json:"summary"`
		SkipReason *string `json:"skip_reason"`
		Error      *string `json:"error"`
	} `json:"checks"`
	OutOfScope []string `json:"out_of_scope"`
}

// watchHWM samples the process's peak resident size (VmHWM, which only
// grows) until it exits; the returned function gives the last sample, in
// MiB.
func watchHWM(pid int) func() float64 {
	var last atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			if b, err := os.ReadFile(path); err == nil {
				for _, l := range strings.Split(string(b), "\n") {
					var kb int64
					if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil && kb > last.Load() {
						last.Store(kb)
					}
				}
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() float64 {
		close(done)
		<-stopped
		return float64(last.Load()) / 1024
	}
}

// memCeiling is the most a scan of any hostile target may hold: the
// binary's own peak resident size (Chromium's is its own process).
const memCeiling = 300.0 // MiB

// killAfter ends a scan that outlives every bound it has: a hang.
const killAfter = 4 * time.Minute

func randomPassword(t *testing.T) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "Pw-" + hex.EncodeToString(b)
}

// TestHostileTargets scans every scenario with the binary and prints the
// table; each is its own subtest.
func TestHostileTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile-target suite scans ~35 targets")
	}
	s := &suite{traps: newTraps(t), pw: map[string]string{"a": randomPassword(t), "b": randomPassword(t)}, dir: t.TempDir()}
	s.mustCert = newCerts(t, s.dir)
	var rows []row
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			before := s.traps.hits.Load()
			tg := sc.serve(t, s)
			r := s.scan(t, sc.name, tg)
			r.trapHits = s.traps.hits.Load() - before
			r.falsePass = s.judge(t, sc, r)
			rows = append(rows, r)
		})
	}
	t.Log("\n" + table(rows))
	if n := s.traps.hits.Load(); n != 0 {
		t.Errorf("the traps outside the scope were reached %d times across the suite", n)
	}
}

// scan writes the scenario's config and runs the binary on it.
func (s *suite) scan(t *testing.T, name string, tg target) row {
	t.Helper()
	dir := filepath.Join(s.dir, strings.NewReplacer(" ", "-", "/", "-").Replace(name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "launchready.yaml")
	if err := os.WriteFile(cfg, []byte(s.config(tg)), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), killAfter)
	defer cancel()
	args := append([]string{"scan", "--config", cfg, "--out", out, "--no-color"}, tg.flags...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "LR_A="+s.pw["a"], "LR_B="+s.pw["b"], "CI=", "LAUNCHREADY_OWNER_KEY=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hwm := watchHWM(cmd.Process.Pid)
	err := cmd.Wait()
	r := row{name: name, wall: time.Since(start), counts: map[string]int{}, rssMB: hwm()}
	if ctx.Err() != nil {
		t.Errorf("the scan was still running after %s: a hang\nstderr:\n%s", killAfter, tail(stderr.String()))
		r.hang = true
		return r
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// With its children (Chromium, git) when they outgrew it.
		r.treeMB = float64(ru.Maxrss) / 1024
	}
	for _, bad := range []string{"panic:", "fatal error:", "goroutine "} {
		if strings.Contains(stderr.String(), bad) || strings.Contains(stdout.String(), bad) {
			t.Errorf("the scan crashed (%q):\n%s", bad, tail(stderr.String()))
			r.crash = true
		}
	}
	if r.rssMB > memCeiling {
		t.Errorf("peak RSS %.0f MiB, want under %.0f MiB", r.rssMB, memCeiling)
	}
	if r.exit != 0 && r.exit != 1 && r.exit != 3 {
		t.Errorf("exit %d, want a verdict (0, 1 or 3)\nstderr:\n%s", r.exit, tail(stderr.String()))
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report: %v\nstderr:\n%s", err, tail(stderr.String()))
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	for _, c := range rep.Checks {
		r.counts[c.Status]++
		switch c.Status {
		case "PASS":
			r.passed = append(r.passed, c.ID)
		case "ERROR", "SKIP":
			reason := ""
			if c.Error != nil {
				reason = *c.Error
			} else if c.SkipReason != nil {
				reason = *c.SkipReason
			}
			if strings.TrimSpace(reason) == "" {
				t.Errorf("%s is %s with no reason", c.ID, c.Status)
			}
			r.errored = append(r.errored, c.ID)
		}
	}
	if testing.Verbose() {
		for _, c := range rep.Checks {
			t.Logf("%-9s %-5s %s", c.ID, c.Status, firstLine(c.Summary))
		}
	}
	return r
}

// judge applies the scenario's rule, no PASS but those it allows, and
// returns how many PASSes broke it.
func (s *suite) judge(t *testing.T, sc scenario, r row) int {
	t.Helper()
	if sc.anyPass {
		return 0
	}
	n := 0
	for _, id := range r.passed {
		if !slices.Contains(sc.pass, id) {
			t.Errorf("%s PASSed on a hostile target that gives it nothing to judge", id)
			n++
		}
	}
	return n
}

// config is the scenario's launchready.yaml: a login, two members, their
// invoices, a crawl, all under tight bounds.
func (s *suite) config(tg target) string {
	var b strings.Builder
	fmt.Fprintf(&b, "target:\n  url: %q\n", tg.url)
	if len(tg.scope) > 0 {
		fmt.Fprintf(&b, "  scope: [%s]\n", quoteAll(tg.scope))
	}
	if tg.caFile != "" {
		fmt.Fprintf(&b, "  ca_file: %q\n", tg.caFile)
	}
	if tg.resolver != "" {
		fmt.Fprintf(&b, "  resolver: %q\n", tg.resolver)
	}
	b.WriteString(`  timeouts: {connect: 1s, tls: 2s, header: 3s, request: 5s, check: 30s}
  retry_after_max: 2s
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  protected: [/dashboard, /account]
  logout: {path: /logout, method: POST}
accounts:
  a: {email: a@hostile.test, password: env:LR_A}
  b: {email: b@hostile.test, password: env:LR_B}
objects:
  - {name: invoices, list: /api/invoices, item: "/api/invoices/{id}"}
crawl: {pages: 40, depth: 2}
`)
	return b.String()
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// table prints the suite's figures.
func table(rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s %4s %8s %7s %8s %5s %5s %5s %5s %5s %4s\n", "scenario", "exit", "wall", "RSS MB", "+browser", "PASS", "FAIL", "WARN", "SKIP", "ERROR", "trap")
	var hangs, panics, falsePass, trapHits int64
	maxRSS := 0.0
	for _, r := range rows {
		if r.hang {
			hangs++
		}
		if r.crash {
			panics++
		}
		falsePass += int64(r.falsePass)
		fmt.Fprintf(&b, "%-34s %4d %7.1fs %7.0f %8.0f %5d %5d %5d %5d %5d %4d\n", r.name, r.exit, r.wall.Seconds(), r.rssMB, r.treeMB,
			r.counts["PASS"], r.counts["FAIL"], r.counts["WARN"], r.counts["SKIP"], r.counts["ERROR"], r.trapHits)
		trapHits += r.trapHits
		maxRSS = max(maxRSS, r.rssMB)
	}
	fmt.Fprintf(&b, "%d scenarios; hangs %d, panics %d, false PASS %d, trap hits %d; peak RSS %.0f MB\n", len(rows), hangs, panics, falsePass, trapHits, maxRSS)
	return b.String()
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if len(l) > 160 {
		l = l[:160] + "…"
	}
	return l
}
