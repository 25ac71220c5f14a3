package demo

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignupVerifyLogin(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			email, pw := testEmail("journey"), strongPassword()
			resp, body := signup(t, p, email, pw)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Check your inbox to continue.") {
				t.Fatalf("signup: %d\n%s", resp.StatusCode, body)
			}
			if !slices.Contains(p.Members(), email) {
				t.Fatalf("Members() = %v lacks %s", p.Members(), email)
			}
			msg := lastMail(t, p, email, "Verify your email")
			if msg.From != (apiAddr{"Portal", "no-reply@portal.test"}) || len(msg.To) != 1 || msg.To[0].Address != email {
				t.Errorf("mail from %+v to %+v", msg.From, msg.To)
			}
			link := onPortal(p, linkIn(t, msg, "/verify"))
			c := newClient(t, p, true)
			resp, body = get(t, c, link)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Email verified — you can log in") || !strings.Contains(body, `href="/login"`) {
				t.Fatalf("verify: %d\n%s", resp.StatusCode, body)
			}
			if resp, _ := get(t, c, link); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("the verification link worked twice: %d", resp.StatusCode)
			}
			resp, _ = loginAs(t, p, c, email, pw)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
				t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if resp, body := get(t, c, p.URL+"/dashboard"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Welcome back, Launchready Test") {
				t.Errorf("dashboard: %d\n%s", resp.StatusCode, body)
			}
		})
	}
}

func TestSignupRefusals(t *testing.T) {
	p := startPortal(t, Hardened())
	cases := []struct {
		name, email string
		status      int
		body        string
	}{
		{"other domain", "someone@example.com", http.StatusUnprocessableEntity, "valid email address at @portal.test"},
		{"display name in the address", "Carol <carol@portal.test>", http.StatusUnprocessableEntity, "valid email address"},
		{"no local part", "@portal.test", http.StatusUnprocessableEntity, "valid email address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if resp, body := signup(t, p, tc.email, strongPassword()); resp.StatusCode != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("%d, want %d with %q:\n%s", resp.StatusCode, tc.status, tc.body, body)
			}
		})
	}
	t.Run("missing CSRF", func(t *testing.T) {
		c := newClient(t, p, true)
		pageForm(t, c, p.URL+"/signup")
		form := url.Values{"email": {testEmail("csrf")}, "password": {strongPassword()}}
		if resp, _ := do(t, c, http.MethodPost, p.URL+"/signup", form, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%d, want 403", resp.StatusCode)
		}
	})
	if got := p.Members(); len(got) != 3 {
		t.Errorf("refused signups created members: %v", got)
	}
}

func TestUnverifiedLogin(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			email, pw := testEmail("unverified"), strongPassword()
			signup(t, p, email, pw)
			c := newClient(t, p, true)
			resp, _ := loginAs(t, p, c, email, pw)
			if m.flaws.LoginLoopUnverified {
				checkLoginLoop(t, p, c, resp)
			} else {
				checkVerifyPending(t, p, c, resp, email)
			}
			var me map[string]any
			_, body := get(t, c, p.URL+"/api/me")
			if err := jsonUnmarshal(body, &me); err != nil || me["email"] != email || me["verified"] != false {
				t.Errorf("/api/me of an unverified member: %s (%v)", body, err)
			}
		})
	}
}

// checkLoginLoop: the login goes to /dashboard, which bounces between
// /dashboard and /verify-pending for ever.
func checkLoginLoop(t *testing.T, p *Portal, c *http.Client, resp *http.Response) {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != "/dashboard" {
		t.Fatalf("login: %d to %q, want 303 to /dashboard", resp.StatusCode, loc)
	}
	want := []string{"/verify-pending", "/dashboard", "/verify-pending", "/dashboard", "/verify-pending", "/dashboard"}
	for i, next := range want {
		r, _ := get(t, c, p.URL+loc)
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != next {
			t.Fatalf("hop %d from %s: %d to %q, want 302 to %s", i, loc, r.StatusCode, r.Header.Get("Location"), next)
		}
		loc = next
	}
}

