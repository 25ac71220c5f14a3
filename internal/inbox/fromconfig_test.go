package inbox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/config"
)

// TestFromConfigNeedsTheCallersNetwork: FromConfig builds no client or
// dialer of its own; without the caller's it refuses.
func TestFromConfigNeedsTheCallersNetwork(t *testing.T) {
	for _, ib := range []*config.Inbox{
		{Kind: "mailpit", URL: "http://127.0.0.1:8025"},
		{Kind: "builtin", URL: "http://127.0.0.1:8025"},
		{Kind: "imap", Host: "127.0.0.1:993"},
	} {
		if _, err := FromConfig(ib, Network{}); err == nil || !strings.Contains(err.Error(), "given") {
			t.Errorf("%s without a network: err = %v", ib.Kind, err)
		}
	}
}

// TestMailpitBasicAuthOnlyToItsOrigin: Mailpit's credentials go on every
// request to the inbox's origin and on none to another origin, even when
// the HTTP client given follows a redirect there (the scan's does not).
func TestMailpitBasicAuthOnlyToItsOrigin(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok || r.Header.Get("Authorization") != "" {
			elsewhere.Add(1)
		}
		fmt.Fprint(w, `{"messages": []}`)
	}))
	defer other.Close()
	var unauthorised atomic.Int64
	mp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "qa" || p != "s3cret-pass" {
			unauthorised.Add(1)
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/api/v1/messages" {
			http.Redirect(w, r, other.URL+"/api/v1/messages", http.StatusFound)
			return
		}
		fmt.Fprint(w, `{"messages": []}`)
	}))
	defer mp.Close()
	ib := &config.Inbox{Kind: "mailpit", URL: mp.URL, Username: config.Value{Value: "qa"}, Password: config.Secret{Value: "s3cret-pass"}}
	src, err := FromConfig(ib, Network{HTTP: &http.Client{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{{To: "qa@example.com"}, {}} { // search on the origin; list redirected away
		if _, err := src.Find(context.Background(), q); err != nil {
			t.Fatalf("Find(%+v): %v", q, err)
		}
	}
	if n := unauthorised.Load(); n != 0 {
		t.Errorf("%d requests reached Mailpit without its credentials", n)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the credentials went to another origin %d times", n)
	}
}
