package tls

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
)

// chain builds a response from "STATUS URL [LOCATION]" hop specs.
func chain(specs ...string) *client.Response {
	resp := &client.Response{}
	for _, s := range specs {
		f := strings.Fields(s)
		var st int
		fmt.Sscan(f[0], &st)
		h := client.Hop{Method: "GET", Status: st, URL: f[1]}
		if len(f) > 2 {
			h.Location = f[2]
		}
		resp.Hops = append(resp.Hops, h)
		resp.StatusCode = st
		resp.URL, _ = url.Parse(f[1])
	}
	return resp
}

func TestJudgeUpgrade(t *testing.T) {
	tests := []struct {
		name string
		resp *client.Response
		loop string
		want check.Status
	}{
		{"straight to https", chain("301 http://a.test/ https://a.test/", "200 https://a.test/"), "", check.Pass},
		{"served over http", chain("200 http://a.test/"), "", check.Fail},
		{"http hop then https", chain("301 http://www.a.test/ http://a.test/", "301 http://a.test/ https://a.test/", "200 https://a.test/"), "", check.Warn},
		{"ends on http", chain("301 http://www.a.test/ http://a.test/", "200 http://a.test/"), "", check.Fail},
		{"loop on http", chain("301 http://a.test/ http://b.test/", "301 http://b.test/ http://a.test/"), "loop", check.Fail},
		{"redirect without Location", chain("302 http://a.test/"), "", check.Fail},
	}
	for _, tt := range tests {
		if got, detail := judgeUpgrade(tt.resp, tt.loop); got != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, got, detail, tt.want)
		}
	}
}

func TestJudgeCanonical(t *testing.T) {
	const want = "https://a.test:443"
	tests := []struct {
		name      string
		resp      *client.Response
		loop      string
		canonical bool
		ok        bool
	}{
		{"one hop", chain("301 http://www.a.test/ https://a.test/", "200 https://a.test/"), "", false, true},
		{"one hop then same-origin redirect", chain("301 http://www.a.test/ https://a.test/", "302 https://a.test/ https://a.test/login", "200 https://a.test/login"), "", false, true},
		{"default port spelled out", chain("301 http://www.a.test/ https://a.test:443/", "200 https://a.test:443/"), "", false, true},
		{"chain", chain("301 http://www.a.test/ https://www.a.test/", "301 https://www.a.test/ https://a.test/", "200 https://a.test/"), "", false, false},
		{"serves itself", chain("200 https://www.a.test/"), "", false, false},
		{"loop", chain("301 https://www.a.test/ https://b.a.test/", "301 https://b.a.test/ https://www.a.test/"), "loop: x", false, false},
		{"ends elsewhere", chain("301 https://www.a.test/ https://b.a.test/", "200 https://b.a.test/"), "", false, false},
		{"canonical serves", chain("200 https://a.test/"), "", true, true},
		{"canonical redirects away", chain("301 https://a.test/ https://www.a.test/", "200 https://www.a.test/"), "", true, false},
		{"canonical hands over to an external login", chain("302 https://a.test/ https://login.provider.test/", "200 https://login.provider.test/"), "", true, true},
		{"bounce back to a variant", chain("301 http://www.a.test/ https://a.test/", "301 https://a.test/ https://www.a.test/", "200 https://www.a.test/"), "", false, false},
	}
	for _, tt := range tests {
		variants := map[string]bool{want: true, "https://www.a.test:443": true, "http://www.a.test:80": true}
		problem := judgeCanonical(tt.resp, tt.loop, want, tt.canonical, variants)
		if (problem == "") != tt.ok {
			t.Errorf("%s: problem %q, want ok=%v", tt.name, problem, tt.ok)
		}
	}
}

// TestRedirectChecksLive runs both checks against real servers: a TLS
// canonical origin and plain-HTTP variants, one good, one serving content,
// one looping.
func TestRedirectChecksLive(t *testing.T) {
	canon, yaml := checktest.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "home")
	}))
	good := httptest.NewServer(http.RedirectHandler(canon.URL+"/", http.StatusMovedPermanently))
	defer good.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "home over http") }))
	defer plain.Close()
	var loop *httptest.Server
	loop = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := "/b"
		if r.URL.Path == "/b" {
			next = "/a"
		}
		http.Redirect(w, r, loop.URL+next, http.StatusFound)
	}))
	defer loop.Close()

	tests := []struct {
		name     string
		variants []string
		tls003   check.Status
		tls004   check.Status
		mention  string
	}{
		{"good", []string{good.URL}, check.Pass, check.Pass, ""},
		{"plain http content", []string{good.URL, plain.URL}, check.Fail, check.Fail, plain.URL},
		{"loop", []string{loop.URL + "/a"}, check.Fail, check.Fail, "loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(yaml, "  scope:", "  variants: ["+strings.Join(tt.variants, ", ")+"]\n  scope:", 1)
			env := checktest.Env(t, y)
			for _, c := range []struct {
				check check.Check
				want  check.Status
			}{{HTTPSRedirect{}, tt.tls003}, {Canonical{}, tt.tls004}} {
				r := checktest.Run(t, c.check, env)
				if r.Status != c.want {
					t.Errorf("%s = %s (%s), want %s", c.check.Meta().ID, r.Status, r.Summary, c.want)
					continue
				}
				if r.Status == check.Fail {
					all := r.Summary
					for _, ev := range r.Evidence {
						all += ev.Detail
					}
					if !strings.Contains(all, tt.mention) || !strings.Contains(all, "1. GET") {
						t.Errorf("%s evidence lacks %q or the hop list: %s", c.check.Meta().ID, tt.mention, all)
					}
				}
			}
		})
	}
}

func TestVariantURLs(t *testing.T) {
	env := checktest.Env(t, "target:\n  url: https://a.test\n  variants: [https://www.a.test, https://app.a.test:8443, http://a.test]\n")
	got := strings.Join(variantURLs(env), " ")
	want := "https://a.test https://www.a.test https://app.a.test:8443 http://a.test http://www.a.test"
	if got != want {
		t.Errorf("variants\n got %s\nwant %s", got, want)
	}
}

func TestCanonicalWithoutVariantsSkips(t *testing.T) {
	env := checktest.Env(t, "target:\n  url: https://127.0.0.1:8443\n")
	if r := checktest.Run(t, Canonical{}, env); r.Status != check.Skip || r.Enable == "" {
		t.Fatalf("got %s (%s), want SKIP with what enables it", r.Status, r.Summary)
	}
}
