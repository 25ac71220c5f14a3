package secrets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathBuildFolder scans a build folder whole: a key in a source map's
// sourcesContent is found under the original source's name and line, a
// publishable key is not a secret, .git and binaries are skipped, a
// symbolic link out of the folder and an oversized file are listed.
func TestPathBuildFolder(t *testing.T) {
	root := t.TempDir()
	dist := filepath.Join(root, "dist")
	outside := filepath.Join(root, "secret.txt")
	mapKey, gitKey, bigKey := fakeStripe(t, "sk", "live"), fakeStripe(t, "sk", "live"), fakeStripe(t, "sk", "live")
	files := map[string]string{
		"assets/app.js":     "const pk=\"" + fakeStripe(t, "pk", "live") + "\";console.log(pk);\n",
		"assets/app.js.map": string(sourceMap(t, "src/pay.ts", "// pay\n\nconst key = \""+mapKey+"\";\n")),
		".git/config":       "token = " + gitKey + "\n",
		"logo.bin":          "\x00\x01" + fakeStripe(t, "sk", "live"),
		"big.txt":           strings.Repeat("a", 2048) + bigKey,
	}
	for name, content := range files {
		full := filepath.Join(dist, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(outside, []byte("KEY="+fakeStripe(t, "sk", "live")+"\n"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dist, "linked.txt")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(dist, "assets", "app.js"), filepath.Join(dist, "inside.js"))

	s, err := New(Options{MaxFileBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Path(context.Background(), dist, "dist")
	if err != nil {
		t.Fatal(err)
	}
	sec := Secrets(res.Findings)
	if len(sec) != 1 || sec[0].File != "dist/assets/app.js.map!src/pay.ts" || sec[0].Line != 3 || sec[0].Fingerprint != "dist/assets/app.js.map!src/pay.ts:stripe-access-token:3" {
		t.Errorf("secrets %+v, want the key in the map's src/pay.ts line 3", sec)
	}
	if pub := Publishables(res.Findings); len(pub) != 1 || pub[0].File != "dist/assets/app.js" {
		t.Errorf("publishable %+v", pub)
	}
	skipped := map[string]string{}
	for _, sk := range res.Skipped {
		skipped[sk.File] = sk.Why
	}
	if len(skipped) != 2 || !strings.Contains(skipped["dist/linked.txt"], "symbolic link out of the folder") ||
		!strings.Contains(skipped["dist/big.txt"], "larger than") {
		t.Errorf("skipped %v", skipped)
	}
	if res.Scanned != 2 {
		t.Errorf("%d files scanned, want app.js and its map", res.Scanned)
	}
	if _, err := s.Path(context.Background(), filepath.Join(root, "build"), "build"); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing folder: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

// TestUncommitted scans what is on disk and not committed, except what
// .gitignore ignores: the local .env stays on the machine.
func TestUncommitted(t *testing.T) {
	r := newRepo(t)
	r.write(".gitignore", ".env\n")
	r.write("src/app.js", "export const a = 1;\n")
	r.commit("init")
	untracked, modified, ignored := fakeStripe(t, "sk", "live"), fakeStripe(t, "rk", "live"), fakeStripe(t, "sk", "live")
	r.write("notes/keys.txt", "STRIPE="+untracked+"\n")
	r.write("src/app.js", "export const a = 1;\nexport const k = \""+modified+"\";\n")
	r.write(".env", "STRIPE_SECRET_KEY="+ignored+"\n")
	res, err := newScanner(t).Uncommitted(context.Background(), r.dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, f := range Secrets(res.Findings) {
		files[f.File] = f.Line
	}
	if len(files) != 2 || files["notes/keys.txt"] != 1 || files["src/app.js"] != 2 {
		t.Errorf("findings in %v, want notes/keys.txt:1 and src/app.js:2 (not the ignored .env)", files)
	}
}

func TestEnvFiles(t *testing.T) {
	r := newRepo(t)
	r.write(".env.example", "KEY=\n")
	r.write("api/.env", "KEY=1\n")
	r.commit("init")
	r.git("checkout", "-q", "-b", "old")
	r.write(".env.production", "KEY=2\n")
	added := r.commit("prod env")
	r.git("rm", "-q", ".env.production")
	r.commit("remove")
	r.git("checkout", "-q", "main")
	r.write("web/.env.local", "KEY=3\n")
	rep, err := EnvFiles(context.Background(), r.dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvFile{{Path: "api/.env", State: EnvTracked}, {Path: "web/.env.local", State: EnvUnignored},
		{Path: ".env.production", State: EnvInHistory, Commit: added}}
	if len(rep.Files) != len(want) {
		t.Fatalf("files %+v, want %+v", rep.Files, want)
	}
	for i := range want {
		if rep.Files[i] != want[i] {
			t.Errorf("file %d = %+v, want %+v", i, rep.Files[i], want[i])
		}
	}
	if rep.DotEnvIgnored {
		t.Error(".env reported ignored without a .gitignore")
	}
	r.write(".gitignore", ".env*\n!.env.example\n")
	if rep, err = EnvFiles(context.Background(), r.dir); err != nil || !rep.DotEnvIgnored {
		t.Errorf("with .gitignore: %+v, %v", rep, err)
	}
}
