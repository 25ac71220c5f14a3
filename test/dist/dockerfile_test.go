package dist_test

import (
	"debug/elf"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/browser"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd     string // upper case: FROM, RUN, COPY…
	Args    string
	Heredoc string // the body of a <<EOF here-document, if any
	Line    int
}

// stage is one FROM and what follows it.
type stage struct {
	Name, From string
	Instrs     []instruction
}

var heredocStart = regexp.MustCompile(`<<-?'?"?([A-Za-z_]+)'?"?`)

// parseDockerfile reads the subset of the Dockerfile syntax our Dockerfile
// uses: comments, backslash continuations, one here-document per
// instruction, FROM … AS name.
func parseDockerfile(t *testing.T, text string) []stage {
	t.Helper()
	lines := strings.Split(text, "\n")
	var stages []stage
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		start := i + 1
		full := line
		for strings.HasSuffix(full, "\\") && i+1 < len(lines) {
			i++
			full = strings.TrimSuffix(full, "\\") + "\n" + strings.TrimSpace(lines[i])
		}
		cmd, args, _ := strings.Cut(full, " ")
		in := instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args), Line: start}
		if m := heredocStart.FindStringSubmatch(in.Args); m != nil {
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != m[1]; i++ {
				body = append(body, lines[i])
			}
			in.Heredoc = strings.Join(body, "\n") + "\n"
		}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			st := stage{From: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.Name = f[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile:%d: %s before the first FROM", start, in.Cmd)
		}
		stages[len(stages)-1].Instrs = append(stages[len(stages)-1].Instrs, in)
	}
	return stages
}

func stageNamed(t *testing.T, stages []stage, name string) stage {
	t.Helper()
	for _, s := range stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return stage{}
}

// lineage is a stage and the stages it is built FROM, nearest first.
func lineage(stages []stage, s stage) []stage {
	out := []stage{s}
	for {
		i := slices.IndexFunc(stages, func(p stage) bool { return p.Name == out[len(out)-1].From })
		if i < 0 {
			return out
		}
		out = append(out, stages[i])
	}
}

// effective is the last value of an instruction a stage sets or inherits.
func effective(stages []stage, s stage, cmd string) (instruction, bool) {
	for _, st := range lineage(stages, s) {
		for i := len(st.Instrs) - 1; i >= 0; i-- {
			if st.Instrs[i].Cmd == cmd {
				return st.Instrs[i], true
			}
		}
	}
	return instruction{}, false
}

// goBuild is the Dockerfile's build command, read from its RUN line.
type goBuild struct {
	Env     []string // NAME=value words before `go`
	Flags   []string // everything between `build` and the package
	LDFlags string
	Out     string
	Package string
	Line    int
}

func parseGoBuild(t *testing.T, build stage) goBuild {
	t.Helper()
	for _, in := range build.Instrs {
		if in.Cmd != "RUN" || !strings.Contains(in.Args, "go build") {
			continue
		}
		words := shellWords(in.Args)
		gb := goBuild{Line: in.Line}
		i := 0
		for ; i < len(words) && strings.HasPrefix(words[i], "--mount="); i++ {
		}
		for ; i < len(words) && strings.Contains(words[i], "=") && words[i] != "go"; i++ {
			gb.Env = append(gb.Env, words[i])
		}
		if i+1 >= len(words) || words[i] != "go" || words[i+1] != "build" {
			t.Fatalf("Dockerfile:%d: want `[NAME=value…] go build …`, got %q", in.Line, in.Args)
		}
		rest := words[i+2:]
		if len(rest) == 0 {
			t.Fatalf("Dockerfile:%d: go build names no package", in.Line)
		}
		gb.Package = rest[len(rest)-1]
		gb.Flags = rest[:len(rest)-1]
		for j := 0; j+1 < len(gb.Flags); j++ {
			switch gb.Flags[j] {
			case "-ldflags":
				gb.LDFlags = gb.Flags[j+1]
			case "-o":
				gb.Out = gb.Flags[j+1]
			}
		}
		return gb
	}
	t.Fatal("Dockerfile: no RUN … go build in the build stage")
	return goBuild{}
}

