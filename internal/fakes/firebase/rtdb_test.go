package firebase

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const rtdbDeniedBody = "{\n  \"error\" : \"Permission denied\"\n}\n"

func rtdbData() map[string]any {
	return map[string]any{
		"users": map[string]any{
			"uidA": map[string]any{"name": "Ann", "plan": "pro", "address": map[string]any{"city": "Oslo"}},
			"uidB": map[string]any{"name": "Bob", "plan": "free"},
		},
		"invoices": map[string]any{
			"i1": map[string]any{"owner": "uidA", "total": 120},
			"i2": map[string]any{"owner": "uidB", "total": 80},
			"i3": map[string]any{"owner": "uidB", "total": 15.5},
		},
		"motd": "hello",
	}
}

func TestRTDBRules(t *testing.T) {
	// want: the status per caller (anon, A, B) for each path under each
	// rule set.
	type row struct {
		path string
		want [3]int
	}
	all := func(s int) [3]int { return [3]int{s, s, s} }
	tests := []struct {
		rules Rules
		rows  []row
	}{
		{RulesOpen, []row{{"/.json", all(200)}, {"/invoices.json", all(200)}, {"/invoices/i1.json", all(200)}, {"/nowhere.json", all(200)}}},
		{RulesAuthed, []row{{"/.json", [3]int{401, 200, 200}}, {"/users/uidB/name.json", [3]int{401, 200, 200}}}},
		{RulesLocked, []row{{"/.json", all(401)}, {"/invoices/i1.json", all(401)}}},
		{RulesOwner, []row{
			{"/.json", all(401)},
			{"/invoices.json", all(401)}, // rules are not filters
			{"/users.json", all(401)},
			{"/invoices/i1.json", [3]int{401, 200, 401}},
			{"/invoices/i1/total.json", [3]int{401, 200, 401}}, // grants cascade down
			{"/invoices/i2.json", [3]int{401, 401, 200}},
			{"/users/uidA.json", [3]int{401, 200, 401}}, // $uid rule
			{"/users/uidB/plan.json", [3]int{401, 401, 200}},
			{"/users/uidZ.json", all(401)},
		}},
	}
	for _, tc := range tests {
		f := newFixture(t, Options{RTDB: RTDB{Rules: tc.rules, Data: rtdbData()}})
		for _, r := range tc.rows {
			for i, c := range callers {
				t.Run(tc.rules.String()+"/"+c.name+r.path, func(t *testing.T) {
					path := r.path
					if tok := f.idToken(c.user); tok != "" {
						path += "?auth=" + tok
					}
					got := f.do(http.MethodGet, path, "")
					if got.status != r.want[i] {
						t.Fatalf("status %d, want %d: %s", got.status, r.want[i], got.body)
					}
					if got.status == 401 && got.body != rtdbDeniedBody {
						t.Errorf("denial body %q", got.body)
					}
				})
			}
		}
	}
}