// checkVerifyPending: the login lands on /verify-pending, protected pages
// redirect there once, and the resend button mails a new link.
func checkVerifyPending(t *testing.T, p *Portal, c *http.Client, resp *http.Response, email string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/verify-pending" {
		t.Fatalf("login: %d to %q, want 303 to /verify-pending", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/dashboard", "/billing", "/account"} {
		if r, _ := get(t, c, p.URL+path); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/verify-pending" {
			t.Errorf("%s: %d to %q, want 302 to /verify-pending", path, r.StatusCode, r.Header.Get("Location"))
		}
	}
	form, body := pageForm(t, c, p.URL+"/verify-pending")
	if !strings.Contains(bodyText(body), "Check your inbox to verify "+email) || !strings.Contains(body, `action="/verify/resend"`) {
		t.Fatalf("verify-pending page:\n%s", body)
	}
	r, body := do(t, c, http.MethodPost, p.URL+"/verify/resend", form, "")
	if r.StatusCode != http.StatusOK || !strings.Contains(bodyText(body), "We sent a new link to "+email) {
		t.Errorf("resend: %d\n%s", r.StatusCode, body)
	}
	if n := len(mailsTo(t, p, email)); n != 2 {
		t.Errorf("%d mails after a resend, want 2", n)
	}
}

func TestSessionRotation(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			name := sessionNameFor(m.flaws)
			c := newClient(t, p, true)
			form := loginForm(t, c, p, "alice@portal.test", password(t, p, "a"))
			before := jarValue(t, c, p, name)
			if (before != "") != m.flaws.NoSessionRotation {
				t.Fatalf("GET /login set %s=%q", name, before)
			}
			if before != "" {
				if cl := tokenClaims(t, before); cl["sub"] != nil || cl["sid"] == nil {
					t.Errorf("the anonymous session token's claims %v: want a sid and no sub", cl)
				}
			}
			if resp, _ := do(t, c, http.MethodPost, p.URL+"/login", form, ""); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			after := jarValue(t, c, p, name)
			if kept := after == before; kept != m.flaws.NoSessionRotation || after == "" {
				t.Fatalf("session cookie before login %q, after %q", before, after)
			}
			if m.flaws.NoSessionRotation {
				// Whoever held the pre-login value is now logged in as alice.
				if r, _ := do(t, newClient(t, p, false), http.MethodGet, p.URL+"/dashboard", nil, name+"="+before); r.StatusCode != http.StatusOK {
					t.Errorf("the fixated pre-login value: %d, want 200", r.StatusCode)
				}
			}
		})
	}
}

func TestAnonymousSessionCookie(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c := newClient(t, p, false)
			for _, path := range []string{"/", "/signup", "/missing", "/dashboard"} {
				resp, _ := get(t, c, p.URL+path)
				if got := cookieOf(resp, sessionNameFor(m.flaws)) != nil; got != m.flaws.NoSessionRotation {
					t.Errorf("GET %s sets a session cookie: %v", path, got)
				}
			}
			for _, path := range []string{"/static/app.css", "/api/me"} {
				if resp, _ := get(t, c, p.URL+path); cookieOf(resp, sessionNameFor(m.flaws)) != nil {
					t.Errorf("GET %s sets a session cookie", path)
				}
			}
		})
	}
}

