package platform

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/fakesecret"
)

// fakeKey builds an unsigned JWT-shaped Supabase key with the role claim.
func fakeKey(t testing.TB, role string) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." +
		enc(map[string]any{"iss": "supabase", "ref": "abcdefghijklmnopqrst", "role": role, "iat": 1, "exp": 2}) + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
}

func names(us []Use) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestSupabase(t *testing.T) {
	anon, service := fakeKey(t, "anon"), fakeKey(t, "service_role")
	const hosted = "https://abcdefghijklmnopqrst.supabase.co"
	tests := []struct {
		name                   string
		body                   string
		urls, tables, rpcs, bk []string
		roles                  []string
	}{
		{name: "createClient, double quotes", body: `const s = createClient("` + hosted + `", "` + anon + `"); s.from("notes").select("*")`,
			urls: []string{hosted}, tables: []string{"notes"}, roles: []string{"anon"}},
		{name: "minified, single quotes and backticks",
			body: `let e=(0,r.createClient)('https://db.example.com/',` + "`" + anon + "`" + `);e.from('orders').select('id'),e.storage.from(` + "`avatars`" + `).list(),e.rpc('get_total',{})`,
			urls: []string{"https://db.example.com"}, tables: []string{"orders"}, rpcs: []string{"get_total"}, bk: []string{"avatars"}, roles: []string{"anon"}},
		{name: "storage.from is a bucket, not a table", body: `supabase.storage.from("files").upload(p); supabase . storage . from ('docs')`,
			bk: []string{"files", "docs"}},
		{name: "env-style variables", body: `VITE_SUPABASE_URL="` + hosted + `"` + "\n" + `NEXT_PUBLIC_SUPABASE_ANON_KEY='` + anon + `'`,
			urls: []string{hosted}, roles: []string{"anon"}},
		{name: "config object literals", body: `var cfg={supabaseUrl:"https://api.portal.example",supabaseKey:"sb_publishable_abcdefghijklmnop"}`,
			urls: []string{"https://api.portal.example"}, roles: []string{"publishable"}},
		{name: "service role key anywhere", body: `const k = "` + service + `"; fetch("` + hosted + `/rest/v1/x")`,
			urls: []string{hosted}, roles: []string{"service_role"}},
		{name: "sb_secret_ key", body: `key: "` + fakesecret.SupabaseSecretKey + `"`, roles: []string{"secret"}},
		{name: "Array.from and Buffer.from are not tables", body: `Array.from("abc"); Buffer.from('deadbeef'); x.from("t1")`,
			tables: []string{"t1"}},
		{name: "template literal with interpolation is skipped", body: "db.from(`${name}`); db.rpc(`do_${x}`); db.from(`plain`)",
			tables: []string{"plain"}},
		{name: "duplicates kept once", body: `a.from("n");b.from('n');c.rpc("f");c.rpc("f")`, tables: []string{"n"}, rpcs: []string{"f"}},
		{name: "not a Supabase JWT", body: `token = "` + fakesecret.PlainJWT + `"`},
		{name: "nothing", body: `console.log("hello")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Supabase([]Source{{Label: "/app.js", Body: tt.body}})
			check := func(what string, have, want []string) {
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(have, want) {
					t.Errorf("%s = %q, want %q", what, have, want)
				}
			}
			check("urls", names(got.URLs), tt.urls)
			check("tables", names(got.Tables), tt.tables)
			check("rpcs", names(got.RPCs), tt.rpcs)
			check("buckets", names(got.Buckets), tt.bk)
			roles := []string{}
			for _, k := range got.Keys {
				roles = append(roles, k.Role)
				if k.Where != "/app.js" {
					t.Errorf("key where = %q", k.Where)
				}
			}
			check("key roles", roles, tt.roles)
			if got.Found() != (len(tt.urls) > 0 || len(tt.roles) > 0) {
				t.Errorf("Found = %v", got.Found())
			}
		})
	}
}

func TestSupabaseFirstWhereAndKeys(t *testing.T) {
	anon, service := fakeKey(t, "anon"), fakeKey(t, "service_role")
	got := Supabase([]Source{
		{Label: "/a.js", Body: `x.from("notes"); k="` + service + `"`},
		{Label: "/b.js", Body: `y.from("notes"); createClient("https://p.example", "` + anon + `")`},
	})
	if len(got.Tables) != 1 || got.Tables[0].Where != "/a.js" {
		t.Errorf("tables = %+v, want notes first seen in /a.js", got.Tables)
	}
	if k, ok := got.PublishableKey(); !ok || k.Value != anon || k.Where != "/b.js" {
		t.Errorf("PublishableKey = %+v, %v", k, ok)
	}
	if s := got.SecretKeys(); len(s) != 1 || s[0].Value != service {
		t.Errorf("SecretKeys = %+v", s)
	}
}

func TestSupabaseBounded(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		b.WriteString(`db.from("t` + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + `");`)
	}
	got := Supabase([]Source{{Label: "big", Body: b.String()}})
	if len(got.Tables) > MaxNames {
		t.Errorf("%d tables kept, cap is %d", len(got.Tables), MaxNames)
	}
	// A table named past the per-source cap is not seen.
	late := strings.Repeat(" ", MaxScanPerSource) + `db.from("late")`
	if got := Supabase([]Source{{Label: "huge", Body: late}}); len(got.Tables) != 0 {
		t.Errorf("read past the per-source cap: %+v", got.Tables)
	}
}

func TestKeyRole(t *testing.T) {
	for k, want := range map[string]string{
		fakeKey(t, "anon"): "anon", fakeKey(t, "service_role"): "service_role", fakeKey(t, "authenticated"): "",
		"sb_publishable_x": "publishable", "sb_secret_y": "secret", "pk_live_x": "", "": "", "a.b.c": "",
	} {
		if got := KeyRole(k); got != want {
			t.Errorf("KeyRole(%.20q) = %q, want %q", k, got, want)
		}
	}
}

func FuzzSupabase(f *testing.F) {
	f.Add(`createClient("https://abcdefghijklmnopqrst.supabase.co","sb_publishable_abcdefghijk");s.from('x').rpc("y");s.storage.from(` + "`b`" + `)`)
	f.Add(`SUPABASE_URL='https://x' supabaseKey: "eyJ.eyJ.x"`)
	f.Add("db.from(`${x}`).from(\"\x00\")")
	f.Fuzz(func(t *testing.T, body string) {
		got := Supabase([]Source{{Label: "f", Body: body}, {Label: "g", Body: body}})
		for _, list := range [][]Use{got.URLs, got.Tables, got.RPCs, got.Buckets} {
			if len(list) > MaxNames {
				t.Fatalf("%d names", len(list))
			}
			for _, u := range list {
				if u.Name == "" || u.Where != "f" || !strings.Contains(body, u.Name) && !strings.HasPrefix(u.Name, "http") {
					t.Fatalf("bad use %+v", u)
				}
			}
		}
		for _, k := range got.Keys {
			if KeyRole(k.Value) != k.Role || k.Role == "" {
				t.Fatalf("key %+v", k)
			}
		}
	})
}
