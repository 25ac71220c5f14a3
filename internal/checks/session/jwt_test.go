package session

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

// jwtPortal issues a JWT session cookie and validates it with the given
// rules; claims and key vary per case.
type jwtPortal struct {
	key       []byte
	claims    jwt.MapClaims
	acceptAny bool // alg none accepted
	maxAge    int
}

func (p jwtPortal) handler() *checktest.Portal {
	return &checktest.Portal{
		OnLogin: func(w http.ResponseWriter, r *http.Request) {
			tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, p.claims).SignedString(p.key)
			c := &http.Cookie{Name: "tk", Value: tok, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: p.maxAge}
			http.SetCookie(w, c)
		},
		Authed: func(r *http.Request) bool {
			c, err := r.Cookie("tk")
			if err != nil {
				return false
			}
			if p.acceptAny && isNone(c.Value) {
				return true
			}
			t, err := jwt.Parse(c.Value, func(*jwt.Token) (any, error) { return p.key, nil }, jwt.WithValidMethods([]string{"HS256"}))
			return err == nil && t.Valid
		},
		Pages: map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": checktest.RedirectOrPage("Dashboard")},
	}
}

func isNone(tok string) bool {
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return false
	}
	var hdr struct{ Alg string }
	return json.Unmarshal(b, &hdr) == nil && strings.EqualFold(hdr.Alg, "none")
}

func strongKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func TestJWTAndLifetime(t *testing.T) {
	now := time.Now()
	good := jwt.MapClaims{"sub": "u1", "sid": "s1", "iat": now.Unix(), "exp": now.Add(8 * time.Hour).Unix()}
	tests := []struct {
		name     string
		p        jwtPortal
		jwt      check.Status
		lifetime check.Status
		in       string
	}{
		{"strong", jwtPortal{key: strongKey(), claims: good, maxAge: 28800}, check.Pass, check.Pass, ""},
		{"weak key, forged token accepted", jwtPortal{key: []byte("secret"), claims: good, maxAge: 28800}, check.Fail, check.Pass, "forged"},
		{"alg none accepted", jwtPortal{key: strongKey(), claims: good, acceptAny: true, maxAge: 28800}, check.Fail, check.Pass, "alg"},
		{"no exp", jwtPortal{key: strongKey(), claims: jwt.MapClaims{"sub": "u1", "iat": now.Unix()}}, check.Fail, check.Fail, "missing-exp"},
		{"month-long", jwtPortal{key: strongKey(), claims: jwt.MapClaims{"sub": "u1", "iat": now.Unix(), "exp": now.Add(30 * 24 * time.Hour).Unix()}, maxAge: 30 * 86400}, check.Pass, check.Fail, ""},
		{"role claim", jwtPortal{key: strongKey(), claims: jwt.MapClaims{"sub": "u1", "role": "member", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}, maxAge: 3600}, check.Warn, check.Pass, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, yaml := checktest.TLSServer(t, tt.p.handler())
			env := checktest.Env(t, yaml+checktest.Accounts)
			r := checktest.Run(t, JWT{}, env)
			if r.Status != tt.jwt {
				t.Errorf("SESS-006 = %s (%s), want %s", r.Status, r.Summary, tt.jwt)
			}
			all := r.Summary
			for _, ev := range r.Evidence {
				all += ev.Detail
				if strings.Contains(ev.Detail+ev.Repro, "eyJ") {
					t.Errorf("a token appears unredacted in evidence: %s", ev.Detail+ev.Repro)
				}
			}
			if !strings.Contains(all, tt.in) {
				t.Errorf("SESS-006 evidence lacks %q: %s", tt.in, all)
			}
			if l := checktest.Run(t, Lifetime{}, env); l.Status != tt.lifetime {
				t.Errorf("SESS-004 = %s (%s), want %s", l.Status, l.Summary, tt.lifetime)
			}
		})
	}
}

func TestJWTNotApplicableForOpaqueSessions(t *testing.T) {
	p := &checktest.Portal{
		SetCookies: []string{"zq=opaque-session-id-1" + strong},
		Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "zq", "opaque-session-id-1") },
		Pages:      map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": checktest.RedirectOrPage("Dashboard")},
	}
	_, yaml := checktest.TLSServer(t, p)
	env := checktest.Env(t, yaml+checktest.Accounts)
	if r := checktest.Run(t, JWT{}, env); r.Status != check.NA {
		t.Errorf("SESS-006 = %s, want N/A", r.Status)
	}
	// No lifetime visible at all: a warning, never a pass.
	if r := checktest.Run(t, Lifetime{}, env); r.Status != check.Warn {
		t.Errorf("SESS-004 = %s (%s), want WARN", r.Status, r.Summary)
	}
}
