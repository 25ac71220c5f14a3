package scan

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/config"
)

// TestEnumerationAccountsAllDeleted: AUTH-006 signs a new address up in
// each round it compares again; on a portal whose signup tells a taken
// address (every round differs) each round's account must be deleted at
// the end. On the old code every round's account had the same name, so
// the clean-up deleted the last one twice over and left the others (the
// PocketBase portal kept one).
func TestEnumerationAccountsAllDeleted(t *testing.T) {
	p := &checktest.SignupPortal{}
	yaml := strings.Replace(p.Start(t), "auth:\n", "auth:\n  recheck: 10ms\n", 1)
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return checktest.Password, true }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, JournalDir: t.TempDir(),
		Only: []string{"AUTH-006"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := run.Outcomes[0].Result; r.Status != check.Fail || !strings.Contains(r.Summary, "signup") {
		t.Fatalf("AUTH-006 = %s (%s), want FAIL for the signup", r.Status, r.Summary)
	}
	if len(run.Leftovers) > 0 {
		t.Errorf("left behind: %v", run.Leftovers)
	}
	if n := p.Members(); n != 2 {
		t.Errorf("%d members after the scan, want only a and b", n)
	}
}
