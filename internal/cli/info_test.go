package cli

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/config"
)

// TestChecksNeedsAreConfigKeys: every key in the NEEDS column of
// `launchready checks` is a key of launchready.yaml, every registered
// check has a row, and the platform checks name their platform's section.
func TestChecksNeedsAreConfigKeys(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"checks"}, &stdout, &stderr); code != ExitGo {
		t.Fatalf("checks: exit %d: %s", code, stderr.String())
	}
	// Columns are two or more spaces apart; values hold single spaces.
	cols := regexp.MustCompile(`\s{2,}`)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if head := cols.Split(lines[0], -1); len(head) != 6 || head[4] != "NEEDS" {
		t.Fatalf("header %q, want NEEDS as the fifth of six columns", lines[0])
	}
	needs := map[string]string{}
	for _, line := range lines[1:] {
		row := cols.Split(line, 6)
		if len(row) != 6 {
			t.Errorf("cannot read row %q", line)
			continue
		}
		needs[row[0]] = row[4]
		for _, alts := range strings.Split(row[4], ",") {
			for _, key := range strings.Split(alts, "|") {
				if k, _, _ := strings.Cut(key, "="); !config.HasKey(k) {
					t.Errorf("%s needs %q: no such key in launchready.yaml", row[0], key)
				}
			}
		}
	}
	for _, c := range checks.All() {
		if _, ok := needs[c.Meta().ID]; !ok {
			t.Errorf("%s has no row", c.Meta().ID)
		}
	}
	for id, want := range map[string]string{
		"AUTHZ-007": "auth.supabase,",
		"AUTHZ-008": "auth.firebase,",
		"AUTHZ-009": "auth.supabase|auth.firebase,",
		"AUTH-002":  "auth.login,",
		"AUTHZ-002": ",objects[].create",
	} {
		if !strings.Contains(needs[id], want) {
			t.Errorf("%s needs %q, want it to hold %q", id, needs[id], want)
		}
	}
}

// TestChecksNeedsKnown: every need of every check is one config.Need
// answers, so the runner never gates on a key it does not know.
func TestChecksNeedsKnown(t *testing.T) {
	for _, c := range checks.All() {
		for _, n := range c.Meta().Needs {
			if !slices.Contains(config.NeedKeys(), n) {
				t.Errorf("%s needs %q, which config.Need does not know", c.Meta().ID, n)
			}
		}
	}
}
