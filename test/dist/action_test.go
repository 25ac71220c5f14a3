package dist_test

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// action is action.yml, decoded strictly: a misspelt key fails the test.
type action struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

func loadAction(t *testing.T) (action, string) {
	t.Helper()
	root := repoRoot(t)
	text := readFile(t, filepath.Join(root, "action.yml"))
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	var a action
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a, text
}

var (
	// expression is one ${{ … }}.
	expression = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	inputRef   = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepRef    = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	pinnedUses = regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@v\d+$`)
)

// TestActionWiring checks action.yml the way the runner would only find
// out at run time: a composite action; every input an expression reads is
// declared, and every declared one is read; every run step names its shell
// and reads inputs through env: (an input spliced into the script text
// would be run as shell code); each output and each steps.ID.outputs.K
// names an earlier step that writes K; actions pinned to a major version;
// and the build sets the same -X version symbol as the Dockerfile, which
// must exist.
func TestActionWiring(t *testing.T) {
	a, text := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", a.Runs.Using)
	}
	used := map[string]bool{}
	for _, m := range expression.FindAllStringSubmatch(text, -1) {
		for _, in := range inputRef.FindAllStringSubmatch(m[1], -1) {
			used[in[1]] = true
			if _, ok := a.Inputs[in[1]]; !ok {
				t.Errorf("action.yml reads inputs.%s, which inputs: does not declare", in[1])
			}
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but nothing reads it", name)
		}
	}

	writes := map[string][]string{} // step id → outputs its script writes
	checkRefs := func(where, s string, before int) {
		for _, m := range stepRef.FindAllStringSubmatch(s, -1) {
			i := slices.IndexFunc(a.Runs.Steps, func(st actionStep) bool { return st.ID == m[1] })
			switch {
			case i < 0:
				t.Errorf("%s: steps.%s: no step has id %s", where, m[1], m[1])
			case i >= before:
				t.Errorf("%s: steps.%s is not an earlier step", where, m[1])
			case a.Runs.Steps[i].Run != "" && !slices.Contains(writes[m[1]], m[2]):
				t.Errorf("%s: steps.%s.outputs.%s: that step never writes %s to $GITHUB_OUTPUT", where, m[1], m[2], m[2])
			}
		}
	}
	outputWrite := regexp.MustCompile(`echo "([A-Za-z0-9_-]+)=`)
	for i, st := range a.Runs.Steps {
		where := "step " + stepName(st, i)
		switch {
		case st.Run != "" && st.Uses != "":
			t.Errorf("%s has both run and uses", where)
		case st.Run != "":
			if st.Shell == "" {
				t.Errorf("%s: a run step of a composite action needs shell:", where)
			}
			if strings.Contains(st.Run, "${{") {
				t.Errorf("%s: an expression in run: text; pass it through env: instead", where)
			}
			for _, m := range outputWrite.FindAllStringSubmatch(st.Run, -1) {
				writes[st.ID] = append(writes[st.ID], m[1])
			}
		case st.Uses != "":
			if !pinnedUses.MatchString(st.Uses) {
				t.Errorf("%s: uses %q, want owner/repo@vN", where, st.Uses)
			}
		default:
			t.Errorf("%s has neither run nor uses", where)
		}
		for k, v := range st.Env {
			checkRefs(where+" env "+k, v, i)
		}
		for k, v := range st.With {
			checkRefs(where+" with "+k, v, i)
		}
		checkRefs(where+" if", st.If, i)
	}
	for name, o := range a.Outputs {
		if !stepRef.MatchString(o.Value) {
			t.Errorf("output %s: value %q reads no step output", name, o.Value)
		}
		checkRefs("output "+name, o.Value, len(a.Runs.Steps))
	}

	root := repoRoot(t)
	_, stages := dockerfile(t)
	dockerSym, _, _ := xSymbol(parseGoBuild(t, stageNamed(t, stages, "build")).LDFlags)
	m := regexp.MustCompile(`-X (\S+)=`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("action.yml: the build sets no version with -X")
	}
	if m[1] != dockerSym {
		t.Errorf("action.yml stamps the version into %s, the Dockerfile into %s", m[1], dockerSym)
	}
	checkStringVar(t, root, m[1])
}

func stepName(st actionStep, i int) string {
	return fmt.Sprintf("#%d %s", i+1, cmp.Or(st.Name, st.ID))
}