func dockerfile(t *testing.T) (string, []stage) {
	t.Helper()
	root := repoRoot(t)
	return root, parseDockerfile(t, readFile(t, filepath.Join(root, "Dockerfile")))
}

// TestDockerfileBuildStage checks the build stage against the module: the
// golang image is the go directive's release, the build is static and
// stamped through a -X symbol that exists as a string variable, and the
// package it builds is a main package.
func TestDockerfileBuildStage(t *testing.T) {
	root, stages := dockerfile(t)
	build := stageNamed(t, stages, "build")
	want := majorMinor(goDirective(t, root))
	if img := "golang:" + want + "-bookworm"; build.From != img {
		t.Errorf("build stage FROM %s, want %s (go.mod says go %s)", build.From, img, goDirective(t, root))
	}

	gb := parseGoBuild(t, build)
	if !slices.Contains(gb.Env, "CGO_ENABLED=0") {
		t.Errorf("Dockerfile:%d: go build without CGO_ENABLED=0 links libc dynamically, which the slim image may not match", gb.Line)
	}
	if !slices.Contains(gb.Flags, "-trimpath") {
		t.Errorf("Dockerfile:%d: go build without -trimpath", gb.Line)
	}
	ld := strings.Fields(gb.LDFlags)
	if !slices.Contains(ld, "-s") || !slices.Contains(ld, "-w") {
		t.Errorf("Dockerfile:%d: -ldflags %q lacks -s -w", gb.Line, gb.LDFlags)
	}
	sym, val, ok := xSymbol(gb.LDFlags)
	if !ok {
		t.Fatalf("Dockerfile:%d: -ldflags %q sets no version with -X", gb.Line, gb.LDFlags)
	}
	if val != "${VERSION}" {
		t.Errorf("Dockerfile:%d: -X %s=%s, want the VERSION build argument", gb.Line, sym, val)
	}
	checkStringVar(t, root, sym)
	checkArgBefore(t, build, "VERSION", gb.Line)
	checkMainPackage(t, root, gb.Package)
	if gb.Out == "" {
		t.Errorf("Dockerfile:%d: go build has no -o", gb.Line)
	}
}

// xSymbol reads `-X sym=value` from an -ldflags value.
func xSymbol(ldflags string) (sym, val string, ok bool) {
	f := strings.Fields(ldflags)
	i := slices.Index(f, "-X")
	if i < 0 || i+1 == len(f) {
		return "", "", false
	}
	sym, val, ok = strings.Cut(f[i+1], "=")
	return sym, val, ok
}

// checkStringVar checks that sym (import/path.Name) is a package-level
// string variable of this module: -X sets nothing else, and says nothing
// when the symbol is missing.
func checkStringVar(t *testing.T, root, sym string) {
	t.Helper()
	dot := strings.LastIndex(sym, ".")
	pkg, name := sym[:dot], sym[dot+1:]
	rel, ok := strings.CutPrefix(pkg, modulePath+"/")
	if !ok {
		t.Fatalf("-X %s: not a package of %s", sym, modulePath)
	}
	for _, f := range parseGoFiles(t, filepath.Join(root, filepath.FromSlash(rel))) {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for k, n := range vs.Names {
					if n.Name != name {
						continue
					}
					if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" {
						return
					}
					if vs.Type == nil && k < len(vs.Values) {
						if lit, ok := vs.Values[k].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							return
						}
					}
					t.Fatalf("-X %s: %s is not a string variable initialised by a constant", sym, name)
				}
			}
		}
	}
	t.Fatalf("-X %s: no package-level variable %s in %s", sym, name, rel)
}

func checkArgBefore(t *testing.T, s stage, name string, line int) {
	t.Helper()
	for _, in := range s.Instrs {
		if in.Cmd == "ARG" && in.Line < line && strings.Split(in.Args, "=")[0] == name {
			return
		}
	}
	t.Errorf("Dockerfile:%d: ${%s} is used but no ARG %s precedes it in stage %s", line, name, name, s.Name)
}

