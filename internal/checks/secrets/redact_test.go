package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/report"
	"github.com/launchready/launchready/internal/runner"
	"github.com/launchready/launchready/internal/score"
)

// TestNoReportHoldsASecret plants known fake secrets in every place the
// checks read — history on a side branch, a base64-wrapped value, a
// source map, uncommitted files, the build folder, a CI log, a database
// URL, a waived one — and renders the run in every format: none may hold
// a value, or any part of one past its first four characters.
func TestNoReportHoldsASecret(t *testing.T) {
	p := newPortal(t)
	p.git("checkout", "-q", "-b", "side")
	p.plant(".env", "STRIPE_SECRET_KEY=KEY\n")
	p.git("add", "-f", ".env")
	p.commit()
	p.git("checkout", "-q", "main")
	wrapped := liveKey(t)
	p.values = append(p.values, wrapped)
	p.write("src/config.js", "export const c = \""+base64.StdEncoding.EncodeToString([]byte("STRIPE_KEY="+wrapped+"\n"))+"\";\n")
	db := "postgres" + "://app:" + randBody(t, 20) + "@db.example.com:5432/app"
	p.values = append(p.values, db, db[strings.Index(db, ":")+3:])
	p.write("deploy/db.txt", "DATABASE_URL="+db+"\n")
	waived := p.plant("test/fixture.js", "const k = \"KEY\";\n")
	p.commit()
	p.plant("dist/app.js.map", `{"version":3,"sources":["src/pay.ts"],"sourcesContent":["const k = \"KEY\";\n"],"mappings":""}`)
	p.plant("dist/app.js", "var s=\"KEY\";\n")
	p.plant("notes.txt", "KEY\n")
	p.plant("ci/build.log", "+ export STRIPE_KEY=KEY\n")
	p.write("launchready-waivers.yaml", "waivers:\n  - {check: SEC-001, match: {path: test/**}, reason: fixture, owner: qa, expires: 2999-01-01}\n")

	outcomes := runner.Run(context.Background(), all, p.env(), runner.Options{})
	failed := 0
	for _, o := range outcomes {
		if o.Result.Status == check.Fail {
			failed++
		}
	}
	if failed != 4 {
		t.Fatalf("%d checks failed, want all 4: %+v", failed, outcomes)
	}
	run := &report.Run{ToolVersion: "test", Target: p.dir, Started: time.Now(), Summary: score.Summarize(outcomes, check.Major),
		Outcomes: outcomes, NotTested: report.NotTested}
	for name, rep := range map[string]report.Reporter{
		"json": report.JSON{}, "html": report.HTML{}, "sarif": report.SARIF{}, "junit": report.JUnit{},
		"markdown": report.Markdown{}, "terminal": report.Terminal{}, "terminal colour": report.Terminal{Color: true},
	} {
		var buf bytes.Buffer
		if err := rep.Write(&buf, run); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := buf.String()
		// SARIF carries locations, not evidence details.
		if want := map[bool]string{true: "src/config.js", false: "sk_l"}[name == "sarif"]; !strings.Contains(out, want) {
			t.Errorf("%s: the findings are missing (no %q)", name, want)
		}
		for _, v := range p.values {
			for _, part := range []string{v, v[4:], v[len(v)-12:]} {
				if strings.Contains(out, part) {
					t.Errorf("%s report holds a secret (…%s)", name, v[len(v)-4:])
				}
			}
		}
	}
	if !strings.Contains(strings.Join(evidenceDetails(outcomes), "\n"), "WAIVED until 2999-01-01 by qa") || waived == "" {
		t.Error("the waived finding is not listed as waived")
	}
}

func evidenceDetails(os []check.Outcome) []string {
	var d []string
	for _, o := range os {
		for _, e := range o.Result.Evidence {
			d = append(d, e.Detail)
		}
	}
	return d
}
