package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zricethezav/gitleaks/v8/logging"
)

// planted is a repository with one of each kind of finding, on several
// branches, and the values planted.
type planted struct {
	repo                                   *testRepo
	envKey, b64Key, mapKey, pub, anon, svc string
	dbURL                                  string
	envCommit                              string
}

// plantRepo builds the repository the history tests share: a .env with a
// Stripe key committed then deleted on a side branch, a base64-wrapped key
// on main, a key in a committed source map's sourcesContent, a publishable
// Stripe key, Supabase anon and service_role keys, and a database URL.
func plantRepo(t *testing.T) *planted {
	t.Helper()
	p := &planted{
		repo: newRepo(t), envKey: fakeStripe(t, "sk", "live"), b64Key: fakeStripe(t, "rk", "live"), mapKey: fakeStripe(t, "sk", "live"),
		pub: fakeStripe(t, "pk", "live"), anon: fakeSupabaseJWT(t, "anon"), svc: fakeSupabaseJWT(t, "service_role"), dbURL: fakeDBURL(t),
	}
	r := p.repo
	r.write("README.md", "# portal\n")
	r.write("src/app.js", "export const publishable = \""+p.pub+"\";\n")
	r.commit("initial")
	r.git("checkout", "-q", "-b", "feature/payments")
	r.write(".env", "STRIPE_SECRET_KEY="+p.envKey+"\n")
	p.envCommit = r.commit("add env")
	r.git("rm", "-q", ".env")
	r.commit("oops, remove env")
	r.git("checkout", "-q", "main")
	r.write("src/config.js", "// payments\nexport const cfg = \""+base64.StdEncoding.EncodeToString([]byte("STRIPE_KEY="+p.b64Key+"\n"))+"\";\n")
	r.write("src/supabase.js", "export const anonKey = \""+p.anon+"\";\nexport const serviceKey = \""+p.svc+"\";\n")
	r.write("deploy/db.txt", "DATABASE_URL="+p.dbURL+"\n")
	r.write("dist/app.js.map", string(sourceMap(t, "webpack://portal/src/pay.ts", "import s from 'stripe';\nconst k = \""+p.mapKey+"\";\n")))
	r.commit("config")
	return p
}

// byKind indexes findings by kind.
func byKind(fs []Finding) map[string][]Finding {
	m := map[string][]Finding{}
	for _, f := range fs {
		m[f.Kind] = append(m[f.Kind], f)
	}
	return m
}

