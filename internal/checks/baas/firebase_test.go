package baas

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/fakes/firebase"
)

// TestFirebaseDataVerdicts runs AUTHZ-008 against the fake project with
// each service's rules chosen, with and without consent: owner or locked
// rules everywhere pass with no leaking cell; loose rules fail naming
// exactly the cells they open. No request copies more than one item, and
// the canaries are gone once the deferred clean-up has run.
func TestFirebaseDataVerdicts(t *testing.T) {
	const (
		rtdbRoot  = "rtdb /"
		rtdbUsers = "rtdb /users"
		fsInv     = "firestore invoices"
		fsOrders  = "firestore users/" + fbUIDA + "/orders"
		stRoot    = "storage demo-portal.appspot.com/"
		stAvatars = "storage demo-portal.appspot.com/avatars/" + fbUIDA + "/"
		anon, b   = " (anonymous)", " (member b)"
	)
	owner, locked := firebase.RulesOwner, firebase.RulesLocked
	for _, tc := range []struct {
		name   string
		rules  fbRules
		status check.Status
		// leaks are the leaking cells without consent; canaryLeaks
		// the canary rows' prefixes that leak with consent.
		leaks       []string
		canaryLeaks []string
		canaries    int
	}{
		{name: "owner rules", rules: fbRules{owner, owner, owner}, status: check.Pass, canaries: 3},
		{name: "locked rules", rules: fbRules{locked, locked, locked}, status: check.Pass, canaries: 0},
		{name: "open rtdb, authed firestore, open storage", rules: fbRules{firebase.RulesOpen, firebase.RulesAuthed, firebase.RulesOpen},
			status: check.Fail, canaries: 3,
			leaks: []string{rtdbRoot + anon, rtdbRoot + b, rtdbUsers + anon, rtdbUsers + b, fsInv + b, fsOrders + b,
				stRoot + anon, stRoot + b, stAvatars + anon, stAvatars + b},
			canaryLeaks: []string{"rtdb canary" + anon, "rtdb canary" + b, "firestore canary" + b, "storage canary" + anon, "storage canary" + b}},
		{name: "authed firestore alone", rules: fbRules{owner, firebase.RulesAuthed, locked}, status: check.Fail, canaries: 2,
			leaks: []string{fsInv + b, fsOrders + b}, canaryLeaks: []string{"firestore canary" + b}},
	} {
		for _, intrusive := range []bool{false, true} {
			name := tc.name + map[bool]string{false: " read-only", true: " with canaries"}[intrusive]
			t.Run(name, func(t *testing.T) {
				f := newFBFixture(t, tc.rules, fbOpts{intrusive: intrusive})
				res := checktest.Run(t, FirebaseData{}, f.env)
				t.Logf("%s: %s", res.Status, res.Summary)
				t.Logf("fake requests by service: %v", f.perService)
				if res.Status != tc.status {
					t.Fatalf("status %s, want %s: %s", res.Status, tc.status, res.Summary)
				}
				var got, canaryCells []string
				for _, c := range leakCells(res.Table) {
					if strings.Contains(c, " canary ") {
						canaryCells = append(canaryCells, c)
					} else {
						got = append(got, c)
					}
				}
				want := append([]string(nil), tc.leaks...)
				for _, c := range canaryCells {
					if !hasCanaryLeak(tc.canaryLeaks, c) {
						t.Errorf("unexpected canary leak %s", c)
					}
				}
				if intrusive && len(canaryCells) != len(tc.canaryLeaks) {
					t.Errorf("canary leaks %q, want %q", canaryCells, tc.canaryLeaks)
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("leaking cells:\n got  %q\n want %q", got, want)
				}
				if tc.status == check.Fail && len(res.Evidence) == 0 {
					t.Error("a FAIL without evidence")
				}
				if len(f.bulk) > 0 {
					t.Errorf("probes copied more than one item: %v", f.bulk)
				}
				assertNoToken(t, res)
				canaryRows := 0
				for _, r := range res.Table.Rows {
					if strings.Contains(r.Label, "canary") {
						canaryRows++
					}
				}
				if want := map[bool]int{false: 0, true: tc.canaries}[intrusive]; canaryRows != want {
					t.Errorf("%d canary rows, want %d: %+v", canaryRows, want, res.Table.Rows)
				}
				f.assertCleanedUp(t, res)
			})
		}
	}
}

func hasCanaryLeak(want []string, cell string) bool {
	for _, w := range want {
		svc, col, _ := strings.Cut(w, " canary")
		if strings.HasPrefix(cell, svc+" canary") && strings.HasSuffix(cell, col) {
			return true
		}
	}
	return false
}

// assertNoToken: the ID tokens sent in ?auth= and headers never show in
// the result.
func assertNoToken(t *testing.T, res check.Result) {
	t.Helper()
	texts := []string{res.Summary}
	for _, e := range res.Evidence {
		texts = append(texts, e.Request, e.Detail, e.Repro)
	}
	for _, s := range texts {
		if strings.Contains(s, "eyJ") {
			t.Errorf("a token shows in the result: %s", s)
		}
	}
}

