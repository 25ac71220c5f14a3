// Package install_test checks that `go install
// github.com/launchready/launchready/cmd/launchready@latest` works for a user
// with an empty module cache: the module is served as it would be published
// (a file-based GOPROXY holding a zip of the tracked files), and everything
// else comes from the real module proxy.
package install_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const modulePath = "github.com/launchready/launchready"

// testVersion is the version the file proxy publishes. `@latest` resolves to
// it because the file proxy, first in GOPROXY, answers the version list.
const testVersion = "v0.1.0"

// Limits of a module zip (golang.org/x/mod/zip): the go command refuses a
// larger zip or go.mod.
const (
	maxZipFile = 500 << 20
	maxGoMod   = 16 << 20
)

// TestGoModInstallable checks, without the network, what makes `go install
// pkg@version` refuse a module: a replace or exclude directive (they would
// make the module build differently as a dependency), or a module path
// other than the one users type.
func TestGoModInstallable(t *testing.T) {
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "module":
			if len(fields) != 2 || fields[1] != modulePath {
				t.Errorf("go.mod:%d: module path %q, want %q", n, strings.Join(fields[1:], " "), modulePath)
			}
		case "replace", "exclude":
			t.Errorf("go.mod:%d: a %s directive makes `go install %s/cmd/launchready@version` fail", n, fields[0], modulePath)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestGoModTidy checks go.mod and go.sum are complete: `go mod tidy -diff`
// prints what tidy would change and fails when anything would.
func TestGoModTidy(t *testing.T) {
	root := repoRoot(t)
	cmd := exec.Command("go", "mod", "tidy", "-diff")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy -diff: %v\n%s", err, out)
	}
}

// TestGoInstallLatest publishes this module at testVersion in a file-based
// GOPROXY, then runs `go install …/cmd/launchready@latest` with a fresh
// GOPATH, module cache and build cache, and runs the installed binary. It
// downloads every dependency from the module proxy (a few minutes on a
// 2-core machine), so -short skips it, and it skips when the proxy cannot be
// reached.
func TestGoInstallLatest(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: downloads every dependency from the module proxy")
	}
	root := repoRoot(t)
	upstream := goEnv(t, "GOPROXY")
	if upstream == "" || upstream == "off" {
		t.Skipf("no module proxy to download the dependencies from (GOPROXY=%q)", upstream)
	}

	tmp := t.TempDir()
	proxyDir := filepath.Join(tmp, "proxy")
	size := publish(t, root, proxyDir, testVersion)
	t.Logf("module zip: %d bytes", size)

	env := isolatedEnv(tmp, upstream, goEnv(t, "GOSUMDB"))
	probeProxy(t, root, tmp, upstream, env)

	// The file proxy comes first: it answers for our module (and only for
	// it: a missing file there is "not found", so the go command asks the
	// next proxy for every dependency).
	env = append(env, "GOPROXY="+fileURL(proxyDir)+","+upstream)
	start := time.Now()
	install := exec.Command("go", "install", modulePath+"/cmd/launchready@latest")
	install.Dir = tmp
	install.Env = env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install %s/cmd/launchready@latest: %v\n%s", modulePath, err, out)
	}
	t.Logf("go install from an empty module cache took %s", time.Since(start).Round(time.Second))

	bin := filepath.Join(tmp, "bin", "launchready")
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", bin, err, out)
	}
	// Without -ldflags, the binary reports the version it was installed at.
	if want := "launchready " + strings.TrimPrefix(testVersion, "v") + "\n"; string(out) != want {
		t.Errorf("%s version printed %q, want %q", bin, out, want)
	}
	// What the go command recorded as the main module: ours, at the
	// published version, so nothing came from the working tree.
	info, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, info)
	}
	if want := "mod\t" + modulePath + "\t" + testVersion; !strings.Contains(string(info), want) {
		t.Errorf("go version -m %s does not show %q:\n%s", bin, want, info)
	}
}

// isolatedEnv is the environment of a user with nothing cached: GOPATH,
// module and build caches and GOBIN under tmp, no go env file, no
// workspace. The module cache is made writable (-modcacherw) so that
// t.TempDir's clean-up can remove it. GONOSUMDB exempts our unpublished
// module from the checksum database (it has no entry there, and GOPRIVATE
// would also bypass the proxy that serves it); the dependencies are still
// checked against GOSUMDB, as for any user.
func isolatedEnv(tmp, upstream, sumdb string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GO") || k == "CGO_ENABLED" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"GOENV=off",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOFLAGS=-modcacherw",
		"GOPATH="+filepath.Join(tmp, "gopath"),
		"GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GOCACHE="+filepath.Join(tmp, "gocache"),
		"GOBIN="+filepath.Join(tmp, "bin"),
		"GOSUMDB="+sumdb,
		"GONOSUMDB="+modulePath,
		"GOPRIVATE=",
		"GONOPROXY=",
		"GOINSECURE=",
	)
}

