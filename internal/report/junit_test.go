package report

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestJUnitParsesAndCounts(t *testing.T) {
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Skipped  int    `xml:"skipped,attr"`
			Cases    []struct {
				Classname string `xml:"classname,attr"`
				Name      string `xml:"name,attr"`
				Time      string `xml:"time,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	run := fakeRun()
	if err := xml.Unmarshal([]byte(render(t, JUnit{}, run)), &doc); err != nil {
		t.Fatalf("not valid XML: %v", err)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "launchready" {
		t.Fatalf("want one testsuite named launchready, got %d", len(doc.Suites))
	}
	s := doc.Suites[0]
	var failures, errors, skipped int
	for _, c := range s.Cases {
		if c.Failure != nil {
			failures++
		}
		if c.Error != nil {
			errors++
		}
		if c.Skipped != nil {
			skipped++
		}
	}
	if s.Tests != len(run.Outcomes) || len(s.Cases) != s.Tests || s.Failures != 3 || failures != 3 ||
		s.Errors != 1 || errors != 1 || s.Skipped != 2 || skipped != 2 {
		t.Fatalf("counts: tests %d/%d failures %d/%d errors %d/%d skipped %d/%d",
			s.Tests, len(s.Cases), s.Failures, failures, s.Errors, errors, s.Skipped, skipped)
	}
	first := s.Cases[0]
	if first.Classname != "Auth login" || first.Name != "AUTH-007 Protected pages refuse anonymous visitors" || first.Time != "1.200" {
		t.Errorf("first case = %q %q %q", first.Classname, first.Name, first.Time)
	}
	if first.Failure.Type != "blocker" || !strings.Contains(first.Failure.Message, hostileScript) ||
		!strings.Contains(first.Failure.Text, "]]>") || !strings.Contains(first.Failure.Text, "Fix: Fix AUTH-007") {
		t.Errorf("AUTH-007 failure = %+v", first.Failure)
	}
	for _, c := range s.Cases {
		if strings.HasPrefix(c.Name, "SESS-003") && !strings.HasPrefix(c.SystemOut, "WARN: ") {
			t.Errorf("WARN case lacks its system-out: %+v", c)
		}
		if strings.HasPrefix(c.Name, "AUTH-003") && c.Skipped.Message != "needs an inbox to receive the reset mail — to enable: auth.inbox in launchready.yaml" {
			t.Errorf("SKIP message = %q", c.Skipped.Message)
		}
	}
}

// junitXSD is the JUnit schema of Jenkins' xunit plugin, the one Jenkins
// and most CI test tabs follow, vendored unchanged: jenkinsci/xunit-plugin,
// src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd
// at commit 0c3752259ca17669b739481b2785a3e4cea1cc0f. (windyroad/JUnit-Schema's
// JUnit.xsd, the Ant schema, has no <skipped> element at all, so it cannot
// describe a SKIP.)
var junitXSD = filepath.Join("testdata", "schema", "junit-10.xsd")

// xmllint validates doc against the JUnit XSD with Debian's xmllint
// (libxml2-utils) and returns its complaint, nil if valid. Without
// xmllint the test is skipped on a workstation and fails under CI, where
// .ci/run installs it.
func xmllint(t *testing.T, doc string) error {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("xmllint not installed (Debian: apt-get install libxml2-utils); CI runs this test")
		}
		t.Fatalf("CI is set but xmllint is missing (.ci/run installs libxml2-utils): %v", err)
	}
	file := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", junitXSD, file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func TestJUnitValidatesAgainstXSD(t *testing.T) {
	runs := map[string]*Run{
		"golden":   fakeRun(),
		"baseline": sarifBaselineRun(),
		"partial":  sarifPartialRun(),
		"large":    runWith(manyFindings(400, 50)),
		"empty":    runWith(nil),
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			if err := xmllint(t, render(t, JUnit{}, run)); err != nil {
				t.Fatalf("invalid against %s:\n%v", junitXSD, err)
			}
		})
	}
}

// TestJUnitXSDRejectsInvalid proves the validation above can fail: each
// broken copy of the golden document breaks one rule of the schema. The
// first is what junit.go wrote before it followed the schema.
func TestJUnitXSDRejectsInvalid(t *testing.T) {
	good := render(t, JUnit{}, fakeRun())
	if err := xmllint(t, good); err != nil {
		t.Fatalf("the unbroken document must validate: %v", err)
	}
	tests := []struct{ name, old, new string }{
		{"skipped count on testsuites", `<testsuites name="launchready"`, `<testsuites skipped="2" name="launchready"`},
		{"testcase without name", `<testcase classname="Auth login" name="AUTH-007 Protected pages refuse anonymous visitors"`, `<testcase classname="Auth login"`},
		{"testsuite without tests", `tests="10" failures="3" errors="1" skipped="2"`, `failures="3" errors="1" skipped="2"`},
		{"unknown element", `<system-out>`, `<flaky/><system-out>`},
		{"testcase outside a testsuite", `</testsuite>`, `</testsuite><testcase name="stray"></testcase>`},
		{"not well-formed", `</testsuites>`, `</testsuite>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("the golden document has no %q to break", tt.old)
			}
			err := xmllint(t, strings.Replace(good, tt.old, tt.new, 1))
			if err == nil {
				t.Fatalf("a document with %s validated", tt.name)
			}
			t.Logf("refused: %v", err)
		})
	}
}
