package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// cleanup deletes the accounts the scanner created, through the portal's
// own account deletion, and returns those it could not delete.
func cleanup(ctx context.Context, env *check.Env) []string {
	var left []string
	for _, name := range env.Sessions.Created() {
		creds, _ := env.Sessions.Account(name)
		if err := deleteAccount(ctx, env, name); err != nil {
			left = append(left, fmt.Sprintf("%s (%v)", creds.Email, err))
		}
	}
	return left
}

func deleteAccount(ctx context.Context, env *check.Env, name string) error {
	su := env.Config.Auth.Signup
	if su == nil || su.Delete == nil || su.Delete.None {
		return fmt.Errorf("no auth.signup.delete configured: delete it by hand")
	}
	sess, err := env.Sessions.Login(ctx, name)
	if err != nil {
		return fmt.Errorf("cannot log in to delete it: %w", err)
	}
	origin := env.Sessions.Config().Origin
	u := origin.ResolveReference(&url.URL{Path: su.Delete.Path}).String()
	vals := url.Values{}
	if p := sess.Login.Verified; p != nil {
		for _, f := range page.Forms(p.Body, p.URL) {
			if fu, err := url.Parse(f.Action); err == nil && fu.Path == su.Delete.Path {
				for _, fl := range f.Fields {
					vals.Set(fl.Name, fl.Value)
				}
			}
		}
	}
	resp, err := sess.Do(ctx, &client.Request{
		Method: su.Delete.Method, URL: u, Follow: true, Body: []byte(vals.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
	})
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s answered %d", su.Delete.Method, su.Delete.Path, resp.StatusCode)
	}
	if _, err := env.Sessions.Login(ctx, name); err == nil {
		return fmt.Errorf("it can still log in after %s %s", su.Delete.Method, su.Delete.Path)
	}
	return nil
}

// budget sums the side effects of the intrusive checks about to run.
func budget(checks []check.Check) (check.Budget, int) {
	var b check.Budget
	n := 0
	shared := map[string]bool{}
	for _, c := range checks {
		// Intrusive checks, and others that have side effects only with
		// consent (canary objects).
		m := c.Meta()
		if !m.Intrusive && m.Budget == (check.Budget{}) {
			continue
		}
		n++
		if k := m.Budget.Shared; k != "" {
			if shared[k] {
				continue
			}
			shared[k] = true
		}
		b = b.Add(m.Budget)
	}
	return b, n
}
