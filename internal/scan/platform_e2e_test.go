package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/fakes/supabase"
)

// TestSupabasePortalScan scans the commonest portal built with AI help:
// a static single-page app whose browser code signs members in with
// Supabase Auth and reads tables straight from the project (auth.kind
// supabase). A whole scan runs; the table left without row-level
// security and the metadata-trusting policy are found, and no check
// ERRORs because the login is a platform's.
func TestSupabasePortalScan(t *testing.T) {
	const uidA, uidB = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	pw := map[string]string{"PW_A": "pw-a-supabase-1", "PW_B": "pw-b-supabase-2"}
	project, err := supabase.New(supabase.Options{
		Users: []supabase.User{{ID: uidA, Email: "a@portal.test", Password: pw["PW_A"]}, {ID: uidB, Email: "b@portal.test", Password: pw["PW_B"]}},
		Tables: map[string]*supabase.Table{
			"profiles": {RLS: true, Rows: []map[string]any{{"user_id": uidA, "name": "A"}, {"user_id": uidB, "name": "B"}}},
			"invoices": {RLS: false, Rows: []map[string]any{{"user_id": uidA, "total": 10}, {"user_id": uidB, "total": 20}}},
		},
		MetadataRoleTrusted: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	db := httptest.NewServer(project)
	defer db.Close()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/assets/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "const sb=createClient(%q,%q);sb.from('profiles').select();sb.from('invoices').select('*');", db.URL, project.AnonKey())
		default:
			// The single-page app's index answers every route.
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>`)
		}
	}))
	defer app.Close()
	yaml := fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n  kind: supabase\n  supabase: {url: %s, anon_key: %s}\n"+
		"accounts:\n  a: {email: a@portal.test, password: env:PW_A}\n  b: {email: b@portal.test, password: env:PW_B}\n", app.URL, db.URL, project.AnonKey())
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) { v, ok := pw[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]check.Result{}
	for _, o := range run.Outcomes {
		got[o.Meta.ID] = o.Result
		t.Logf("%-9s %-5s %s", o.Meta.ID, o.Result.Status, o.Result.Summary)
		if o.Result.Status == check.Error {
			t.Errorf("%s ERROR: %s", o.Meta.ID, o.Result.Reason)
		}
	}
	if r := got["AUTHZ-007"]; r.Status != check.Fail || !strings.Contains(r.Summary, "invoices") || strings.Contains(r.Summary, "profiles;") {
		t.Errorf("AUTHZ-007 = %s (%s), want FAIL naming invoices alone", r.Status, r.Summary)
	}
	if r := got["AUTHZ-009"]; r.Status != check.Fail || !strings.Contains(r.Summary, "profiles") {
		t.Errorf("AUTHZ-009 = %s (%s), want FAIL naming profiles", r.Status, r.Summary)
	}
	if len(run.Leftovers) > 0 {
		t.Errorf("left behind: %v", run.Leftovers)
	}
	if n := project.RowsReturned("invoices") + project.RowsReturned("profiles"); n > 2 {
		t.Errorf("%d rows copied by the whole scan", n)
	}
}
