package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/* from the current output")

// hostile is text a target controls, planted in evidence, summaries and a
// title to prove every format escapes it.
const (
	hostileScript = "<script>alert(1)</script>"
	hostileANSI   = "\x1b[2J\x1b[31mowned"
)

// fakeRun is a fixed NO-GO run: every status, several areas, HTTP and file
// evidence, more evidence than the terminal shows, and hostile strings.
func fakeRun() *Run {
	outs := fakeOutcomes()
	return &Run{
		ToolVersion:    "1.0.0-test",
		Target:         "https://portal.test",
		Started:        time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC),
		Duration:       4321 * time.Millisecond,
		Summary:        score.Summarize(outs, check.Blocker),
		Outcomes:       outs,
		OutOfScope:     []string{"GET https://tracker.example/collect?id=[redacted]"},
		NoConsent:      []string{"PUT https://abcdefghijklmnopqrst.supabase.co/auth/v1/user"},
		Requests:       57,
		WrongPasswords: &WrongPasswords{Budget: 24, Sent: 23, Refused: 1, Checks: []string{"AUTH-005", "AUTH-006"}},
		NotTested:      NotTested,
	}
}

func fakeOutcomes() []check.Outcome {
	return []check.Outcome{
		outcome(meta("AUTH-007", check.AreaAuth, check.Blocker, "Protected pages refuse anonymous visitors"),
			check.Failf([]check.Evidence{{
				Request: "GET https://portal.test/dashboard",
				Status:  200,
				Detail: "Content-Type: text/html\n\n<h1>Welcome back, member</h1>\n" + hostileScript +
					"\n```\nfenced ``code`` inside ]]> end\n```\nline 7\nline 8\nline 9",
				Repro: "curl -sS -i 'https://portal.test/dashboard'",
			}}, "anonymous visitor sees member content at /dashboard %s", hostileScript), 1200),
		outcome(meta("SESS-001", check.AreaSession, check.Blocker, "Session cookie is Secure"),
			check.Passf("session cookie sid is Secure"), 310),
		outcome(meta("SESS-002", check.AreaSession, check.Blocker, "Session cookie is HttpOnly"),
			check.Failf(hops(4), "session cookie sid lacks HttpOnly"), 305),
		outcome(meta("SESS-003", check.AreaSession, check.Major, "Session cookie is <b>SameSite</b> & \"strict\""),
			check.Warnf([]check.Evidence{{
				Request: "POST https://portal.test/login",
				Status:  302,
				Detail:  "Set-Cookie: sid=[redacted]; Path=/; Secure; HttpOnly " + hostileANSI,
				Repro:   "curl -sS -i -X POST 'https://portal.test/login' --data-urlencode 'email=a@portal.test'",
			}}, "- session cookie sid has no SameSite | browsers default to `Lax`"), 12),
		outcome(meta("SEC-001", check.AreaSecrets, check.Blocker, "No secrets in git history"),
			check.Failf([]check.Evidence{{
				Detail:   "STRIPE_SECRET_KEY=sk_live_…[redacted] (Stripe secret key)",
				Location: &check.Location{File: "src/config.js", Line: 12, Commit: "abc1234"},
			}}, "a live Stripe secret key is committed in src/config.js"), 2000),
		outcome(meta("TLS-001", check.AreaTLS, check.Blocker, "Certificate valid for every host"),
			check.Errorf("dial tcp 127.0.0.1:443: connection refused"), 5),
		outcome(meta("TLS-003", check.AreaTLS, check.Blocker, "HTTP redirects to HTTPS"),
			check.Passf("every http:// variant redirects to https:// in one hop"), 40),
		outcome(meta("AUTH-003", check.AreaAuth, check.Blocker, "Password reset works once"),
			check.Skipped("needs an inbox to receive the reset mail", "auth.inbox in launchready.yaml"), 0),
		outcome(meta("AUTH-011", check.AreaAuth, check.Minor, "Auth mail links use the canonical host"),
			check.NotApplicable("the portal sends no auth mail (Google sign-in only)"), 0),
		outcome(meta("EDGE-004", check.AreaEdge, check.Major, "Security headers scored"),
			check.Warnf([]check.Evidence{{
				Request: "GET https://portal.test/",
				Status:  200,
				Detail:  "Content-Security-Policy: default-src *\nScore 75/100",
			}}, "security headers score 75/100"), 20),
	}
}

func meta(id, area string, sev check.Severity, title string) check.Meta {
	return check.Meta{
		ID: id, Area: area, Severity: sev, Title: title,
		Pass:   "pass criteria of " + id,
		Why:    "why " + id + " matters",
		Breaks: "what breaks without " + id,
		Fix:    "Fix " + id + " like this:\n  nginx: add_header X-Example \"on\";\n  Express: app.use(fix())",
		Refs:   []string{"ASVS 5.0.0 V3.3.1", "CWE-614"},
		Needs:  []string{"auth.login"},
	}
}

func outcome(m check.Meta, r check.Result, msec int) check.Outcome {
	return check.Outcome{Meta: m, Result: r, Duration: time.Duration(msec) * time.Millisecond}
}

// hops is n redirect-hop evidence items, more than the terminal shows.
func hops(n int) []check.Evidence {
	var ev []check.Evidence
	for i := range n {
		ev = append(ev, check.Evidence{
			Request: "GET https://portal.test/hop/" + string(rune('a'+i)),
			Status:  302,
			Detail:  "Set-Cookie: sid=[redacted]; Path=/; Secure",
			Repro:   "curl -sS -i 'https://portal.test/hop/" + string(rune('a'+i)) + "'",
		})
	}
	return ev
}

// runWith is a run of the given outcomes, scored like a real one.
func runWith(outs []check.Outcome) *Run {
	r := fakeRun()
	r.Outcomes = outs
	r.Summary = score.Summarize(outs, check.Blocker)
	return r
}

// render writes r with rep and fails the test on error.
func render(t *testing.T, rep Reporter, r *Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep.Write(&b, r); err != nil {
		t.Fatalf("%T.Write: %v", rep, err)
	}
	return b.String()
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s: line %d differs (run go test -update if intended)\n got: %q\nwant: %q", path, i+1, g, w)
		}
	}
}
