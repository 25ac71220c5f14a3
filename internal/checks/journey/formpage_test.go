package journey

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/checktest"
)

// TestPageWithForm: the request that deletes an account or signs out is
// sent from the member page that holds its form (here /account, not the
// dashboard the login landed on), so its CSRF field goes with it; a
// target no page has a form for falls back to the landing page.
func TestPageWithForm(t *testing.T) {
	p := &checktest.Portal{
		SetCookies: []string{"sid=member; Path=/; Secure; HttpOnly"},
		Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "sid", "member") },
		Pages: map[string]func(http.ResponseWriter, *http.Request, bool){
			"/dashboard": checktest.RedirectOrPage("Dashboard"),
			"/account": func(w http.ResponseWriter, r *http.Request, authed bool) {
				fmt.Fprint(w, `<html><body><h1>Account</h1><form method="post" action="/account/delete">`+
					`<input type="hidden" name="_csrf" value="tok-1"><button>Delete my account</button></form></body></html>`)
			},
		},
	}
	_, yaml := checktest.TLSServer(t, p)
	env := checktest.Env(t, yaml+strings.Replace(checktest.Accounts, "protected: [/dashboard]", "protected: [/dashboard, /account]", 1))
	sess, err := env.Sessions.Login(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if got := PageWithForm(context.Background(), env, sess, URL(env, "/account/delete")); got == nil || got.URL.Path != "/account" {
		t.Errorf("page for /account/delete = %v, want /account", got.URL)
	}
	if got := PageWithForm(context.Background(), env, sess, URL(env, "/logout")); got != sess.Login.Verified {
		t.Errorf("page for /logout = %v, want the landing page", got.URL)
	}
}