// runner plays the composite action's run steps with bash the way GitHub's
// runner does (bash --noprofile --norc -eo pipefail, GITHUB_OUTPUT and
// GITHUB_PATH files, GITHUB_ACTION_PATH, RUNNER_TEMP), evaluating the
// expressions the action uses. uses: steps (actions/setup-go) are left
// out: Go is already here.
type runner struct {
	t         *testing.T
	a         action
	root, dir string            // the action's source; the workspace
	inputs    map[string]string // defaults overlaid with the workflow's with:
	path      []string          // GITHUB_PATH entries, latest first
	outputs   map[string]map[string]string
	skip      func(actionStep) bool
}

// run plays every step until one fails and returns the action's outputs
// and its exit code.
func (r *runner) run() (map[string]string, int) {
	r.t.Helper()
	r.outputs = map[string]map[string]string{}
	code := 0
	for i, st := range r.a.Runs.Steps {
		if st.Uses != "" || (r.skip != nil && r.skip(st)) {
			continue
		}
		if code = r.step(i, st); code != 0 {
			break
		}
	}
	out := map[string]string{}
	for name, o := range r.a.Outputs {
		out[name] = r.eval(o.Value)
	}
	return out, code
}

func (r *runner) step(i int, st actionStep) int {
	r.t.Helper()
	tmp := r.t.TempDir()
	script := filepath.Join(tmp, "step.sh")
	if err := os.WriteFile(script, []byte(st.Run), 0o644); err != nil {
		r.t.Fatal(err)
	}
	outFile, pathFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "path")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"GITHUB_OUTPUT="+outFile, "GITHUB_PATH="+pathFile,
		"GITHUB_ACTION_PATH="+r.root, "RUNNER_TEMP="+filepath.Join(r.dir, ".runner-temp"),
		"PATH="+strings.Join(append(slices.Clone(r.path), os.Getenv("PATH")), string(os.PathListSeparator)))
	for k, v := range st.Env {
		env = append(env, k+"="+r.eval(v))
	}
	if st.Shell != "bash" {
		r.t.Fatalf("step %s: shell %q; this test plays bash steps only", stepName(st, i), st.Shell)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir, cmd.Env = r.dir, env
	out, err := cmd.CombinedOutput()
	r.t.Logf("step %s:\n%s", stepName(st, i), out)
	r.outputs[st.ID] = readKV(r.t, outFile)
	for _, p := range readLines(r.t, pathFile) {
		r.path = append([]string{p}, r.path...)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	return 0
}

// eval fills in the expressions action.yml uses: inputs, steps' outputs
// and github.action_ref; any other fails the test, so an expression added
// to the action is added here too.
func (r *runner) eval(s string) string {
	return expression.ReplaceAllStringFunc(s, func(e string) string {
		x := strings.TrimSpace(expression.FindStringSubmatch(e)[1])
		if m := inputRef.FindStringSubmatch(x); m != nil && m[0] == x {
			return r.inputs[m[1]]
		}
		if m := stepRef.FindStringSubmatch(x); m != nil && m[0] == x {
			return r.outputs[m[1]][m[2]]
		}
		if x == "github.action_ref" {
			return "v1"
		}
		r.t.Fatalf("expression %q: not one this test evaluates", e)
		return ""
	})
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if sc.Text() != "" {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

// readKV reads a GITHUB_OUTPUT file (name=value lines; the action writes
// no multi-line values).
func readKV(t *testing.T, name string) map[string]string {
	t.Helper()
	kv := map[string]string{}
	for _, line := range readLines(t, name) {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not name=value", name, line)
		}
		kv[k] = v
	}
	return kv
}

func newRunner(t *testing.T, with map[string]string) *runner {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash to play the action's steps with")
	}
	a, _ := loadAction(t)
	r := &runner{t: t, a: a, root: repoRoot(t), dir: t.TempDir(), inputs: map[string]string{}}
	for name, in := range a.Inputs {
		r.inputs[name] = in.Default
	}
	for k, v := range with {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("with: %s is no input of the action", k)
		}
		r.inputs[k] = v
	}
	return r
}

// fakeLaunchready is a launchready that records its arguments (one a line
// in args.txt), creates each --out file and exits with code: the action's
// wiring without a portal to scan.
const fakeLaunchready = `#!/bin/sh
printf '%s\n' "$@" > "$LR_FAKE_DIR/args.txt"
prev=
for a in "$@"; do
  if [ "$prev" = "--out" ]; then : > "$a"; fi
  prev=$a
done
exit "$LR_FAKE_EXIT"
`