func checkMainPackage(t *testing.T, root, pkg string) {
	t.Helper()
	if !strings.HasPrefix(pkg, "./") {
		t.Fatalf("go build %s: want a path relative to the module root", pkg)
	}
	files := parseGoFiles(t, filepath.Join(root, filepath.FromSlash(pkg)))
	if len(files) == 0 {
		t.Fatalf("go build %s: no Go files there", pkg)
	}
	for _, f := range files {
		if f.Name.Name != "main" {
			t.Fatalf("go build %s: package %s, want main", pkg, f.Name.Name)
		}
	}
}

// parseGoFiles parses the non-test Go files of dir.
func parseGoFiles(t *testing.T, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// TestDockerfileImages checks the images people run: the default target
// (the last stage) and the browser target each get the built binary on
// PATH as their entry point, run as a non-root user, and the browser target
// installs Debian's chromium, the name internal/browser looks for first.
func TestDockerfileImages(t *testing.T) {
	_, stages := dockerfile(t)
	gb := parseGoBuild(t, stageNamed(t, stages, "build"))
	if last := stages[len(stages)-1]; last.Name != "runtime" {
		t.Errorf("the last stage (the default target) is %q, want runtime", last.Name)
	}
	for _, name := range []string{"runtime", "browser"} {
		s := stageNamed(t, stages, name)
		copied := false
		for _, in := range s.Instrs {
			if in.Cmd == "COPY" && strings.Fields(in.Args)[0] == "--from=build" {
				f := strings.Fields(in.Args)
				copied = f[1] == gb.Out && f[2] == "/usr/local/bin/launchready"
			}
		}
		if !copied {
			t.Errorf("stage %s: no COPY --from=build %s /usr/local/bin/launchready", name, gb.Out)
		}
		if ep, ok := effective(stages, s, "ENTRYPOINT"); !ok || ep.Args != `["launchready"]` {
			t.Errorf("stage %s: ENTRYPOINT %q, want [\"launchready\"]", name, ep.Args)
		}
		u, ok := effective(stages, s, "USER")
		if user, _, _ := strings.Cut(u.Args, ":"); !ok || user == "root" || user == "0" {
			t.Errorf("stage %s runs as %q, want a non-root user", name, u.Args)
		}
	}

	browserStage := stageNamed(t, stages, "browser")
	installs := false
	for _, in := range browserStage.Instrs {
		if in.Cmd == "RUN" && slices.Contains(shellWords(in.Args), "chromium") {
			installs = true
		}
	}
	if !installs {
		t.Error("browser stage: no RUN installs the chromium package")
	}
	// Debian's package puts its launcher at /usr/bin/chromium, on the
	// image's PATH: Find must take `chromium` from PATH.
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got, err := browser.Find(); err != nil || got != fake {
		t.Errorf("browser.Find() = %q, %v with only %s on PATH; the browser image relies on it", got, err, fake)
	}
}

// TestChromiumSandboxSwitch runs the file the browser image puts in
// /etc/chromium.d (Debian's launcher sources it) the way the launcher does:
// it adds --no-sandbox unless CHROMIUM_SANDBOX=on.
func TestChromiumSandboxSwitch(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to source the chromium.d file with")
	}
	_, stages := dockerfile(t)
	var body string
	for _, in := range stageNamed(t, stages, "browser").Instrs {
		if in.Cmd == "COPY" && strings.HasPrefix(lastField(in.Args), "/etc/chromium.d/") {
			body = in.Heredoc
		}
	}
	if body == "" {
		t.Fatal("browser stage: no here-document copied to /etc/chromium.d/")
	}
	file := filepath.Join(t.TempDir(), "launchready-sandbox")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sandbox string
		want    string
	}{
		{"", "--enable-gpu-rasterization --no-sandbox"},
		{"off", "--enable-gpu-rasterization --no-sandbox"},
		{"on", "--enable-gpu-rasterization"},
	} {
		cmd := exec.Command(sh, "-c", `CHROMIUM_FLAGS="--enable-gpu-rasterization"; . "$1"; printf %s "$CHROMIUM_FLAGS"`, "sh", file)
		cmd.Env = []string{"CHROMIUM_SANDBOX=" + tc.sandbox}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("CHROMIUM_SANDBOX=%q: %v\n%s", tc.sandbox, err, out)
		}
		if string(out) != tc.want {
			t.Errorf("CHROMIUM_SANDBOX=%q: CHROMIUM_FLAGS %q, want %q", tc.sandbox, out, tc.want)
		}
	}
}

