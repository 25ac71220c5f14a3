package report

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// sarifSchemaFile is the official SARIF 2.1.0 JSON schema, vendored
// unchanged from the OASIS SARIF TC's repository: oasis-tcs/sarif-spec,
// Schemata/sarif-schema-2.1.0.json at commit
// 85971b3e048f61a6d643b95fc6233d073302f5b8 (the file GitHub's code
// scanning documentation links to).
var sarifSchemaFile = filepath.Join("testdata", "schema", "sarif-schema-2.1.0.json")

// sarifValidator compiles the vendored schema with format assertions on:
// code scanning's upload checks "uri" and "uri-reference" formats too
// (github/codeql-action#684), and a log that fails them is refused whole.
func sarifValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s is not JSON: %v", sarifSchemaFile, err)
	}
	meta, _ := doc.(map[string]any)
	id, _ := meta["$id"].(string)
	title, _ := meta["title"].(string)
	if !strings.HasSuffix(id, "/sarif-schema-2.1.0.json") || !strings.Contains(title, "2.1.0") {
		t.Fatalf("%s is not the SARIF 2.1.0 schema: $id %q, title %q", sarifSchemaFile, id, title)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile %s: %v", sarifSchemaFile, err)
	}
	return sch
}

// validateSARIF returns the schema's complaint about doc, nil if valid.
func validateSARIF(sch *jsonschema.Schema, doc string) error {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// sarifRuns are the runs every SARIF test renders: the golden run, one
// compared with a baseline, a partial one, one with hostile paths and
// URLs, one with many findings and much evidence, and one with none.
func sarifRuns() map[string]*Run {
	return map[string]*Run{
		"golden":   fakeRun(),
		"baseline": sarifBaselineRun(),
		"partial":  sarifPartialRun(),
		"hostile":  runWith(hostileLocationOutcomes()),
		"large":    runWith(manyFindings(400, 1500)),
		"empty":    runWith([]check.Outcome{outcome(meta("SESS-001", check.AreaSession, check.Blocker, "Session cookie is Secure"), check.Passf("ok"), 1)}),
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := sarifValidator(t)
	for name, run := range sarifRuns() {
		t.Run(name, func(t *testing.T) {
			if err := validateSARIF(sch, render(t, SARIF{}, run)); err != nil {
				t.Fatalf("invalid SARIF 2.1.0:\n%v", err)
			}
		})
	}
}

// TestSARIFSchemaRejectsInvalid proves the validation above can fail: each
// broken copy of the golden log breaks one rule of the schema.
func TestSARIFSchemaRejectsInvalid(t *testing.T) {
	sch := sarifValidator(t)
	good := render(t, SARIF{}, fakeRun())
	if err := validateSARIF(sch, good); err != nil {
		t.Fatalf("the unbroken log must validate: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
	}{
		{"wrong version", func(d map[string]any) { d["version"] = "2.0.0" }},
		{"no runs", func(d map[string]any) { delete(d, "runs") }},
		{"driver without name", func(d map[string]any) { delete(driverOf(d), "name") }},
		{"unknown level", func(d map[string]any) { resultOf(d, 0)["level"] = "fatal" }},
		{"result without message", func(d map[string]any) { delete(resultOf(d, 0), "message") }},
		{"unknown baselineState", func(d map[string]any) { resultOf(d, 0)["baselineState"] = "fixed" }},
		{"line 0", func(d map[string]any) { physicalOf(d, "SEC-001")["region"] = map[string]any{"startLine": 0} }},
		{"uri with a space and a backslash", func(d map[string]any) {
			physicalOf(d, "AUTH-007")["artifactLocation"] = map[string]any{"uri": `a b\c`}
		}},
		{"unknown property", func(d map[string]any) { resultOf(d, 0)["evidence"] = "not in SARIF" }},
		{"duplicate tags", func(d map[string]any) {
			rule := driverOf(d)["rules"].([]any)[0].(map[string]any)
			rule["properties"].(map[string]any)["tags"] = []any{"security", "security"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(good), &doc); err != nil {
				t.Fatal(err)
			}
			tt.mutate(doc)
			broken, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = validateSARIF(sch, string(broken))
			if err == nil {
				t.Fatalf("a log with %s validated", tt.name)
			}
			t.Logf("refused: %v", err)
		})
	}
}

func driverOf(d map[string]any) map[string]any {
	run := d["runs"].([]any)[0].(map[string]any)
	return run["tool"].(map[string]any)["driver"].(map[string]any)
}

func resultOf(d map[string]any, i int) map[string]any {
	run := d["runs"].([]any)[0].(map[string]any)
	return run["results"].([]any)[i].(map[string]any)
}

// physicalOf is the primary physical location of rule id's result.
func physicalOf(d map[string]any, id string) map[string]any {
	run := d["runs"].([]any)[0].(map[string]any)
	for _, r := range run["results"].([]any) {
		res := r.(map[string]any)
		if res["ruleId"] == id {
			return res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		}
	}
	panic("no result for " + id)
}

// sarifDoc is the part of a log the assertions read.
type sarifDoc struct {
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
		Results    []sarifDocResult `json:"results"`
		Properties struct {
			Verdict  string   `json:"verdict"`
			Headline string   `json:"headline"`
			Partial  bool     `json:"partial"`
			Only     []string `json:"only"`
			Baseline *struct {
				Fixed []struct {
					ID string `json:"id"`
				} `json:"fixed"`
			} `json:"baseline"`
		} `json:"properties"`
	} `json:"runs"`
}

type sarifDocResult struct {
	RuleID              string                              `json:"ruleId"`
	RuleIndex           int                                 `json:"ruleIndex"`
	Level               string                              `json:"level"`
	BaselineState       string                              `json:"baselineState"`
	PartialFingerprints map[string]string                   `json:"partialFingerprints"`
	Locations           []sarifDocLocation                  `json:"locations"`
	RelatedLocations    []sarifDocLocation                  `json:"relatedLocations"`
	Properties          struct{ Evidence []check.Evidence } `json:"properties"`
}

type sarifDocLocation struct {
	ID               int `json:"id"`
	PhysicalLocation *struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
	} `json:"logicalLocations"`
}

func readSARIF(t *testing.T, run *Run) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal([]byte(render(t, SARIF{}, run)), &doc); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if doc.Version != "2.1.0" || doc.Schema != sarifSchema || len(doc.Runs) != 1 {
		t.Fatalf("version %q schema %q runs %d", doc.Version, doc.Schema, len(doc.Runs))
	}
	return doc
}