// assertCleanedUp runs the deferred clean-up and checks, as member a,
// that each canary is gone.
func (f *fbFixture) assertCleanedUp(t *testing.T, res check.Result) {
	t.Helper()
	if left := f.env.RunDeferred(context.Background()); len(left) > 0 {
		t.Fatalf("clean-up left: %v", left)
	}
	tok := f.signIn(t)
	for _, r := range res.Table.Rows {
		label := r.Label
		switch {
		case strings.HasPrefix(label, "rtdb canary "):
			path := strings.TrimPrefix(label, "rtdb canary ")
			if code, body := f.status(t, http.MethodGet, path+".json", tok, false); code != http.StatusOK || body != "null" {
				t.Errorf("rtdb canary %s still there: %d %s", path, code, body)
			}
		case strings.HasPrefix(label, "firestore canary "):
			p := strings.TrimPrefix(label, "firestore canary ")
			coll, id := p[:strings.LastIndexByte(p, '/')], p[strings.LastIndexByte(p, '/')+1:]
			if _, ok := f.fb.Doc(coll, id); ok {
				t.Errorf("firestore canary %s still there", p)
			}
		case strings.HasPrefix(label, "storage canary "):
			name := strings.TrimPrefix(label, "storage canary demo-portal.appspot.com/")
			code, body := f.status(t, http.MethodGet, "/firebasestorage.googleapis.com/v0/b/demo-portal.appspot.com/o/"+
				strings.ReplaceAll(name, "/", "%2F"), tok, true)
			if code != http.StatusNotFound {
				t.Errorf("storage canary %s still there: %d %s", name, code, body)
			}
		}
	}
}

// TestFirebaseDataLoginRefused: a member the project refuses makes the
// check ERROR, never PASS.
func TestFirebaseDataLoginRefused(t *testing.T) {
	f := newFBFixture(t, fbRules{firebase.RulesOwner, firebase.RulesOwner, firebase.RulesOwner}, fbOpts{bPass: "another-password-1"})
	res := checktest.Run(t, FirebaseData{}, f.env)
	if res.Status != check.Error {
		t.Fatalf("status %s, want ERROR: %s", res.Status, res.Summary)
	}
	if !strings.Contains(res.Summary, "member b") {
		t.Errorf("the error should name member b: %s", res.Summary)
	}
}

// TestFirebaseDataWithoutConfig: without auth.firebase the check names
// the config to add when the frontend shows a Firebase project.
func TestFirebaseDataWithoutConfig(t *testing.T) {
	f := newFBFixture(t, fbRules{}, fbOpts{noConfig: true})
	res := checktest.Run(t, FirebaseData{}, f.env)
	if res.Status != check.Skip {
		t.Fatalf("status %s, want SKIP: %s", res.Status, res.Summary)
	}
	for _, want := range []string{"api_key: " + f.fb.APIKey(), "project_id: demo-portal", "database_url: " + f.srv.URL,
		"storage_bucket: demo-portal.appspot.com"} {
		if !strings.Contains(res.Enable, want) {
			t.Errorf("Enable %q lacks %q", res.Enable, want)
		}
	}
	if !strings.Contains(res.Reason, "/app.js") {
		t.Errorf("the reason should name where the config was seen: %s", res.Reason)
	}
	if f.fb.Requests() != 0 {
		t.Errorf("%d requests reached the project without auth.firebase", f.fb.Requests())
	}
}

// TestFirebaseDataNoFirebase: no config and no Firebase in the frontend
// is N/A.
func TestFirebaseDataNoFirebase(t *testing.T) {
	srv := httptest.NewServer(&checktest.Portal{})
	t.Cleanup(srv.Close)
	env := checktest.Env(t, "target: {url: "+srv.URL+", scope: [127.0.0.1]}\nauth:\n  login: {path: /login}\n"+
		"accounts:\n  a: {email: a@portal.test, password: env:PW}\n  b: {email: b@portal.test, password: env:PW}\n")
	res := checktest.Run(t, FirebaseData{}, env)
	if res.Status != check.NA {
		t.Fatalf("status %s, want N/A: %s", res.Status, res.Summary)
	}
}

