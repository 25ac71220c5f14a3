package demo

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func jsonUnmarshal(body string, v any) error { return json.Unmarshal([]byte(body), v) }

// segment decodes one part of a compact JWT.
func segment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func tokenClaims(t *testing.T, tok string) map[string]any { t.Helper(); return segment(t, tok, 1) }

// encodeSegment base64url-encodes v's JSON.
func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// replay fetches path with only the given session cookie value.
func replay(t *testing.T, p *Portal, name, value, path string) (*http.Response, string) {
	t.Helper()
	return do(t, newClient(t, p, false), http.MethodGet, p.URL+path, nil, name+"="+value)
}

// weakKey is the key a JWT cracking list tries first.
func weakKey() []byte { return []byte("secret") }

func TestSessionJWTShape(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			resp := freshLogin(t, p, "alice@portal.test", password(t, p, "a"))
			ck := cookieOf(resp, sessionNameFor(m.flaws))
			if h := segment(t, ck.Value, 0); len(h) != 2 || h["alg"] != "HS256" || h["typ"] != "JWT" {
				t.Errorf("header %v", h)
			}
			cl := tokenClaims(t, ck.Value)
			keys := slices.Sorted(maps.Keys(cl))
			want := []string{"exp", "iat", "sid", "sub"}
			if m.flaws.SensitiveClaims {
				want = []string{"email", "exp", "iat", "is_admin", "role", "sid", "sub"}
				if cl["email"] != "alice@portal.test" || cl["role"] != "member" || cl["is_admin"] != false {
					t.Errorf("sensitive claims %v", cl)
				}
			}
			if !slices.Equal(keys, want) {
				t.Errorf("claims %v, want keys %v", cl, want)
			}
			life := map[bool]time.Duration{true: 30 * 24 * time.Hour, false: 8 * time.Hour}[m.flaws.LongSessions]
			if got := time.Duration(cl["exp"].(float64)-cl["iat"].(float64)) * time.Second; got != life || ck.MaxAge != int(life.Seconds()) {
				t.Errorf("exp - iat = %v, Max-Age %d, want %v", got, ck.MaxAge, life)
			}
			_, err := jwt.Parse(ck.Value, func(*jwt.Token) (any, error) { return weakKey(), nil }, jwt.WithValidMethods([]string{"HS256"}))
			if weak := err == nil; weak != m.flaws.WeakJWTSecret {
				t.Errorf("verifies with the key %q: %v (%v)", weakKey(), weak, err)
			}
			if !m.flaws.WeakJWTSecret && !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
				t.Errorf("want a signature error, got %v", err)
			}
		})
	}
}

func TestJWTAlgNone(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			name := sessionNameFor(m.flaws)
			_, resp := login(t, p, "a")
			tok := cookieOf(resp, name).Value
			payload := strings.Split(tok, ".")[1]
			other, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(tokenClaims(t, tok))).SignedString(randomBytes(32))
			if err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name, token string
				accepted    bool
			}{
				{"the login's own token", tok, true},
				{"alg none", encodeSegment(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + payload + ".", m.flaws.JWTAlgNone},
				{"alg NONE", encodeSegment(t, map[string]string{"alg": "NONE"}) + "." + payload + ".", m.flaws.JWTAlgNone},
				{"alg None", encodeSegment(t, map[string]string{"alg": "None", "typ": "JWT"}) + "." + payload + ".", m.flaws.JWTAlgNone},
				{"alg none with a signature", encodeSegment(t, map[string]string{"alg": "none"}) + "." + payload + ".c2ln", false},
				{"alg none without the last dot", encodeSegment(t, map[string]string{"alg": "none"}) + "." + payload, false},
				{"HS256 with another key", other, false},
			}
			for _, tc := range cases {
				r, _ := replay(t, p, name, tc.token, "/dashboard")
				if (r.StatusCode == http.StatusOK) != tc.accepted {
					t.Errorf("%s: %d, accepted want %v", tc.name, r.StatusCode, tc.accepted)
				}
			}
		})
	}
}