func TestPasswordReset(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			email, old := signupVerified(t, p, "reset")
			before := newClient(t, p, true)
			loginAs(t, p, before, email, old)
			link := requestReset(t, p, email)
			form, page := pageForm(t, newClient(t, p, true), link)
			if !strings.Contains(page, `type="password" name="password"`) || form.Get("token") == "" || form.Get("_csrf") == "" {
				t.Fatalf("reset page:\n%s", page)
			}
			c := newClient(t, p, true)
			form, _ = pageForm(t, c, link)
			pw := strongPassword()
			form.Set("password", pw)
			if r, body := do(t, c, http.MethodPost, p.URL+"/reset", form, ""); r.StatusCode != http.StatusOK || !strings.Contains(body, "Your password has been changed.") {
				t.Fatalf("reset: %d\n%s", r.StatusCode, body)
			}
			if r, _ := loginAs(t, p, newClient(t, p, true), email, old); r.StatusCode != http.StatusOK {
				t.Errorf("the old password still logs in: %d", r.StatusCode)
			}
			if r, _ := loginAs(t, p, newClient(t, p, true), email, pw); r.StatusCode != http.StatusSeeOther {
				t.Errorf("the new password does not log in: %d", r.StatusCode)
			}
			// The server-side session is revoked; the MixedAuth cookie is a
			// stateless second system that a reset does not reach.
			name := sessionNameFor(m.flaws)
			if r, _ := replay(t, p, name, jarValue(t, before, p, name), "/dashboard"); r.StatusCode != http.StatusFound {
				t.Errorf("a session from before the reset survived it: %d", r.StatusCode)
			}
			if r, _ := get(t, before, p.URL+"/dashboard"); (r.StatusCode == http.StatusOK) != m.flaws.MixedAuth {
				t.Errorf("the browser from before the reset, with all its cookies: %d", r.StatusCode)
			}
			checkResetReuse(t, p, c, form, link, email, m.flaws.ReusableResetLink)
			checkResetLifetime(t, p, requestReset(t, p, email), m.flaws.ReusableResetLink)
		})
	}
}

// requestReset asks for a reset link for email and returns it, moved onto
// the canonical origin.
func requestReset(t *testing.T, p *Portal, email string) string {
	t.Helper()
	c := newClient(t, p, true)
	form, _ := pageForm(t, c, p.URL+"/forgot")
	form.Set("email", email)
	if r, body := do(t, c, http.MethodPost, p.URL+"/forgot", form, ""); r.StatusCode != http.StatusOK || !strings.Contains(body, "If an account exists, we sent a link.") {
		t.Fatalf("forgot: %d\n%s", r.StatusCode, body)
	}
	return onPortal(p, linkIn(t, lastMail(t, p, email, "Reset your Portal password"), "/reset"))
}

// checkResetReuse submits the used link again.
func checkResetReuse(t *testing.T, p *Portal, c *http.Client, form url.Values, link, email string, reusable bool) {
	t.Helper()
	again := strongPassword()
	form.Set("password", again)
	r, body := do(t, c, http.MethodPost, p.URL+"/reset", form, "")
	page, _ := get(t, newClient(t, p, true), link)
	switch {
	case reusable && (r.StatusCode != http.StatusOK || page.StatusCode != http.StatusOK):
		t.Errorf("ReusableResetLink: second use %d, page %d, want 200", r.StatusCode, page.StatusCode)
	case reusable:
		if r, _ := loginAs(t, p, newClient(t, p, true), email, again); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the password set by the reused link does not log in: %d", r.StatusCode)
		}
	case r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "This reset link is invalid or has expired."):
		t.Errorf("second use of the link: %d\n%s", r.StatusCode, body)
	case page.StatusCode != http.StatusBadRequest:
		t.Errorf("GET of the used link: %d, want 400", page.StatusCode)
	}
}

// checkResetLifetime reads the token's expiry: 30 minutes hardened, days
// with ReusableResetLink.
func checkResetLifetime(t *testing.T, p *Portal, link string, reusable bool) {
	t.Helper()
	u, _ := url.Parse(link)
	p.app.mu.Lock()
	tok, ok := p.app.tokens[u.Query().Get("token")]
	p.app.mu.Unlock()
	left := time.Until(tok.expires)
	switch {
	case !ok:
		t.Error("the reset token is not stored")
	case reusable && left < 24*time.Hour:
		t.Errorf("ReusableResetLink: link lives %v", left)
	case !reusable && (left > 30*time.Minute || left < 29*time.Minute):
		t.Errorf("reset link lives %v, want 30 minutes", left)
	}
}

