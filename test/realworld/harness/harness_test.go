package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTabulate(t *testing.T) {
	p := &portal{Name: "express", Expected: expectedFile{Checks: map[string]expectation{
		"AUTH-001":  {Expect: "PASS"},
		"SESS-001":  {Expect: "FAIL"},
		"AUTHZ-001": {Expect: "FAIL"},
		"AUTHZ-004": {Expect: "PASS"},
		"EDGE-004":  {Expect: "WARN"},
		"SESS-004":  {Expect: "PASS"},
	}}}
	res := portalResult{Portal: p, Got: map[string]got{
		"AUTH-001":  {Status: "ERROR"}, // should run: unexpected ERROR
		"SESS-001":  {Status: "FAIL"},  // found
		"AUTHZ-001": {Status: "PASS"},  // missed
		"AUTHZ-004": {Status: "FAIL"},  // false positive
		"EDGE-004":  {Status: "FAIL"},  // found, not exact
		"SESS-004":  {Status: "WARN"},  // false positive, explained
		"TLS-003":   {Status: "PASS"},  // no expectation
	}}
	tb := tabulate([]portalResult{res}, map[string]exception{
		"express/SESS-004": {Portal: "express", Check: "SESS-004", Got: "WARN", Reason: "r"},
	})
	want := tally{checks: 7, exact: 1, findings: 3, found: 2, falsePositives: 2, errored: 1, unexplained: 5, excepted: 1}
	if tb.total != want {
		t.Errorf("tally = %+v, want %+v", tb.total, want)
	}
	if got := tb.cells["AUTHZ-001"]["express"]; got != "FAIL / PASS ✗" {
		t.Errorf("cell = %q", got)
	}
	if got := tb.cells["SESS-004"]["express"]; got != "PASS / WARN ≈" {
		t.Errorf("excepted cell = %q", got)
	}
	if got := tb.cells["TLS-003"]["express"]; got != "— / PASS ✗" {
		t.Errorf("unexpected check cell = %q", got)
	}
	if want := []string{"AUTH-001", "AUTHZ-001", "AUTHZ-004", "EDGE-004", "SESS-001", "SESS-004", "TLS-003"}; strings.Join(tb.ids, " ") != strings.Join(want, " ") {
		t.Errorf("order = %v", tb.ids)
	}
	var out strings.Builder
	tb.print(&out)
	if !strings.Contains(out.String(), "recall 66% (2 of 3); false positives 2; unexpected ERROR 1") {
		t.Errorf("summary missing:\n%s", out.String())
	}
}

func TestCheckOrder(t *testing.T) {
	if !checkLess("AUTH-2", "AUTH-10") || checkLess("AUTH-10", "AUTH-2") || !checkLess("AUTH-9", "AUTHZ-1") {
		t.Error("IDs are ordered by prefix, then by number")
	}
}

func TestLoadPortalInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown key", "portal: express\nchecks: {}\nextra: 1\n", "field extra not found"},
		{"wrong portal", "portal: other\nchecks: {}\n", `portal is "other"`},
		{"bad status", "portal: express\nchecks: {AUTH-001: {expect: OK}}\n", `expect "OK"`},
		{"finding without repro", "portal: express\nchecks: {AUTH-001: {expect: FAIL, mistake: m}}\n", "curl repro"},
		{"not loopback", "portal: express\naddress: 10.0.0.1\nchecks: {}\n", "127.0.0.0/8"},
		{"shared loopback", "portal: express\naddress: 127.0.0.1\nchecks: {}\n", "not 127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "express")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, body := range map[string]string{"expected.yaml": tc.yaml, "start.sh": "", "launchready.yaml": ""} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := loadPortal(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLoadPortal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "express")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "portal: express\nframework: express 5\nchecks:\n  SESS-001: {expect: FAIL, mistake: m, repro: curl x}\n"
	for name, body := range map[string]string{"expected.yaml": yaml, "start.sh": "", "launchready.yaml": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := loadPortal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Addr.String() != "127.0.0.11" || p.Host() != "express.realworld.test" || p.Expected.Checks["SESS-001"].Expect != "FAIL" {
		t.Errorf("loaded %+v", p)
	}
}

// TestFindPortals: -portals picks exactly the folders named, whatever
// other portal folders exist, and names a folder that does not.
func TestFindPortals(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"express", "nextauth", "pocketbase"} {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		yaml := "portal: " + name + "\naddress: 127.0.0.20\nchecks: {}\n"
		for f, body := range map[string]string{"expected.yaml": yaml, "start.sh": "", "launchready.yaml": ""} {
			if err := os.WriteFile(filepath.Join(d, f), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct{ only, want, err string }{
		{"", "express nextauth pocketbase", ""},
		{"express,nextauth", "express nextauth", ""},
		{"pocketbase", "pocketbase", ""},
		{"express,nope", "", "no portal folder named nope"},
	} {
		ps, err := findPortals(dir, tc.only)
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, " "); got != tc.want || (tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err))) {
			t.Errorf("findPortals(%q) = %q, %v; want %q, error %q", tc.only, got, err, tc.want, tc.err)
		}
	}
}
