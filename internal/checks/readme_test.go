package checks

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeRecordedSessionsNamesTheRightChecks: the README's Recorded
// sessions section names each check by what it does; the ID beside each
// description must be the check with that title.
func TestReadmeRecordedSessionsNamesTheRightChecks(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Recorded sessions")
	if !ok {
		t.Fatal("README.md has no Recorded sessions section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, id := range regexp.MustCompile(`\b[A-Z]+-\d{3}\b`).FindAllString(section, -1) {
		if _, ok := Find(id); !ok {
			t.Errorf("the section names %s, which is no check", id)
		}
	}
	for _, claim := range []struct{ after, title string }{
		{" logout", "Logout"},
		{" rotation", "changes at login"},
		{" puts the whole recording", "localStorage"},
	} {
		m := regexp.MustCompile(`\b([A-Z]+-\d{3})` + regexp.QuoteMeta(claim.after)).FindStringSubmatch(section)
		if m == nil {
			t.Errorf("the section no longer says %q after a check ID", claim.after)
			continue
		}
		c, ok := Find(m[1])
		if !ok || !strings.Contains(c.Meta().Title, claim.title) {
			t.Errorf("the section says %q; want the check whose title holds %q", m[0], claim.title)
		}
	}
}
