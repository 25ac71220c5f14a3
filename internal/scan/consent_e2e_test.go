package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/fakes/supabase"
)

// seen records what a test server received.
type seen struct {
	mu   sync.Mutex
	reqs []string
	body []string
}

// add records r and leaves its body readable for the handler.
func (s *seen) add(r *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r.Method+" "+r.URL.Path)
	s.body = append(s.body, string(b))
}

func (s *seen) all() ([]string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs), strings.Join(s.body, "\n")
}

// profilePortal logs members in with a form and lets them read and PATCH
// their own profile (/api/me); every answer closes the connection, so each
// request dials anew.
func profilePortal(log *seen) http.Handler {
	var mu sync.Mutex
	profile := map[string]any{"display_name": "A", "role": "member"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		if r.Method != http.MethodGet {
			log.add(r)
		}
		authed := checktest.HasCookie(r, "sid", "member-a-session-0123456789")
		switch {
		case r.URL.Path == "/login" && r.Method == http.MethodPost:
			if r.FormValue("password") != "correct-horse" {
				fmt.Fprint(w, `<form method=post><input name=email><input type=password name=password></form>`)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "member-a-session-0123456789", Path: "/", HttpOnly: true})
			http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		case r.URL.Path == "/login":
			fmt.Fprint(w, `<form method=post action=/login><input name=email><input type=password name=password></form>`)
		case r.URL.Path == "/dashboard" && authed:
			fmt.Fprint(w, `<h1>Dashboard</h1><p>Your plan</p>`)
		case r.URL.Path == "/api/me" && authed:
			mu.Lock()
			defer mu.Unlock()
			if r.Method == http.MethodPatch {
				var in map[string]any
				_ = json.NewDecoder(r.Body).Decode(&in)
				if v, ok := in["display_name"]; ok {
					profile["display_name"] = v
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(profile)
		case r.URL.Path == "/dashboard" || r.URL.Path == "/api/me":
			http.Redirect(w, r, "/login", http.StatusFound)
		default:
			fmt.Fprint(w, `<h1>Welcome</h1>`)
		}
	})
}

// TestRebindingScan: portal.test answers 127.0.0.1 to the first query and
// 127.0.0.2 (a trap on the same port) to every later one. A whole
// intrusive scan sends the login password and the admin-escalation PATCH
// to the address vetted at the start, never to the trap.
func TestRebindingScan(t *testing.T) {
	var log, trapLog seen
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	portal := &httptest.Server{Listener: ln, Config: &http.Server{Handler: profilePortal(&log)}}
	portal.Start()
	defer portal.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	tln, err := net.Listen("tcp", "127.0.0.2:"+port)
	if err != nil {
		t.Skipf("127.0.0.2:%s not available: %v", port, err)
	}
	trap := &httptest.Server{Listener: tln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trapLog.add(r)
		w.Header().Set("Connection", "close")
		fmt.Fprint(w, `<h1>Dashboard</h1>`)
	})}}
	trap.Start()
	defer trap.Close()
	resolver := checktest.DNS(t, func(q dns.Question, n int) []string {
		if q.Qtype != dns.TypeA || q.Name != "portal.test." {
			return nil
		}
		if n == 1 {
			return []string{q.Name + " 1 IN A 127.0.0.1"}
		}
		return []string{q.Name + " 1 IN A 127.0.0.2"}
	})
	yaml := fmt.Sprintf(`target: {url: "http://portal.test:%s", resolver: %q}
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  protected: [/dashboard]
accounts:
  a: {email: a@portal.test, password: env:A}
profile: {path: /api/me, method: PATCH, json: {display_name: "{{canary}}"}}
`, port, resolver)
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return "correct-horse", true }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, Only: []string{"AUTHZ-006"}})
	if err != nil {
		t.Fatal(err)
	}
	r := run.Outcomes[0].Result
	t.Logf("AUTHZ-006 %s %s %s", r.Status, r.Summary, r.Reason)
	trapped, trapBodies := trapLog.all()
	if len(trapped) > 0 || strings.Contains(trapBodies, "correct-horse") {
		t.Errorf("the rebound address received %q", trapped)
	}
	got, _ := log.all()
	if !slices.Contains(got, "POST /login") || !slices.Contains(got, "PATCH /api/me") {
		t.Errorf("the portal received %q, want the login and the profile PATCH (the test proves nothing otherwise)", got)
	}
	if r.Status != check.Pass {
		t.Errorf("AUTHZ-006 = %s (%s)", r.Status, r.Reason)
	}
}