func TestHistoryAllBranches(t *testing.T) {
	p := plantRepo(t)
	h, err := newScanner(t).History(context.Background(), filepath.Join(p.repo.dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Commits != 4 || h.Scanned != 3 || h.Shallow || h.Bytes == 0 {
		t.Errorf("history %d commits, %d scanned, %d bytes, shallow %v; want 4 commits, 3 with additions", h.Commits, h.Scanned, h.Bytes, h.Shallow)
	}
	got := byKind(h.Findings)
	for _, tc := range []struct {
		kind, file string
		line       int
		class      Class
		encoding   string
	}{
		{"Stripe live secret key", ".env", 1, Secret, ""},
		{"Stripe live restricted key", "src/config.js", 2, Secret, "base64"},
		{"Stripe live secret key", "dist/app.js.map!webpack://portal/src/pay.ts", 2, Secret, ""},
		{"Stripe live publishable key", "src/app.js", 1, Publishable, ""},
		{"Supabase anon key", "src/supabase.js", 1, Publishable, ""},
		{"Supabase service_role key", "src/supabase.js", 2, Secret, ""},
		{"PostgreSQL connection URL with a password", "deploy/db.txt", 1, Secret, ""},
	} {
		found := false
		for _, f := range got[tc.kind] {
			if f.File == tc.file && f.Line == tc.line && f.Class == tc.class && f.Encoding == tc.encoding && len(f.Commit) == 40 {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s in %s line %d (%s, encoding %q); got %+v", tc.kind, tc.file, tc.line, tc.class, tc.encoding, got[tc.kind])
		}
	}
	if n := len(Secrets(h.Findings)); n != 5 {
		t.Errorf("%d secrets, want 5: %+v", n, h.Findings)
	}
	env := got["Stripe live secret key"]
	for _, f := range env {
		if f.File == ".env" && f.Fingerprint != p.envCommit+":.env:stripe-access-token:1" {
			t.Errorf("fingerprint %q, want commit:file:rule:line", f.Fingerprint)
		}
	}
	dump := fmt.Sprintf("%+v %#v", h, h.Findings)
	for _, v := range []string{p.envKey, p.b64Key, p.mapKey, p.pub, p.anon, p.svc, p.dbURL} {
		if strings.Contains(dump, v) || strings.Contains(dump, v[5:]) {
			t.Errorf("a finding holds the value %s…", v[:4])
		}
	}
}

// TestHistoryCorruptRepository: a blob missing from the object store makes
// git log fail part-way; the scan is an error naming git's complaint, never
// a shorter clean history.
func TestHistoryCorruptRepository(t *testing.T) {
	r := newRepo(t)
	for i := range 4 {
		r.write(fmt.Sprintf("src/f%d.js", i), fmt.Sprintf("export const n = %d;\n", i))
		r.commit(fmt.Sprintf("c%d", i))
	}
	blob := r.git("rev-parse", "HEAD~1:src/f2.js")
	if err := os.Remove(filepath.Join(r.dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	_, err := newScanner(t).History(context.Background(), r.dir)
	var he *HistoryError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want a *HistoryError", err)
	}
	if !strings.Contains(err.Error(), "unable to read "+blob) || !strings.Contains(err.Error(), "not read to the end") {
		t.Errorf("error does not name the missing object: %v", err)
	}
}

// TestHistoryGitExitsNonZero: a git that stops early and exits 3 without a
// word on stderr is caught by its exit status.
func TestHistoryGitExitsNonZero(t *testing.T) {
	r := newRepo(t)
	for i := range 3 {
		r.write(fmt.Sprintf("f%d.js", i), strings.Repeat("x", 500)+"\n")
		r.commit("c")
	}
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = log ]; then \"" + real + "\" \"$@\" | head -c 400; exit 3; fi\ndone\nexec \"" + real + "\" \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	_, err = newScanner(t).History(context.Background(), r.dir)
	if err == nil || !strings.Contains(err.Error(), "git log exit status 3 before the end of the history") {
		t.Fatalf("err = %v, want the exit status named", err)
	}
}

// TestGitExitStatus pins how the git log exit status is read out of
// gitleaks: a gitleaks upgrade that moves it fails here, not in the field.
func TestGitExitStatus(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("a")
	if _, err := newScanner(t).History(context.Background(), r.dir); err != nil {
		t.Fatalf("a clean history must read: %v", err)
	}
}

func TestHistoryNotARepository(t *testing.T) {
	dir := t.TempDir()
	_, err := newScanner(t).History(context.Background(), dir)
	var nr *NotRepoError
	if !errors.As(err, &nr) || nr.Path != dir || !strings.Contains(err.Error(), dir+" is not a git repository") {
		t.Errorf("err = %v", err)
	}
	_, err = newScanner(t).History(context.Background(), filepath.Join(dir, "missing"))
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "no such directory") {
		t.Errorf("err = %v", err)
	}
}

func TestHistoryShallowClone(t *testing.T) {
	r := newRepo(t)
	for i := range 3 {
		r.write("a.txt", fmt.Sprintf("%d\n", i))
		r.commit("c")
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+r.dir, clone).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	h, err := newScanner(t).History(context.Background(), clone)
	if err != nil || !h.Shallow || h.Commits != 1 {
		t.Errorf("shallow clone: %+v, %v", h, err)
	}
}

// TestConcurrentScans runs scanners side by side under -race: the rules
// are loaded once, each scan has its own detector.
func TestConcurrentScans(t *testing.T) {
	p := plantRepo(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			s, err := New(Options{Workers: 4})
			if err != nil {
				errs <- err
				return
			}
			if i%2 == 0 {
				h, err := s.History(context.Background(), p.repo.dir)
				if err == nil && len(Secrets(h.Findings)) != 5 {
					err = fmt.Errorf("%d secrets in history, want 5", len(Secrets(h.Findings)))
				}
				errs <- err
				return
			}
			if fs := s.Text(context.Background(), "x.env", "STRIPE_KEY="+p.envKey+"\n"); len(fs) != 1 {
				errs <- fmt.Errorf("%d findings in text, want 1", len(fs))
				return
			}
			errs <- nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestLogsCarryNoSecret: gitleaks' warnings reach the running scans'
// loggers with their message and path only, never a value; its debug
// events (which hold decoded values) are never built.
func TestLogsCarryNoSecret(t *testing.T) {
	if _, err := New(Options{}); err != nil {
		t.Fatal(err)
	}
	key := fakeStripe(t, "sk", "live")
	var buf bytes.Buffer
	sink := logs.register(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	logging.Warn().Str("path", "big.bin").Str("finding", key).Msg("skipping file: too large")
	logging.Debug().Str("finding", key).Msg("segment found: " + key)
	logging.Error().Msg("[git] fatal: unable to read 1234")
	logs.unregister(sink)
	out := buf.String()
	if !strings.Contains(out, "skipping file: too large") || !strings.Contains(out, "path=big.bin") || strings.Contains(out, key) {
		t.Errorf("log:\n%s", out)
	}
	if got := sink.gitLines(); len(got) != 1 || got[0] != "fatal: unable to read 1234" {
		t.Errorf("git lines %q", got)
	}
}
