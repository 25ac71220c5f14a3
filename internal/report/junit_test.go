package report

import (
	"encoding/xml"
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