func TestEnumerationMessages(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			pick := func(flawed, hardened string) string {
				if m.flaws.EnumerationMessages {
					return flawed
				}
				return hardened
			}
			pw := password(t, p, "a")
			if _, body := loginAs(t, p, newClient(t, p, true), "nobody@portal.test", pw); !strings.Contains(body, pick("No account with that email.", "Invalid email or password.")) {
				t.Errorf("login, unknown email:\n%s", body)
			}
			if _, body := loginAs(t, p, newClient(t, p, true), "alice@portal.test", pw+"x"); !strings.Contains(body, pick("Wrong password.", "Invalid email or password.")) {
				t.Errorf("login, wrong password:\n%s", body)
			}
			checkSignupEnumeration(t, p, pick("That email is already registered.", "Check your inbox to continue."), !m.flaws.EnumerationMessages)
			for email, want := range map[string]string{
				"nobody@portal.test": pick("No account found for that email.", "If an account exists, we sent a link."),
				"bob@portal.test":    "If an account exists, we sent a link.",
			} {
				c := newClient(t, p, true)
				form, _ := pageForm(t, c, p.URL+"/forgot")
				form.Set("email", email)
				if _, body := do(t, c, http.MethodPost, p.URL+"/forgot", form, ""); !strings.Contains(body, want) {
					t.Errorf("forgot %s: want %q\n%s", email, want, body)
				}
			}
		})
	}
}

// checkSignupEnumeration signs up with alice's email and a new one.
func checkSignupEnumeration(t *testing.T, p *Portal, existing string, mailsOwner bool) {
	t.Helper()
	r1, body := signup(t, p, "alice@portal.test", strongPassword())
	if !strings.Contains(body, existing) {
		t.Errorf("signup with an existing email: want %q\n%s", existing, body)
	}
	r2, body := signup(t, p, testEmail("enum"), strongPassword())
	if !strings.Contains(body, "Check your inbox to continue.") {
		t.Errorf("signup with a new email:\n%s", body)
	}
	if mailsOwner {
		if r1.StatusCode != r2.StatusCode {
			t.Errorf("status %d for an existing email, %d for a new one", r1.StatusCode, r2.StatusCode)
		}
		lastMail(t, p, "alice@portal.test", "Someone tried to sign up with your email")
	}
}

func TestPasswordPolicy(t *testing.T) {
	accepted, short, breachedMsg := "Check your inbox to continue.", "Choose a longer password", "This password appears in data breaches"
	type want struct{ flawed, hardened string }
	cases := []struct {
		pw   string
		want want
	}{
		{"abc12", want{short, short}},
		{"abc123", want{accepted, short}},
		{"Abcdef12345", want{accepted, short}},
		{strongPassword(), want{accepted, accepted}},
	}
	// Words of one string, as in breachedPasswords: quoted in a list,
	// the word after a "password…" one reads to a secret scanner as a
	// password's value.
	for _, b := range strings.Fields("password123456 qwertyuiop123 123456789012 iloveyou1234 Password1234! " +
		"letmein12345 welcome12345 admin1234567 PASSWORD123456") {
		cases = append(cases, struct {
			pw   string
			want want
		}{b, want{accepted, breachedMsg}})
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			for _, tc := range cases {
				w := tc.want.hardened
				if m.flaws.WeakPasswordPolicy {
					w = tc.want.flawed
				}
				email := testEmail("pw")
				resp, body := signup(t, p, email, tc.pw)
				created := slices.Contains(p.Members(), email)
				ok := resp.StatusCode == http.StatusOK && created
				if w != accepted {
					ok = resp.StatusCode == http.StatusUnprocessableEntity && !created && strings.Contains(body, `name="_csrf"`)
				}
				if !ok || !strings.Contains(body, w) {
					t.Errorf("password %q: %d (created %v), want %q:\n%s", tc.pw, resp.StatusCode, created, w, body)
				}
			}
		})
	}
}

