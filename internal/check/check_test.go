package check_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// TestErrorfSkipReason: a check stopped by a fresh login that a recorded
// session cannot make is SKIP with the reason, not ERROR; an ordinary
// error stays ERROR.
func TestErrorfSkipReason(t *testing.T) {
	r := check.Errorf("logging in afresh: %v", fmt.Errorf("login as a: %w", client.ErrRecordedFresh))
	if r.Status != check.Skip || !strings.Contains(r.Reason, "auth.kind recorded") || r.Enable == "" {
		t.Errorf("got %s (%s / %s), want SKIP naming the recorded kind", r.Status, r.Reason, r.Enable)
	}
	if r := check.Errorf("plain: %v", errors.New("connection refused")); r.Status != check.Error {
		t.Errorf("an ordinary error: %s", r.Status)
	}
}
