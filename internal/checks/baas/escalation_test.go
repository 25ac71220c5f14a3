package baas

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/fakes/firebase"
	"github.com/launchready/launchready/internal/fakes/supabase"
	"github.com/launchready/launchready/internal/runner"
)

const (
	idA = "11111111-1111-4111-8111-111111111111"
	idB = "22222222-2222-4222-8222-222222222222"
)

// portalFrontend serves a portal home page whose inline script names a table
// the project's OpenAPI root hides under HideRoot, and a collection.
func portalFrontend(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html><head><title>Portal</title></head><body><div id="app"></div><script>
const { data } = await supabase.from('invoices').select('*').limit(20);
const snap = await getDocs(collection(db, "notes"));
</script></body></html>`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// counted wraps a handler and counts the requests whose path holds part.
type counted struct {
	h    http.Handler
	part string
	n    atomic.Int64
}

func (c *counted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, c.part) {
		c.n.Add(1)
	}
	c.h.ServeHTTP(w, r)
}

// supabaseEnv starts a Supabase fake and a frontend and returns the fake
// and an env whose members log in there (auth.kind supabase).
func supabaseEnv(t *testing.T, opts supabase.Options, intrusive bool) (*supabase.Server, *check.Env) {
	t.Helper()
	return supabaseEnvAuth(t, opts, intrusive, "  kind: supabase\n", nil)
}

// supabaseEnvAuth is supabaseEnv with the auth lines before the
// supabase section given, and the project behind wrap when set.
func supabaseEnvAuth(t *testing.T, opts supabase.Options, intrusive bool, auth string, wrap func(http.Handler) http.Handler) (*supabase.Server, *check.Env) {
	t.Helper()
	sb, err := supabase.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = sb
	if wrap != nil {
		h = wrap(sb)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := checktest.Env(t, fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n%s  supabase: {url: %s, anon_key: %s}\n"+
		"accounts:\n  a: {email: a@portal.test, password: env:A}\n  b: {email: b@portal.test, password: env:B}\n", portalFrontend(t), auth, srv.URL, sb.AnonKey()))
	if intrusive {
		checktest.Intrusive(env)
	}
	return sb, env
}

// supabaseProject: a and b own rows in RLS tables; a has none in audit.
func supabaseProject(trusted bool) supabase.Options {
	return supabase.Options{
		MetadataRoleTrusted: trusted,
		Users: []supabase.User{
			{ID: idA, Email: "a@portal.test", Password: checktest.Password, UserMetadata: map[string]any{"name": "Alice", "role": "member"}},
			{ID: idB, Email: "b@portal.test", Password: checktest.Password},
		},
		Tables: map[string]*supabase.Table{
			"invoices": {RLS: true, Rows: []map[string]any{{"user_id": idA, "total": 10}, {"user_id": idB, "total": 20}, {"user_id": idB, "total": 30}}},
			"audit":    {RLS: true, Rows: []map[string]any{{"user_id": idB, "event": "login"}}},
			"news":     {Rows: []map[string]any{{"title": "hello"}}},
		},
	}
}

// TestSelfEscalationSupabase: with policies that trust user_metadata the
// check fails naming the tables that opened; without, it passes. Either
// way a's metadata is as before, no row was copied and nothing is left
// for clean-up.
func TestSelfEscalationSupabase(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted bool
		hide    bool
		want    check.Status
		summary []string
	}{
		{"policies trust user_metadata", true, false, check.Fail, []string{"table invoices: 1 row before, 3 rows after",
			"table audit: 0 rows before, 1 row after", "use app_metadata or a roles table"}},
		{"table named only by the frontend", true, true, check.Fail, []string{"table invoices: 1 row before, 3 rows after"}},
		{"policies read auth.uid()", false, false, check.Pass, []string{"user_metadata is user-writable by design", "no policy trusted it",
			"restored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := supabaseProject(tc.trusted)
			opts.HideRoot = tc.hide
			sb, env := supabaseEnv(t, opts, true)
			r := checktest.Run(t, SelfEscalation{}, env)
			if r.Status != tc.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			for _, s := range tc.summary {
				if !strings.Contains(r.Summary, s) {
					t.Errorf("summary %q lacks %q", r.Summary, s)
				}
			}
			if tc.hide && strings.Contains(r.Summary, "audit") {
				t.Errorf("a table neither listed nor named was probed: %s", r.Summary)
			}
			if r.Table == nil || len(r.Table.Rows) < 2 || r.Table.Rows[0].Cells[0] != "yes (200)" ||
				r.Table.Rows[0].Cells[1] != "yes, in a fresh token" {
				t.Errorf("table %+v", r.Table)
			}
			if left := env.RunDeferred(context.Background()); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
			u, _ := sb.UserByEmail("a@portal.test")
			if want := map[string]any{"name": "Alice", "role": "member"}; fmt.Sprint(u.UserMetadata) != fmt.Sprint(want) {
				t.Errorf("a's user_metadata after the check: %v, want %v", u.UserMetadata, want)
			}
			for _, table := range []string{"invoices", "audit", "news"} {
				if n := sb.RowsReturned(table); n != 0 {
					t.Errorf("%d rows of %s copied; counts must come from headers", n, table)
				}
			}
			noTokens(t, r, sb.AnonKey())
		})
	}
}

// TestSelfEscalationBesideFormLogin: a portal with its own login form
// whose browser code talks to a Supabase project: member a logs in to
// the project with the same credentials.
func TestSelfEscalationBesideFormLogin(t *testing.T) {
	sb, env := supabaseEnvAuth(t, supabaseProject(true), true, "  login: {path: /login}\n", nil)
	r := checktest.Run(t, SelfEscalation{}, env)
	if r.Status != check.Fail || !strings.Contains(r.Summary, "table invoices: 1 row before, 3 rows after") {
		t.Fatalf("status %s (%s), want FAIL naming invoices", r.Status, r.Summary)
	}
	if left := env.RunDeferred(context.Background()); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if u, _ := sb.UserByEmail("a@portal.test"); u.UserMetadata["role"] != "member" || u.UserMetadata["is_admin"] != nil {
		t.Errorf("metadata not restored: %v", u.UserMetadata)
	}
}

// refusePuts refuses the listed PUT /auth/v1/user requests (counting
// from 1) with 422, as a project hook might.
func refusePuts(refuse ...int) func(http.Handler) http.Handler {
	var n atomic.Int64
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.URL.Path == "/auth/v1/user" {
				i := int(n.Add(1))
				for _, x := range refuse {
					if x == i {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusUnprocessableEntity)
						io.WriteString(w, `{"code":422,"error_code":"validation_failed","msg":"refused by a hook"}`)
						return
					}
				}
			}
			h.ServeHTTP(w, r)
		})
	}
}

// TestSelfEscalationMetadataRefused: a project that refuses the metadata
// update passes, with nothing to restore.
func TestSelfEscalationMetadataRefused(t *testing.T) {
	_, env := supabaseEnvAuth(t, supabaseProject(true), true, "  kind: supabase\n", refusePuts(1, 2, 3))
	r := checktest.Run(t, SelfEscalation{}, env)
	if r.Status != check.Pass || !strings.Contains(r.Summary, "refused member a's user_metadata update (422)") {
		t.Fatalf("status %s (%s)", r.Status, r.Summary)
	}
	if got := r.Table.Rows[0].Cells[0]; got != "no (422)" {
		t.Errorf("cell %q", got)
	}
	if left := env.RunDeferred(context.Background()); len(left) != 0 {
		t.Errorf("clean-up tried to restore a refused write: %v", left)
	}
}

// TestSelfEscalationRestoreRetried: a restore refused during the check
// is said so in the evidence and done again at clean-up.
func TestSelfEscalationRestoreRetried(t *testing.T) {
	sb, env := supabaseEnvAuth(t, supabaseProject(true), true, "  kind: supabase\n", refusePuts(2))
	r := checktest.Run(t, SelfEscalation{}, env)
	if r.Status != check.Fail {
		t.Fatalf("status %s (%s)", r.Status, r.Summary)
	}
	var said bool
	for _, e := range r.Evidence {
		said = said || strings.Contains(e.Detail, "failed (PUT /auth/v1/user answered 422); it is retried at clean-up")
	}
	if !said {
		t.Errorf("the failed restore is not in the evidence: %+v", r.Evidence)
	}
	if u, _ := sb.UserByEmail("a@portal.test"); u.UserMetadata["role"] != "admin" {
		t.Fatalf("the wrapper did not refuse the restore: %v", u.UserMetadata)
	}
	if left := env.RunDeferred(context.Background()); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if u, _ := sb.UserByEmail("a@portal.test"); u.UserMetadata["role"] != "member" || u.UserMetadata["admin"] != nil {
		t.Errorf("not restored at clean-up: %v", u.UserMetadata)
	}
}

// noTokens: no member's JWT (access or ID token) appears in the
// evidence. The publishable anon key may: the browser holds it too, and a
// repro needs it.
func noTokens(t *testing.T, r check.Result, anonKey string) {
	t.Helper()
	if len(r.Evidence) == 0 {
		t.Error("no evidence")
	}
	for _, e := range r.Evidence {
		for _, s := range []string{e.Request, e.Detail, e.Repro} {
			if anonKey != "" {
				s = strings.ReplaceAll(s, anonKey, "")
			}
			if strings.Contains(s, "eyJ") {
				t.Errorf("a token in the evidence: %s", s)
			}
		}
	}
}

// firebaseEnv starts a Firebase fake (behind wrap, when set) and returns
// the fake, the Firestore request counter and an env (auth.kind
// firebase).
func firebaseEnv(t *testing.T, opts firebase.Options, wrap func(http.Handler) http.Handler) (*firebase.Server, *counted, *check.Env) {
	t.Helper()
	fb, err := firebase.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &counted{h: fb, part: "/firestore.googleapis.com/"}
	var h http.Handler = c
	if wrap != nil {
		h = wrap(c)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := checktest.Env(t, fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n  kind: firebase\n  firebase:\n    api_key: %s\n"+
		"    project_id: %s\n    endpoints: {identity: %[4]s/identitytoolkit.googleapis.com, securetoken: %[4]s/securetoken.googleapis.com, "+
		"firestore: %[4]s/firestore.googleapis.com, storage: %[4]s/firebasestorage.googleapis.com}\n"+
		"accounts:\n  a: {email: a@portal.test, password: env:A}\n", portalFrontend(t), fb.APIKey(), fb.ProjectID(), srv.URL))
	checktest.Intrusive(env)
	return fb, c, env
}

// firebaseProject: owner rules over notes and invoices, a profile
// document for a when profile is set.
func firebaseProject(rules firebase.Rules, fromProfile bool, profile map[string]any) firebase.Options {
	colls := map[string][]firebase.Doc{
		"notes":    {{ID: "n1", Fields: map[string]any{"owner": "uidA", "body": "a's note"}}, {ID: "n2", Fields: map[string]any{"owner": "uidB", "body": "b's note"}}},
		"invoices": {{ID: "i1", Fields: map[string]any{"owner": "uidB", "total": 20}}},
		"users":    {{ID: "uidB", Fields: map[string]any{"name": "B", "role": "member"}}},
	}
	if profile != nil {
		colls["users"] = append(colls["users"], firebase.Doc{ID: "uidA", Fields: profile})
	}
	return firebase.Options{
		Users:     []firebase.User{{UID: "uidA", Email: "a@portal.test", Password: checktest.Password}, {UID: "uidB", Email: "b@portal.test", Password: "pw-b-other"}},
		Firestore: firebase.Firestore{Rules: rules, RoleFromProfile: fromProfile, Collections: colls},
	}
}

// TestSelfEscalationFirebase: custom claims are refused by Firebase (as
// production does); a role read from the profile document the member
// writes fails the check, naming the collections that opened. The
// profile is restored (deleted when the check created it), and each
// Firestore answer carried at most one document.
func TestSelfEscalationFirebase(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rules       firebase.Rules
		fromProfile bool
		profile     map[string]any
		want        check.Status
		summary     []string
		// write is the profile row's "accepted" cell.
		write string
	}{
		{"role read from the profile", firebase.RulesOwner, true, map[string]any{"name": "A", "role": "member"}, check.Fail,
			[]string{"collection notes: denied (403) before, 2 or more documents after", "collection users", "rules read the role from a document the member writes"}, "yes (200)"},
		{"role read from a profile the check creates", firebase.RulesOwner, true, nil, check.Fail, []string{"collection notes"}, "yes (200)"},
		{"owner rules", firebase.RulesOwner, false, map[string]any{"name": "A"}, check.Pass,
			[]string{"refused custom claims", "no rule trusted it"}, "yes (200)"},
		{"locked rules", firebase.RulesLocked, false, map[string]any{"name": "A"}, check.Pass,
			[]string{"refused custom claims", "refused member a reading its own users/{uid} document (403)"}, "not tried"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb, fsReqs, env := firebaseEnv(t, firebaseProject(tc.rules, tc.fromProfile, tc.profile), nil)
			r := checktest.Run(t, SelfEscalation{}, env)
			if r.Status != tc.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			for _, s := range tc.summary {
				if !strings.Contains(r.Summary, s) {
					t.Errorf("summary %q lacks %q", r.Summary, s)
				}
			}
			if r.Table == nil || len(r.Table.Rows) < 2 {
				t.Fatalf("table %+v", r.Table)
			}
			if got := r.Table.Rows[0].Cells[0]; got != "no (400 INSUFFICIENT_PERMISSION)" {
				t.Errorf("custom claims cell %q", got)
			}
			if got := r.Table.Rows[1].Cells[0]; got != tc.write {
				t.Errorf("profile write cell %q, want %q", got, tc.write)
			}
			if left := env.RunDeferred(context.Background()); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
			d, ok := fb.Doc("users", "uidA")
			switch {
			case tc.profile == nil && ok:
				t.Errorf("the profile the check created is still there: %v", d.Fields)
			case tc.profile != nil && fmt.Sprint(d.Fields) != fmt.Sprint(tc.profile):
				t.Errorf("profile after the check: %v, want %v", d.Fields, tc.profile)
			}
			if items, reqs := fb.ItemsReturned("firestore"), int(fsReqs.n.Load()); items > reqs {
				t.Errorf("%d Firestore documents in %d answers: more than one per probe", items, reqs)
			}
			noTokens(t, r, "")
		})
	}
}

// TestSelfEscalationClaimsAccepted: a project that answers 200 to client
// custom claims but puts none in the tokens is noted, not failed, and
// the claims are put back.
func TestSelfEscalationClaimsAccepted(t *testing.T) {
	var updates atomic.Int64
	accept := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/accounts:update") {
				body, _ := io.ReadAll(r.Body)
				if strings.Contains(string(body), "customAttributes") {
					updates.Add(1)
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"kind":"identitytoolkit#SetAccountInfoResponse","localId":"uidA"}`)
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	_, _, env := firebaseEnv(t, firebaseProject(firebase.RulesOwner, false, nil), accept)
	r := checktest.Run(t, SelfEscalation{}, env)
	if r.Status != check.Pass || !strings.Contains(r.Summary, "no fresh ID token carries them") {
		t.Fatalf("status %s (%s)", r.Status, r.Summary)
	}
	if got := strings.Join(r.Table.Rows[0].Cells[:2], "|"); got != "yes (200)|no, not in a fresh token" {
		t.Errorf("claims cells %q", got)
	}
	if n := updates.Load(); n != 2 {
		t.Errorf("%d customAttributes updates, want the escalation and its restore", n)
	}
}

