package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
)

// carried strips what the JSON does not carry, so a run read back can be
// compared with the run written.
func carried(r *Run) *Run {
	c := *r
	c.Outcomes = make([]check.Outcome, len(r.Outcomes))
	for i, o := range r.Outcomes {
		o.Meta.Pass, o.Meta.Breaks, o.Meta.Intrusive, o.Meta.Needs = "", "", false, nil
		c.Outcomes[i] = o
	}
	return &c
}

func TestJSONRoundTrip(t *testing.T) {
	want := fakeRun()
	want.Intrusive = true
	got, err := ReadJSON(strings.NewReader(render(t, JSON{}, want)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, carried(want)) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, carried(want))
	}
	// What `report IN.json --out X` relies on: every format renders a run
	// read back exactly as it rendered the original.
	for _, rep := range []Reporter{JSON{}, Terminal{}, Terminal{Color: true}, HTML{}, SARIF{}, JUnit{}, Markdown{}} {
		if a, b := render(t, rep, want), render(t, rep, got); a != b {
			t.Errorf("%T renders differently after a JSON round trip", rep)
		}
	}
}

// TestJSONFieldPresence pins the SPEC's presence rules: skip_reason only on
// SKIP and N/A, error only on ERROR, evidence status only for HTTP and
// location only for files.
func TestJSONFieldPresence(t *testing.T) {
	var doc struct {
		Checks []map[string]json.RawMessage `json:"checks"`
	}
	if err := json.Unmarshal([]byte(render(t, JSON{}, fakeRun())), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Checks {
		var id, status string
		json.Unmarshal(c["id"], &id)
		json.Unmarshal(c["status"], &status)
		_, hasSkip := c["skip_reason"]
		if want := status == "SKIP" || status == "N/A"; hasSkip != want {
			t.Errorf("%s (%s): skip_reason present = %v, want %v", id, status, hasSkip, want)
		}
		if _, hasErr := c["error"]; hasErr != (status == "ERROR") {
			t.Errorf("%s (%s): error present = %v", id, status, hasErr)
		}
		for _, key := range []string{"id", "area", "title", "severity", "status", "summary", "evidence", "fix", "refs", "duration_ms"} {
			if _, ok := c[key]; !ok {
				t.Errorf("%s: %q missing", id, key)
			}
		}
		var evs []map[string]json.RawMessage
		json.Unmarshal(c["evidence"], &evs)
		for _, e := range evs {
			_, hasStatus := e["status"]
			_, hasLoc := e["location"]
			_, hasReq := e["request"]
			if id == "SEC-001" && (hasStatus || !hasLoc) {
				t.Errorf("SEC-001 file evidence: status %v location %v; want no status, a location", hasStatus, hasLoc)
			}
			if id != "SEC-001" && (!hasStatus || hasLoc) {
				t.Errorf("%s HTTP evidence: status %v location %v; want a status, no location", id, hasStatus, hasLoc)
			}
			if !hasReq {
				t.Errorf("%s: evidence request missing", id)
			}
		}
	}
	out := render(t, JSON{}, fakeRun())
	for _, want := range []string{
		`"skip_reason": "needs an inbox to receive the reset mail — to enable: auth.inbox in launchready.yaml"`,
		`"error": "dial tcp 127.0.0.1:443: connection refused"`,
		`"schema": "launchready/v1"`,
		`"started": "2026-11-28T12:00:00Z"`,
		`"location": {`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}

func TestJSONDeterministic(t *testing.T) {
	if a, b := render(t, JSON{}, fakeRun()), render(t, JSON{}, fakeRun()); a != b {
		t.Fatal("two renderings of the same run differ")
	}
}

func TestReadJSONRejects(t *testing.T) {
	good := render(t, JSON{}, fakeRun())
	tests := []struct {
		name, in, want string
	}{
		{"not json", "{", "reading report: unexpected end of JSON input"},
		{"other schema", strings.Replace(good, "launchready/v1", "launchready/v9", 1), `schema "launchready/v9", want "launchready/v1"`},
		{"bad status", strings.Replace(good, `"status": "PASS"`, `"status": "MAYBE"`, 1), `checks[1]: unknown status "MAYBE"`},
		{"bad severity", strings.Replace(good, `"severity": "minor"`, `"severity": "huge"`, 1), `unknown severity "huge"`},
		{"bad verdict", strings.Replace(good, `"verdict": "NO-GO"`, `"verdict": "SURE"`, 1), `unknown verdict "SURE"`},
		{"bad area status", strings.Replace(good, `"status": "NOT COVERED"`, `"status": "MEH"`, 1), `areas[2]: unknown area status "MEH"`},
		{"bad started", strings.Replace(good, "2026-11-28T12:00:00Z", "yesterday", 1), "started:"},
	}
	for _, tt := range tests {
		_, err := ReadJSON(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func TestReadJSONTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte(" "), maxJSONBytes+1)
	if _, err := ReadJSON(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a size error", err)
	}
}

// FuzzReadJSON feeds ReadJSON hostile documents: it must never panic, and a
// document it accepts must survive another write and read unchanged.
func FuzzReadJSON(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "golden", "report.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"schema":"launchready/v1","started":"2026-01-01T00:00:00Z","verdict":"GO","checks":[{"status":"SKIP","skip_reason":"x — to enable: y","enable":"y"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := (JSON{}).Write(&out, run); err != nil {
			t.Fatalf("Write after ReadJSON: %v", err)
		}
		again, err := ReadJSON(&out)
		if err != nil {
			t.Fatalf("re-reading our own output: %v", err)
		}
		if !reflect.DeepEqual(carried(again), carried(run)) {
			t.Fatalf("second round trip differs")
		}
	})
}