// TestFirebaseDataUnproven: a read the rules allow that shows no other
// member's data (a catalogue without owners) is no leak; a run with only
// such reads is a WARN, one whose probes all failed an ERROR, and one
// with nothing to probe a SKIP, never a PASS.
func TestFirebaseDataUnproven(t *testing.T) {
	o := fbOpts{
		extraJS:   `getDocs(collection(db, "products")); onValue(ref(rtdb, "status"), show);`,
		extraDocs: map[string][]firebase.Doc{"products": {{ID: "p1", Fields: map[string]any{"name": "Community Pro"}}}},
	}
	rules := fbRules{firebase.RulesLocked, firebase.RulesAuthed, firebase.RulesLocked}
	f := newFBFixture(t, rules, o)
	res := checktest.Run(t, FirebaseData{}, f.env)
	// invoices and a's orders leak under authed rules too; the
	// catalogue's cell is the one judged here.
	if res.Status != check.Fail {
		t.Errorf("status %s, want FAIL for invoices: %s", res.Status, res.Summary)
	}
	var cell string
	for _, r := range res.Table.Rows {
		if r.Label == "firestore products" {
			cell = r.Cells[1]
		}
	}
	if !strings.HasPrefix(cell, "allowed (document p1") {
		t.Errorf("member b's read of products: %q, want allowed without an owner", cell)
	}

	// Only unproven reads: WARN.
	p := &firebaseProbe{read: [2]fbIdentity{{name: "anonymous"}, {name: "member b", uid: fbUIDB}},
		rows: []fbRow{{label: "firestore products", cells: [2]fbCell{{state: fbRefused, text: "refused (403)"}, {state: fbOpen, text: "allowed"}}}},
		env:  f.env}
	if r := p.verdict(); r.Status != check.Warn || !strings.Contains(r.Summary, "firestore products (member b)") {
		t.Errorf("unproven read: %s %s, want WARN naming it", r.Status, r.Summary)
	}
	// Nothing but failures: ERROR, never PASS.
	p.rows[0].cells = [2]fbCell{{state: fbFailed, text: "unexpected 500"}, {state: fbFailed, text: "unexpected 500"}}
	if r := p.verdict(); r.Status != check.Error {
		t.Errorf("failed probes: %s, want ERROR", r.Status)
	}
	// Nothing probed: SKIP.
	p.rows = nil
	if r := p.verdict(); r.Status != check.Skip {
		t.Errorf("nothing probed: %s, want SKIP", r.Status)
	}
}

// TestFirebaseDataBesideFormLogin: a portal with its own login reaches
// the project through separate Firebase logins of a and b.
func TestFirebaseDataBesideFormLogin(t *testing.T) {
	f := newFBFixture(t, fbRules{firebase.RulesOwner, firebase.RulesOwner, firebase.RulesOwner}, fbOpts{formLogin: true, intrusive: true})
	res := checktest.Run(t, FirebaseData{}, f.env)
	if res.Status != check.Pass || !strings.Contains(res.Summary, "3 canaries") {
		t.Fatalf("%s: %s, want PASS with 3 canaries", res.Status, res.Summary)
	}
	f.assertCleanedUp(t, res)
}

// TestFirebaseDataRenewsExpiredTokens: member b's ID token expired
// before the check ran; the Realtime Database's "Auth token is expired"
// is answered by renewing it, not read as a refusal.
func TestFirebaseDataRenewsExpiredTokens(t *testing.T) {
	f := newFBFixture(t, fbRules{firebase.RulesAuthed, firebase.RulesOwner, firebase.RulesOwner}, fbOpts{ttl: 2 * time.Second})
	b, err := f.env.Sessions.PlatformSession(context.Background(), "firebase", "b")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	res := checktest.Run(t, FirebaseData{}, f.env)
	if res.Status != check.Fail || !strings.Contains(res.Summary, "rtdb / (member b)") {
		t.Fatalf("%s: %s, want member b to read the authed database", res.Status, res.Summary)
	}
	if b.Renewals() < 1 {
		t.Errorf("member b's token was not renewed")
	}
	assertNoToken(t, res)
}

// TestFirebaseDenials: each service's denial is a refusal; a member's
// token trouble is a failed probe, never a refusal that could pass.
func TestFirebaseDenials(t *testing.T) {
	anonymous, member := fbIdentity{name: "anonymous"}, fbIdentity{name: "member b", sess: &client.Session{}, uid: fbUIDB}
	for _, tc := range []struct {
		service string
		who     fbIdentity
		status  int
		body    string
		want    fbState
	}{
		{"rtdb", anonymous, 401, `{"error" : "Permission denied"}`, fbRefused},
		{"rtdb", member, 401, `{"error" : "Permission denied"}`, fbRefused},
		{"rtdb", member, 401, `{"error" : "Auth token is expired"}`, fbFailed},
		{"rtdb", member, 401, `{"error" : "Could not parse auth token."}`, fbFailed},
		{"firestore", anonymous, 403, `{"error":{"status":"PERMISSION_DENIED"}}`, fbRefused},
		{"firestore", member, 401, `{"error":{"status":"UNAUTHENTICATED"}}`, fbFailed},
		{"firestore", member, 404, `{"error":{"status":"NOT_FOUND"}}`, fbFailed},
		{"storage", anonymous, 401, `{"error":{"code":401}}`, fbRefused},
		{"storage", member, 401, `{"error":{"code":401}}`, fbFailed},
		{"storage", member, 403, `{"error":{"code":403,"message":"Permission denied."}}`, fbRefused},
		{"storage", member, 200, `{}`, fbOpen},
	} {
		resp := &client.Response{StatusCode: tc.status, Body: []byte(tc.body)}
		got := fbRefusedOr(tc.service, tc.who, resp, func() fbCell { return fbCell{state: fbOpen} })
		if got.state != tc.want {
			t.Errorf("%s %s %d %s: state %d (%s), want %d", tc.service, tc.who.name, tc.status, tc.body, got.state, got.text, tc.want)
		}
	}
}