// TestActionVerdicts plays the action with a fake launchready for each exit
// code: the command line it builds from the inputs, the verdict and
// exit-code outputs, and whether the action fails the job.
func TestActionVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		with     map[string]string
		exit     int
		wantArgs []string
		verdict  string
		sarif    string
		wantCode int
	}{
		{"go with defaults", nil, 0,
			[]string{"scan", "--config", "launchready.yaml", "--out", "launchready.sarif"}, "GO", "launchready.sarif", 0},
		{"no-go fails the job", map[string]string{"args": "--intrusive  --out launchready.html", "fail-on": "major", "config": "staging.yaml"}, 1,
			[]string{"scan", "--config", "staging.yaml", "--fail-on", "major", "--out", "launchready.sarif", "--intrusive", "--out", "launchready.html"}, "NO-GO", "launchready.sarif", 1},
		{"not verified fails by default", nil, 3,
			[]string{"scan", "--config", "launchready.yaml", "--out", "launchready.sarif"}, "NOT VERIFIED", "launchready.sarif", 3},
		{"not verified passes when allowed", map[string]string{"fail-on-not-verified": "false"}, 3,
			[]string{"scan", "--config", "launchready.yaml", "--out", "launchready.sarif"}, "NOT VERIFIED", "launchready.sarif", 0},
		{"usage error", nil, 2,
			[]string{"scan", "--config", "launchready.yaml", "--out", "launchready.sarif"}, "USAGE ERROR", "launchready.sarif", 2},
		{"tool failed", nil, 4,
			[]string{"scan", "--config", "launchready.yaml", "--out", "launchready.sarif"}, "TOOL FAILED", "launchready.sarif", 4},
		{"secrets without sarif", map[string]string{"command": "secrets", "path": "portal", "sarif": ""}, 0,
			[]string{"secrets", "portal"}, "GO", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, tc.with)
			fake := t.TempDir()
			if err := os.WriteFile(filepath.Join(fake, "launchready"), []byte(fakeLaunchready), 0o755); err != nil {
				t.Fatal(err)
			}
			r.path = []string{fake}
			t.Setenv("LR_FAKE_DIR", fake)
			t.Setenv("LR_FAKE_EXIT", strconv.Itoa(tc.exit))
			r.skip = func(st actionStep) bool { return strings.Contains(st.Run, "go build") }
			out, code := r.run()
			if code != tc.wantCode {
				t.Errorf("the action exits %d, want %d", code, tc.wantCode)
			}
			if got := readLines(t, filepath.Join(fake, "args.txt")); !slices.Equal(got, tc.wantArgs) {
				t.Errorf("launchready ran with %q, want %q", got, tc.wantArgs)
			}
			want := map[string]string{"verdict": tc.verdict, "exit-code": strconv.Itoa(tc.exit), "sarif": tc.sarif}
			for k, v := range want {
				if out[k] != v {
					t.Errorf("output %s = %q, want %q", k, out[k], v)
				}
			}
		})
	}
}

// TestActionUnknownCommand: a command that is neither scan nor secrets is
// a usage error before anything runs.
func TestActionUnknownCommand(t *testing.T) {
	r := newRunner(t, map[string]string{"command": "scna"})
	r.path = []string{t.TempDir()} // no launchready at all: nothing may run it
	r.skip = func(st actionStep) bool { return strings.Contains(st.Run, "go build") }
	out, code := r.run()
	if code != 2 || out["verdict"] != "" {
		t.Errorf("command scna: exit %d, verdict %q; want exit 2 and no verdict", code, out["verdict"])
	}
}

// TestActionBuildsAndRuns plays the action for real, build step included
// (the action's own go build from GITHUB_ACTION_PATH), as `command:
// secrets` on a one-commit repository made here: GO, and a SARIF report.
func TestActionBuildsAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds launchready")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git to make the repository with")
	}
	r := newRunner(t, map[string]string{"command": "secrets", "path": "repo"})
	repo := filepath.Join(r.dir, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "README"), []byte("a portal\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "-q"}, {"add", "README"},
		{"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "first"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	out, code := r.run()
	if code != 0 || out["verdict"] != "GO" || out["exit-code"] != "0" {
		t.Fatalf("the action: exit %d, outputs %v; want exit 0, GO", code, out)
	}
	data, err := os.ReadFile(filepath.Join(r.dir, out["sarif"]))
	if err != nil {
		t.Fatalf("the sarif output %q: %v", out["sarif"], err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Version string `json:"version"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &sarif); err != nil {
		t.Fatalf("%s: %v", out["sarif"], err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || sarif.Runs[0].Tool.Driver.Version != "v1" {
		t.Errorf("SARIF version %q, %d runs, tool version %+v; want 2.1.0, one run by launchready v1 (the action's ref)", sarif.Version, len(sarif.Runs), sarif.Runs)
	}
}