func lastField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// TestDockerfileBuildRuns runs the build stage's go build here, as the
// image would (same environment, flags and package, VERSION filled in),
// and checks the binary is static (no interpreter, no shared library: it
// runs on any base image) and reports the version it was given.
func TestDockerfileBuildRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds launchready with the Dockerfile's flags")
	}
	root, stages := dockerfile(t)
	gb := parseGoBuild(t, stageNamed(t, stages, "build"))
	const version = "v0.0.0-dockerfile-test"
	out := filepath.Join(t.TempDir(), "launchready")
	args := []string{"build"}
	for i := 0; i < len(gb.Flags); i++ {
		switch gb.Flags[i] {
		case "-o":
			args = append(args, "-o", out)
			i++
		case "-ldflags":
			args = append(args, "-ldflags", strings.ReplaceAll(gb.LDFlags, "${VERSION}", version))
			i++
		default:
			args = append(args, gb.Flags[i])
		}
	}
	args = append(args, gb.Package)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), gb.Env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a dynamic loader (PT_INTERP): not static")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (%v): not static", libs, err)
	}
	if st, err := os.Stat(out); err == nil {
		t.Logf("static binary: %d bytes", st.Size())
	}

	got, err := exec.Command(out, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", out, err, got)
	}
	if want := fmt.Sprintf("launchready %s\n", version); string(got) != want {
		t.Errorf("version printed %q, want %q", got, want)
	}
}

// TestDockerignoreKeepsBuildInputs checks .dockerignore hides none of what
// `go build ./cmd/launchready` reads (go.mod, go.sum, the Go and embedded
// files of every package of this module it links), and keeps the
// repository's history and reports out of the build context.
func TestDockerignoreKeepsBuildInputs(t *testing.T) {
	root := repoRoot(t)
	ig := parseDockerignore(readFile(t, filepath.Join(root, ".dockerignore")))
	_, stages := dockerfile(t)
	gb := parseGoBuild(t, stageNamed(t, stages, "build"))

	cmd := exec.Command("go", "list", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{.Dir}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}{{end}}{{end}}`, gb.Package)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", gb.Package, err)
	}
	needed := []string{"go.mod", "go.sum"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(line, "|")
		rel, err := filepath.Rel(root, parts[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, list := range parts[1:] {
			for _, f := range strings.Split(list, ",") {
				if f != "" {
					needed = append(needed, path.Join(filepath.ToSlash(rel), f))
				}
			}
		}
	}
	if len(needed) < 10 {
		t.Fatalf("go list found only %v: the query is wrong", needed)
	}
	for _, f := range needed {
		if ig.excludes(f) {
			t.Errorf(".dockerignore excludes %s, which the build needs", f)
		}
	}
	for _, f := range []string{".git/HEAD", "launchready.sarif", "report.html", ".env", "test/realworld/express/package.json"} {
		if !ig.excludes(f) {
			t.Errorf(".dockerignore lets %s into the build context", f)
		}
	}
}

// dockerignore is a parsed .dockerignore: a path is excluded when the last
// pattern matching it or one of its parent folders is not a !exception.
type dockerignore []struct {
	re     *regexp.Regexp
	negate bool
}

func parseDockerignore(text string) dockerignore {
	var ig dockerignore
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		negate := strings.HasPrefix(line, "!")
		p := strings.Trim(strings.TrimPrefix(line, "!"), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		}
		re.WriteString("$")
		ig = append(ig, struct {
			re     *regexp.Regexp
			negate bool
		}{regexp.MustCompile(re.String()), negate})
	}
	return ig
}

func (ig dockerignore) excludes(name string) bool {
	excluded := false
	for _, p := range ig {
		for dir := name; dir != "."; dir = path.Dir(dir) {
			if p.re.MatchString(dir) {
				excluded = !p.negate
				break
			}
		}
	}
	return excluded
}
