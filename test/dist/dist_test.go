// Package dist_test checks the ways launchready is distributed besides
// `go install`: the Dockerfile (against go.mod and the code, without Docker;
// built and run where a Docker engine is available), its .dockerignore, the
// composite GitHub Action (action.yml) and the workflows in docs/ci.md.
package dist_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const modulePath = "github.com/launchready/launchready"

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

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// goDirective is go.mod's `go` line (e.g. 1.26.8).
func goDirective(t *testing.T, root string) string {
	t.Helper()
	for _, line := range strings.Split(readFile(t, filepath.Join(root, "go.mod")), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "go" {
			return f[1]
		}
	}
	t.Fatal("go.mod has no go directive")
	return ""
}

// majorMinor cuts a Go version to its first two numbers: 1.26.8 → 1.26.
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// shellWords splits a shell command line into words: white space
// separates, single and double quotes group (their content is kept as
// written: the Dockerfile's ${VERSION} stays for the test to fill in), a
// backslash-newline joins lines. Enough for the commands in our own files.
func shellWords(s string) []string {
	s = strings.ReplaceAll(s, "\\\n", " ")
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
