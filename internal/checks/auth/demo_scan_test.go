package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
	"github.com/launchready/launchready/internal/scan"
)

// TestEnumerationIgnoresMailThrottle scans the hardened demo whose reset
// form answers an address it mailed in the last minute with "We already
// sent you a link", whatever the address: a throttle, not a leak. The
// reset and signup comparisons must use a member the run has not mailed
// (so both addresses get the ordinary answer) and AUTH-006 PASSes; the
// flawed demo's real enumeration still FAILs, recurring in 2 of 3
// rounds (auth.recheck apart: the demo's config writes 1s).
func TestEnumerationIgnoresMailThrottle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flaws demo.Flaws
		want  check.Status
		in    string
	}{
		{"throttle, no enumeration", demo.Hardened(), check.Pass, "answer the same"},
		{"real enumeration", demo.Flawed(), check.Fail, "2 of 2 rounds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, err := demo.Start(ctx, demo.Options{Flaws: tc.flaws, AuthJourney: true, MailThrottle: true, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			cfg, err := config.Load(p.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			run, err := scan.Execute(ctx, cfg, scan.Options{Version: "test", FailOn: check.Blocker, Only: []string{"AUTH-006"}, Intrusive: true})
			if err != nil {
				t.Fatal(err)
			}
			var r check.Result
			for _, o := range run.Outcomes {
				if o.Meta.ID == "AUTH-006" {
					r = o.Result
				}
			}
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.in) {
				t.Errorf("AUTH-006 = %s (%s), want %s saying %q", r.Status, r.Summary, tc.want, tc.in)
			}
		})
	}
}

// TestJSONLoginPassNamesTheToken: AUTH-002 on a JSON login says what it
// judged, the token opening a protected endpoint, not a landing page a
// JSON login does not have.
func TestJSONLoginPassNamesTheToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := demo.Start(ctx, demo.Options{Flaws: demo.Hardened(), TokenSessions: true, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := scan.Execute(ctx, cfg, scan.Options{Version: "test", FailOn: check.Blocker, Only: []string{"AUTH-002"}})
	if err != nil {
		t.Fatal(err)
	}
	r := run.Outcomes[0].Result
	if r.Status != check.Pass || !strings.Contains(r.Summary, "with a session that opens /api/me with member content") {
		t.Errorf("AUTH-002 = %s (%s), want PASS naming the token's proof", r.Status, r.Summary)
	}
}