func TestResetPasswordPolicy(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			email, _ := signupVerified(t, p, "resetpolicy")
			c := newClient(t, p, true)
			form, _ := pageForm(t, c, requestReset(t, p, email))
			form.Set("password", "welcome12345")
			r, body := do(t, c, http.MethodPost, p.URL+"/reset", form, "")
			if m.flaws.WeakPasswordPolicy != (r.StatusCode == http.StatusOK) {
				t.Errorf("reset to a breached password: %d\n%s", r.StatusCode, body)
			}
			if !m.flaws.WeakPasswordPolicy && (r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This password appears in data breaches")) {
				t.Errorf("reset refusal: %d\n%s", r.StatusCode, body)
			}
		})
	}
}

func TestOpenRedirect(t *testing.T) {
	cases := []struct {
		param, value string
		open         bool // honoured only with OpenRedirect
	}{
		{"next", "https://evil.example/", true},
		{"redirect_to", "https://evil.example/", true},
		{"returnTo", "https://evil.example/x", true},
		{"next", "//evil.example/", true},
		{"next", "/billing", false},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			for _, tc := range cases {
				want := tc.value
				if tc.open && !m.flaws.OpenRedirect {
					want = "/dashboard"
				}
				c := newClient(t, p, true)
				_, page := get(t, c, p.URL+"/login?"+tc.param+"="+url.QueryEscape(tc.value))
				if hidden := strings.Contains(page, `name="next"`); hidden != (want != "/dashboard") {
					t.Errorf("%s=%s: hidden next field %v", tc.param, tc.value, hidden)
				}
				form := loginForm(t, c, p, "alice@portal.test", password(t, p, "a"))
				form.Set(tc.param, tc.value)
				resp, _ := do(t, c, http.MethodPost, p.URL+"/login", form, "")
				if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != want {
					t.Errorf("%s=%s: %d to %q, want %q", tc.param, tc.value, resp.StatusCode, loc, want)
				}
			}
		})
	}
}

func TestAuthCallback(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			member, _ := login(t, p, "a")
			anon := newClient(t, p, true)
			for _, tc := range []struct {
				next, member, anon string
			}{
				{"https://evil.example/x", "https://evil.example/x", "/login"},
				{"//evil.example/x", "//evil.example/x", "/login"},
				{"/billing", "/billing", "/login"},
				{"", "/dashboard", "/login"},
			} {
				wantMember := tc.member
				if !m.flaws.OpenCallback && !localPath(tc.next) {
					wantMember = "/dashboard"
				}
				u := p.URL + "/auth/callback?next=" + url.QueryEscape(tc.next)
				if r, _ := get(t, member, u); r.StatusCode != http.StatusFound || r.Header.Get("Location") != wantMember {
					t.Errorf("member, next=%q: %d to %q, want 302 to %s", tc.next, r.StatusCode, r.Header.Get("Location"), wantMember)
				}
				if r, _ := get(t, anon, u); r.StatusCode != http.StatusFound || r.Header.Get("Location") != tc.anon {
					t.Errorf("anonymous, next=%q: %d to %q, want 302 to %s", tc.next, r.StatusCode, r.Header.Get("Location"), tc.anon)
				}
			}
		})
	}
}

func TestMailLinks(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			base := p.URL
			if m.flaws.LocalhostLinks {
				base = "http://localhost:" + strconv.Itoa(p.HTTPPort)
			}
			email, pw := testEmail("links"), strongPassword()
			signup(t, p, email, pw)
			verify := linkIn(t, lastMail(t, p, email, "Verify your email"), "/verify")
			if !strings.HasPrefix(verify, base+"/verify?token=") {
				t.Errorf("verification link %s, want it on %s", verify, base)
			}
			c := newClient(t, p, true)
			form, _ := pageForm(t, c, p.URL+"/forgot")
			form.Set("email", email)
			do(t, c, http.MethodPost, p.URL+"/forgot", form, "")
			if reset := linkIn(t, lastMail(t, p, email, "Reset your Portal password"), "/reset"); !strings.HasPrefix(reset, base+"/reset?token=") {
				t.Errorf("reset link %s, want it on %s", reset, base)
			}
		})
	}
}