// TestSelfEscalationConsent: without consent the runner skips the check
// and Run itself writes nothing.
func TestSelfEscalationConsent(t *testing.T) {
	sb, env := supabaseEnv(t, supabaseProject(true), false)
	out := runner.Run(context.Background(), []check.Check{SelfEscalation{}}, env, runner.Options{})
	if r := out[0].Result; r.Status != check.Skip || !strings.Contains(r.Reason, "consent") {
		t.Errorf("runner: %s (%s), want SKIP for consent", r.Status, r.Reason)
	}
	if r := checktest.Run(t, SelfEscalation{}, env); r.Status != check.Skip {
		t.Errorf("Run without consent: %s (%s)", r.Status, r.Summary)
	}
	if n := sb.Requests(); n != 0 {
		t.Errorf("%d requests to the project without consent", n)
	}
}

// TestSelfEscalationLoginRefused: a member who cannot log in is ERROR,
// and nothing is written.
func TestSelfEscalationLoginRefused(t *testing.T) {
	opts := supabaseProject(true)
	opts.Users[0].Password = "not-the-configured-one"
	sb, env := supabaseEnv(t, opts, true)
	r := checktest.Run(t, SelfEscalation{}, env)
	if r.Status != check.Error || !strings.Contains(r.Summary, "logging member a in") {
		t.Fatalf("status %s (%s), want ERROR naming the login", r.Status, r.Summary)
	}
	if u, _ := sb.UserByEmail("a@portal.test"); u.UserMetadata["role"] != "member" {
		t.Errorf("metadata changed: %v", u.UserMetadata)
	}
}

