package secrets

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
)

// site is a live portal for the frontend checks: files by path (some for
// members only), the checktest login, and what unknown paths get.
type site struct {
	files map[string]file
	// catchAll answers every unknown path 200 with this page (a
	// single-page app's fallback); echo puts the path in it.
	catchAll string
	echo     bool
	requests atomic.Int64
}

type file struct {
	ctype, body string
	member      bool
}

func (s *site) handler() http.Handler {
	p := &checktest.Portal{
		SetCookies: []string{"sid=member-a; Path=/; HttpOnly"},
		Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "sid", "member-a") },
		Pages:      map[string]func(http.ResponseWriter, *http.Request, bool){},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if f, ok := s.files[r.URL.Path]; ok {
			if f.member && !p.Authed(r) {
				http.Redirect(w, r, "/login", http.StatusFound)
				return
			}
			w.Header().Set("Content-Type", f.ctype)
			fmt.Fprint(w, f.body)
			return
		}
		switch {
		case r.URL.Path == "/login" || r.URL.Path == "/":
			p.ServeHTTP(w, r)
		case s.catchAll != "":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			body := s.catchAll
			if s.echo {
				body = strings.Replace(body, "</body>", "<p>Nothing at "+r.URL.Path+"</p></body>", 1)
			}
			fmt.Fprint(w, body)
		default:
			http.NotFound(w, r)
		}
	})
}

const (
	js   = "text/javascript; charset=utf-8"
	html = "text/html; charset=utf-8"
	text = "text/plain; charset=utf-8"
)

// liveEnv starts the site and builds a scan's env for it, member a
// included.
func liveEnv(t *testing.T, s *site) *check.Env {
	t.Helper()
	_, yaml := checktest.TLSServer(t, s.handler())
	return checktest.Env(t, yaml+checktest.Accounts)
}

// heldBody reports whether a response still holds a body, its own or a
// hop's.
func heldBody(resp *client.Response) bool {
	if resp == nil {
		return false
	}
	held := resp.Body != nil
	for _, h := range resp.Hops {
		held = held || h.Body != nil
	}
	return held
}

