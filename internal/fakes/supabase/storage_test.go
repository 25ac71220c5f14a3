package supabase

import (
	"slices"
	"strings"
	"testing"
)

// TestStorageList: who lists which objects, with and without RLS, and
// folders one level under the prefix.
func TestStorageList(t *testing.T) {
	s, base := fake(t, project())
	tok := roleTokens(t, s, base)
	tests := []struct {
		bucket, role, body string
		want               []string
	}{
		{"docs", "anon", `{"prefix":""}`, nil},
		{"docs", "A", `{"prefix":""}`, []string{idA + "/"}},
		{"docs", "A", `{"prefix":"` + idA + `"}`, []string{"cv.pdf", "id.png"}},
		{"docs", "A", `{"prefix":"` + idB + `/"}`, nil},
		{"docs", "B", `{"prefix":"` + idB + `/"}`, []string{"tax.pdf"}},
		{"docs", "service", `{"prefix":""}`, []string{idA + "/", idB + "/"}},
		{"docs", "service", `{"prefix":"` + idA + `","limit":1,"offset":1}`, []string{"id.png"}},
		{"docs", "service", `{"prefix":"` + idA + `","sortBy":{"column":"name","order":"desc"}}`, []string{"id.png", "cv.pdf"}},
		{"docs", "service", `{"prefix":"` + idA + `","search":"CV"}`, []string{"cv.pdf"}},
		{"shared", "anon", `{"prefix":""}`, nil},
		{"shared", "B", `{"prefix":""}`, []string{"readme.md", "team/"}},
		{"avatars", "anon", `{"prefix":""}`, []string{"a.png"}},
		{"nope", "service", `{"prefix":""}`, nil},
	}
	for _, tc := range tests {
		r := do(t, base, req{method: "POST", path: "/storage/v1/object/list/" + tc.bucket, apikey: s.AnonKey(), token: tok[tc.role], body: tc.body})
		var got []string
		if r.status == 200 {
			for _, it := range r.array(t) {
				m := it.(map[string]any)
				name := m["name"].(string)
				if m["id"] == nil {
					name += "/" // a folder
				} else if meta := m["metadata"].(map[string]any); meta["size"] == nil || meta["mimetype"] == nil {
					t.Errorf("object without metadata: %v", m)
				}
				got = append(got, name)
			}
		}
		if r.status != 200 || !slices.Equal(got, tc.want) {
			t.Errorf("%s as %s %s: %d %s, want %v", tc.bucket, tc.role, tc.body, r.status, r.body, tc.want)
		}
	}
}

// TestStorageBuckets: storage.buckets has RLS and no policies; only the
// service role sees buckets.
func TestStorageBuckets(t *testing.T) {
	s, base := fake(t, project())
	tok := roleTokens(t, s, base)
	notFound := `{"statusCode":"404","error":"Bucket not found","message":"Bucket not found"}`
	for role, want := range map[string]int{"anon": 0, "A": 0, "service": 3} {
		r := do(t, base, req{method: "GET", path: "/storage/v1/bucket", apikey: s.AnonKey(), token: tok[role]})
		if r.status != 200 || len(r.array(t)) != want {
			t.Errorf("list as %s: %d %s, want %d buckets", role, r.status, r.body, want)
		}
		r = do(t, base, req{method: "GET", path: "/storage/v1/bucket/avatars", apikey: s.AnonKey(), token: tok[role]})
		if want == 0 && (r.status != 400 || !sameJSON(t, r.body, notFound)) || want > 0 && (r.status != 200 || r.object(t)["public"] != true) {
			t.Errorf("get as %s: %d %s", role, r.status, r.body)
		}
	}
	r := do(t, base, req{method: "GET", path: "/storage/v1/bucket/nope", apikey: s.ServiceRoleKey()})
	if r.status != 400 || !sameJSON(t, r.body, notFound) {
		t.Errorf("unknown bucket: %d %s", r.status, r.body)
	}
}

// TestStorageUploadDelete: uploads and removal follow the owner policies
// (docs has RLS: owners only; shared has none: any logged-in user; anon
// never), duplicates are refused, and only removable objects are removed.
func TestStorageUploadDelete(t *testing.T) {
	s, base := fake(t, project())
	tok := roleTokens(t, s, base)
	up := func(role, bucket, name string) response {
		return do(t, base, req{method: "POST", path: "/storage/v1/object/" + bucket + "/" + name, apikey: s.AnonKey(), token: tok[role], body: "x"})
	}
	del := func(role, bucket, name string) response {
		return do(t, base, req{method: "DELETE", path: "/storage/v1/object/" + bucket, apikey: s.AnonKey(), token: tok[role], body: `{"prefixes":["` + name + `"]}`})
	}
	if r := up("A", "docs", idA+"/new.txt"); r.status != 200 || r.object(t)["Key"] != "docs/"+idA+"/new.txt" {
		t.Fatalf("upload as owner: %d %s", r.status, r.body)
	}
	if r := up("A", "docs", idA+"/new.txt"); r.status != 400 || !strings.Contains(string(r.body), `"409"`) {
		t.Errorf("duplicate upload: %d %s", r.status, r.body)
	}
	if r := up("anon", "shared", "anon.txt"); r.status != 400 || !strings.Contains(string(r.body), "row-level security") {
		t.Errorf("anonymous upload: %d %s", r.status, r.body)
	}
	if r := up("B", "shared", "b.txt"); r.status != 200 {
		t.Errorf("upload to a bucket without RLS: %d %s", r.status, r.body)
	}
	if r := del("B", "docs", idA+"/new.txt"); r.status != 200 || string(r.body) != "[]" {
		t.Errorf("b deleting a's file: %d %s, want nothing removed", r.status, r.body)
	}
	if r := del("A", "docs", idA+"/new.txt"); r.status != 200 || len(r.array(t)) != 1 {
		t.Errorf("a deleting its file: %d %s", r.status, r.body)
	}
	for _, o := range s.Objects("docs") {
		if o.Name == idA+"/new.txt" {
			t.Error("the file is still there")
		}
	}
}
