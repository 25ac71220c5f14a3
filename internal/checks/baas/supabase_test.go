package baas

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/fakes/supabase"
)

const (
	uidA = "11111111-1111-4111-8111-111111111111"
	uidB = "22222222-2222-4222-8222-222222222222"
)

// project is a fake Supabase project with notes and orders owned by a and
// b, and an avatars bucket; open makes orders RLS-free and avatars
// listable.
func project(t *testing.T, open, refuseLogin bool, hideRoot ...bool) *supabase.Server {
	t.Helper()
	pw := checktest.Password
	if refuseLogin {
		pw = "another-password-entirely"
	}
	rows := func(table string) []map[string]any {
		return []map[string]any{
			{"user_id": uidA, "body": "a's first " + table}, {"user_id": uidA, "body": "a's second " + table},
			{"user_id": uidA, "body": "a's third " + table}, {"user_id": uidB, "body": "b's " + table},
		}
	}
	sb, err := supabase.New(supabase.Options{
		HideRoot: len(hideRoot) > 0 && hideRoot[0],
		Users:    []supabase.User{{ID: uidA, Email: "a@portal.test", Password: pw}, {ID: uidB, Email: "b@portal.test", Password: pw}},
		Tables: map[string]*supabase.Table{
			"notes":  {RLS: true, Rows: rows("note")},
			"orders": {RLS: !open, Rows: rows("order")},
		},
		Buckets: map[string]*supabase.Bucket{"avatars": {Public: open, RLS: !open, Objects: []supabase.Object{
			{Name: uidA + "/me.png", Owner: uidA, Size: 10}, {Name: uidB + "/me.png", Owner: uidB, Size: 12}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// bundle is a portal page and script using the project as supabase-js
// code does.
func bundle(sbURL, key string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><script src="/app.js"></script></head><body><h1>Portal</h1></body></html>`)
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, `const sb=createClient(%q,%q);sb.from("notes").select("*");sb.from('orders').select('id');sb.storage.from("avatars").list();sb.rpc("month_total")`, sbURL, key)
	})
	return mux
}

// env starts the portal and the project on loopback TLS.
func env(t *testing.T, sb *supabase.Server, configured, intrusive bool) (*check.Env, string) {
	t.Helper()
	sbSrv, _ := checktest.TLSServer(t, sb)
	_, yaml := checktest.TLSServer(t, bundle(sbSrv.URL, sb.AnonKey()))
	// Both servers share httptest's certificate, so one ca_file trusts both.
	cfg := yaml + "accounts:\n  a: {email: a@portal.test, password: env:A}\n  b: {email: b@portal.test, password: env:B}\n"
	if configured {
		cfg += fmt.Sprintf("auth:\n  supabase: {url: %s, anon_key: %s}\n", sbSrv.URL, sb.AnonKey())
	}
	e := checktest.Env(t, cfg)
	if intrusive {
		checktest.Intrusive(e)
	}
	return e, sbSrv.URL
}

// rowsCopied is every row the fake handed out.
func rowsCopied(sb *supabase.Server) int { return sb.RowsReturned("notes") + sb.RowsReturned("orders") }

func TestSupabaseData(t *testing.T) {
	for _, tc := range []struct {
		name      string
		open      bool
		intrusive bool
		want      check.Status
		// hideRoot refuses the OpenAPI document to the anon key, as
		// newer hosted projects do: the bundle's tables alone are known,
		// and their owner column is found by trying the usual names.
		hideRoot bool
	}{
		{"protected, no consent", false, false, check.Pass, false},
		{"protected, consent", false, true, check.Pass, false},
		{"misconfigured, no consent", true, false, check.Fail, false},
		{"misconfigured, consent", true, true, check.Fail, false},
		{"misconfigured, no consent, OpenAPI refused", true, false, check.Fail, true},
		{"protected, consent, OpenAPI refused", false, true, check.Pass, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := project(t, tc.open, false, tc.hideRoot)
			e, _ := env(t, sb, true, tc.intrusive)
			before := sb.Requests()
			r := checktest.Run(t, SupabaseData{}, e)
			if r.Status != tc.want {
				t.Fatalf("AUTHZ-007 = %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			if r.Table == nil || len(r.Table.Rows) != 3 {
				t.Fatalf("want rows for notes, orders and avatars: %+v", r.Table)
			}
			t.Logf("%s\n%+v", r.Summary, r.Table.Rows)
			if tc.want == check.Pass && len(r.Evidence) != 0 {
				t.Errorf("PASS with findings: %+v", r.Evidence)
			}
			if tc.want == check.Fail {
				if !strings.Contains(r.Summary, "member b counted 3 of a's rows in orders; anonymous 3") &&
					!strings.Contains(r.Summary, "member b counted 1 of a's rows in orders; anonymous 1") {
					t.Errorf("summary does not count a's rows in orders: %s", r.Summary)
				}
				if !strings.Contains(r.Summary, "bucket avatars") || strings.Contains(r.Summary, "notes") {
					t.Errorf("want exactly orders and avatars named: %s", r.Summary)
				}
				for _, ev := range r.Evidence {
					if !strings.HasPrefix(ev.Repro, "curl ") || strings.Contains(ev.Repro, sb.AnonKey()) ||
						strings.Contains(ev.Detail+ev.Request, sb.AnonKey()) || strings.Contains(ev.Repro, "eyJ") {
						t.Errorf("evidence without a redacted repro: %+v", ev)
					}
				}
			}
			// Counts travel in headers: the only rows sent are the
			// canary inserts' ids, one per insert.
			maxRows := 0
			if tc.intrusive {
				maxRows = 2
			}
			if n := rowsCopied(sb); n > maxRows {
				t.Errorf("%d rows copied, want at most %d (one per canary insert)", n, maxRows)
			}
			if n := sb.Requests() - before; n > 60 {
				t.Errorf("%d requests for two tables and a bucket", n)
			}
			left := e.RunDeferred(context.Background())
			if len(left) != 0 {
				t.Errorf("clean-up failed: %v", left)
			}
			for _, table := range []string{"notes", "orders"} {
				if n := len(sb.Rows(table)); n != 4 {
					t.Errorf("%s has %d rows after clean-up, want the 4 seeded", table, n)
				}
			}
			for _, o := range sb.Objects("avatars") {
				if strings.Contains(o.Name, "launchready-") {
					t.Errorf("canary file %s left behind", o.Name)
				}
			}
			if n := len(sb.Objects("avatars")); n != 2 {
				t.Errorf("avatars has %d objects after clean-up, want 2", n)
			}
		})
	}
}

func TestSupabaseDataLoginRefused(t *testing.T) {
	sb := project(t, true, true)
	e, _ := env(t, sb, true, false)
	r := checktest.Run(t, SupabaseData{}, e)
	if r.Status != check.Error || !strings.Contains(r.Summary, "member a") {
		t.Fatalf("AUTHZ-007 = %s (%s), want ERROR naming the refused login", r.Status, r.Summary)
	}
}

func TestSupabaseDataUnconfigured(t *testing.T) {
	sb := project(t, true, false)
	e, sbURL := env(t, sb, false, false)
	r := checktest.Run(t, SupabaseData{}, e)
	if r.Status != check.Skip || !strings.Contains(r.Reason, sbURL) || !strings.Contains(r.Enable, "auth: {supabase: {url: "+sbURL+", anon_key: "+sb.AnonKey()+"}}") {
		t.Fatalf("AUTHZ-007 = %s (%s; enable %q), want SKIP naming the project and the config", r.Status, r.Reason, r.Enable)
	}
	if sb.Requests() != 0 {
		t.Errorf("%d requests to an unconfigured project", sb.Requests())
	}
}

func TestSupabaseDataNotApplicable(t *testing.T) {
	_, yaml := checktest.TLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><h1>Portal</h1><script>console.log("no backend here")</script></body></html>`)
	}))
	e := checktest.Env(t, yaml+"accounts:\n  a: {email: a@portal.test, password: env:A}\n  b: {email: b@portal.test, password: env:B}\n")
	if r := checktest.Run(t, SupabaseData{}, e); r.Status != check.NA {
		t.Fatalf("AUTHZ-007 = %s (%s), want N/A", r.Status, r.Summary)
	}
}
