package authz

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/launchready/launchready/internal/check"
)

// profileRestored is revert's message when it worked.
const profileRestored = "Member a's profile was restored."

// reverter puts member a's profile back after each write that may have
// changed it: inline, or at clean-up when the inline one failed.
type reverter struct {
	m      massProbe
	before profileState
	cr     *check.Creation

	mu sync.Mutex
	// dirty is set before each write and cleared by a revert read back
	// as the original.
	dirty bool
}

// planRevert journals the revert (the update sending the original values
// back, as member a) before any write. The journaled request, for a run
// killed half-way, sends every field the check may have set; the revert
// run in this process sends only what it reads back as changed, which a
// portal refusing unknown fields accepts.
func (m massProbe) planRevert(before profileState) (*reverter, error) {
	req, err := m.request("", m.original(before))
	if err != nil {
		return nil, err
	}
	rv := &reverter{m: m, before: before}
	rv.cr, err = m.env.Plan(check.Undo{What: "member a's profile (" + m.p.Method + " " + m.p.Path + "), changed by AUTHZ-006", As: m.a.Account,
		Request: check.UndoRequest(req, ""), Run: rv.run})
	return rv, err
}

// touch records that a write is about to be sent.
func (rv *reverter) touch() {
	rv.mu.Lock()
	rv.dirty = true
	rv.mu.Unlock()
}

// now reverts when a write was sent since the last revert, and says how
// it went.
func (rv *reverter) now(ctx context.Context) string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if !rv.dirty {
		return profileRestored
	}
	msg := rv.m.revert(ctx, rv.before)
	rv.dirty = msg != profileRestored
	return msg
}

func (rv *reverter) run(ctx context.Context) error {
	if msg := rv.now(ctx); msg != profileRestored {
		return errors.New(msg)
	}
	return nil
}

// original is the override that sends the profile's original values back:
// the configured fields, and every escalation field (false for a flag it
// did not have).
func (m massProbe) original(before profileState) map[string]any {
	override := map[string]any{}
	for _, k := range m.configured() {
		if v, ok := before.fields[k]; ok {
			override[k] = v
		}
	}
	for _, e := range escalations {
		if v, ok := before.fields[e.field]; ok {
			override[e.field] = v
		} else if _, isBool := e.value.(bool); isBool {
			override[e.field] = false
		}
	}
	return override
}

// changedBack is the override that undoes what the profile now shows: the
// configured fields' original values, and each escalation field that
// moved (false for a flag it did not have). A field that was absent and
// is not a flag cannot be sent back absent: the read-back then fails.
func (m massProbe) changedBack(before, now profileState) map[string]any {
	override := map[string]any{}
	for _, k := range m.configured() {
		if v, ok := before.fields[k]; ok {
			override[k] = v
		}
	}
	for _, e := range escalations {
		got, ok := now.fields[e.field]
		if !ok || same(got, before.fields[e.field]) {
			continue
		}
		if v, had := before.fields[e.field]; had {
			override[e.field] = v
		} else if _, isBool := e.value.(bool); isBool {
			override[e.field] = false
		}
	}
	return override
}

// isOriginal reports whether a read-back shows the configured fields and
// every escalation field as they were.
func (m massProbe) isOriginal(before, now profileState) bool {
	if len(escalated(before.fields, now.fields)) > 0 {
		return false
	}
	for _, k := range m.configured() {
		if v, ok := before.fields[k]; ok && !same(now.fields[k], v) {
			return false
		}
	}
	return true
}

// revert sends back what changed, reads the profile again and says
// whether it is as it was.
func (m massProbe) revert(ctx context.Context, before profileState) string {
	if before.fields == nil {
		return "The profile is not JSON, so it could not be restored automatically: check member a's role by hand."
	}
	now, err := m.read(ctx)
	if err != nil {
		return "Reading member a's profile to restore it failed (" + err.Error() + "): check its role by hand."
	}
	if m.isOriginal(before, now) {
		return profileRestored
	}
	resp, err := m.sendValues(ctx, "", m.changedBack(before, now))
	if err != nil {
		return "Restoring member a's profile failed (" + err.Error() + "): reset its role by hand."
	}
	again, err := m.read(ctx)
	if err != nil || !m.isOriginal(before, again) {
		return "Member a could not be restored (the restoring update answered " + strconv.Itoa(resp.StatusCode) +
			"): it still holds the escalated fields or the changed profile field; reset it by hand."
	}
	return profileRestored
}