func TestSARIF(t *testing.T) {
	run := fakeRun()
	r := readSARIF(t, run).Runs[0]
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
		if res.BaselineState != "" {
			t.Errorf("%s: baselineState %q without a baseline", res.RuleID, res.BaselineState)
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
		loc := res.Locations[0]
		switch res.RuleID {
		case "SEC-001":
			if loc.PhysicalLocation.ArtifactLocation.URI != "src/config.js" || loc.PhysicalLocation.Region == nil || loc.PhysicalLocation.Region.StartLine != 12 {
				t.Errorf("SEC-001 location = %+v, want src/config.js line 12", loc.PhysicalLocation)
			}
		case "AUTH-007":
			if loc.PhysicalLocation.ArtifactLocation.URI != "portal.test/dashboard" ||
				loc.LogicalLocations[0].FullyQualifiedName != "GET https://portal.test/dashboard" {
				t.Errorf("AUTH-007 location = %+v", loc)
			}
		case "SESS-002":
			// Four hops: the first is the location, the others related.
			if len(res.Locations) != 1 || len(res.RelatedLocations) != 3 || res.RelatedLocations[2].ID != 3 ||
				res.RelatedLocations[2].PhysicalLocation.ArtifactLocation.URI != "portal.test/hop/d" || len(res.Properties.Evidence) != 4 {
				t.Errorf("SESS-002 locations %+v related %+v", res.Locations, res.RelatedLocations)
			}
		}
	}
	if p := r.Properties; p.Verdict != "NO-GO" || p.Headline != run.Summary.Headline || p.Partial || p.Baseline != nil {
		t.Errorf("run properties = %+v", p)
	}
}

