package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/config"
)

var waiverChecks = []string{"SEC-001", "SEC-002", "SEC-006", "SEC-007"}

const validWaivers = `# accepted findings
waivers:
  - check: SEC-001
    match: "0123abcd:test/fixtures/keys.txt:generic-api-key:3"
    reason: test fixture, never a real key
    owner: alice@example.com
    expires: 2027-01-31
  - check: sec-002
    match: {rule: generic-api-key, path: "dist/**/vendor-*.js"}
    reason: vendor bundle with a documented demo key
    owner: bob
    expires: "2026-06-30"
  - check: SEC-006
    match: {path: .env.test}
    reason: values are dummies
    owner: carol
    expires: 2026-01-01
  - check: SEC-001
    match: {rule: "*", path: "**/*_test.go", committed_before: 2026-03-01}
    reason: literal fixtures committed before they were built at test time
    owner: dave
    expires: 2026-12-31
`

func TestParseWaivers(t *testing.T) {
	ws, err := ParseWaivers([]byte(validWaivers), "launchready-waivers.yaml", waiverChecks)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.List) != 4 {
		t.Fatalf("%d waivers, want 4", len(ws.List))
	}
	if w := ws.List[3]; !w.CommittedBefore.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || w.Path != "**/*_test.go" {
		t.Errorf("waiver 3 = %+v", w)
	}
	w := ws.List[1]
	if w.Check != "SEC-002" || w.Rule != "generic-api-key" || w.Path != "dist/**/vendor-*.js" || w.Owner != "bob" ||
		!w.Expires.Equal(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)) || w.Line != 8 {
		t.Errorf("waiver 1 = %+v", w)
	}
	if ws.List[0].Fingerprint != "0123abcd:test/fixtures/keys.txt:generic-api-key:3" {
		t.Errorf("fingerprint = %q", ws.List[0].Fingerprint)
	}
	empty, err := ParseWaivers([]byte("# nothing waived yet\n"), "w.yaml", waiverChecks)
	if err != nil || len(empty.List) != 0 {
		t.Errorf("empty file: %+v, %v", empty, err)
	}
}