// serviceRoleJWT is a Supabase-style service_role key built at test time.
func serviceRoleJWT(t *testing.T) string {
	enc := base64.RawURLEncoding.EncodeToString
	head := enc([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := enc([]byte(`{"iss":"supabase","ref":"` + strings.ToLower(randBody(t, 20)) + `","role":"service_role","iat":1760000000,"exp":2075000000}`))
	return head + "." + body + "." + enc([]byte(randBody(t, 32)))
}

// sourceMap builds a v3 map embedding the sources (name → text).
func sourceMap(t *testing.T, names []string, texts []string) string {
	m := map[string]any{"version": 3, "file": "app.js", "sources": names, "names": []string{}, "mappings": "AAAA"}
	if texts != nil {
		m["sourcesContent"] = texts
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFrontendFindsEachSecretOnce: a key in the bundle, one in a module it
// imports, one in a framework payload, one in a script only members load
// and one only in the source map are each found once, where the browser
// gets them; the bundle's key repeated in the map is the same finding; the
// publishable key is no finding; no value reaches the output.
func TestFrontendFindsEachSecretOnce(t *testing.T) {
	bundleKey, chunkKey, memberKey, mapKey := liveKey(t), liveKey(t), liveKey(t), liveKey(t)
	payloadJWT := serviceRoleJWT(t)
	pk := "pk_" + "live_" + randBody(t, 24)
	s := &site{files: map[string]file{
		"/home": {ctype: html, body: `<html><head><script type="module" src="/static/app.js"></script>` + "\n" +
			`<script id="__NEXT_DATA__" type="application/json">{"props":{"serviceKey":"` + payloadJWT + `"}}</script></head>` +
			`<body><a href="/logout">Log out</a></body></html>`},
		"/static/app.js": {ctype: js, body: "import { x } from \"./chunk-1.js\";\nconst cfg = {stripeKey: \"" + pk + "\",\n  stripeSecret: \"" +
			bundleKey + "\"};\n//# sourceMappingURL=app.js.map\n"},
		"/static/chunk-1.js": {ctype: js, body: "export const x = 1;\nconst billing = \"" + chunkKey + "\";\n"},
		"/static/app.js.map": {ctype: "application/json", body: sourceMap(t, []string{"src/app.js", "src/config.js"},
			[]string{"const stripeSecret = \"" + bundleKey + "\";\n", "// server config\nexport const payouts = \"" + mapKey + "\";\n"})},
		"/dashboard":        {member: true, ctype: html, body: `<html><body><script src="/static/member.js"></script><h1>Dashboard</h1></body></html>`},
		"/static/member.js": {member: true, ctype: js, body: "const k = \"" + memberKey + "\";\n"},
		"/logout":           {ctype: html, body: "<html><body>bye</body></html>"},
	}}
	s.files["/"] = file{ctype: html, body: `<html><body><a href="/home">Home</a><a href="/logout">Log out</a></body></html>`}
	env := liveEnv(t, s)
	r := checktest.Run(t, Frontend{}, env)
	if r.Status != check.Fail {
		t.Fatalf("SEC-003 = %s (%s), want FAIL", r.Status, r.Summary)
	}
	t.Logf("%s\n%+v", r.Summary, r.Evidence[0])
	if !strings.HasPrefix(r.Summary, "5 secrets (in 6 places) in ") || !strings.Contains(r.Summary, "1 browser key seen") {
		t.Errorf("summary: %s", r.Summary)
	}
	want := map[string]string{
		"/static/app.js":                   "in script fetched as anonymous",
		"/static/chunk-1.js":               "in script",
		"/home <script> #2":                "Next.js __NEXT_DATA__ payload",
		"/static/member.js":                "fetched as member a",
		"/static/app.js.map!src/config.js": "in source map",
		// The bundle's key again in its map: one value, its second place
		// an item of its own (with its fingerprint) naming the first.
		"/static/app.js.map!src/app.js": "the same Stripe live secret key sk_l… as in /static/app.js line 3",
	}
	for _, ev := range r.Evidence {
		w, ok := want[ev.Location.File]
		if !ok || !strings.Contains(ev.Detail, w) || ev.Request == "" || !strings.HasPrefix(ev.Repro, "curl ") {
			t.Errorf("unexpected evidence %+v", ev)
		}
		delete(want, ev.Location.File)
	}
	if len(want) > 0 {
		t.Errorf("not found: %v", want)
	}
	for i, ev := range r.Evidence {
		if ev.Fingerprint == "" || ev.Location.File == "/static/app.js.map!src/app.js" &&
			(i == 0 || r.Evidence[i-1].Location.File != "/static/app.js" || ev.Fingerprint != "/static/app.js.map!src/app.js:stripe-access-token:1") {
			t.Errorf("evidence %d: want a fingerprint on each, the map's place of the bundle key right after the bundle's: %+v", i, ev)
		}
	}
	out, _ := json.Marshal(r)
	for _, v := range []string{bundleKey, chunkKey, memberKey, mapKey, payloadJWT} {
		if strings.Contains(string(out), v) || strings.Contains(string(out), v[8:20]) {
			t.Errorf("a found value reached the result: %s…", v[:6])
		}
	}
	if s.requests.Load() > 60 {
		t.Errorf("%d requests for a 7-file site", s.requests.Load())
	}
	// The crawl serves the whole scan: it keeps what it found, never the
	// bodies it read.
	fe, err := crawl(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range fe.assets {
		if heldBody(a.resp) {
			t.Errorf("the crawl keeps the body of %s for the whole scan", a.label)
		}
	}
	for _, m := range fe.maps {
		if heldBody(m.resp) {
			t.Errorf("the crawl keeps the body of the map %s for the whole scan", m.path)
		}
	}
	if m := checktest.Run(t, SourceMaps{}, env); m.Status != check.Fail || !strings.Contains(m.Summary, "/static/app.js.map") ||
		!strings.Contains(m.Evidence[0].Detail, "names 2 original files and carries the source text of 2") {
		t.Errorf("SEC-004 = %s (%s) %+v", m.Status, m.Summary, m.Evidence)
	}
}

// TestFrontendCleanAndCatchAll: a single-page app that answers its index
// for every path, with only a publishable key: no secret, no map (the
// index served for app.js.map is no map), no exposed file.
func TestFrontendCleanAndCatchAll(t *testing.T) {
	index := `<html><head><script src="/assets/index-4f2a.js"></script></head><body><div id="root"></div></body></html>`
	s := &site{catchAll: index, files: map[string]file{
		"/assets/index-4f2a.js": {ctype: js, body: "const stripe = \"pk_" + "live_" + randBody(t, 24) + "\";\n"},
	}}
	env := liveEnv(t, s)
	for _, tc := range []struct {
		c    check.Check
		want string
	}{
		{Frontend{}, "no secrets in "},
		{SourceMaps{}, "no public source map for 1 script"},
		{Exposed{}, "the portal answers 200 for any path"},
	} {
		r := checktest.Run(t, tc.c, env)
		if r.Status != check.Pass || !strings.Contains(r.Summary, tc.want) {
			t.Errorf("%s = %s (%s), want PASS with %q", tc.c.Meta().ID, r.Status, r.Summary, tc.want)
		}
	}
}

// TestHiddenAndInlineSourceMaps: a map beside the bundle without a comment
// is found; one without source text is a WARN; an inline data: map with
// sources FAILs.
func TestHiddenAndInlineSourceMaps(t *testing.T) {
	inline := base64.StdEncoding.EncodeToString([]byte(sourceMap(t, []string{"src/a.js"}, []string{"let a = 1;\n"})))
	for _, tc := range []struct {
		name  string
		files map[string]file
		want  check.Status
		say   string
	}{
		{"names only, no comment", map[string]file{
			"/static/app.js":     {ctype: js, body: "let a=1;\n"},
			"/static/app.js.map": {ctype: "application/json", body: sourceMap(t, []string{"src/a.js", "src/b.js"}, nil)},
		}, check.Warn, "naming the original files"},
		{"inline data: map", map[string]file{
			"/static/app.js": {ctype: js, body: "let a=1;\n//# sourceMappingURL=data:application/json;charset=utf-8;base64," + inline + "\n"},
		}, check.Fail, "/static/app.js (inline source map)"},
		{"JSON error for the map", map[string]file{
			"/static/app.js":     {ctype: js, body: "let a=1;\n//# sourceMappingURL=app.js.map\n"},
			"/static/app.js.map": {ctype: "application/json", body: `{"error":"not found"}`},
		}, check.Pass, "no public source map for 1 script"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["/"] = file{ctype: html, body: `<html><body><script src="/static/app.js"></script></body></html>`}
			tc.files["/dashboard"] = file{member: true, ctype: html, body: "<html><body>Dashboard</body></html>"}
			r := checktest.Run(t, SourceMaps{}, liveEnv(t, &site{files: tc.files}))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.say) {
				t.Errorf("SEC-004 = %s (%s), want %s with %q", r.Status, r.Summary, tc.want, tc.say)
			}
		})
	}
}

// TestExposedFiles: each served sensitive file is proved by its content
// and named without its values; look-alikes are not findings.
func TestExposedFiles(t *testing.T) {
	dbPass := randBody(t, 20)
	key := liveKey(t)
	dotenv := "# production\nNODE_ENV=production\nDATABASE_URL=postgres://app:" + dbPass + "@db.internal.example:5432/app\nSTRIPE_SECRET_KEY=" + key + "\n"
	listing := `<html><head><title>Index of /static/</title></head><body><h1>Index of /static/</h1><a href="../">../</a><a href="app.js">app.js</a><a href="backup.zip">backup.zip</a></body></html>`
	for _, tc := range []struct {
		name  string
		files map[string]file
		want  check.Status
		say   []string
	}{
		{".env", map[string]file{"/.env": {ctype: text, body: dotenv}}, check.Fail,
			[]string{"3 variables (NODE_ENV, DATABASE_URL, STRIPE_SECRET_KEY)", "Stripe", "rotate first"}},
		{"git HEAD and config", map[string]file{
			"/.git/HEAD":   {ctype: text, body: "ref: refs/heads/main\n"},
			"/.git/config": {ctype: text, body: "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://deploy:" + dbPass + "@git.example.com/portal.git\n"},
		}, check.Fail, []string{"refs/heads/main", "remote on git.example.com WITH CREDENTIALS IN THE URL"}},
		{"SQL dump", map[string]file{"/dump.sql": {ctype: "application/sql", body: "CREATE TABLE members (id int);\nINSERT INTO members VALUES (1);\n"}},
			check.Fail, []string{"a SQL dump", "2 table or row statements"}},
		{"config.json with a secret", map[string]file{"/config.json": {ctype: "application/json", body: `{"stripe":{"secret":"` + key + `"}}`}},
			check.Fail, []string{"a JSON config with keys stripe"}},
		{"config.json without one", map[string]file{"/config.json": {ctype: "application/json", body: `{"theme":"dark","apiBase":"/api"}`}},
			check.Pass, []string{"served without a secret inside: /config.json"}},
		{"directory listing", map[string]file{"/static/": {ctype: html, body: listing}}, check.Warn,
			[]string{"directory listing"}},
		{"an HTML page at /.env", map[string]file{"/.env": {ctype: html, body: "<html><body><h1>Environment</h1><p>Our values</p></body></html>"}},
			check.Pass, []string{"no exposed files among"}},
		{"a blog post about SQL at /dump.sql", map[string]file{"/dump.sql": {ctype: html, body: "<!doctype html><html><body>How to INSERT INTO a table</body></html>"}},
			check.Pass, []string{"no exposed files"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["/"] = file{ctype: html, body: "<html><body>home</body></html>"}
			r := checktest.Run(t, Exposed{}, liveEnv(t, &site{files: tc.files}))
			out, _ := json.Marshal(r)
			if r.Status != tc.want {
				t.Fatalf("SEC-005 = %s (%s), want %s\n%s", r.Status, r.Summary, tc.want, out)
			}
			for _, s := range tc.say {
				if !strings.Contains(strings.ToLower(string(out)), strings.ToLower(s)) {
					t.Errorf("result does not say %q: %s", s, out)
				}
			}
			if strings.Contains(string(out), dbPass) || strings.Contains(string(out), key) {
				t.Errorf("a value reached the result: %s", out)
			}
			if tc.want == check.Fail && (r.Evidence[0].Request == "" || !strings.HasPrefix(r.Evidence[0].Repro, "curl ")) {
				t.Errorf("evidence without request or repro: %+v", r.Evidence[0])
			}
		})
	}
	// A catch-all that echoes the path is recognised, and no file is
	// judged served from it.
	s := &site{catchAll: "<html><body><h1>Portal</h1></body></html>", echo: true, files: map[string]file{}}
	if r := checktest.Run(t, Exposed{}, liveEnv(t, s)); r.Status != check.Pass {
		t.Errorf("echoing catch-all: %s (%s)", r.Status, r.Summary)
	}
}

// TestKeysByMeaning: publishable live keys pass with their controls
// named; a test-mode key on the live portal fails.
func TestKeysByMeaning(t *testing.T) {
	for _, tc := range []struct {
		name, bundle string
		want         check.Status
		say          string
	}{
		{"live publishable", "const pk = \"pk_" + "live_" + randBody(t, 24) + "\";\n", check.Pass,
			"1 browser key in the live frontend, all publishable and in live mode: Stripe live publishable key pk_l… in /static/app.js line 1: grants nothing"},
		{"test-mode publishable", "const pk = \"pk_" + "test_" + randBody(t, 24) + "\";\n", check.Fail,
			"ships 1 test-mode key: Stripe test-mode publishable key in /static/app.js"},
		{"none", "let a = 1;\n", check.Pass, "no publishable third-party key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &site{files: map[string]file{
				"/":              {ctype: html, body: `<html><body><script src="/static/app.js"></script></body></html>`},
				"/dashboard":     {member: true, ctype: html, body: "<html><body>Dashboard</body></html>"},
				"/static/app.js": {ctype: js, body: tc.bundle},
			}}
			r := checktest.Run(t, Keys{}, liveEnv(t, s))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.say) {
				t.Errorf("SEC-008 = %s (%s), want %s with %q", r.Status, r.Summary, tc.want, tc.say)
			}
		})
	}
}

