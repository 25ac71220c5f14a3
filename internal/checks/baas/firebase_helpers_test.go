package baas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/fakes/firebase"
)

// fbRules picks each service's rule set for a fixture.
type fbRules struct {
	rtdb, firestore, storage firebase.Rules
}

// fbFixture is a portal whose frontend uses a local fake Firebase
// project, and the env a scan of it would have.
type fbFixture struct {
	fb  *firebase.Server
	srv *httptest.Server
	env *check.Env

	mu sync.Mutex
	// bulk lists requests that copied more than one item.
	bulk []string
	// perService counts data requests by service.
	perService map[string]int
}

const (
	fbUIDA = "uidAlice00000000000000000000"
	fbUIDB = "uidBob0000000000000000000000"
)

// fbAppJS is the portal's bundle: its firebaseConfig and the paths its
// code uses.
const fbAppJS = `const firebaseConfig = {
  apiKey: "%s",
  authDomain: "demo-portal.firebaseapp.com",
  databaseURL: "%s",
  projectId: "demo-portal",
  storageBucket: "demo-portal.appspot.com"
};
const app = initializeApp(firebaseConfig), db = getFirestore(app), rtdb = getDatabase(app), storage = getStorage(app);
export const invoices = () => getDocs(query(collection(db, "invoices"), where("owner", "==", auth.currentUser.uid)));
export const orders = (uid) => getDocs(collection(db, "users", uid, "orders"));
export const profile = (uid) => onValue(ref(rtdb, "users/" + uid), show);
export const avatar = (uid, f) => uploadBytes(ref(storage, ` + "`avatars/${uid}/photo.png`" + `), f);
`

// fbOpts shapes a fixture beyond its rules.
type fbOpts struct {
	intrusive bool
	// bPass is member b's password in the project; checktest.Password
	// (what the config gives) when empty.
	bPass string
	// noConfig leaves auth.firebase out of the config.
	noConfig bool
	// formLogin gives the portal its own login form (auth.login), the
	// Firebase project being reached beside it.
	formLogin bool
	// extraJS is appended to the bundle.
	extraJS string
	// extraDocs are added to Firestore.
	extraDocs map[string][]firebase.Doc
	// ttl is the ID tokens' lifetime (an hour when zero).
	ttl time.Duration
}

// newFBFixture starts the fake project with rules, seeded with members
// a's and b's data, and a portal serving a frontend that uses it.
func newFBFixture(t *testing.T, rules fbRules, o fbOpts) *fbFixture {
	t.Helper()
	if o.bPass == "" {
		o.bPass = checktest.Password
	}
	colls := map[string][]firebase.Doc{
		"invoices": {{ID: "inv-a1", Fields: map[string]any{"owner": fbUIDA, "total": 12}},
			{ID: "inv-b1", Fields: map[string]any{"owner": fbUIDB, "total": 30}}},
		"users/" + fbUIDA + "/orders": {{ID: "o1", Fields: map[string]any{"item": "Community Pro"}}},
	}
	for k, v := range o.extraDocs {
		colls[k] = v
	}
	fb, err := firebase.New(firebase.Options{
		ProjectID: "demo-portal", TokenTTL: o.ttl,
		Users: []firebase.User{{UID: fbUIDA, Email: "a@portal.test", Password: checktest.Password},
			{UID: fbUIDB, Email: "b@portal.test", Password: o.bPass}},
		RTDB: firebase.RTDB{Rules: rules.rtdb, Data: map[string]any{
			"users":    map[string]any{fbUIDA: map[string]any{"name": "Alice Anders", "plan": "pro"}, fbUIDB: map[string]any{"name": "Bob Brandt"}},
			"messages": map[string]any{"m1": map[string]any{"owner": fbUIDA, "text": "hello"}},
		}},
		Firestore: firebase.Firestore{Rules: rules.firestore, Collections: colls},
		Storage: firebase.Storage{Rules: rules.storage, Objects: []firebase.Object{
			{Name: "avatars/" + fbUIDA + "/photo.png", Owner: fbUIDA, Size: 2000},
			{Name: "avatars/" + fbUIDB + "/photo.png", Owner: fbUIDB, Size: 2000},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fbFixture{fb: fb, perService: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serveFake))
	t.Cleanup(f.srv.Close)
	js := fmt.Sprintf(fbAppJS, fb.APIKey(), f.srv.URL) + o.extraJS
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><head><script type="module" src="/app.js"></script></head><body><h1>Portal</h1></body></html>`)
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, js)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(portal.Close)
	yaml := fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n", portal.URL)
	if o.formLogin || o.noConfig {
		yaml += "  login: {path: /login}\n"
	} else {
		yaml += "  kind: firebase\n"
	}
	if !o.noConfig {
		yaml += fmt.Sprintf("  firebase:\n    api_key: %s\n    project_id: demo-portal\n    database_url: %[2]s\n"+
			"    storage_bucket: demo-portal.appspot.com\n"+
			"    endpoints: {identity: %[2]s/identitytoolkit.googleapis.com, securetoken: %[2]s/securetoken.googleapis.com, "+
			"firestore: %[2]s/firestore.googleapis.com, storage: %[2]s/firebasestorage.googleapis.com}\n", fb.APIKey(), f.srv.URL)
	}
	yaml += "accounts:\n  a: {email: a@portal.test, password: env:PW}\n  b: {email: b@portal.test, password: env:PW}\n"
	f.env = checktest.Env(t, yaml)
	if o.intrusive {
		checktest.Intrusive(f.env)
	}
	return f
}

// serveFake serves the fake one request at a time, noting any request
// that copied more than one stored item.
func (f *fbFixture) serveFake(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	total := func() int {
		return f.fb.ItemsReturned("rtdb") + f.fb.ItemsReturned("firestore") + f.fb.ItemsReturned("storage")
	}
	before := total()
	f.fb.ServeHTTP(w, r)
	if n := total() - before; n > 1 {
		f.bulk = append(f.bulk, fmt.Sprintf("%s %s copied %d items", r.Method, r.URL.Path, n))
	}
	switch host, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); host {
	case "firestore.googleapis.com":
		f.perService["firestore"]++
	case "firebasestorage.googleapis.com":
		f.perService["storage"]++
	case "identitytoolkit.googleapis.com", "securetoken.googleapis.com":
		f.perService["auth"]++
	default:
		f.perService["rtdb"]++
	}
}

// signIn returns member a's ID token, straight from the fake.
func (f *fbFixture) signIn(t *testing.T) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"email": "a@portal.test", "password": checktest.Password, "returnSecureToken": true})
	rec := httptest.NewRecorder()
	f.fb.ServeHTTP(rec, httptest.NewRequest(http.MethodPost,
		"/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key="+f.fb.APIKey(), bytes.NewReader(body)))
	var out struct {
		IDToken string `json:"idToken"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.IDToken == "" {
		t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	return out.IDToken
}

// status asks the fake for path as member a and returns the status and
// body.
func (f *fbFixture) status(t *testing.T, method, path, token string, bearer bool) (int, string) {
	t.Helper()
	if !bearer {
		path += "?auth=" + url.QueryEscape(token)
	}
	req := httptest.NewRequest(method, path, nil)
	if bearer {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.fb.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// leakCells lists "row (column)" for every leaking cell of the table.
func leakCells(tab *check.Table) []string {
	var out []string
	if tab == nil {
		return nil
	}
	for _, r := range tab.Rows {
		for i, c := range r.Cells {
			if strings.HasPrefix(c, "LEAK") {
				out = append(out, r.Label+" ("+tab.Columns[i]+")")
			}
		}
	}
	return out
}
