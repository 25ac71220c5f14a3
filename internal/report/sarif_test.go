package report

import (
	"encoding/json"

	"github.com/launchready/launchready/internal/check"
	"testing"
)

func TestSARIF(t *testing.T) {
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string `json:"id"`
						DefaultConfiguration struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	run := fakeRun()
	if err := json.Unmarshal([]byte(render(t, SARIF{}, run)), &log); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if log.Version != "2.1.0" || log.Schema != sarifSchema || len(log.Runs) != 1 {
		t.Fatalf("version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	r := log.Runs[0]
	if r.Tool.Driver.Name != "launchready" || len(r.Tool.Driver.Rules) != len(run.Outcomes) {
		t.Fatalf("driver %q with %d rules, want %d", r.Tool.Driver.Name, len(r.Tool.Driver.Rules), len(run.Outcomes))
	}
	// 3 FAIL + 2 WARN.
	if len(r.Results) != 5 {
		t.Fatalf("%d results, want 5", len(r.Results))
	}
	levels := map[string]string{}
	for _, res := range r.Results {
		if r.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("%s: ruleIndex %d points at %s", res.RuleID, res.RuleIndex, r.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		if len(res.Locations) == 0 {
			t.Errorf("%s: no location", res.RuleID)
		}
		levels[res.RuleID] = res.Level
	}
	want := map[string]string{"AUTH-007": "error", "SESS-002": "error", "SEC-001": "error", "SESS-003": "warning", "EDGE-004": "warning"}
	for id, lvl := range want {
		if levels[id] != lvl {
			t.Errorf("%s level = %q, want %q", id, levels[id], lvl)
		}
	}
	for _, res := range r.Results {
		loc := res.Locations[0].PhysicalLocation
		switch res.RuleID {
		case "SEC-001":
			if loc.ArtifactLocation.URI != "src/config.js" || loc.Region == nil || loc.Region.StartLine != 12 {
				t.Errorf("SEC-001 location = %+v, want src/config.js line 12", loc)
			}
		case "AUTH-007":
			if loc.ArtifactLocation.URI != "https://portal.test/dashboard" {
				t.Errorf("AUTH-007 location = %q", loc.ArtifactLocation.URI)
			}
		}
	}
}

func TestSARIFLevels(t *testing.T) {
	for sev, want := range map[string]string{"blocker": "error", "major": "error", "minor": "warning", "info": "note"} {
		var s check.Severity
		if err := s.UnmarshalText([]byte(sev)); err != nil {
			t.Fatal(err)
		}
		if got := sarifLevel(s); got != want {
			t.Errorf("sarifLevel(%s) = %q, want %q", sev, got, want)
		}
	}
}

func TestRuleName(t *testing.T) {
	if got := ruleName("Session cookie is <b>SameSite</b> & \"strict\"", "X"); got != "SessionCookieIsBSameSiteBStrict" {
		t.Errorf("ruleName = %q", got)
	}
	if got := ruleName("—", "SESS-001"); got != "SESS-001" {
		t.Errorf("ruleName without words = %q, want the ID", got)
	}
}
