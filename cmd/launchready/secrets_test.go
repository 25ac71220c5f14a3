package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// secretsRepo is a git repository for the secrets command, built in a
// temporary folder; fake keys are made at test time from pieces.
type secretsRepo struct {
	t   *testing.T
	dir string
}

func newSecretsRepo(t *testing.T) *secretsRepo {
	t.Helper()
	r := &secretsRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.write(".gitignore", ".env*\n!.env.example\ndist/\n")
	r.write("src/app.js", "export const a = 1;\n")
	r.commit()
	return r
}

func (r *secretsRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *secretsRepo) write(name, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, filepath.FromSlash(name))
	os.MkdirAll(filepath.Dir(full), 0o755)
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *secretsRepo) commit() string {
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", "c")
	return r.git("rev-parse", "HEAD")
}

// fakeLiveKey is a Stripe-shaped live secret key with a random body.
func fakeLiveKey(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "sk_" + "live_" + hex.EncodeToString(b) + "Zq"
}

// TestSecretsExitCodes runs the built binary: 0 clean, 1 an unwaived
// secret, 2 usage errors naming the problem, 3 a history that cannot be
// read; reports are written and hold no secret.
func TestSecretsExitCodes(t *testing.T) {
	clean := newSecretsRepo(t)
	key := fakeLiveKey(t)
	leaky := newSecretsRepo(t)
	leaky.write("src/pay.js", "const stripe = \""+key+"\";\n")
	sha := leaky.commit()
	leaky.write("dist/app.js", "console.log(1);\n")
	waived := newSecretsRepo(t)
	waived.write("test/fixture.js", "const k = \""+fakeLiveKey(t)+"\";\n")
	waived.commit()
	waived.write("launchready-waivers.yaml", "waivers:\n  - {check: SEC-001, match: {path: \"test/**\"}, reason: fixture, owner: qa, expires: 2999-01-01}\n")
	badWaivers := newSecretsRepo(t)
	badWaivers.write("launchready-waivers.yaml", "waivers:\n  - {check: SEC-001, match: x, reason: r, owner: o, expires: tomorrow}\n")
	corrupt := newSecretsRepo(t)
	corrupt.write("src/b.js", "export const b = 2;\n")
	corrupt.commit()
	blob := corrupt.git("rev-parse", "HEAD:src/b.js")
	os.Remove(filepath.Join(corrupt.dir, ".git", "objects", blob[:2], blob[2:]))
	logs := t.TempDir()
	os.WriteFile(filepath.Join(logs, "build.log"), []byte("+ echo STRIPE_KEY="+fakeLiveKey(t)+"\n"), 0o644)
	notRepo := t.TempDir()
	out := t.TempDir()

	for _, tc := range []struct {
		name   string
		dir    string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"clean", clean.dir, []string{"secrets"}, 0, "GO for 1 of 12 areas", ""},
		{"secret in history", leaky.dir, []string{"secrets", ".", "--build", "dist", "--out", filepath.Join(out, "r.json"),
			"--out", filepath.Join(out, "r.html"), "--out", filepath.Join(out, "r.sarif"), "--out", filepath.Join(out, "r.xml"),
			"--out", filepath.Join(out, "r.md")}, 1, "NO-GO", "wrote " + filepath.Join(out, "r.md")},
		{"path as argument", t.TempDir(), []string{"secrets", leaky.dir}, 1, "fingerprint " + sha + ":src/pay.js:stripe-access-token:1", ""},
		{"waived", waived.dir, []string{"secrets"}, 0, "WAIVED until 2999-01-01 by qa", ""},
		{"secret in a CI log", clean.dir, []string{"secrets", "--ci-log", filepath.Join(logs, "build.log")}, 1, "SEC-007", ""},
		{"fail-on blocker ignores the CI log", clean.dir, []string{"secrets", "--ci-log", logs, "--fail-on", "blocker"}, 0, "GO", ""},
		{"unreadable history", corrupt.dir, []string{"secrets"}, 3, "NOT VERIFIED", ""},
		{"not a repository", notRepo, []string{"secrets"}, 2, "", "launchready: secrets .: . is not a git repository"},
		{"missing path", clean.dir, []string{"secrets", "nope"}, 2, "", "launchready: secrets nope: nope is not a git repository (no such directory)"},
		{"missing build folder", clean.dir, []string{"secrets", "--build", "dist"}, 2, "", "launchready: dist: no such file or folder"},
		{"bad waiver file", badWaivers.dir, []string{"secrets"}, 2, "", `launchready: launchready-waivers.yaml:2: waivers[0].expires: want a date like 2026-12-31, got "tomorrow"`},
		{"bad report extension", clean.dir, []string{"secrets", "--out", "r.pdf"}, 2, "", `unknown format ".pdf"`},
		{"bad flag", clean.dir, []string{"secrets", "--bogus"}, 2, "", "unknown flag: --bogus"},
		{"two paths", clean.dir, []string{"secrets", "a", "b"}, 2, "", "accepts at most 1 arg(s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.dir, append(tc.args, "--no-color")...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, want %d with stdout %q, stderr %q\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, tc.stdout, tc.stderr, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, key[8:]) {
				t.Error("the output holds the secret")
			}
		})
	}
	for _, ext := range []string{"json", "html", "sarif", "xml", "md"} {
		b, err := os.ReadFile(filepath.Join(out, "r."+ext))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "src/pay.js") || strings.Contains(string(b), key[8:]) {
			t.Errorf("r.%s: want the finding's file and never the key:\n%s", ext, b)
		}
	}
}
