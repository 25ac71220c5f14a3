package secrets

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/runner"
	engine "github.com/launchready/launchready/internal/secrets"
)

// Fake secrets are built at test time from pieces and random bodies, so
// this repository never holds one a scanner would flag.

func randBody(t *testing.T, n int) string {
	t.Helper()
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		if err != nil {
			t.Fatal(err)
		}
		b[i] = alnum[v.Int64()]
	}
	return string(b)
}

func liveKey(t *testing.T) string { return "sk_" + "live_" + randBody(t, 32) }

// portal is a project folder: a git repository with a config beside it,
// a build folder and a CI log, and the values planted in them.
type portal struct {
	t      *testing.T
	dir    string
	values []string
}

func newPortal(t *testing.T) *portal {
	t.Helper()
	p := &portal{t: t, dir: t.TempDir()}
	p.git("init", "-q", "-b", "main")
	p.write("launchready.yaml", "target:\n  url: https://portal.test\nsource: {repo: ., build: [dist], ci_logs: [ci/build.log]}\n")
	p.write(".gitignore", ".env*\n!.env.example\nci/\ndist/\n")
	p.write("dist/app.js", "console.log('ok');\n")
	p.write("ci/build.log", "step 1 ok\n")
	p.commit()
	return p
}

func (p *portal) git(args ...string) string {
	p.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+p.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (p *portal) write(name, content string) {
	p.t.Helper()
	full := filepath.Join(p.dir, filepath.FromSlash(name))
	os.MkdirAll(filepath.Dir(full), 0o755)
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *portal) commit() string {
	p.t.Helper()
	p.git("add", "-A")
	p.git("commit", "-q", "--allow-empty", "-m", "c")
	return p.git("rev-parse", "HEAD")
}

// plant writes a fresh secret into a file and remembers it.
func (p *portal) plant(name, format string) string {
	v := liveKey(p.t)
	p.values = append(p.values, v)
	p.write(name, strings.ReplaceAll(format, "KEY", v))
	return v
}

// env loads the portal's config as `scan` does.
func (p *portal) env() *check.Env {
	p.t.Helper()
	cfg, err := config.Load(filepath.Join(p.dir, "launchready.yaml"))
	if err != nil {
		p.t.Fatal(err)
	}
	return &check.Env{Config: cfg}
}

var all = []check.Check{History{}, Tree{}, EnvFiles{}, CILogs{}}

// run runs every SEC check through the runner.
func (p *portal) run() map[string]check.Outcome {
	p.t.Helper()
	out := map[string]check.Outcome{}
	for _, o := range runner.Run(context.Background(), all, p.env(), runner.Options{}) {
		out[o.Meta.ID] = o
	}
	return out
}

func TestMetaComplete(t *testing.T) {
	for _, c := range all {
		m := c.Meta()
		if !slices.Contains(IDs, m.ID) || m.Area != check.AreaSecrets || m.Title == "" || m.Pass == "" || m.Why == "" ||
			m.Breaks == "" || m.Fix == "" || m.Intrusive {
			t.Errorf("%s: incomplete meta %+v", m.ID, m)
		}
		if !strings.Contains(m.Fix, "otate") || !slices.ContainsFunc(m.Refs, func(r string) bool { return strings.HasPrefix(r, "CWE-") }) ||
			!slices.ContainsFunc(m.Refs, func(r string) bool { return strings.HasPrefix(r, "ASVS v5.0.0-13.3") }) {
			t.Errorf("%s: fix must say to rotate, refs must cite ASVS 13.3 and a CWE: %v", m.ID, m.Refs)
		}
		for _, n := range m.Needs {
			if !slices.Contains(config.NeedKeys(), n) {
				t.Errorf("%s needs unknown key %q", m.ID, n)
			}
		}
	}
}

// TestCleanPortalPasses: nothing planted, every check passes.
func TestCleanPortalPasses(t *testing.T) {
	p := newPortal(t)
	p.write("src/app.js", "export const pk = \"pk_"+"live_"+randBody(t, 24)+"\";\n")
	p.commit()
	for id, o := range p.run() {
		if o.Result.Status != check.Pass {
			t.Errorf("%s = %s: %s", id, o.Result.Status, o.Result.Summary)
		}
	}
	if s := p.run()["SEC-001"].Result.Summary; !strings.Contains(s, "1 browser key seen, publishable by design and not counted (Stripe live publishable key)") {
		t.Errorf("SEC-001 summary does not mention the publishable key: %s", s)
	}
}

// TestPlantedPortalFails: a key in each place fails the check that owns
// the place, with redacted evidence pointing at it.
func TestPlantedPortalFails(t *testing.T) {
	p := newPortal(t)
	p.git("checkout", "-q", "-b", "side")
	p.plant(".env", "STRIPE_SECRET_KEY=KEY\n")
	p.git("add", "-f", ".env")
	envCommit := p.commit()
	p.git("checkout", "-q", "main")
	p.plant("dist/app.js.map", `{"version":3,"sources":["src/pay.ts"],"sourcesContent":["// pay\nconst k = \"KEY\";\n"],"mappings":""}`)
	p.plant("ci/build.log", "step 2: export STRIPE_KEY=KEY\n")
	p.commit()
	got := p.run()
	for _, tc := range []struct {
		id, summary, file string
		line              int
		commit            string
	}{
		{"SEC-001", "1 secret in git history", ".env", 1, envCommit},
		{"SEC-002", "1 secret in 2 uncommitted or built files", "dist/app.js.map!src/pay.ts", 2, ""},
		{"SEC-006", "1 .env file tracked, committed or left unignored", ".env", 0, envCommit},
		{"SEC-007", "1 secret in 1 CI log", "ci/build.log", 1, ""},
	} {
		r := got[tc.id].Result
		if r.Status != check.Fail || !strings.HasPrefix(r.Summary, tc.summary) || len(r.Evidence) == 0 {
			t.Errorf("%s = %s: %s", tc.id, r.Status, r.Summary)
			continue
		}
		loc := r.Evidence[0].Location
		if loc == nil || loc.File != tc.file || loc.Line != tc.line || loc.Commit != tc.commit {
			t.Errorf("%s evidence at %+v, want %s:%d commit %q", tc.id, loc, tc.file, tc.line, tc.commit)
		}
		if tc.id != "SEC-006" && (!strings.Contains(r.Evidence[0].Detail, "sk_l…") || !strings.Contains(r.Evidence[0].Detail, "Rotate first: roll the key")) {
			t.Errorf("%s evidence detail: %s", tc.id, r.Evidence[0].Detail)
		}
	}
	if r := got["SEC-001"].Result.Evidence[0].Repro; r != "git show '"+envCommit[:12]+":.env' | sed -n 1p" {
		t.Errorf("SEC-001 repro %q", r)
	}
}

// TestWaivers: a live waiver turns the failure into a listed WARN; an
// expired one stops waiving and says so; a bad file is an ERROR naming
// its line.
func TestWaivers(t *testing.T) {
	p := newPortal(t)
	p.plant("src/keys.js", "export const k = \"KEY\";\n")
	sha := p.commit()
	fp := sha + ":src/keys.js:stripe-access-token:1"
	for _, tc := range []struct {
		name, file string
		status     check.Status
		want       string
	}{
		{"live", "waivers:\n  - {check: SEC-001, match: \"" + fp + "\", reason: revoked test key, owner: alice, expires: 2999-12-31}\n",
			check.Warn, "WAIVED until 2999-12-31 by alice (launchready-waivers.yaml line 2): revoked test key"},
		{"expired", "waivers:\n  - {check: SEC-001, match: {rule: stripe-access-token, path: \"src/**\"}, reason: r, owner: bob, expires: 2020-01-01}\n",
			check.Fail, "The waiver for it (launchready-waivers.yaml line 2, owner bob) expired on 2020-01-01 and no longer waives it"},
		{"bad file", "waivers:\n  - {check: SEC-001, match: x, reason: r, owner: o, expires: soon}\n",
			check.Error, `launchready-waivers.yaml:2: waivers[0].expires: want a date like 2026-12-31, got "soon"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.write("launchready-waivers.yaml", tc.file)
			r := p.run()["SEC-001"].Result
			text := r.Summary
			if len(r.Evidence) > 0 {
				text += "\n" + r.Evidence[0].Detail
			}
			if r.Status != tc.status || !strings.Contains(text, tc.want) {
				t.Errorf("SEC-001 = %s\n%s\nwant %s with %q", r.Status, text, tc.status, tc.want)
			}
		})
	}
}

// TestMissingBuildFolderSkips: what the host serves was not scanned, so
// SEC-002 is not verified.
func TestMissingBuildFolderSkips(t *testing.T) {
	p := newPortal(t)
	p.commit()
	os.RemoveAll(filepath.Join(p.dir, "dist"))
	r := p.run()["SEC-002"].Result
	if r.Status != check.Skip || !strings.Contains(r.Reason, "build folder dist does not exist") {
		t.Errorf("SEC-002 = %s: %s", r.Status, r.Summary)
	}
}

// TestNoSourceIsNotApplicable: a scan without a source: section covers the
// live portal only.
func TestNoSourceIsNotApplicable(t *testing.T) {
	cfg, err := config.Parse([]byte("target:\n  url: https://portal.test\n"), "launchready.yaml", config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range runner.Run(context.Background(), all, &check.Env{Config: cfg}, runner.Options{}) {
		if o.Result.Status != check.NA || !strings.Contains(o.Result.Reason, "has no source: section") {
			t.Errorf("%s = %s: %s", o.Meta.ID, o.Result.Status, o.Result.Reason)
		}
	}
}

// TestEvidenceIsJSON: evidence survives a JSON round trip with its
// location (the bench and CI read it back).
func TestEvidenceIsJSON(t *testing.T) {
	p := newPortal(t)
	p.plant("a.js", "const k = \"KEY\";\n")
	p.commit()
	b, err := json.Marshal(p.run()["SEC-001"].Result.Evidence)
	if err != nil || !strings.Contains(string(b), `"location":{"file":"a.js","line":1,"commit":"`) {
		t.Errorf("%s %v", b, err)
	}
}

// TestJudgeByPlace: a value is waived only when every place it was found
// is; each place says whether a waiver covers it; no evidence item is
// dropped, and each is bounded in bytes.
func TestJudgeByPlace(t *testing.T) {
	at := func(fp string) (engine.Subject, check.Evidence) {
		return engine.Subject{Fingerprints: []string{fp}, Rule: "r", File: fp}, check.Evidence{Detail: fp, Fingerprint: fp}
	}
	value := func(fps ...string) entry {
		s, ev := at(fps[0])
		e := entry{subject: s, severity: check.Blocker, kind: "k", ev: ev}
		for _, fp := range fps[1:] {
			s, ev := at(fp)
			e.more = append(e.more, place{subject: s, ev: ev})
		}
		return e
	}
	long := strings.Repeat("é", maxDetail)
	ws, err := engine.ParseWaivers([]byte("waivers:\n"+
		"  - {check: SEC-001, match: a2, reason: r, owner: o, expires: 2999-01-01}\n"+
		"  - {check: SEC-001, match: b1, reason: r, owner: o, expires: 2999-01-01}\n"+
		"  - {check: SEC-001, match: b2, reason: \""+long+"\", owner: o, expires: 2999-01-01}\n"), "w.yaml", IDs)
	if err != nil {
		t.Fatal(err)
	}
	es := []entry{value("a1", "a2", "a3"), value("b1", "b2")}
	j := judge("SEC-001", es, ws, time.Now())
	if len(j.failing) != 1 || len(j.waived) != 1 || j.failing[0].subject.File != "a1" || j.waived[0].subject.File != "b1" {
		t.Fatalf("failing %d, waived %d: want value a failing (one place waived), value b waived", len(j.failing), len(j.waived))
	}
	if es[0].more[0].ev.Detail != "a2" {
		t.Error("judging changed the caller's entries")
	}
	r := j.result("secret", "in git history")
	if r.Status != check.Fail || !strings.HasPrefix(r.Summary, "1 secret (in 3 places) in git history: k (also 1 waived)") {
		t.Errorf("%s: %s", r.Status, r.Summary)
	}
	var got []string
	for _, ev := range r.Evidence {
		got = append(got, fmt.Sprintf("%s waived=%v", ev.Fingerprint, strings.HasPrefix(ev.Detail, "WAIVED")))
		if len(ev.Detail) > maxDetail || !utf8.ValidString(ev.Detail) {
			t.Errorf("%s: detail of %d bytes (valid UTF-8: %v), want at most %d", ev.Fingerprint, len(ev.Detail), utf8.ValidString(ev.Detail), maxDetail)
		}
	}
	want := []string{"a1 waived=false", "a2 waived=true", "a3 waived=false", "b1 waived=true", "b2 waived=true"}
	if !slices.Equal(got, want) {
		t.Errorf("evidence %v, want %v", got, want)
	}
}
