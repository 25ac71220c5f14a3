package session

import (
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

// rememberLogin is a login form with a remember-me box.
const rememberLogin = `<html><body><h1>Sign in</h1><form method="post" action="/login"><input name="email">` +
	`<input type="password" name="password"><label><input type="checkbox" name="remember_me" value="1"> Remember me</label>` +
	`<button>Sign in</button></form></body></html>`

// TestRememberMeJudgedOnItsOwn: the unticked login's browser-session
// cookie is judged as before (or by session.lifetime when declared); a
// remember-me box on the login form is ticked in a second login, and that
// session's lifetime is reported on its own bounds.
func TestRememberMeJudgedOnItsOwn(t *testing.T) {
	for _, tc := range []struct {
		name     string
		form     string
		remember string // Set-Cookie attributes of the remembered session
		yaml     string
		want     check.Status
		in       string
	}{
		{"no box, nothing visible", "", "", "", check.Warn, "no session lifetime is visible"},
		{"no box, lifetime declared", "", "", "session: {lifetime: 8h}\n", check.Pass, "session.lifetime (declared in the config) 8 h"},
		{"box, 30 days remembered", rememberLogin, "; Max-Age=2592000", "session: {lifetime: 8h}\n", check.Pass,
			"with remember-me (remember_me) ticked: cookie sid Max-Age/Expires 30 days (remember-me bound)"},
		{"box, 180 days remembered", rememberLogin, "; Max-Age=15552000", "session: {lifetime: 8h}\n", check.Fail,
			"cookie sid Max-Age/Expires 180 days (remember-me bound, over 90 days)"},
		{"box, still a browser session", rememberLogin, "", "session: {lifetime: 8h}\n", check.Pass,
			"still a browser-session one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &checktest.Portal{
				LoginForm: tc.form,
				OnLogin: func(w http.ResponseWriter, r *http.Request) {
					attrs := strong
					if r.PostForm.Get("remember_me") == "1" {
						attrs += tc.remember
					}
					w.Header().Add("Set-Cookie", "sid=s-"+r.PostForm.Get("remember_me")+"-member"+attrs)
				},
				Authed: func(r *http.Request) bool {
					c, err := r.Cookie("sid")
					return err == nil && strings.HasSuffix(c.Value, "-member")
				},
				Pages: map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": checktest.RedirectOrPage("Dashboard")},
			}
			_, yaml := checktest.TLSServer(t, p)
			r := checktest.Run(t, Lifetime{}, checktest.Env(t, yaml+checktest.Accounts+tc.yaml))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.in) {
				t.Errorf("SESS-004 = %s (%s), want %s saying %q", r.Status, r.Summary, tc.want, tc.in)
			}
		})
	}
}