// TestNoFrontend: an API that answers JSON everywhere has no HTML page to
// read: SKIP naming target.pages (issue 13, defect 11: it was N/A); a
// target whose pages all fail is ERROR, never a pass.
func TestNoFrontend(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
	})
	_, yaml := checktest.TLSServer(t, api)
	env := checktest.Env(t, yaml)
	for _, c := range []check.Check{Frontend{}, SourceMaps{}, Keys{}} {
		if r := checktest.Run(t, c, env); r.Status != check.Skip || !strings.Contains(r.Enable, "target.pages") {
			t.Errorf("%s on a JSON API = %s (%s; %s), want SKIP naming target.pages", c.Meta().ID, r.Status, r.Summary, r.Enable)
		}
	}
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	_, yaml = checktest.TLSServer(t, broken)
	if r := checktest.Run(t, Frontend{}, checktest.Env(t, yaml)); r.Status != check.Error {
		t.Errorf("SEC-003 on a broken portal = %s (%s), want ERROR", r.Status, r.Summary)
	}
}

// TestSkippedForScopeIsNoPass: what the portal's pages and scripts name on
// hosts outside target.scope is listed and never fetched, and keeps the
// check that would have judged it from passing: a source map a script
// names there (SEC-004), a script of the portal's own site there (SEC-003).
// A third-party script is listed and not judged.
func TestSkippedForScopeIsNoPass(t *testing.T) {
	var trapHits atomic.Int64
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { trapHits.Add(1) }))
	defer trap.Close()
	_, trapPort, _ := net.SplitHostPort(trap.Listener.Addr().String())
	elsewhere := "http://127.0.0.2:" + trapPort
	tests := []struct {
		name       string
		page, js   string
		sec3, sec4 check.Status
		listed     string
	}{
		{"map named on another host", `<script src="/app.js"></script>`,
			"console.log(1)\n//# sourceMappingURL=" + elsewhere + "/app.js.map", check.Pass, check.Skip, elsewhere + "/app.js.map"},
		{"script of the portal's own site outside the scope", `<script src="http://cdn.portal.test:` + trapPort + `/app.js"></script>`,
			"", check.Skip, check.Pass, "http://cdn.portal.test:" + trapPort + "/app.js"},
		{"third-party script", `<script src="` + elsewhere + `/widget.js"></script><script src="/app.js"></script>`,
			"console.log(1)", check.Pass, check.Pass, elsewhere + "/widget.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &site{files: map[string]file{
				"/":       {ctype: html, body: "<html><body>" + tt.page + "</body></html>"},
				"/app.js": {ctype: js, body: tt.js},
			}}
			srv := httptest.NewServer(s.handler())
			defer srv.Close()
			_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
			dns := checktest.DNS(t, checktest.A(map[string]string{"app.portal.test": "127.0.0.1", "cdn.portal.test": "127.0.0.1"}))
			env := checktest.Env(t, fmt.Sprintf("target: {url: \"http://app.portal.test:%s\", scope: [app.portal.test], resolver: %q}\n", port, dns))
			r3 := checktest.Run(t, Frontend{}, env)
			r4 := checktest.Run(t, SourceMaps{}, env)
			if r3.Status != tt.sec3 || r4.Status != tt.sec4 {
				t.Errorf("SEC-003 %s (%s %s), SEC-004 %s (%s %s); want %s, %s", r3.Status, r3.Summary, r3.Reason, r4.Status, r4.Summary, r4.Reason, tt.sec3, tt.sec4)
			}
			if all := r3.Summary + r3.Reason + r4.Summary + r4.Reason; !strings.Contains(all, tt.listed) {
				t.Errorf("%s is not listed: %s", tt.listed, all)
			}
		})
	}
	if n := trapHits.Load(); n != 0 {
		t.Errorf("the hosts outside the scope received %d requests", n)
	}
}