func TestMixedAuth(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			_, resp := login(t, p, "a")
			mixed := cookieOf(resp, "next-auth.session-token")
			if (mixed != nil) != m.flaws.MixedAuth {
				t.Fatalf("next-auth.session-token set: %v", mixed != nil)
			}
			bare := newClient(t, p, false)
			if mixed == nil {
				// The session JWT under the other name grants nothing.
				session := cookieOf(resp, sessionNameFor(m.flaws))
				if r, _ := do(t, bare, http.MethodGet, p.URL+"/dashboard", nil, "next-auth.session-token="+session.Value); r.StatusCode != http.StatusFound {
					t.Errorf("a next-auth.session-token cookie alone: %d, want 302", r.StatusCode)
				}
				return
			}
			if mixed.Value == cookieOf(resp, sessionNameFor(m.flaws)).Value || len(strings.Split(mixed.Value, ".")) != 3 {
				t.Errorf("next-auth.session-token is not a separate JWT")
			}
			for _, path := range []string{"/dashboard", "/api/me"} {
				if r, _ := do(t, bare, http.MethodGet, p.URL+path, nil, "next-auth.session-token="+mixed.Value); r.StatusCode != http.StatusOK {
					t.Errorf("%s with next-auth.session-token alone: %d, want 200", path, r.StatusCode)
				}
			}
		})
	}
}

func TestAPI(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			anon := newClient(t, p, false)
			resp, body := get(t, anon, p.URL+"/api/me")
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(body, `"error"`) {
				t.Errorf("anonymous /api/me: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			c, lr := login(t, p, "a")
			var me map[string]any
			_, body = get(t, c, p.URL+"/api/me")
			if err := jsonUnmarshal(body, &me); err != nil || len(me) != 6 || me["email"] != "alice@portal.test" ||
				me["name"] != "Alice Example" || me["display_name"] != "Alice Example" || me["role"] != "member" ||
				me["verified"] != true || !strings.HasPrefix(me["id"].(string), "mbr_") {
				t.Errorf("/api/me: %s (%v)", body, err)
			}
			resp, body = get(t, c, p.URL+"/api/session-token")
			var tok map[string]string
			switch {
			case !m.flaws.TokenInLocalStorage && resp.StatusCode != http.StatusNotFound:
				t.Errorf("/api/session-token: %d, want 404", resp.StatusCode)
			case m.flaws.TokenInLocalStorage && (jsonUnmarshal(body, &tok) != nil || tok["token"] != cookieOf(lr, sessionNameFor(m.flaws)).Value):
				t.Errorf("/api/session-token: %d %s, want the session cookie's JWT", resp.StatusCode, body)
			}
		})
	}
}

func TestDashboardScript(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c, _ := login(t, p, "a")
			_, body := get(t, c, p.URL+"/dashboard")
			if strings.Count(body, "<script") != 1 || !strings.Contains(body, `<script src="/static/app.js" defer></script>`) {
				t.Errorf("dashboard scripts:\n%s", body)
			}
			resp, js := get(t, c, p.URL+"/static/app.js")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Fatalf("app.js: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			stores := strings.Contains(js, `localStorage.setItem("auth_token"`) && strings.Contains(js, `sessionStorage.setItem("jwt"`) &&
				strings.Contains(js, "/api/session-token")
			if stores != m.flaws.TokenInLocalStorage || (!stores && (strings.Contains(js, "token") || !strings.Contains(js, `"theme"`))) {
				t.Errorf("app.js (stores tokens: %v):\n%s", stores, js)
			}
		})
	}
}