func TestRTDBReads(t *testing.T) {
	f := newFixture(t, Options{RTDB: RTDB{Rules: RulesOpen, Data: rtdbData()}})
	tok := f.idToken(userA)
	tests := []struct {
		name, path string
		hdr        []string
		status     int
		body       string
		items      int
	}{
		{"leaf", "/motd.json", nil, 200, `"hello"`, 1},
		{"record", "/invoices/i1.json", nil, 200, `{"owner":"uidA","total":120}`, 1},
		{"collection", "/invoices.json", nil, 200, "", 3},
		{"missing", "/invoices/i9.json", nil, 200, "null", 0},
		{"root", "/.json", nil, 200, "", 6},
		{"shallow", "/invoices.json?shallow=true", nil, 200, `{"i1":true,"i2":true,"i3":true}`, 1},
		{"shallow root", "/.json?shallow=true", nil, 200, `{"invoices":true,"motd":true,"users":true}`, 1},
		{"first by key", `/invoices.json?orderBy="$key"&limitToFirst=1`, nil, 200, `{"i1":{"owner":"uidA","total":120}}`, 1},
		{"last by key", `/invoices.json?orderBy="$key"&limitToLast=1`, nil, 200, `{"i3":{"owner":"uidB","total":15.5}}`, 1},
		{"key range", `/invoices.json?orderBy="$key"&startAt="i2"&endAt="i2"`, nil, 200, `{"i2":{"owner":"uidB","total":80}}`, 1},
		{"by priority", `/invoices.json?orderBy="$priority"&limitToFirst=2`, nil, 200, "", 2},
		{"bearer header", "/motd.json", []string{"Authorization", "Bearer " + tok}, 200, `"hello"`, 1},
		{"escaped key", "/users/uid%41.json", nil, 200, `{"address":{"city":"Oslo"},"name":"Ann","plan":"pro"}`, 1},
		{"users", "/users.json", nil, 200, "", 2},
		{"silent", "/motd.json?print=silent", nil, 204, "", 1},
		{"pretty", "/invoices/i1.json?print=pretty", nil, 200, "{\n  \"owner\": \"uidA\",\n  \"total\": 120\n}", 1},
		{"no orderBy", "/invoices.json?limitToFirst=1", nil, 400, "{\n  \"error\" : \"orderBy must be defined when other query parameters are defined\"\n}\n", 0},
		{"orderBy not JSON", "/invoices.json?orderBy=$key&limitToFirst=1", nil, 400, "{\n  \"error\" : \"orderBy must be a valid JSON encoded path\"\n}\n", 0},
		{"by child without index", `/invoices.json?orderBy="owner"&equalTo="uidA"`, nil, 400,
			"{\n  \"error\" : \"Index not defined, add \\\".indexOn\\\": \\\"owner\\\", for path \\\"/invoices\\\", to the rules\"\n}\n", 0},
		{"by value without index", `/invoices.json?orderBy="$value"`, nil, 400, "", 0},
		{"shallow with query", `/invoices.json?shallow=true&orderBy="$key"&limitToFirst=1`, nil, 400, "", 0},
		{"zero limit", `/invoices.json?orderBy="$key"&limitToFirst=0`, nil, 400, "", 0},
		{"key range not a string", `/invoices.json?orderBy="$key"&startAt=5`, nil, 400, "", 0},
		{"invalid key", "/in.voices.json", nil, 400, "{\n  \"error\" : \"Invalid path: Invalid token in path\"\n}\n", 0},
		{"invalid escaped key", "/users/%24x.json", nil, 400, "", 0},
		{"garbage token", "/motd.json?auth=abc", nil, 401, "{\n  \"error\" : \"Could not parse auth token.\"\n}\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.srv.ItemsReturned("rtdb")
			r := f.do(http.MethodGet, tc.path, "", tc.hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.body != "" && r.body != tc.body {
				t.Errorf("body %q, want %q", r.body, tc.body)
			}
			if got := f.srv.ItemsReturned("rtdb") - before; got != tc.items {
				t.Errorf("ItemsReturned grew by %d, want %d", got, tc.items)
			}
		})
	}
}

func TestRTDBArrays(t *testing.T) {
	f := newFixture(t, Options{RTDB: RTDB{Rules: RulesOpen, Data: map[string]any{
		"tags": []any{"a", "b", "c"}, "sparse": map[string]any{"0": "x", "7": "y"}, "empty": map[string]any{}, "gone": nil,
	}}})
	for path, want := range map[string]string{
		"/tags.json": `["a","b","c"]`, "/tags/1.json": `"b"`, "/sparse.json": `{"0":"x","7":"y"}`,
		"/empty.json": "null", "/gone.json": "null",
	} {
		if r := f.do(http.MethodGet, path, ""); r.body != want {
			t.Errorf("GET %s = %s, want %s", path, r.body, want)
		}
	}
}

