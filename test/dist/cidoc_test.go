package dist_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow this test reads.
type workflow struct {
	On       any                    `yaml:"on"`
	Defaults map[string]any         `yaml:"defaults"`
	Jobs     map[string]workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	Steps []struct {
		ID   string            `yaml:"id"`
		Name string            `yaml:"name"`
		Uses string            `yaml:"uses"`
		Run  string            `yaml:"run"`
		If   string            `yaml:"if"`
		With map[string]string `yaml:"with"`
		Env  map[string]string `yaml:"env"`
	} `yaml:"steps"`
}

// yamlBlocks returns the ```yaml blocks of a Markdown text.
func yamlBlocks(md string) []string {
	var blocks []string
	for _, part := range strings.Split(md, "```yaml\n")[1:] {
		body, _, _ := strings.Cut(part, "```")
		blocks = append(blocks, body)
	}
	return blocks
}

// TestCIDocWorkflows reads the workflows in docs/ci.md: each is valid YAML
// with jobs and steps; a step using this repository's action passes only
// inputs action.yml declares; every steps.ID.outputs.K names a step of the
// same job, and K is an output of the action when that step is the action;
// every action is pinned to a major version; every run script parses
// (bash -n).
func TestCIDocWorkflows(t *testing.T) {
	root := repoRoot(t)
	a, _ := loadAction(t)
	blocks := yamlBlocks(readFile(t, filepath.Join(root, "docs", "ci.md")))
	uses := regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@v\d+$`)
	n := 0
	for i, block := range blocks {
		if !strings.Contains(block, "\njobs:") {
			continue
		}
		n++
		var wf workflow
		if err := yaml.Unmarshal([]byte(block), &wf); err != nil {
			t.Errorf("docs/ci.md workflow %d: %v", i+1, err)
			continue
		}
		if len(wf.Jobs) == 0 || wf.On == nil {
			t.Errorf("docs/ci.md workflow %d: no on: or no jobs:", i+1)
		}
		for jobName, job := range wf.Jobs {
			ids := map[string]string{} // step id → uses
			for _, st := range job.Steps {
				if st.ID != "" {
					ids[st.ID] = st.Uses
				}
			}
			for _, st := range job.Steps {
				where := "docs/ci.md job " + jobName + " step " + st.Name
				if (st.Uses == "") == (st.Run == "") {
					t.Errorf("%s: want exactly one of uses and run", where)
				}
				if st.Uses != "" && !uses.MatchString(st.Uses) {
					t.Errorf("%s: uses %q, want owner/repo@vN", where, st.Uses)
				}
				if st.Run != "" {
					checkBashSyntax(t, where, st.Run)
				}
				if strings.HasPrefix(st.Uses, "launchready/launchready@") {
					for k := range st.With {
						if _, ok := a.Inputs[k]; !ok {
							t.Errorf("%s: with %s: the action has no such input", where, k)
						}
					}
				}
				var texts []string
				texts = append(texts, st.If)
				for _, v := range st.With {
					texts = append(texts, v)
				}
				for _, v := range st.Env {
					texts = append(texts, v)
				}
				for _, m := range stepRef.FindAllStringSubmatch(strings.Join(texts, "\n"), -1) {
					u, ok := ids[m[1]]
					switch {
					case !ok:
						t.Errorf("%s: steps.%s: no step of job %s has that id", where, m[1], jobName)
					case strings.HasPrefix(u, "launchready/launchready@"):
						if _, ok := a.Outputs[m[2]]; !ok {
							t.Errorf("%s: steps.%s.outputs.%s: the action has no such output", where, m[1], m[2])
						}
					}
				}
			}
		}
	}
	if n < 2 {
		t.Errorf("docs/ci.md: %d workflows found, want the recipe and the action's", n)
	}
}

// checkBashSyntax parses script with bash -n, each ${{ … }} read as a word.
func checkBashSyntax(t *testing.T, where, script string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to parse the run scripts with")
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(expression.ReplaceAllString(script, "EXPR"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: bash -n: %v\n%s", where, err, out)
	}
}