// probeProxy asks the upstream proxy for one of our dependencies' metadata
// (a few kilobytes) and skips the test when it cannot answer.
func probeProxy(t *testing.T, root, tmp, upstream string, env []string) {
	t.Helper()
	dep, err := firstRequire(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	probe := exec.Command("go", "list", "-m", "-json", dep)
	probe.Dir = tmp
	probe.Env = append(env, "GOPROXY="+upstream)
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("the module proxy cannot be reached (go list -m %s: %v):\n%s", dep, err, out)
	}
}

// publish writes the file-based GOPROXY layout for this module at version
// (@v/list, .info, .mod, .zip) under dir, and returns the zip's size.
func publish(t *testing.T, root, dir, version string) int64 {
	t.Helper()
	vdir := filepath.Join(dir, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gomod) > maxGoMod {
		t.Fatalf("go.mod is %d bytes, over the module limit of %d", len(gomod), maxGoMod)
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":"2026-12-07T00:00:00Z"}`, version)
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(info),
		version + ".mod":  gomod,
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := moduleFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(vdir, version+".zip")
	if err := writeZip(zipPath, root, modulePath+"@"+version, files); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > maxZipFile {
		t.Fatalf("module zip is %d bytes, over the limit of %d", st.Size(), maxZipFile)
	}
	return st.Size()
}

// moduleFiles lists what a published zip of the module holds: the files
// git tracks (and new ones it does not ignore, so that an uncommitted file
// is tested too), minus what the go command leaves out of a module: nested
// modules (a folder with its own go.mod, e.g. test/realworld/pocketbase)
// and vendored packages. Paths the go command refuses (odd characters,
// case collisions) are left in: it reports them when it extracts the zip.
func moduleFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	all := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	var nested []string
	for _, f := range all {
		if path.Base(f) == "go.mod" && f != "go.mod" {
			nested = append(nested, path.Dir(f)+"/")
		}
	}
	var files []string
	for _, f := range all {
		if f == "" || inAny(f, nested) || isVendoredPackage(f) {
			continue
		}
		st, err := os.Lstat(filepath.Join(root, filepath.FromSlash(f)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree, not yet in the index
		}
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			continue // symbolic links and submodules are never in a module zip
		}
		files = append(files, f)
	}
	return files, nil
}

func inAny(f string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(f, d) {
			return true
		}
	}
	return false
}

// isVendoredPackage is golang.org/x/mod/zip's rule, offset quirk included
// (golang.org/issue/31562: fixing it would change published checksums).
func isVendoredPackage(name string) bool {
	var i int
	if strings.HasPrefix(name, "vendor/") {
		i += len("vendor/")
	} else if j := strings.Index(name, "/vendor/"); j >= 0 {
		i += len("/vendor/")
	} else {
		return false
	}
	return strings.Contains(name[i:], "/")
}

func writeZip(dst, root, prefix string, files []string) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			f.Close()
			return err
		}
		w, err := zw.Create(prefix + "/" + name)
		if err != nil {
			f.Close()
			return err
		}
		if _, err := w.Write(data); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fileURL is dir as a file:// URL, the form GOPROXY takes.
func fileURL(dir string) string {
	return "file://" + filepath.ToSlash(dir)
}

// firstRequire is the first module@version in go.mod's require blocks.
func firstRequire(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	inBlock := false
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "require" && len(fields) >= 2 && fields[1] == "(":
			inBlock = true
		case fields[0] == "require" && len(fields) >= 3:
			return fields[1] + "@" + fields[2], nil
		case inBlock && fields[0] == ")":
			inBlock = false
		case inBlock && len(fields) >= 2:
			return fields[0] + "@" + fields[1], nil
		}
	}
	return "", fmt.Errorf("%s requires no module", gomod)
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}

// repoRoot is the folder of this module's go.mod, found from the test's
// folder upwards.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("module "+modulePath+"\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of %s above the test's folder", modulePath)
		}
		dir = parent
	}
}
