package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// got is one check's result in the scanner's JSON report.
type got struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Summary string `json:"summary"`
}

// portalResult is a scanned portal: what was expected and what came.
type portalResult struct {
	Portal  *portal
	Verdict string
	Got     map[string]got
}

// password makes a seed member's password: 20 random letters and digits.
func password() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// scanPortal starts one portal behind its edge, scans it and stops it.
func (w *world) scanPortal(ctx context.Context, p *portal, lrBin string, deadline, startWait time.Duration) (portalResult, error) {
	dir := filepath.Join(w.out, p.Name)
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return portalResult{}, err
	}
	port, err := freePort()
	if err != nil {
		return portalResult{}, err
	}
	smtpHost, smtpPort, _ := strings.Cut(w.smtpAddr, ":")
	seeds := map[string]string{}
	for _, who := range []string{"A", "B", "ADMIN"} {
		seeds["SEED_"+who+"_EMAIL"] = strings.ToLower(who) + "@" + p.Host()
		seeds["SEED_"+who+"_PASSWORD"] = password()
	}
	env := append(os.Environ(),
		fmt.Sprintf("PORT=%d", port),
		"PUBLIC_URL=https://"+p.Host(),
		"SMTP_HOST="+smtpHost,
		"SMTP_PORT="+smtpPort,
		"DATA_DIR="+data,
	)
	for k, v := range seeds {
		env = append(env, k+"="+v)
	}
	stopPortal, err := startPortal(ctx, p, env, filepath.Join(dir, "portal.log"), startWait)
	if err != nil {
		return portalResult{}, err
	}
	defer stopPortal()
	e, err := w.startEdge(p, fmt.Sprintf("http://127.0.0.1:%d", port))
	if err != nil {
		return portalResult{}, err
	}
	defer e.Close()

	cfg, err := os.ReadFile(filepath.Join(p.Dir, "launchready.yaml"))
	if err != nil {
		return portalResult{}, err
	}
	filled := strings.NewReplacer("${RESOLVER}", w.resolver, "${CA_FILE}", w.caFile, "${MAILPIT_URL}", w.mailpitURL).Replace(string(cfg))
	cfgPath := filepath.Join(dir, "launchready.yaml")
	if err := os.WriteFile(cfgPath, []byte(filled), 0o600); err != nil {
		return portalResult{}, err
	}
	report := filepath.Join(dir, "report.json")
	_ = os.Remove(report)
	scanOut, err := os.Create(filepath.Join(dir, "scan.txt"))
	if err != nil {
		return portalResult{}, err
	}
	defer scanOut.Close()
	cmd := exec.CommandContext(ctx, lrBin, "scan", "--config", cfgPath, "--intrusive", "--no-color",
		"--deadline", deadline.String(), "--out", report, "--out", filepath.Join(dir, "report.md"))
	cmd.Env = append(os.Environ(),
		"LR_A_PASSWORD="+seeds["SEED_A_PASSWORD"],
		"LR_B_PASSWORD="+seeds["SEED_B_PASSWORD"],
		"LR_ADMIN_PASSWORD="+seeds["SEED_ADMIN_PASSWORD"],
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
	)
	cmd.Stdout, cmd.Stderr = scanOut, scanOut
	start := time.Now()
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return portalResult{}, fmt.Errorf("running launchready: %w", err)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 && code != 3 {
		return portalResult{}, fmt.Errorf("launchready exited %d (see %s)", code, scanOut.Name())
	}
	fmt.Printf("   scanned in %s (output: %s)\n", time.Since(start).Round(100*time.Millisecond), scanOut.Name())
	return readReport(p, report)
}

func readReport(p *portal, path string) (portalResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return portalResult{}, err
	}
	var r struct {
		Verdict string `json:"verdict"`
		Checks  []got  `json:"checks"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return portalResult{}, fmt.Errorf("%s: %w", path, err)
	}
	res := portalResult{Portal: p, Verdict: r.Verdict, Got: map[string]got{}}
	for _, c := range r.Checks {
		res.Got[c.ID] = c
	}
	return res, nil
}

// startPortal runs the portal's start.sh in its own process group, copies
// its output to logPath and waits for the line READY. The returned func
// stops the whole group.
func startPortal(ctx context.Context, p *portal, env []string, logPath string, wait time.Duration) (func(), error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("bash", filepath.Join(p.Dir, "start.sh"))
	cmd.Dir = p.Dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s: %w", p.Name, err)
	}
	exited := make(chan struct{})
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		log.Close()
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		seen := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if !seen && strings.TrimSpace(line) == "READY" {
				seen = true
				close(ready)
			}
		}
		_, _ = io.Copy(log, stdout)
		_ = cmd.Wait()
		close(exited)
	}()
	started := time.Now()
	select {
	case <-ready:
		fmt.Printf("   %s ready in %s\n", p.Name, time.Since(started).Round(100*time.Millisecond))
		return stop, nil
	case <-exited:
		log.Close()
		return nil, fmt.Errorf("%s exited before READY (see %s)", p.Name, logPath)
	case <-time.After(wait):
		stop()
		return nil, fmt.Errorf("%s printed no READY within %s (see %s)", p.Name, wait, logPath)
	case <-ctx.Done():
		stop()
		return nil, ctx.Err()
	}
}