// TestCrawlStartsAtTargetPages: target.pages are the crawl's starting
// points (issue 13, defect 8): a portal whose home is its JSON API and
// whose app lives elsewhere has its bundle scanned from there; from the
// home and login pages alone it is never seen.
func TestCrawlStartsAtTargetPages(t *testing.T) {
	s := &site{files: map[string]file{
		"/":          {ctype: "application/json", body: `{"api":"v1"}`},
		"/ui/":       {ctype: html, body: `<html><body><script src="/ui/app.js"></script></body></html>`},
		"/ui/app.js": {ctype: js, body: `const key = "sk_` + `live_` + randBody(t, 24) + `";` + "\n"},
		"/dashboard": {member: true, ctype: "application/json", body: `{"me":"a"}`},
	}}
	_, yaml := checktest.TLSServer(t, s.handler())
	without := checktest.Env(t, yaml+checktest.Accounts)
	// From / (JSON) and the login page alone, the bundle is never seen.
	if r := checktest.Run(t, Frontend{}, without); r.Status != check.Pass {
		t.Errorf("SEC-003 without target.pages = %s (%s), want PASS on the login page alone", r.Status, r.Summary)
	}
	with := checktest.Env(t, strings.Replace(yaml, "target:\n", "target:\n  pages: [/ui/]\n", 1)+checktest.Accounts)
	r := checktest.Run(t, Frontend{}, with)
	named := false
	for _, ev := range r.Evidence {
		named = named || strings.Contains(ev.Detail, "/ui/app.js")
	}
	if r.Status != check.Fail || !named {
		t.Errorf("SEC-003 with target.pages = %s (%s), want FAIL naming /ui/app.js", r.Status, r.Summary)
	}
}
