package owner

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func key(b byte) Key { return Key(bytes.Repeat([]byte{b}, keyBytes)) }

var day = time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)

func TestValueAndCheck(t *testing.T) {
	k, other := key(1), key(2)
	v := k.Value("App.Example.com.", time.Time{})
	if !strings.HasPrefix(v, "lr1:") || strings.Contains(v, "exp=") || v != k.Value("app.example.com", time.Time{}) {
		t.Fatalf("value %q", v)
	}
	expiring := k.Value("app.example.com", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		name, domain, published string
		ok                      bool
		why                     string
	}{
		{"exact value", "app.example.com", v, true, ""},
		{"domain case and dot", "APP.example.com.", "  " + v + " ", true, ""},
		{"unexpired on its last day", "app.example.com", expiring, true, ""},
		{"another operator's key", "app.example.com", other.Value("app.example.com", time.Time{}), false, "another operator key"},
		{"another domain", "www.example.com", v, false, "another operator key"},
		{"expired", "app.example.com", k.Value("app.example.com", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)), false, "expired on 2026-12-06"},
		{"bad expiry", "app.example.com", v + ";exp=tomorrow", false, "not exp=YYYY-MM-DD"},
		{"old format", "app.example.com", "launchready-verify=abcdefghijklmnopqrstuvwxyz", false, "run `launchready token app.example.com`"},
		{"unrelated TXT", "app.example.com", "v=spf1 -all", false, "not a launchready proof"},
	}
	for _, tt := range tests {
		ok, why := k.Check(tt.domain, tt.published, day)
		if ok != tt.ok || !strings.Contains(why, tt.why) {
			t.Errorf("%s: Check = %v %q, want %v containing %q", tt.name, ok, why, tt.ok, tt.why)
		}
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir}
	getenv := func(k string) string { return env[k] }
	if _, _, err := Load(getenv); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Load without a key: %v", err)
	}
	k, where, made, err := LoadOrCreate(getenv)
	if err != nil || !made || len(k) != keyBytes {
		t.Fatalf("LoadOrCreate: %v %v %d", err, made, len(k))
	}
	if where != filepath.Join(dir, "launchready", "owner.key") {
		t.Errorf("key file %s", where)
	}
	st, err := os.Stat(where)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st.Mode(), err)
	}
	again, _, made, err := LoadOrCreate(getenv)
	if err != nil || made || !bytes.Equal(again, k) {
		t.Fatalf("second LoadOrCreate replaced the key: made=%v err=%v", made, err)
	}
	env[EnvKey] = key(7).String()
	fromEnv, src, err := Load(getenv)
	if err != nil || src != EnvKey || !bytes.Equal(fromEnv, key(7)) {
		t.Fatalf("env key: %v %s", err, src)
	}
	env[EnvKey] = "not-hex"
	if _, _, err := Load(getenv); err == nil || !strings.Contains(err.Error(), EnvKey) {
		t.Errorf("bad env key: %v", err)
	}
}

// TestVerifierReadsOnlySystemSources: the TXT record comes from the
// resolver given as the system's, and the well-known file only over HTTPS
// verified by the roots given as the system's; a file on a server signed
// by any other CA proves nothing.
func TestVerifierReadsOnlySystemSources(t *testing.T) {
	k := key(3)
	var served string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/launchready.txt" && served != "" {
			fmt.Fprintln(w, "# launchready\n"+served)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	trusted := x509.NewCertPool()
	trusted.AddCert(srv.Certificate())
	u, _ := url.Parse(srv.URL) // https://127.0.0.1:port
	noTXT := func(context.Context, string) ([]string, error) {
		return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
	}
	txt := func(v string) func(context.Context, string) ([]string, error) {
		return func(_ context.Context, name string) ([]string, error) {
			if name != "_launchready.127.0.0.1" {
				return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
			}
			return []string{"unrelated", v}, nil
		}
	}
	good := k.Value("127.0.0.1", time.Time{})
	tests := []struct {
		name   string
		v      Verifier
		served string
		ok     bool
		note   string
	}{
		{"TXT", Verifier{Key: k, LookupTXT: txt(good), Roots: trusted}, "", true, ""},
		{"well-known", Verifier{Key: k, LookupTXT: noTXT, Roots: trusted}, good, true, ""},
		{"nothing", Verifier{Key: k, LookupTXT: noTXT, Roots: trusted}, "", false, "launchready token 127.0.0.1"},
		{"well-known on a server the system does not trust", Verifier{Key: k, LookupTXT: noTXT}, good, false, "certificate"},
		{"another operator's TXT", Verifier{Key: key(4), LookupTXT: txt(good), Roots: trusted}, "", false, "another operator key"},
		{"old-format file", Verifier{Key: k, LookupTXT: noTXT, Roots: trusted}, "launchready-verify=abc", false, "old format"},
	}
	for _, tt := range tests {
		served = tt.served
		tt.v.Now = func() time.Time { return day }
		ok, note := tt.v.Prove(context.Background(), u)
		if ok != tt.ok || !strings.Contains(note, tt.note) {
			t.Errorf("%s: Prove = %v %q, want %v containing %q", tt.name, ok, note, tt.ok, tt.note)
		}
	}
	// A plain-http origin's proof is still read over https (port 443),
	// never over http.
	if got := wellKnown(&url.URL{Scheme: "http", Host: "app.example.com:8080"}); got != "https://app.example.com/.well-known/launchready.txt" {
		t.Errorf("wellKnown(http) = %s", got)
	}
}

func FuzzCheck(f *testing.F) {
	k := key(5)
	f.Add(k.Value("app.example.com", time.Time{}))
	f.Add(k.Value("app.example.com", day) + ";exp=2026-12-31;x")
	f.Add("lr1:;exp=")
	f.Fuzz(func(t *testing.T, published string) {
		ok, _ := k.Check("app.example.com", published, day)
		if ok && !strings.HasPrefix(strings.TrimSpace(published), k.Value("app.example.com", time.Time{})) {
			t.Fatalf("accepted %q", published)
		}
	})
}
