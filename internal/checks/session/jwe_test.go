package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

// jweSeal makes a compact JWE with alg dir and enc A256GCM, as Auth.js
// (next-auth v4) seals its session cookie.
func jweSeal(t *testing.T, key []byte, claims string) string {
	b64 := base64.RawURLEncoding
	header := b64.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM"}`))
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	iv := make([]byte, gcm.NonceSize())
	rand.Read(iv)
	sealed := gcm.Seal(nil, iv, []byte(claims), []byte(header))
	ct, tag := sealed[:len(sealed)-16], sealed[len(sealed)-16:]
	return header + ".." + b64.EncodeToString(iv) + "." + b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

// jweOpen checks and decrypts a compact JWE made by jweSeal.
func jweOpen(key []byte, tok string) bool {
	b64 := base64.RawURLEncoding
	p := strings.Split(tok, ".")
	if len(p) != 5 {
		return false
	}
	iv, err1 := b64.DecodeString(p[2])
	ct, err2 := b64.DecodeString(p[3])
	tag, err3 := b64.DecodeString(p[4])
	if err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	if len(iv) != gcm.NonceSize() {
		return false
	}
	_, err := gcm.Open(nil, iv, append(ct, tag...), []byte(p[0]))
	return err == nil
}

// TestEncryptedSessionJWT: an encrypted session JWT (JWE) is judged on
// what can be tested from outside: a tampered copy and an unsigned token
// must be refused. Today's code called it "not a JWT" (N/A).
func TestEncryptedSessionJWT(t *testing.T) {
	for _, tc := range []struct {
		name          string
		authenticated bool
		want          check.Status
		in            string
	}{
		{"authenticated encryption", true, check.Pass, "session JWT is encrypted: cookie session-token (alg dir, enc A256GCM)"},
		{"any five-part token accepted", false, check.Fail, "a tampered or unsigned token is accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := make([]byte, 32)
			rand.Read(key)
			p := &checktest.Portal{
				OnLogin: func(w http.ResponseWriter, r *http.Request) {
					http.SetCookie(w, &http.Cookie{Name: "session-token", Value: jweSeal(t, key, `{"sub":"a","exp":4102444800}`),
						Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
				},
				Authed: func(r *http.Request) bool {
					c, err := r.Cookie("session-token")
					if err != nil {
						return false
					}
					if !tc.authenticated {
						return strings.Count(c.Value, ".") == 4 || strings.Count(c.Value, ".") == 2
					}
					return jweOpen(key, c.Value)
				},
				Pages: map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": checktest.RedirectOrPage("Dashboard")},
			}
			_, yaml := checktest.TLSServer(t, p)
			r := checktest.Run(t, JWT{}, checktest.Env(t, yaml+checktest.Accounts))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.in) {
				t.Errorf("SESS-006 = %s (%s), want %s saying %q", r.Status, r.Summary, tc.want, tc.in)
			}
		})
	}
}
