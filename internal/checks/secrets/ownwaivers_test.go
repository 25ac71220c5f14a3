package secrets

import (
	"path/filepath"
	"testing"
	"time"

	engine "github.com/launchready/launchready/internal/secrets"
)

// maxOwnWaivers is how many waivers this repository's own file may hold.
const maxOwnWaivers = 5

// TestRepositoryWaivers holds this repository's launchready-waivers.yaml
// (what lets `launchready secrets .` pass on it, in CI) to its rules: at
// most five waivers, each with a reason and an owner, live and expiring
// within a year of today (so each is looked at again), and each either one
// fingerprint or narrowed to history by committed_before, so that a
// literal secret committed now is never waived by a glob.
func TestRepositoryWaivers(t *testing.T) {
	ws, err := engine.LoadWaivers(filepath.Join("..", "..", "..", "launchready-waivers.yaml"), IDs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.List) > maxOwnWaivers {
		t.Errorf("%d waivers, want at most %d", len(ws.List), maxOwnWaivers)
	}
	now := time.Now()
	for _, w := range ws.List {
		if w.Reason == "" || w.Owner == "" {
			t.Errorf("line %d: want a reason and an owner: %+v", w.Line, w)
		}
		if w.Expired(now) || w.Expires.After(now.AddDate(1, 0, 0)) {
			t.Errorf("line %d: expires %s, want a day from today to a year from now", w.Line, w.Expires.Format(time.DateOnly))
		}
		if w.Fingerprint == "" && w.CommittedBefore.IsZero() {
			t.Errorf("line %d: a rule and path waiver without committed_before would waive a secret committed today too", w.Line)
		}
	}
}
