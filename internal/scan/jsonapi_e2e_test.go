package scan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
)

// apiPortalEnv is the environment of checktest.APIPortal's config.
func apiPortalEnv(k string) (string, bool) {
	if k == "GATEWAY" {
		return "gateway-secret", true
	}
	return checktest.Password, true
}

// TestJSONAPIPortal scans a portal that is a JSON API behind a
// single-page frontend (PocketBase's shape), described with the keys of
// issue 13 (defect 8) alone: a JSON login, signup, verification request,
// token confirmations and reset, accounts.me with {{self.id}} in the
// protected page, the canary note's owner, the profile and the account
// deletion, the admin's own login, and a target header every API request
// needs. The whole journey passes, every account and note the scan made
// is deleted, and the header reached the portal on every request, never
// the inbox, and no report. On the old code the config did not load
// (unknown keys json, request, confirm, me, login, headers).
func TestJSONAPIPortal(t *testing.T) {
	p := &checktest.APIPortal{}
	cfg, err := config.Parse([]byte(p.Start(t)), "", config.Options{Getenv: apiPortalEnv})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, JournalDir: t.TempDir(),
		Only: []string{"AUTH-001", "AUTH-005", "AUTH-007", "AUTHZ-002", "AUTHZ-004", "AUTHZ-006"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range run.Outcomes {
		if o.Result.Status != check.Pass {
			t.Errorf("%s = %s (%s %s), want PASS", o.Meta.ID, o.Result.Status, o.Result.Summary, o.Result.Reason)
		}
		if want := "signup → verification request → verification mail → token confirmed → login"; o.Meta.ID == "AUTH-001" && !strings.Contains(o.Result.Summary, want) {
			t.Errorf("AUTH-001 says %q, want the steps %q", o.Result.Summary, want)
		}
	}
	if len(run.Leftovers) > 0 {
		t.Errorf("left behind: %v", run.Leftovers)
	}
	// The new member was verified by the confirm call, never by opening
	// the link (the frontend's hash route), and deleted with its own id
	// (the members a and b are never deleted).
	for call, want := range map[string]int{
		"POST /api/users/request-verification": 1, "POST /api/users/confirm-verification": 1,
		"POST /api/users/confirm-password-reset": 2, "DELETE /api/users/new": 1, "DELETE /api/users/aaa": 0, "DELETE /api/users/bbb": 0,
	} {
		if got := p.Calls(call); got != want {
			t.Errorf("%s: %d requests, want %d", call, got, want)
		}
	}
	if n := p.Notes(); n != 0 {
		t.Errorf("%d canary notes left", n)
	}
	for _, h := range p.Headers() {
		if h != "gateway-secret" {
			t.Fatalf("a request reached the portal with X-Gateway %q", h)
		}
	}
	if g := p.Mailbox(); len(g) > 0 {
		t.Errorf("the target's header reached the inbox: %q", g)
	}
	report, _ := json.Marshal(run.Outcomes)
	if strings.Contains(string(report), "gateway-secret") {
		t.Error("the target header's secret value is in the results")
	}
}

// TestJSONAPIVerificationRequestRefused: a portal that refuses the
// request for the verification mail breaks the journey there: AUTH-001
// FAILs at that step with the refusal as evidence, and the account it
// made, which cannot log in, is listed as left behind.
func TestJSONAPIVerificationRequestRefused(t *testing.T) {
	p := &checktest.APIPortal{NoMailRequests: true}
	cfg, err := config.Parse([]byte(p.Start(t)), "", config.Options{Getenv: apiPortalEnv})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, JournalDir: t.TempDir(),
		Only: []string{"AUTH-001"}})
	if err != nil {
		t.Fatal(err)
	}
	r := run.Outcomes[0].Result
	if r.Status != check.Fail || !strings.Contains(r.Summary, "breaks at the verification request step") ||
		len(r.Evidence) != 1 || !strings.Contains(r.Evidence[0].Detail, "answered 429") {
		t.Errorf("AUTH-001 = %s (%s) %+v", r.Status, r.Summary, r.Evidence)
	}
	if len(run.Leftovers) != 1 {
		t.Errorf("left behind: %v, want the unverified account", run.Leftovers)
	}
}

// TestCleanupAsksForTheVerificationMail: a run killed between a JSON
// signup and its request for the verification mail left an account no
// mail will verify. The clean-up (launchready cleanup) asks for the mail
// itself, confirms the link's token, logs in and deletes the account
// with its own id.
func TestCleanupAsksForTheVerificationMail(t *testing.T) {
	ctx := context.Background()
	p := &checktest.APIPortal{}
	cfg, err := config.Parse([]byte(p.Start(t)), "", config.Options{Getenv: apiPortalEnv})
	if err != nil {
		t.Fatal(err)
	}
	w, err := journal.Create(t.TempDir(), journal.Header{Target: cfg.Target.URL, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	email, password := "qa+lrkilled2@portal.test", "Lr-killed-before-asking-7"
	if _, err := w.PlanAccount(journal.Account{Name: "fresh", Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	cl, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	cl.EnableConsent(nil)
	// The run's signup, then the kill.
	resp, err := sessions.Anonymous().Send(client.WithPurpose(ctx, client.SignIn), client.Call{URL: cfg.Target.URL + "/api/users",
		JSON: map[string]string{"email": email, "password": password, "passwordConfirm": password}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("signup: %v", err)
	}
	w.Close()
	w, j, err := journal.Open(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	done, err := Finish(ctx, cfg, w, j, FinishOptions{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if exists, _ := p.Member(email); len(done.Left) > 0 || exists {
		t.Errorf("left %v; the account exists: %v", done.Left, exists)
	}
	if n := p.Calls("POST /api/users/request-verification"); n != 1 {
		t.Errorf("%d requests for the verification mail, want 1", n)
	}
}