// TestParseWaiversInvalid: every mistake is one line naming the file, the
// line and the key.
func TestParseWaiversInvalid(t *testing.T) {
	entry := func(fields string) string {
		return "waivers:\n  - " + strings.ReplaceAll(fields, "\n", "\n    ") + "\n"
	}
	full := "check: SEC-001\nmatch: a:b:c:1\nreason: r\nowner: o\nexpires: 2027-01-01"
	for _, tc := range []struct{ name, data, want string }{
		{"not a mapping", "- a\n", `w.yaml:1: want a mapping with a waivers list, got a list`},
		{"unknown top key", "waiver: []\n", `w.yaml:1: waiver: unknown key (known keys: waivers)`},
		{"waivers not a list", "waivers: {check: SEC-001}\n", `w.yaml:1: waivers: want a list of waivers, got a mapping`},
		{"entry not a mapping", "waivers:\n  - SEC-001\n", `w.yaml:2: waivers[0]: want a mapping {check, match, reason, owner, expires}, got "SEC-001"`},
		{"unknown key", entry(full + "\nowners: x"), `w.yaml:7: waivers[0].owners: unknown key (known keys: check, match, reason, owner, expires)`},
		{"duplicate key", entry(full + "\nowner: x"), `w.yaml:7: waivers[0].owner: duplicate key (first written on line 5)`},
		{"missing reason", entry("check: SEC-001\nmatch: a:b:c:1\nowner: o\nexpires: 2027-01-01"), `w.yaml:2: waivers[0]: missing required key "reason"`},
		{"empty owner", entry("check: SEC-001\nmatch: a:b:c:1\nreason: r\nowner: \"\"\nexpires: 2027-01-01"), `w.yaml:5: waivers[0].owner: needs a value`},
		{"null expires", entry("check: SEC-001\nmatch: a:b:c:1\nreason: r\nowner: o\nexpires:"), `w.yaml:6: waivers[0].expires: want a value, got nothing`},
		{"bad date", entry("check: SEC-001\nmatch: a:b:c:1\nreason: r\nowner: o\nexpires: next year"), `w.yaml:6: waivers[0].expires: want a date like 2026-12-31, got "next year"`},
		{"bad check id", entry("check: secrets\nmatch: a:b:c:1\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:2: waivers[0].check: want a check ID like SEC-001, got "SECRETS"`},
		{"check not waivable", entry("check: AUTH-001\nmatch: a:b:c:1\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:2: waivers[0].check: AUTH-001 cannot be waived here (waivers apply to SEC-001, SEC-002, SEC-006, SEC-007)`},
		{"match both", entry("check: SEC-001\nmatch: {fingerprint: a, rule: b}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match: give either a fingerprint or a rule and path, not both`},
		{"match empty", entry("check: SEC-001\nmatch: {}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match: needs a fingerprint, or a rule and a path glob`},
		{"match list", entry("check: SEC-001\nmatch: [a]\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match: want a fingerprint, or a mapping {fingerprint} or {rule, path, committed_before}, got a list`},
		{"bad committed_before", entry("check: SEC-001\nmatch: {path: \"t/**\", committed_before: yesterday}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match.committed_before: want a date like 2026-12-31, got "yesterday"`},
		{"committed_before with a fingerprint", entry("check: SEC-001\nmatch: {fingerprint: a:b:c:1, committed_before: 2026-01-01}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match: committed_before narrows a rule and path; a fingerprint names its commit already`},
		{"committed_before alone", entry("check: SEC-001\nmatch: {committed_before: 2026-01-01}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match: needs a fingerprint, or a rule and a path glob`},
		{"unknown match key", entry("check: SEC-001\nmatch: {path: a, before: 2026-01-01}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match.before: unknown key (known keys: fingerprint, rule, path, committed_before)`},
		{"bad glob", entry("check: SEC-001\nmatch: {path: \"dist/[\"}\nreason: r\nowner: o\nexpires: 2027-01-01"), `w.yaml:3: waivers[0].match.path: bad glob "dist/[": syntax error in pattern`},
		{"alias", "a: &x SEC-001\n", `w.yaml:1: a: unknown key (known keys: waivers)`},
		{"alias value", "waivers:\n  - check: &c SEC-001\n    match: *c\n", `w.yaml:3: waivers[0].match: aliases (*name) are not supported in waivers; write the value out`},
		{"two documents", "waivers: []\n---\nwaivers: []\n", `w.yaml:2: more than one YAML document (---); put every waiver in one`},
		{"syntax", "waivers:\n  - check: [\n", `w.yaml:2: invalid YAML: did not find expected node content`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWaivers([]byte(tc.data), "w.yaml", waiverChecks)
			if err == nil {
				t.Fatalf("parsed, want %s", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got  %s\n want %s", err, tc.want)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Errorf("error is %T, want *config.Error", err)
			}
		})
	}
}

// FuzzParseWaivers: any file parses or fails with a one-line error;
// every waiver parsed is complete.
func FuzzParseWaivers(f *testing.F) {
	f.Add([]byte(validWaivers))
	f.Add([]byte("waivers:\n  - {check: SEC-001, match: x, reason: r, owner: o, expires: 2027-01-01}\n"))
	f.Add([]byte("waivers: [&a {check: *a}]"))
	f.Add([]byte("waivers:\n  - {check: SEC-001, match: {path: \"t/**\", committed_before: 2026-01-01}, reason: r, owner: o, expires: 2027-01-01}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := ParseWaivers(data, "w.yaml", waiverChecks)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		for _, w := range ws.List {
			if w.Check == "" || w.Reason == "" || w.Owner == "" || w.Expires.IsZero() || (w.Fingerprint == "" && w.Rule == "" && w.Path == "") {
				t.Errorf("incomplete waiver %+v", w)
			}
		}
	})
}

func TestWaiverMatch(t *testing.T) {
	ws, err := ParseWaivers([]byte(validWaivers), "launchready-waivers.yaml", waiverChecks)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC)
	after := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		id      string
		s       Subject
		now     time.Time
		line    int
		expired bool
		ok      bool
	}{
		{"fingerprint", "SEC-001", Subject{Fingerprints: []string{"0123abcd:test/fixtures/keys.txt:generic-api-key:3"}}, before, 3, false, true},
		{"fingerprint, other check", "SEC-002", Subject{Fingerprints: []string{"0123abcd:test/fixtures/keys.txt:generic-api-key:3"}}, before, 0, false, false},
		{"glob across folders", "SEC-002", Subject{Rule: "generic-api-key", File: "dist/assets/js/vendor-3f2a.js"}, before, 8, false, true},
		{"glob, last day", "SEC-002", Subject{Rule: "generic-api-key", File: "dist/vendor-1.js"}, before, 8, false, true},
		{"glob, expired the next day", "SEC-002", Subject{Rule: "generic-api-key", File: "dist/vendor-1.js"}, after, 8, true, true},
		{"glob, other rule", "SEC-002", Subject{Rule: "stripe-access-token", File: "dist/vendor-1.js"}, before, 0, false, false},
		{"glob, other file", "SEC-002", Subject{Rule: "generic-api-key", File: "dist/app.js"}, before, 0, false, false},
		{"path only", "SEC-006", Subject{Rule: "env-file-tracked", File: ".env.test"}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 13, false, true},
		// committed_before: history before the day, never after it nor
		// outside history.
		{"committed before", "SEC-001", Subject{Rule: "jwt", File: "a/b_test.go", Date: "2026-02-28"}, before, 18, false, true},
		{"committed on the day", "SEC-001", Subject{Rule: "jwt", File: "a/b_test.go", Date: "2026-03-01"}, before, 0, false, false},
		{"committed after", "SEC-001", Subject{Rule: "jwt", File: "a/b_test.go", Date: "2026-05-01"}, before, 0, false, false},
		{"not in history", "SEC-001", Subject{Rule: "jwt", File: "a/b_test.go"}, before, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := ws.Match(tc.id, tc.s, tc.now)
			if ok != tc.ok || (ok && (w.Line != tc.line || w.Expired(tc.now) != tc.expired)) {
				t.Errorf("Match = line %d expired %v ok %v; want line %d expired %v ok %v", w.Line, w.Expired(tc.now), ok, tc.line, tc.expired, tc.ok)
			}
		})
	}
	var none *Waivers
	if _, ok := none.Match("SEC-001", Subject{}, before); ok {
		t.Error("nil waivers matched")
	}
}

func TestLoadWaivers(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "launchready-waivers.yaml")
	if _, err := LoadWaivers(p, waiverChecks); err == nil || !strings.HasPrefix(err.Error(), "launchready-waivers.yaml: cannot read the waiver file") {
		t.Errorf("missing file: %v", err)
	}
	os.WriteFile(p, []byte("waivers:\n  - check: SEC-001\n"), 0o644)
	if _, err := LoadWaivers(p, waiverChecks); err == nil || err.Error() != `launchready-waivers.yaml:2: waivers[0]: missing required key "match"` {
		t.Errorf("bad file: %v", err)
	}
}