func TestJWTExpiryAndSid(t *testing.T) {
	p := startPortal(t, Flawed())
	_, resp := login(t, p, "a")
	cl := tokenClaims(t, cookieOf(resp, "pm").Value)
	sign := func(edit func(jwt.MapClaims)) string {
		c := jwt.MapClaims(maps.Clone(cl))
		edit(c)
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(weakKey())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name     string
		edit     func(jwt.MapClaims)
		accepted bool
	}{
		{"same claims, re-signed", func(jwt.MapClaims) {}, true},
		{"extra claim", func(c jwt.MapClaims) { c["launchready"] = "forged" }, true},
		{"expired", func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }, false},
		{"no exp", func(c jwt.MapClaims) { delete(c, "exp") }, false},
		{"unknown sid", func(c jwt.MapClaims) { c["sid"] = randomHex(16) }, false},
		{"another member's sub", func(c jwt.MapClaims) { c["sub"] = "mbr_0000000000000000" }, false},
	}
	for _, tc := range cases {
		if r, _ := replay(t, p, "pm", sign(tc.edit), "/dashboard"); (r.StatusCode == http.StatusOK) != tc.accepted {
			t.Errorf("%s: %d, accepted want %v", tc.name, r.StatusCode, tc.accepted)
		}
	}
}

func TestAdminTrustsClaims(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			name := sessionNameFor(m.flaws)
			_, resp := login(t, p, "a")
			tok := cookieOf(resp, name).Value
			if r, _ := replay(t, p, name, tok, "/admin"); r.StatusCode != http.StatusForbidden {
				t.Errorf("/admin as a member: %d, want 403", r.StatusCode)
			}
			admin := jwt.MapClaims(tokenClaims(t, tok))
			admin["role"], admin["is_admin"] = "admin", true
			key := weakKey()
			if !m.flaws.WeakJWTSecret {
				key = p.app.sessionKeys.key // what a leaked key would allow
			}
			forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, admin).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			r, body := replay(t, p, name, forged, "/admin")
			if m.flaws.SensitiveClaims != (r.StatusCode == http.StatusOK && strings.Contains(body, "Admin console")) {
				t.Errorf("/admin with role admin and is_admin true in the token: %d", r.StatusCode)
			}
			if !m.flaws.SensitiveClaims && r.StatusCode != http.StatusForbidden {
				t.Errorf("hardened /admin with forged admin claims: %d, want 403", r.StatusCode)
			}
		})
	}
}

func TestVerifierUnit(t *testing.T) {
	key := randomBytes(32)
	now := time.Unix(1_800_000_000, 0)
	good := signHS256(key, claims{Sub: "m", Sid: "s", Iat: numericDate(now.Unix()), Exp: numericDate(now.Add(time.Hour).Unix())})
	head, payload := strings.Split(good, ".")[0], strings.Split(good, ".")[1]
	noneHead := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"nOnE"}`))
	hs512Head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512"}`))
	frac := base64.RawURLEncoding.EncodeToString([]byte(`{"sid":"s","iat":1800000000.5,"exp":1800003600.25}`))
	cases := []struct {
		name               string
		token              string
		strict, permissive bool
	}{
		{"good", good, true, true},
		{"fractional dates", noneHead + "." + frac + ".", false, true},
		{"alg nOnE", noneHead + "." + payload + ".", false, true},
		{"HS512 header", hs512Head + "." + payload + "." + strings.Split(good, ".")[2], false, false},
		{"tampered payload", head + "." + frac + "." + strings.Split(good, ".")[2], false, false},
		{"two parts", head + "." + payload, false, false},
		{"garbage", "a.b.c", false, false},
		{"huge", strings.Repeat("a", maxTokenLen+1), false, false},
	}
	for _, tc := range cases {
		_, err := verifier{key: key}.verify(tc.token, now)
		_, errNone := verifier{key: key, allowNone: true}.verify(tc.token, now)
		if (err == nil) != tc.strict || (errNone == nil) != tc.permissive {
			t.Errorf("%s: strict %v, allowNone %v", tc.name, err, errNone)
		}
	}
	if _, err := (verifier{key: key}).verify(good, now.Add(2*time.Hour)); err == nil {
		t.Error("an expired token verified")
	}
}