func TestRTDBWrites(t *testing.T) {
	type step struct {
		name, method, path, body string
		as                       User
		status                   int
		answer                   string // exact body, when set
		after                    string // GET path+"="+body checked afterwards, when set
	}
	tests := []struct {
		rules Rules
		steps []step
	}{
		{RulesOpen, []step{
			{name: "anon put", method: "PUT", path: "/motd.json", body: `"defaced"`, status: 200, answer: `"defaced"`, after: `/motd.json="defaced"`},
			{name: "anon patch multi-path", method: "PATCH", path: "/.json", body: `{"users/uidA/plan":"free","x/y":null}`, status: 200, after: `/users/uidA/plan.json="free"`},
			{name: "anon delete", method: "DELETE", path: "/invoices/i3.json", status: 200, answer: "null", after: "/invoices/i3.json=null"},
			{name: "bad JSON", method: "PUT", path: "/motd.json", body: `{"a":`, status: 400},
			{name: "bad key in data", method: "PUT", path: "/motd.json", body: `{"a.b":1}`, status: 400},
			{name: "patch not an object", method: "PATCH", path: "/motd.json", body: `5`, status: 400},
		}},
		{RulesLocked, []step{
			{name: "A put", method: "PUT", path: "/motd.json", body: `"x"`, as: userA, status: 401, answer: rtdbDeniedBody},
		}},
		{RulesAuthed, []step{
			{name: "anon put", method: "PUT", path: "/motd.json", body: `"x"`, status: 401},
			{name: "B overwrites A's invoice", method: "PUT", path: "/invoices/i1/total.json", body: `0`, as: userB, status: 200, after: "/invoices/i1/total.json=0"},
		}},
		{RulesOwner, []step{
			{name: "anon put", method: "PUT", path: "/invoices/i9.json", body: `{"owner":""}`, status: 401},
			{name: "A edits own invoice", method: "PATCH", path: "/invoices/i1.json", body: `{"total":99}`, as: userA, status: 200, after: "/invoices/i1/total.json=99"},
			{name: "A edits B's invoice", method: "PUT", path: "/invoices/i2/total.json", body: `1`, as: userA, status: 401},
			{name: "A gives own invoice away", method: "PUT", path: "/invoices/i1/owner.json", body: `"uidB"`, as: userA, status: 401},
			{name: "A takes B's invoice", method: "PUT", path: "/invoices/i2/owner.json", body: `"uidA"`, as: userA, status: 401},
			{name: "A creates an invoice for itself", method: "PUT", path: "/invoices/i9.json", body: `{"owner":"uidA","total":1}`, as: userA, status: 200},
			{name: "A creates an invoice for B", method: "PUT", path: "/invoices/i8.json", body: `{"owner":"uidB","total":1}`, as: userA, status: 401},
			{name: "A writes its profile", method: "PUT", path: "/users/uidA/plan.json", body: `"enterprise"`, as: userA, status: 200},
			{name: "A deletes B's profile", method: "DELETE", path: "/users/uidB.json", as: userA, status: 401},
			{name: "A patches root touching B", method: "PATCH", path: "/.json", body: `{"users/uidA/x":1,"users/uidB/x":1}`, as: userA, status: 401, after: "/users/uidB/x.json=null"},
			{name: "A pushes a note for itself", method: "POST", path: "/notes.json", body: `{"owner":"uidA"}`, as: userA, status: 200},
		}},
	}
	for _, tc := range tests {
		f := newFixture(t, Options{RTDB: RTDB{Rules: tc.rules, Data: rtdbData()}})
		for _, st := range tc.steps {
			t.Run(tc.rules.String()+"/"+st.name, func(t *testing.T) {
				path := st.path
				if tok := f.idToken(st.as); tok != "" {
					path += "?auth=" + url.QueryEscape(tok)
				}
				r := f.do(st.method, path, st.body)
				if r.status != st.status {
					t.Fatalf("status %d, want %d: %s", r.status, st.status, r.body)
				}
				if st.answer != "" && r.body != st.answer {
					t.Errorf("answer %q, want %q", r.body, st.answer)
				}
				if st.method == "POST" && st.status == 200 {
					if name, _ := r.json(t)["name"].(string); len(name) != 20 || !strings.HasPrefix(name, "-") {
						t.Errorf("push name %q: want a 20-character push ID", name)
					}
				}
				if st.after != "" {
					p, want, _ := strings.Cut(st.after, "=")
					s := f.srv
					s.mu.Lock()
					root := s.rtdb.root
					s.mu.Unlock()
					path, _ := rtdbPath(p)
					if got := mustJSON(t, render(childAt(root, path))); got != want {
						t.Errorf("%s is %s, want %s", p, got, want)
					}
				}
			})
		}
	}
}
