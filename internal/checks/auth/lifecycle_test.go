package auth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/checktest"
)

// stateful is a portal with server-side sessions and switchable flaws.
type stateful struct {
	mu          *sync.Mutex
	live        map[string]bool // session id -> logged in
	keepOnOut   bool            // logout only clears the cookie
	noRotation  bool            // login keeps the pre-login id (or a planted one)
	openNext    bool            // honour any next/redirect_to/returnTo
	backslashes bool            // honour only /\host spellings (a partial fix)
	noPreLogin  bool            // the login page sets no session cookie
}

func (s *stateful) portal() *checktest.Portal {
	s.mu = &sync.Mutex{}
	s.live = map[string]bool{}
	pre := []string{"sid=pre-" + journey.RandomToken() + "; Path=/; Secure; HttpOnly; SameSite=Lax"}
	if s.noPreLogin {
		pre = nil
	}
	return &checktest.Portal{
		PreLogin: pre,
		OnLogin: func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if c, err := r.Cookie("sid"); err == nil && s.noRotation {
				s.live[c.Value] = true
				return
			}
			id := "s-" + journey.RandomToken()
			s.live[id] = true
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		},
		OnLogout: func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if c, err := r.Cookie("sid"); err == nil && !s.keepOnOut {
				delete(s.live, c.Value)
			}
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
			http.Redirect(w, r, "/", http.StatusSeeOther)
		},
		Authed: func(r *http.Request) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			c, err := r.Cookie("sid")
			return err == nil && s.live[c.Value]
		},
		Next: func(r *http.Request) string {
			for _, p := range []string{"next", "redirect_to", "returnTo"} {
				v := r.FormValue(p)
				switch {
				case v == "":
				case s.openNext:
					return v
				case s.backslashes && strings.HasPrefix(v, `/\`):
					return v
				case strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && !strings.HasPrefix(v, `/\`):
					return v
				}
			}
			return "/dashboard"
		},
		Pages: map[string]pageFn{"/dashboard": checktest.RedirectOrPage("Dashboard")},
	}
}

const withLogout = "  logout: {path: /logout}\n"

func TestLifecycleChecks(t *testing.T) {
	tests := []struct {
		name  string
		flaws stateful
		check check.Check
		want  check.Status
		in    string
	}{
		{"logout kills the session", stateful{}, Logout{}, check.Pass, ""},
		{"logout only clears the cookie", stateful{keepOnOut: true}, Logout{}, check.Fail, "still open /dashboard"},
		{"login rotates the id", stateful{}, Rotation{}, check.Pass, "both the portal's pre-login value and a planted one were replaced"},
		{"no pre-login cookie", stateful{noPreLogin: true}, Rotation{}, check.Pass, "the login page set none of its own"},
		{"login keeps the pre-login id", stateful{noRotation: true}, Rotation{}, check.Fail, "kept the same value"},
		{"only local next accepted", stateful{}, OpenRedirect{}, check.Pass, ""},
		{"any next accepted", stateful{openNext: true}, OpenRedirect{}, check.Fail, "Location: https://" + evilHost},
		{"backslash spelling slips through", stateful{backslashes: true}, OpenRedirect{}, check.Fail, `Location: /\` + evilHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, yaml := checktest.TLSServer(t, tt.flaws.portal())
			acc := strings.Replace(checktest.Accounts, "  protected:", withLogout+"  protected:", 1)
			env := checktest.Env(t, yaml+acc)
			r := checktest.Run(t, tt.check, env)
			if r.Status != tt.want {
				t.Fatalf("%s = %s (%s), want %s", tt.check.Meta().ID, r.Status, r.Summary, tt.want)
			}
			if tt.want == check.Pass && !strings.Contains(r.Summary, tt.in) {
				t.Errorf("summary %q lacks %q", r.Summary, tt.in)
			}
			if tt.want == check.Fail {
				all := ""
				for _, ev := range r.Evidence {
					all += ev.Detail + "\n"
					if !strings.HasPrefix(ev.Repro, "curl ") {
						t.Errorf("evidence without repro: %+v", ev)
					}
					if strings.Contains(ev.Repro+ev.Detail, checktest.Password) {
						t.Error("password in evidence")
					}
				}
				if !strings.Contains(all, tt.in) {
					t.Errorf("evidence lacks %q:\n%s", tt.in, all)
				}
			}
		})
	}
}

// callback is an auth callback handler for the stateful portal: members are
// sent to next (any value when open, else only local paths); anonymous
// visitors to the login page, or to any next when anonOpen.
func callback(open, anonOpen bool) pageFn {
	return func(w http.ResponseWriter, r *http.Request, authed bool) {
		next := r.FormValue("next")
		switch {
		case next == "" || (!authed && !anonOpen):
			http.Redirect(w, r, "/login?error=callback", http.StatusFound)
		case (authed && open) || (!authed && anonOpen):
			// A two-step chain: the callback hands over to an inner
			// page, which is the one that leaves.
			http.Redirect(w, r, "/auth/continue?to="+url.QueryEscape(next), http.StatusFound)
		case strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, `/\`):
			http.Redirect(w, r, next, http.StatusFound)
		default:
			http.Redirect(w, r, "/dashboard", http.StatusFound)
		}
	}
}

func TestOpenRedirectCallbacks(t *testing.T) {
	tests := []struct {
		name     string
		path     string // where the portal serves its callback
		declared bool   // listed in auth.callbacks
		open     bool
		anonOpen bool
		want     check.Status
		in       string
	}{
		{"safe callback found at the default path", "/auth/callback", false, false, false, check.Pass, "auth callback /auth/callback"},
		{"open for members at the default path", "/auth/callback", false, true, false, check.Fail, "opened by member a with next="},
		{"open for anonymous visitors", "/api/auth/callback", false, false, true, check.Fail, "opened by an anonymous visitor"},
		{"open callback declared in config", "/oauth/return", true, true, false, check.Fail, "auth callback /oauth/return redirects"},
		{"undeclared callback elsewhere is not guessed", "/oauth/return", false, true, false, check.Pass, "none found at /auth/callback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stateful{}
			p := s.portal()
			p.Pages[tt.path] = callback(tt.open, tt.anonOpen)
			p.Pages["/auth/continue"] = func(w http.ResponseWriter, r *http.Request, _ bool) {
				http.Redirect(w, r, r.FormValue("to"), http.StatusFound)
			}
			_, yaml := checktest.TLSServer(t, p)
			acc := checktest.Accounts
			if tt.declared {
				acc = strings.Replace(acc, "  protected:", "  callbacks: ["+tt.path+"]\n  protected:", 1)
			}
			r := checktest.Run(t, OpenRedirect{}, checktest.Env(t, yaml+acc))
			if r.Status != tt.want {
				t.Fatalf("AUTH-010 = %s (%s), want %s", r.Status, r.Summary, tt.want)
			}
			all := r.Summary + "\n"
			for _, ev := range r.Evidence {
				all += ev.Detail + "\n"
				if !strings.HasPrefix(ev.Repro, "curl ") {
					t.Errorf("evidence without repro: %+v", ev)
				}
			}
			if !strings.Contains(all, tt.in) {
				t.Errorf("result lacks %q:\n%s", tt.in, all)
			}
			if tt.want == check.Fail && len(r.Evidence) != 1 {
				t.Errorf("%d evidence items, want 1 (one per callback and parameter): %+v", len(r.Evidence), r.Evidence)
			}
		})
	}
}

// TestOpenRedirectNeedsARealLogin: AUTH-010 judges a payload only on a
// login every other check believes (the session opens the protected page
// with member content). A portal that sets no cookie, or whose login
// answer leaves the portal (to a host outside the scope, to javascript:),
// while its dashboard renders for anyone, is ERROR with the reason, never
// a PASS on logins that never happened.
func TestOpenRedirectNeedsARealLogin(t *testing.T) {
	tests := []struct {
		name    string
		onLogin func(w http.ResponseWriter, r *http.Request)
	}{
		{"no cookie at all", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		}},
		{"every login leaves for a host outside the scope", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.2:9/welcome", http.StatusSeeOther)
		}},
		{"every login answers a javascript: Location", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "javascript:alert(1)")
			w.WriteHeader(http.StatusFound)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &checktest.Portal{
				Authed: func(*http.Request) bool { return true }, // a catch-all that greets anyone
				Pages: map[string]func(http.ResponseWriter, *http.Request, bool){
					"/dashboard": func(w http.ResponseWriter, _ *http.Request, _ bool) { checktest.MemberPage(w, "Dashboard") },
				},
				OnLogin: tt.onLogin,
			}
			_, yaml := checktest.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/login" && r.Method == http.MethodPost {
					_ = r.ParseForm()
					tt.onLogin(w, r)
					return
				}
				p.ServeHTTP(w, r)
			}))
			r := checktest.Run(t, OpenRedirect{}, checktest.Env(t, yaml+checktest.Accounts))
			if r.Status != check.Error {
				t.Fatalf("AUTH-010 = %s (%s), want ERROR", r.Status, r.Summary)
			}
			if !strings.Contains(r.Reason, "no session the other checks accept") && !strings.Contains(r.Reason, "member a") {
				t.Errorf("the reason does not say the login proved nothing: %s", r.Reason)
			}
		})
	}
}

// jwtPortal keeps members logged in with a signed JWT in a cookie and has
// no server-side session: its sign-out only forgets the token in the
// browser (auth.logout kind client). exp is the token's lifetime, 0 for
// none.
func jwtPortal(t *testing.T, exp time.Duration) *checktest.Portal {
	key := []byte(journey.RandomToken())
	return &checktest.Portal{
		OnLogin: func(w http.ResponseWriter, r *http.Request) {
			claims := jwt.MapClaims{"sub": "member-a", "iat": time.Now().Unix()}
			if exp > 0 {
				claims["exp"] = time.Now().Add(exp).Unix()
			}
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
			if err != nil {
				t.Error(err)
			}
			http.SetCookie(w, &http.Cookie{Name: "token", Value: tok, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		},
		Authed: func(r *http.Request) bool {
			c, err := r.Cookie("token")
			if err != nil {
				return false
			}
			_, err = jwt.Parse(c.Value, func(*jwt.Token) (any, error) { return key, nil }, jwt.WithValidMethods([]string{"HS256"}))
			return err == nil
		},
		Pages: map[string]pageFn{"/dashboard": checktest.RedirectOrPage("Dashboard")},
	}
}

// TestClientLogout: a sign-out that only forgets the token is judged by
// how long the token stays valid, never as a server logout that failed.
func TestClientLogout(t *testing.T) {
	for _, tc := range []struct {
		name     string
		exp      time.Duration
		lifetime string
		want     check.Status
		in       string
	}{
		{"15-minute token", 15 * time.Minute, "", check.Warn, "stays valid for up to 15m"},
		{"30-day token", 30 * 24 * time.Hour, "", check.Fail, "stays valid for 720h0m0s after it"},
		{"no exp, nothing declared", 0, "", check.Fail, "nothing bounds how long it stays valid"},
		{"no exp, lifetime declared", 0, "30m", check.Warn, "session.lifetime declares 30m0s"},
		{"no exp, long lifetime declared", 0, "336h", check.Fail, "stays valid for 336h0m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, yaml := checktest.TLSServer(t, jwtPortal(t, tc.exp))
			acc := strings.Replace(checktest.Accounts, "  protected:", "  logout: {kind: client}\n  protected:", 1)
			if tc.lifetime != "" {
				acc += "session: {lifetime: " + tc.lifetime + "}\n"
			}
			r := checktest.Run(t, Logout{}, checktest.Env(t, yaml+acc))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.in) {
				t.Errorf("AUTH-003 = %s (%s), want %s saying %q", r.Status, r.Summary, tc.want, tc.in)
			}
			if len(r.Evidence) == 0 || !strings.HasPrefix(r.Evidence[0].Repro, "curl ") {
				t.Errorf("no evidence with a repro: %+v", r.Evidence)
			}
		})
	}
}

// TestClientLogoutRefreshToken: a JSON login whose answer also hands out a
// refresh token, with a client-only sign-out: nothing revokes the refresh
// token, so even a 15-minute access token is no accepted pattern (FAIL);
// without a refresh token the short access token is a WARN.
func TestClientLogoutRefreshToken(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refresh bool
		want    check.Status
		in      string
	}{
		{"access token only", false, check.Warn, "stays valid for up to 15m"},
		{"with a refresh token", true, check.Fail, "refresh token (refresh_token) that nothing revokes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := []byte(journey.RandomToken())
			mux := http.NewServeMux()
			mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
				tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "a", "exp": time.Now().Add(15 * time.Minute).Unix()}).SignedString(key)
				answer := map[string]string{"token": tok}
				if tc.refresh {
					answer["refresh_token"] = "rt-" + journey.RandomToken()
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(answer)
			})
			mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
				_, err := jwt.Parse(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), func(*jwt.Token) (any, error) { return key, nil })
				if err != nil {
					http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"email":"a@portal.test","plan":"Community Pro","display_name":"Alice Anders"}`)
			})
			_, yaml := checktest.TLSServer(t, mux)
			cfg := yaml + `auth:
  kind: json
  login: {path: /api/login, json: {email: "{{email}}", password: "{{password}}"}}
  logout: {kind: client}
  protected: [/api/me]
session: {kind: token, from: token, header: Authorization, prefix: "Bearer "}
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`
			r := checktest.Run(t, Logout{}, checktest.Env(t, cfg))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.in) {
				t.Errorf("AUTH-003 = %s (%s), want %s saying %q", r.Status, r.Summary, tc.want, tc.in)
			}
		})
	}
}