func TestDeleteAccount(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			email, pw := signupVerified(t, p, "delete")
			c := newClient(t, p, true)
			loginAs(t, p, c, email, pw)
			session := sessionNameFor(m.flaws) + "=" + jarValue(t, c, p, sessionNameFor(m.flaws))
			req, _ := http.NewRequest(http.MethodPost, p.URL+"/account/delete", strings.NewReader(""))
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-origin delete without a token: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			form, _ := pageForm(t, c, p.URL+"/account/delete")
			resp, _ := do(t, c, http.MethodPost, p.URL+"/account/delete", form, "")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
				t.Fatalf("delete: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if got := p.Members(); slices.Contains(got, email) || len(got) != 3 {
				t.Errorf("Members() after delete: %v", got)
			}
			if r, _ := loginAs(t, p, newClient(t, p, true), email, pw); r.StatusCode != http.StatusOK {
				t.Errorf("the deleted member logs in: %d", r.StatusCode)
			}
			if r, _ := do(t, newClient(t, p, false), http.MethodGet, p.URL+"/dashboard", nil, session); r.StatusCode != http.StatusFound {
				t.Errorf("the deleted member's session: %d", r.StatusCode)
			}
			// A scanner's cleanup: an unverified account, a plain POST with
			// neither token nor Origin.
			email2, pw2 := testEmail("cleanup"), strongPassword()
			signup(t, p, email2, pw2)
			c2 := newClient(t, p, true)
			loginAs(t, p, c2, email2, pw2)
			if r, _ := do(t, c2, http.MethodPost, p.URL+"/account/delete", url.Values{}, ""); r.StatusCode != http.StatusSeeOther || slices.Contains(p.Members(), email2) {
				t.Errorf("scripted delete of an unverified account: %d, members %v", r.StatusCode, p.Members())
			}
		})
	}
}

// TestLoginLockoutAndLog: with LockoutAfter 3, the third wrong password in
// a row locks the account silently (the right password then gets the
// ordinary refusal, while an open session keeps working); without it
// nothing locks. Every attempt is logged with its outcome.
func TestLoginLockoutAndLog(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lockout int
		// last is the outcome of the right password after three wrong ones.
		last LoginOutcome
	}{
		{"locks after 3", 3, LoginLocked},
		{"never locks", 0, LoginOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Start(context.Background(), Options{Flaws: Hardened(), Dir: t.TempDir(), LockoutAfter: tc.lockout})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Close() })
			open := newClient(t, p, true)
			if resp, _ := loginAs(t, p, open, "alice@portal.test", password(t, p, "a")); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first login: %d", resp.StatusCode)
			}
			c := newClient(t, p, true)
			loginAs(t, p, c, "nobody@portal.test", "Wrong-password-1")
			for range 3 {
				loginAs(t, p, c, "ALICE@portal.test", "Wrong-password-1")
			}
			resp, _ := loginAs(t, p, c, "alice@portal.test", password(t, p, "a"))
			if locked := resp.StatusCode != http.StatusSeeOther; locked != (tc.last == LoginLocked) {
				t.Errorf("the right password after 3 wrong ones answered %d", resp.StatusCode)
			}
			if r, body := get(t, open, p.URL+"/dashboard"); r.StatusCode != http.StatusOK || !strings.Contains(body, "Welcome back") {
				t.Errorf("the session opened before the lockout: %d", r.StatusCode)
			}
			want := []LoginAttempt{
				{"alice@portal.test", LoginOK, true},
				{"nobody@portal.test", LoginUnknown, false},
				{"ALICE@portal.test", LoginWrongPassword, false},
				{"ALICE@portal.test", LoginWrongPassword, false},
				{"ALICE@portal.test", LoginWrongPassword, false},
				{"alice@portal.test", tc.last, true},
			}
			if got := p.Logins(); !slices.Equal(got, want) {
				t.Errorf("Logins() =\n%v\nwant\n%v", got, want)
			}
		})
	}
}
