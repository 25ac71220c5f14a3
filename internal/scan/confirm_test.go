package scan

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
)

// TestCleanupConfirmsAnInterruptedSignup: a run killed between a signup
// and its verification, on a portal built like a Django one (Origin and
// Referer checked on every POST) whose verification link opens a
// "Confirm your email" form. The clean-up follows the mail, submits the
// confirm form once, logs in and deletes the account through the
// dashboard's delete form. The lax portal checks no Origin: the confirm
// page alone.
func TestCleanupConfirmsAnInterruptedSignup(t *testing.T) {
	for _, lax := range []bool{true, false} {
		t.Run(map[bool]string{true: "lax", false: "django"}[lax], func(t *testing.T) {
			confirmInterrupted(t, &checktest.SignupPortal{Confirm: checktest.ConfirmForm, Lax: lax})
		})
	}
}

func confirmInterrupted(t *testing.T, p *checktest.SignupPortal) {
	ctx := context.Background()
	cfg, err := config.Parse([]byte(p.Start(t)), "", config.Options{Getenv: func(string) (string, bool) { return checktest.Password, true }})
	if err != nil {
		t.Fatal(err)
	}
	w, err := journal.Create(t.TempDir(), journal.Header{Target: cfg.Target.URL, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	email, password := "qa+lrkilled1@portal.test", "Lr-killed-before-verifying-7"
	if _, err := w.PlanAccount(journal.Account{Name: "fresh", Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	// The run's signup, then the kill.
	cl, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	cl.EnableConsent(nil)
	form := url.Values{"email": {email}, "password": {password}}
	if _, resp, err := sessions.Anonymous().SubmitForm(client.WithPurpose(ctx, client.SignIn), cfg.Target.URL+"/signup", "", form, true); err != nil || resp.StatusCode != 200 {
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
	if exists, _, _, _ := p.Member(email); len(done.Left) > 0 || exists {
		t.Errorf("left %v; the account exists: %v", done.Left, exists)
	}
	if n := p.Posts("/verify"); n != 1 {
		t.Errorf("the confirm form was posted %d times, want once", n)
	}
	if refused := p.Refused(); len(refused) > 0 {
		t.Errorf("POSTs refused for their Origin or Referer: %q", refused)
	}
}