// TestPerHostConsentScan: the portal is on loopback (consent), but its
// Supabase project (sb.test) and the host its signup form posts to
// (accounts.test) are pinned to a documentation address off loopback and
// publish no proof. An intrusive scan writes nothing to either: the
// metadata PUT of AUTHZ-009, canary rows of AUTHZ-007 and the signup POST
// are refused before any connection and listed, while the reads, the
// platform sign-in and the portal's own journey go on.
func TestPerHostConsentScan(t *testing.T) {
	const uidA, uidB = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	pw := map[string]string{"PW_A": "pw-a-supabase-1", "PW_B": "pw-b-supabase-2"}
	project, err := supabase.New(supabase.Options{
		Users: []supabase.User{{ID: uidA, Email: "a@portal.test", Password: pw["PW_A"]}, {ID: uidB, Email: "b@portal.test", Password: pw["PW_B"]}},
		Tables: map[string]*supabase.Table{
			"profiles": {RLS: true, Rows: []map[string]any{{"user_id": uidA, "name": "A"}, {"user_id": uidB, "name": "B"}}},
		},
		MetadataRoleTrusted: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var dbLog, accountsLog seen
	db := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dbLog.add(r)
		project.ServeHTTP(w, r)
	}))
	defer db.Close()
	accounts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accountsLog.add(r)
		fmt.Fprint(w, "created")
	}))
	defer accounts.Close()
	_, dbPort, _ := net.SplitHostPort(db.Listener.Addr().String())
	_, accPort, _ := net.SplitHostPort(accounts.Listener.Addr().String())
	sbURL := "http://sb.test:" + dbPort
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/assets/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "const sb=createClient(%q,%q);sb.from('profiles').select();", sbURL, project.AnonKey())
		case "/signup":
			fmt.Fprintf(w, `<form method=post action="http://accounts.test:%s/register"><input name=email><input type=password name=password></form>`, accPort)
		default:
			fmt.Fprint(w, `<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>`)
		}
	}))
	defer app.Close()
	_, appPort, _ := net.SplitHostPort(app.Listener.Addr().String())
	resolver := checktest.DNS(t, checktest.A(map[string]string{"app.test": "127.0.0.1", "sb.test": remoteAddr, "accounts.test": remoteAddr}))
	yaml := fmt.Sprintf(`target: {url: "http://app.test:%s", scope: [app.test, accounts.test], resolver: %q}
auth:
  kind: supabase
  supabase: {url: %q, anon_key: %s}
  signup: {path: /signup, form: {email: "{{email}}", password: "{{password}}"}, verify: false, delete: none}
  inbox: {kind: mailpit, url: "http://127.0.0.1:1", address: "qa+{{tag}}@portal.test"}
accounts:
  a: {email: a@portal.test, password: env:PW_A}
  b: {email: b@portal.test, password: env:PW_B}
`, appPort, resolver, sbURL, project.AnonKey())
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) { v, ok := pw[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true,
		Only: []string{"AUTHZ-007", "AUTHZ-009", "AUTH-009"}, tune: []func(*client.Options){onLoopback}})
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]check.Result{}
	for _, o := range run.Outcomes {
		res[o.Meta.ID] = o.Result
		t.Logf("%s %s %s %s", o.Meta.ID, o.Result.Status, o.Result.Summary, o.Result.Reason)
	}
	if !run.Intrusive {
		t.Fatal("the loopback portal did not get consent: the test proves nothing")
	}
	dbReqs, _ := dbLog.all()
	for _, r := range dbReqs {
		method, path, _ := strings.Cut(r, " ")
		signIn := method == http.MethodPost && path == "/auth/v1/token"
		if method != http.MethodGet && method != http.MethodHead && !signIn {
			t.Errorf("the Supabase project off loopback received a write: %s", r)
		}
	}
	if !slices.ContainsFunc(dbReqs, func(r string) bool { return strings.HasPrefix(r, "HEAD /rest/v1/profiles") }) {
		t.Errorf("the project was not read at all (%q): the test proves nothing", dbReqs)
	}
	if got, _ := accountsLog.all(); len(got) > 0 {
		t.Errorf("the signup form's host off loopback received %q", got)
	}
	if r := res["AUTHZ-009"]; r.Status != check.Skip || !strings.Contains(r.Reason, "no consent to write") {
		t.Errorf("AUTHZ-009 = %s (%s), want SKIP for want of consent", r.Status, r.Reason)
	}
	if r := res["AUTHZ-007"]; r.Status != check.Pass {
		t.Errorf("AUTHZ-007 = %s (%s), want PASS from the reads alone", r.Status, r.Reason)
	}
	if !slices.ContainsFunc(run.NoConsent, func(s string) bool { return strings.Contains(s, "accounts.test") }) {
		t.Errorf("refused without consent: %q, want the signup POST to accounts.test", run.NoConsent)
	}
}