// TestSelfEscalationNoPlatform: a portal with no Supabase or Firebase
// project is N/A.
func TestSelfEscalationNoPlatform(t *testing.T) {
	env := checktest.Env(t, "target: {url: http://127.0.0.1:1, scope: [127.0.0.1]}\n"+checktest.Accounts)
	checktest.Intrusive(env)
	if r := checktest.Run(t, SelfEscalation{}, env); r.Status != check.NA {
		t.Errorf("status %s (%s), want N/A", r.Status, r.Summary)
	}
}

func TestGrew(t *testing.T) {
	row := func(n int) access { return access{ok: true, n: n, unit: "row"} }
	for _, tc := range []struct {
		before, after access
		want          bool
	}{
		{row(1), row(3), true},
		{row(3), row(3), false},
		{row(3), row(1), false},
		{access{status: 403}, row(0), false},
		{access{status: 403}, row(2), true},
		{access{status: 403}, access{ok: true, n: 1, more: true}, true},
		{access{ok: true, n: 1}, access{ok: true, n: 1, more: true}, true},
		{row(1), access{status: 401}, false},
		{access{missing: true}, access{missing: true}, false},
	} {
		if got := grew(tc.before, tc.after); got != tc.want {
			t.Errorf("grew(%+v, %+v) = %v", tc.before, tc.after, got)
		}
	}
}

func TestRoleClaims(t *testing.T) {
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"role": "admin", "admin": true}, "role: admin, admin: true"},
		{map[string]any{"role": "member", "admin": "true"}, ""},
		{nil, ""},
	} {
		if got := roleClaims(tc.claims); got != tc.want {
			t.Errorf("roleClaims(%v) = %q, want %q", tc.claims, got, tc.want)
		}
	}
}

// TestAnyAnswered: only a count that got an answer about an existing
// table tests anything; errors and missing tables do not.
func TestAnyAnswered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		counts []access
		want   bool
	}{
		{"none", nil, false},
		{"no answer", []access{{}, {}}, false},
		{"missing tables", []access{{missing: true, status: 404}}, false},
		{"refused", []access{{}, {status: 401}}, true},
		{"counted", []access{{ok: true, n: 0}}, true},
	} {
		if got := anyAnswered(tc.counts); got != tc.want {
			t.Errorf("%s: anyAnswered = %v, want %v", tc.name, got, tc.want)
		}
	}
}