// TestSARIFGitHubLocations holds every run to what code scanning accepts
// beyond the schema: at least one location per result, each with an
// artifact URI that is relative (no scheme, so no "SARIF URI scheme did
// not match the checkout URI scheme" refusal) and parses as a URL.
func TestSARIFGitHubLocations(t *testing.T) {
	for name, run := range sarifRuns() {
		t.Run(name, func(t *testing.T) {
			for _, res := range readSARIF(t, run).Runs[0].Results {
				if len(res.Locations) != 1 {
					t.Fatalf("%s: %d locations, want 1 (the others related)", res.RuleID, len(res.Locations))
				}
				for _, l := range append(res.Locations, res.RelatedLocations...) {
					if l.PhysicalLocation == nil || l.PhysicalLocation.ArtifactLocation.URI == "" {
						t.Fatalf("%s: location without an artifact URI: %+v", res.RuleID, l)
					}
					uri := l.PhysicalLocation.ArtifactLocation.URI
					u, err := url.Parse(uri)
					if err != nil || u.Scheme != "" || u.Host != "" {
						t.Errorf("%s: artifact URI %q is not a relative reference (%v)", res.RuleID, uri, err)
					}
				}
			}
		})
	}
}

// hostileLocationOutcomes have paths and URLs that are no valid URI as
// they stand: spaces, brackets, a backslash, a colon in the first
// segment, a port, an IPv6 host, a redacted query, no evidence at all.
func hostileLocationOutcomes() []check.Outcome {
	ev := []check.Evidence{
		{Location: &check.Location{File: "dir with space/[weird]\\name%.js", Line: 3}},
		{Location: &check.Location{File: "C:/repo/x.env"}},
		{Request: "GET https://portal.test:8443/a b?token=[redacted]#frag", Status: 200},
		{Request: "POST http://[::1]:8080/api/" + hostileScript, Status: 500},
		{Request: "not a url at all"},
	}
	return []check.Outcome{
		outcome(meta("SEC-001", check.AreaSecrets, check.Blocker, "No secrets in git history"), check.Failf(ev, "hostile"), 1),
		outcome(meta("EDGE-001", check.AreaEdge, check.Major, "Nothing to point at"), check.Warnf(nil, "no evidence"), 1),
	}
}

// manyFindings is n findings, the first with ev evidence items.
func manyFindings(n, ev int) []check.Outcome {
	var outs []check.Outcome
	for i := range n {
		count := 1
		if i == 0 {
			count = ev
		}
		var evs []check.Evidence
		for j := range count {
			evs = append(evs, check.Evidence{Request: fmt.Sprintf("GET https://portal.test/f%d/e%d", i, j), Status: 200,
				Detail: strings.Repeat("long evidence line\n", 40), Repro: fmt.Sprintf("curl -sS -i 'https://portal.test/f%d/e%d'", i, j)})
		}
		id := fmt.Sprintf("GEN-%03d", i)
		outs = append(outs, outcome(meta(id, check.AreaEdge, check.Major, "Generated finding "+id), check.Failf(evs, "finding %d", i), 1))
	}
	return outs
}

func TestSARIFKeepsEveryFindingAndEvidence(t *testing.T) {
	doc := readSARIF(t, runWith(manyFindings(400, 1500)))
	res := doc.Runs[0].Results
	if len(res) != 400 {
		t.Fatalf("%d results, want 400", len(res))
	}
	if n := len(res[0].Properties.Evidence); n != 1500 {
		t.Errorf("first finding keeps %d evidence items, want 1500", n)
	}
	if n := len(res[0].Locations) + len(res[0].RelatedLocations); n != 1500 {
		t.Errorf("first finding has %d locations, want 1500", n)
	}
}

