package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagLine is one line of a help's Flags section: "-c, --config FILE   the…".
var flagLine = regexp.MustCompile(`^\s+(?:-\S, )?--(\S+)(?: (\S+))?\s{2,}\S`)

// TestFlagHelpNamesValues: every flag that takes a value shows what kind
// (--out FILE, --deadline DURATION) in its command's help, not pflag's Go
// type names; switches show none.
func TestFlagHelpNamesValues(t *testing.T) {
	root := newRoot(&streams{})
	cmds := []*cobra.Command{root}
	for i := 0; i < len(cmds); i++ {
		cmds = append(cmds, cmds[i].Commands()...)
	}
	for _, c := range cmds {
		path := strings.Fields(c.CommandPath())[1:]
		shown := helpFlags(t, append(path, "--help"))
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			value, ok := shown[f.Name]
			switch {
			case !ok:
				t.Errorf("%s --help: no line for --%s", c.CommandPath(), f.Name)
			case f.Value.Type() == "bool" && value != "":
				t.Errorf("%s --help: switch --%s shows a value %q", c.CommandPath(), f.Name, value)
			case f.Value.Type() != "bool" && !valueName(value):
				t.Errorf("%s --help: --%s shows %q, want a value name like FILE or DURATION (a `word` in its usage)", c.CommandPath(), f.Name, value)
			}
		})
	}
}

// valueName reports a name written for people: capitals, not a Go type.
func valueName(s string) bool {
	switch s {
	case "", "string", "strings", "stringArray", "duration", "int", "float64", "bool":
		return false
	}
	return s == strings.ToUpper(s)
}

// helpFlags runs launchready with args and maps each flag in its help to
// the value name shown after it ("" for none).
func helpFlags(t *testing.T, args []string) map[string]string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), args, &stdout, &stderr); code != ExitGo {
		t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
	}
	_, flags, ok := strings.Cut(stdout.String(), "\nFlags:\n")
	if !ok {
		t.Fatalf("%v: no Flags section:\n%s", args, stdout.String())
	}
	flags, _, _ = strings.Cut(strings.TrimRight(flags, "\n"), "\n\n")
	out := map[string]string{}
	for _, line := range strings.Split(flags, "\n") {
		m := flagLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("%v: cannot read help line %q", args, line)
			continue
		}
		out[m[1]] = m[2]
	}
	return out
}
