package scan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/owner"
)

// remoteAddr is a documentation address (RFC 5737): a host pinned to it is
// not on loopback. Tests dial it on loopback through client.Options.DialAddr,
// so nothing ever leaves the machine.
const remoteAddr = "192.0.2.10"

// onLoopback maps connections to remoteAddr onto 127.0.0.1, same port.
func onLoopback(o *client.Options) {
	o.DialAddr = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, _ := net.SplitHostPort(addr)
		if host == remoteAddr {
			addr = net.JoinHostPort("127.0.0.1", port)
		} else if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test dialer: refusing %s, off the machine", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// envWith builds a scan's env from YAML with the client tuned.
func envWith(t *testing.T, yaml string, tune ...func(*client.Options)) *check.Env {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return checktest.Password, true }})
	if err != nil {
		t.Fatal(err)
	}
	cl, ss, err := client.FromConfig(cfg, "test", tune...)
	if err != nil {
		t.Fatal(err)
	}
	return &check.Env{Config: cfg, Client: cl, Sessions: ss}
}

func TestConsentOnLoopbackNeedsNoKey(t *testing.T) {
	_, yaml := checktest.TLSServer(t, http.NotFoundHandler())
	env := checktest.Env(t, yaml)
	ok, note := consent(context.Background(), env, nil, owner.ErrNoKey)
	if !ok {
		t.Fatalf("a loopback target was refused consent: %s", note)
	}
}

// TestConsentNeedsTheOperatorsProof: a target off loopback gets consent
// only from the operator's own lr1: value, read through the system's
// resolver; a proof that target.resolver serves (the operator's own
// choice), a value in the old format or one made with another key proves
// nothing.
func TestConsentNeedsTheOperatorsProof(t *testing.T) {
	k := owner.Key([]byte("0123456789abcdef0123456789abcdef"))
	good := k.Value("portal.example", time.Time{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "home")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// target.resolver answers the A record and, as a forger would, the
	// proof itself.
	resolver := checktest.DNS(t, func(q dns.Question, _ int) []string {
		switch {
		case q.Qtype == dns.TypeA && q.Name == "portal.example.":
			return []string{q.Name + " 60 IN A " + remoteAddr}
		case q.Qtype == dns.TypeTXT && q.Name == "_launchready.portal.example.":
			return []string{q.Name + ` 60 IN TXT "` + good + `"`}
		}
		return nil
	})
	yaml := fmt.Sprintf("target:\n  url: http://portal.example:%s\n  resolver: %s\n", port, resolver)
	system := func(published ...string) *owner.Verifier {
		return &owner.Verifier{Key: k, LookupTXT: func(_ context.Context, name string) ([]string, error) {
			if name != "_launchready.portal.example" || len(published) == 0 {
				return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
			}
			return published, nil
		}, Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("no well-known file in this test")
		}}
	}
	tests := []struct {
		name string
		v    *owner.Verifier
		ok   bool
		note string
	}{
		{"proof only through target.resolver", system(), false, "launchready token portal.example"},
		{"the operator's proof through the system resolver", system(good), true, ""},
		{"old format", system("launchready-verify=aaaaaaaaaaaaaaaaaaaaaaaaaa"), false, "old format"},
		{"another operator's value", system(owner.Key([]byte("fedcba9876543210fedcba9876543210")).Value("portal.example", time.Time{})), false, "another operator key"},
	}
	for _, tt := range tests {
		env := envWith(t, yaml, onLoopback)
		ok, note := consent(context.Background(), env, tt.v, nil)
		if ok != tt.ok || !strings.Contains(note, tt.note) {
			t.Errorf("%s: consent = %v %q, want %v containing %q", tt.name, ok, note, tt.ok, tt.note)
		}
	}
	env := envWith(t, yaml, onLoopback)
	if ok, note := consent(context.Background(), env, nil, owner.ErrNoKey); ok || !strings.Contains(note, "launchready token") {
		t.Errorf("no operator key: consent = %v %q", ok, note)
	}
}

// TestPlatformConsentFollowsTheProvenPortal: a Supabase project off
// loopback gets writes only when the portal is proven by the operator's
// proof, the config names the project and the portal's frontend uses that
// same project; a portal proven only by being on loopback extends nothing.
func TestPlatformConsentFollowsTheProvenPortal(t *testing.T) {
	k := owner.Key([]byte("0123456789abcdef0123456789abcdef"))
	sb := httptest.NewServer(http.NotFoundHandler())
	defer sb.Close()
	_, sbPort, _ := net.SplitHostPort(sb.Listener.Addr().String())
	project := "http://sb.test:" + sbPort
	for _, tc := range []struct {
		name, portalAddr, frontendProject string
		proven, want                      bool
	}{
		{"proven portal using the project", remoteAddr, project, true, true},
		{"proven portal using another project", remoteAddr, "http://other.test:" + sbPort, true, false},
		{"portal without proof", remoteAddr, project, false, false},
		{"portal on loopback", "127.0.0.1", project, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/app.js" {
					fmt.Fprintf(w, "const sb=createClient(%q,'anon-key');", tc.frontendProject)
					return
				}
				fmt.Fprint(w, `<html><script src="/app.js"></script></html>`)
			}))
			defer app.Close()
			_, appPort, _ := net.SplitHostPort(app.Listener.Addr().String())
			resolver := checktest.DNS(t, checktest.A(map[string]string{"app.test": tc.portalAddr, "sb.test": remoteAddr}))
			yaml := fmt.Sprintf("target: {url: \"http://app.test:%s\", resolver: %q}\nauth:\n  supabase: {url: %q, anon_key: env:K}\n",
				appPort, resolver, project)
			env := envWith(t, yaml, onLoopback)
			v := &owner.Verifier{Key: k, LookupTXT: func(context.Context, string) ([]string, error) {
				if tc.proven {
					return []string{k.Value("app.test", time.Time{})}, nil
				}
				return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
			}, Dial: func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("no file") }}
			if ok, note := consent(context.Background(), env, v, nil); ok != (tc.proven || tc.portalAddr == "127.0.0.1") {
				t.Fatalf("consent for the portal = %v: %s", ok, note)
			}
			u, _ := url.Parse(project + "/rest/v1/notes")
			if got, how := env.Client.Consent(context.Background(), u); got != tc.want {
				t.Errorf("consent for the project = %v (%s), want %v", got, how, tc.want)
			}
		})
	}
}
