package scan

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
)

func TestOwnershipToken(t *testing.T) {
	a, b := OwnershipToken("App.Example.com."), OwnershipToken("app.example.com")
	if a != b || !strings.HasPrefix(a, "launchready-verify=") || a == OwnershipToken("example.com") {
		t.Fatalf("tokens %q %q", a, b)
	}
}

// TestConsentNeedsProofOffLoopback treats the loopback test server as if it
// were remote: consent needs the well-known file, and says how otherwise.
func TestConsentNeedsProofOffLoopback(t *testing.T) {
	for _, serve := range []bool{false, true} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if serve && r.URL.Path == "/.well-known/launchready.txt" {
				fmt.Fprintln(w, OwnershipToken("127.0.0.1"))
				return
			}
			fmt.Fprint(w, "home")
		})
		srv, yaml := checktest.TLSServer(t, h)
		env := checktest.Env(t, yaml)
		remote := func(string) bool { return false }
		ok, note := consent(context.Background(), env.Client, srv.URL, remote)
		if ok != serve {
			t.Errorf("proof served=%v: consent=%v (%s)", serve, ok, note)
		}
		if !serve && !strings.Contains(note, "launchready token 127.0.0.1") {
			t.Errorf("note does not say how to prove ownership: %s", note)
		}
		if ok, _ := consent(context.Background(), env.Client, srv.URL, client.IsLoopback); !ok {
			t.Error("a loopback target was refused consent")
		}
	}
}