func TestSARIFFingerprints(t *testing.T) {
	ev := []check.Evidence{
		{Location: &check.Location{File: "b.js", Line: 2}, Fingerprint: "abc:b.js:stripe:2"},
		{Location: &check.Location{File: "a.js", Line: 1}, Fingerprint: "abc:a.js:aws:1"},
		{Location: &check.Location{File: "a.js", Line: 9}, Fingerprint: "abc:a.js:aws:1"},
	}
	run := runWith([]check.Outcome{outcome(meta("SEC-001", check.AreaSecrets, check.Blocker, "No secrets"), check.Failf(ev, "2 keys"), 1)})
	res := readSARIF(t, run).Runs[0].Results[0]
	if got := res.PartialFingerprints[sarifFingerprintKey]; got != "abc:a.js:aws:1,abc:b.js:stripe:2" {
		t.Errorf("partialFingerprints = %v", res.PartialFingerprints)
	}
	if res.Locations[0].PhysicalLocation.ArtifactLocation.URI != "b.js" || len(res.RelatedLocations) != 2 {
		t.Errorf("locations %+v related %+v", res.Locations, res.RelatedLocations)
	}
	if fp := readSARIF(t, fakeRun()).Runs[0].Results[0].PartialFingerprints; fp != nil {
		t.Errorf("HTTP finding has fingerprints %v", fp)
	}
}

// baselineRun is fakeRun compared with an earlier run in which AUTH-007
// passed and TLS-003 failed: AUTH-007 is new, TLS-003 fixed, the other
// findings unchanged.
func sarifBaselineRun() *Run {
	run := fakeRun()
	old := fakeOutcomes()
	for i, o := range old {
		switch o.Meta.ID {
		case "AUTH-007":
			old[i].Result = check.Passf("refused")
		case "TLS-003":
			old[i].Result = check.Failf([]check.Evidence{{Request: "GET http://portal.test/", Status: 200}}, "http:// served in clear")
		}
	}
	Compare(run, runWith(old))
	return run
}

func TestSARIFBaseline(t *testing.T) {
	run := sarifBaselineRun()
	r := readSARIF(t, run).Runs[0]
	want := map[string]string{"AUTH-007": "new", "SESS-002": "unchanged", "SEC-001": "unchanged", "SESS-003": "unchanged", "EDGE-004": "unchanged"}
	if len(r.Results) != len(want) {
		t.Fatalf("%d results, want %d (fixed findings are no results)", len(r.Results), len(want))
	}
	for _, res := range r.Results {
		if res.BaselineState != want[res.RuleID] {
			t.Errorf("%s baselineState = %q, want %q", res.RuleID, res.BaselineState, want[res.RuleID])
		}
	}
	b := r.Properties.Baseline
	if b == nil || len(b.Fixed) != 1 || b.Fixed[0].ID != "TLS-003" {
		t.Errorf("run properties baseline = %+v, want TLS-003 fixed", b)
	}
	if r.Properties.Headline != run.Headline() || !strings.Contains(r.Properties.Headline, "1 fixed") {
		t.Errorf("headline %q lacks the baseline", r.Properties.Headline)
	}
}

// partialRun is a run narrowed by --only to two checks.
func sarifPartialRun() *Run {
	run := fakeRun()
	run.Outcomes = run.Outcomes[:2]
	run.Summary = score.SummarizeWith(run.Outcomes, score.Options{FailOn: check.Blocker, Only: []string{"AUTH-007", "SESS-001"}})
	return run
}

func TestSARIFPartial(t *testing.T) {
	p := readSARIF(t, sarifPartialRun()).Runs[0].Properties
	if !p.Partial || strings.Join(p.Only, ",") != "AUTH-007,SESS-001" {
		t.Errorf("partial run properties = %+v", p)
	}
}

func TestSARIFURIs(t *testing.T) {
	tests := []struct{ got, want string }{
		{sarifWebURI("https://portal.test/dashboard?x=[redacted]"), "portal.test/dashboard"},
		{sarifWebURI("https://portal.test"), "portal.test"},
		{sarifWebURI("https://portal.test:8443/a b"), "./portal.test:8443/a%20b"},
		{sarifWebURI("/srv/repo"), "/srv/repo"},
		{sarifWebURI(""), "."},
		{sarifPathURI("src/[x] y.js"), "src/%5Bx%5D%20y.js"},
		{sarifPathURI(`a\b`), "a%5Cb"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
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
