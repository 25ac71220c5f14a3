package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
	"github.com/launchready/launchready/internal/report"
)

// TestNoCredentialInAnyOutput scans the flawed demo and renders every
// report format: neither the members' passwords, nor any session or CSRF
// cookie value, nor any secret the demo planted (found by the SEC checks
// in its bundle, source map, .env, history and CI log) may appear in any
// of them.
func TestNoCredentialInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := demo.Start(ctx, demo.Options{Flaws: demo.Flawed(), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true})
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.Verdict != "NO-GO" {
		t.Fatalf("verdict %s", run.Summary.Verdict)
	}
	var secrets []string
	for _, a := range p.Accounts {
		b, err := os.ReadFile(a.PasswordFile)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, strings.TrimSpace(string(b)))
	}
	for _, o := range run.Outcomes {
		// The planted secrets were found, so the evidence is about them.
		if strings.HasPrefix(o.Meta.ID, "SEC-00") && o.Meta.ID != "SEC-004" && o.Meta.ID != "SEC-008" && o.Result.Status != check.Fail {
			t.Errorf("%s = %s (%s), want FAIL", o.Meta.ID, o.Result.Status, o.Result.Summary)
		}
	}
	planted := p.PlantedSecrets()
	if len(planted) == 0 {
		t.Fatal("the flawed demo planted no secrets")
	}
	secrets = append(secrets, planted...)
	cookieValue := regexp.MustCompile(`(?i)\b(pm|__Host-pm|pl_csrf|_csrf)=[0-9a-f]{16,}`)
	for _, name := range []string{"r.json", "r.html", "r.sarif", "r.xml", "r.md", "r.txt"} {
		var buf bytes.Buffer
		var rep report.Reporter = report.Terminal{}
		if name != "r.txt" {
			if rep, err = report.ForPath(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := rep.Write(&buf, run); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s contains a member's password or a planted secret (%.6s…)", name, s)
			}
		}
		if m := cookieValue.FindString(out); m != "" {
			t.Errorf("%s contains a cookie value: %s", name, m)
		}
		// SARIF carries summaries, not evidence; every other format must
		// show the masked values, proving the evidence is there.
		if name != "r.sarif" && !strings.Contains(out, "redacted") {
			t.Errorf("%s shows no redaction at all: is the evidence there?", name)
		}
	}
}

// TestRedactOutcomesMasksLateSecrets: a value learnt after a check quoted
// it is masked in every field a report prints.
func TestRedactOutcomesMasksLateSecrets(t *testing.T) {
	const v = "late-found-value-123456"
	outs := []check.Outcome{{Result: check.Result{
		Status: check.Fail, Summary: "saw " + v, Reason: v,
		Evidence: []check.Evidence{{Request: "GET /x?k=" + v, Detail: "body: " + v, Repro: "curl /x | grep " + v}},
		Table:    &check.Table{Title: v, Columns: []string{"a"}, Rows: []check.TableRow{{Label: v, Cells: []string{"leaked " + v}}}},
	}}}
	red := client.NewRedactor()
	red.Add(v)
	redactOutcomes(red, outs)
	out, _ := json.Marshal(outs)
	if strings.Contains(string(out), v) || strings.Count(string(out), client.Mask) < 8 {
		t.Errorf("not masked everywhere: %s", out)
	}
}
