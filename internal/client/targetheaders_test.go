package client

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestTargetHeaders: target.headers go on every request to the target's
// own origins, whatever sends it, and on no request anywhere else: not
// after a redirect to another origin, not to a host the scope admits for
// another reason; a secret one never over plain http to a portal served
// over https; a header the request sets itself wins.
func TestTargetHeaders(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{}
	record := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name+" "+r.URL.Path] = append(got[name+" "+r.URL.Path], r.Header.Get("X-Key")+"|"+r.Header.Get("X-Env"))
			mu.Unlock()
		})
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
			return
		}
		record("target").ServeHTTP(w, r)
	}))
	defer target.Close()
	secure := httptest.NewTLSServer(record("secure"))
	defer secure.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, Options{
		CAFile:        ca,
		TargetOrigins: []string{target.URL, secure.URL},
		TargetHeaders: []TargetHeader{{Name: "X-Key", Value: "k-secret", Secure: true}, {Name: "X-Env", Value: "staging"}},
	})
	ctx := context.Background()
	for _, req := range []*Request{
		{URL: target.URL + "/plain"},
		{URL: target.URL + "/own", Header: http.Header{"X-Env": {"mine"}}},
		{URL: target.URL + "/away", Follow: true},
		{URL: other.URL + "/direct"},
		{URL: secure.URL + "/tls"},
	} {
		if _, err := c.Do(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	// The standard client (platform SDK calls, the browser's proxy) goes
	// through the same exit.
	resp, err := c.HTTPClient().Get(target.URL + "/std")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := map[string][]string{
		// Over http the secret stays home; the literal goes.
		"target /plain": {"|staging"}, "target /own": {"|mine"}, "target /std": {"|staging"},
		"other /landed": {"|"}, "other /direct": {"|"},
		"secure /tls": {"k-secret|staging"},
	}
	mu.Lock()
	defer mu.Unlock()
	for k, v := range want {
		if len(got[k]) != 1 || got[k][0] != v[0] {
			t.Errorf("%s got headers %q, want %q", k, got[k], v)
		}
	}
}
