package firebase

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// hostileServer is a project with data everywhere and open rules, so
// that hostile requests reach every parser.
func hostileServer(t testing.TB) *Server {
	t.Helper()
	s, err := New(Options{
		Users:     []User{userA, userB, userC},
		RTDB:      RTDB{Rules: RulesOwner, Data: rtdbData()},
		Firestore: Firestore{Rules: RulesOwner, Collections: fsCollections(), RoleFromProfile: true},
		Storage:   Storage{Rules: RulesOwner, Objects: stObjects()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsigned forges a token with alg none and A's claims.
func unsigned(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "."
}

func TestHostileInput(t *testing.T) {
	f := newFixture(t, Options{
		RTDB:      RTDB{Rules: RulesOwner, Data: rtdbData()},
		Firestore: Firestore{Rules: RulesOwner, Collections: fsCollections()},
		Storage:   Storage{Rules: RulesOwner, Objects: stObjects()},
	})
	key := f.srv.APIKey()
	a := f.idToken(userA)
	parts := strings.Split(a, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"uidB","user_id":"uidB"}`)) + "." + parts[2]
	forged := unsigned(`{"iss":"https://securetoken.google.com/demo-portal","aud":"demo-portal","sub":"uidA","iat":1,"exp":9999999999}`)
	big := strings.Repeat("x", maxBody+10)
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
	}{
		{"oversized sign-in", "POST", "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=" + key, `{"email":"` + big + `"}`, nil, 413},
		{"oversized RTDB write", "PUT", "/x.json", `"` + big + `"`, nil, 413},
		{"oversized Firestore patch", "PATCH", fsPath + "/users/uidA", big, bearer("Bearer", a), 413},
		{"deep RTDB write", "PUT", "/users/uidA/x.json?auth=" + a, deep, nil, 200},
		{"deep Firestore value", "PATCH", fsPath + "/users/uidA", `{"fields":{"x":` + strings.Repeat(`{"mapValue":{"fields":{"x":`, 30) + `{"nullValue":null}` + strings.Repeat("}}}", 30) + `}}`, bearer("Bearer", a), 400},
		{"JSON array as sign-in", "POST", "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=" + key, `[1,2]`, nil, 400},
		{"two JSON values", "POST", "/identitytoolkit.googleapis.com/v1/accounts:lookup?key=" + key, `{}{}`, nil, 400},
		{"null body fields", "POST", "/identitytoolkit.googleapis.com/v1/accounts:update?key=" + key, `{"idToken":null,"customAttributes":null}`, nil, 400},
		{"alg none on RTDB", "GET", "/users/uidA.json?auth=" + forged, "", nil, 401},
		{"alg none on Firestore", "GET", fsPath + "/users/uidA", "", bearer("Bearer", forged), 401},
		{"alg none on Storage", "GET", obj("users/uidA/avatar.png"), "", bearer("Firebase", forged), 401},
		{"alg none at lookup", "POST", "/identitytoolkit.googleapis.com/v1/accounts:lookup?key=" + key, `{"idToken":"` + forged + `"}`, nil, 400},
		{"tampered claims", "GET", "/users/uidB.json?auth=" + tampered, "", nil, 401},
		{"token of dots", "GET", "/users/uidA.json?auth=...", "", nil, 401},
		{"huge token", "GET", fsPath + "/users/uidA", "", bearer("Bearer", strings.Repeat("a.", 5000)), 401},
		{"bearer without token", "GET", fsPath + "/users/uidA", "", []string{"Authorization", "Bearer"}, 401},
		{"escaped percent in RTDB path", "GET", "/users/%25zz.json", "", nil, 401},
		{"escaped slash in RTDB key", "GET", "/users/a%2Fb.json", "", nil, 400},
		{"control character key", "GET", "/users/%01.json", "", nil, 400},
		{"escaped slash in document ID", "GET", fsPath + "/users/a%2Fb", "", nil, 400},
		{"escaped percent in object", "GET", stPath + "/%25zz", "", nil, 403},
		{"dot-dot document", "GET", fsPath + "/users/%2E%2E", "", nil, 400},
		{"bad method override", "POST", "/x.json", `1`, []string{"X-HTTP-Method-Override", "TRACE"}, 405},
		{"form body to Firestore", "PATCH", fsPath + "/users/uidA", "a=b", bearer("Bearer", a), 400},
		{"refresh with form garbage", "POST", "/securetoken.googleapis.com/v1/token?key=" + key, "%zz=%", []string{"Content-Type", "application/x-www-form-urlencoded"}, 400},
		{"unknown Identity method", "POST", "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=" + key, `{}`, nil, 404},
		{"unknown path", "GET", "/admin", "", nil, 404},
		{"preflight", "OPTIONS", "/identitytoolkit.googleapis.com/v1/accounts:lookup", "", []string{"Origin", "https://evil.example", "Access-Control-Request-Headers", "content-type"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, tc.path, tc.body, tc.hdr...)
			if r.status != tc.status {
				t.Errorf("status %d, want %d: %.300s", r.status, tc.status, r.body)
			}
		})
	}
}

// TestConcurrentUse drives every API from many goroutines; run with
// -race.
func TestConcurrentUse(t *testing.T) {
	s := hostileServer(t)
	base := startServer(t, s)
	f := &fixture{t: t, srv: s, url: base}
	tokA, refreshA := f.tokens(userA)
	tokB := f.idToken(userB)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				reqs := []*http.Request{
					httptest.NewRequest("GET", "/users/uidA.json?auth="+tokA, nil),
					httptest.NewRequest("PUT", fmt.Sprintf("/users/uidA/n%d.json?auth=%s", i, tokA), strings.NewReader(fmt.Sprint(j))),
					httptest.NewRequest("GET", fsPath+"/invoices", nil),
					httptest.NewRequest("PATCH", fsPath+"/users/uidB?updateMask.fieldPaths=n", strings.NewReader(fmt.Sprintf(`{"fields":{"n":{"integerValue":"%d"}}}`, j))),
					httptest.NewRequest("GET", stPath+"?prefix=users/uidA/", nil),
					httptest.NewRequest("POST", "/securetoken.googleapis.com/v1/token?key="+s.APIKey(), strings.NewReader("grant_type=refresh_token&refresh_token="+refreshA)),
				}
				reqs[3].Header.Set("Authorization", "Bearer "+tokB)
				reqs[4].Header.Set("Authorization", "Firebase "+tokA)
				reqs[5].Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, r := range reqs {
					w := httptest.NewRecorder()
					s.ServeHTTP(w, r)
					if w.Code >= 500 {
						t.Errorf("%s %s: %d", r.Method, r.URL, w.Code)
					}
				}
			}
		})
	}
	wg.Wait()
	if got := s.Requests(); got < 8*10*6 {
		t.Errorf("Requests() = %d, want at least %d", got, 8*10*6)
	}
}

// FuzzRequest throws arbitrary methods, paths, queries, headers and
// bodies at every router and parser: nothing may panic or answer 5xx.
func FuzzRequest(f *testing.F) {
	s := hostileServer(f)
	tok := ""
	{
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key="+s.APIKey(),
			strings.NewReader(`{"email":"ann@example.com","password":"ann-password"}`)))
		tok = strings.Split(strings.Split(w.Body.String(), `"idToken": "`)[1], `"`)[0]
	}
	seeds := []struct{ method, target, auth, body string }{
		{"GET", "/.json?shallow=true", "", ""},
		{"GET", `/invoices.json?orderBy="$key"&limitToFirst=1&startAt="i"`, "", ""},
		{"PATCH", "/.json", "", `{"a/b/c":{"d":[1,2,{"e":null}]}}`},
		{"POST", "/notes.json", "", `{"owner":"uidA"}`},
		{"GET", fsPath + "/invoices?pageSize=1&mask.fieldPaths=`a.b`.c", "Bearer", ""},
		{"PATCH", fsPath + "/users/uidA?updateMask.fieldPaths=role&currentDocument.exists=true", "Bearer", `{"fields":{"role":{"stringValue":"admin"}}}`},
		{"POST", fsPath + ":runQuery", "Bearer", `{"structuredQuery":{"from":[{"collectionId":"invoices"}],"where":{"fieldFilter":{"field":{"fieldPath":"owner"},"op":"EQUAL","value":{"stringValue":"uidA"}}},"limit":1}}`},
		{"GET", stPath + "?prefix=users/uidA/&delimiter=/&maxResults=1", "Firebase", ""},
		{"GET", stPath + "/users%2FuidA%2Favatar.png?alt=media", "Firebase", ""},
		{"POST", "/identitytoolkit.googleapis.com/v1/accounts:update?key=" + s.APIKey(), "", `{"idToken":"x","customAttributes":"{}"}`},
		{"POST", "/securetoken.googleapis.com/v1/token?key=" + s.APIKey(), "", "grant_type=refresh_token&refresh_token=x"},
		{"GET", "/www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com", "", ""},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.target, sd.auth, sd.body)
	}
	f.Fuzz(func(t *testing.T, method, target, scheme, body string) {
		req, err := http.NewRequest(method, "http://fake"+target, strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		if scheme != "" {
			req.Header.Set("Authorization", scheme+" "+tok)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Errorf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
	})
}

// FuzzParsers feeds one string to every parser of untrusted input and
// checks what each promises of its output.
func FuzzParsers(f *testing.F) {
	s := hostileServer(f)
	for _, seed := range []string{
		"users/uidA.json", "/.json", "a%2Fb/c.json", "`a.b`.c", "a..b", "a/b//c",
		`orderBy="$key"&limitToFirst=1&startAt="a"`, "shallow=true&orderBy=%22$value%22",
		"v1/projects/demo-portal/databases/(default)/documents/users/uidA:runQuery",
		`{"mapValue":{"fields":{"a":{"arrayValue":{"values":[{"integerValue":"1"}]}}}}}`,
		"eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if path, ok := rtdbPath(in); ok {
			for _, k := range path {
				if !validKey(k) {
					t.Errorf("rtdbPath(%q) gave invalid key %q", in, k)
				}
			}
		}
		if path, ok := keyPath(in); ok && len(path) == 0 {
			t.Errorf("keyPath(%q) is ok but empty", in)
		}
		if path, ok := parseFieldPath(in); ok {
			for _, seg := range path {
				if seg == "" {
					t.Errorf("parseFieldPath(%q) gave an empty segment", in)
				}
			}
		}
		if q, err := url.ParseQuery(in); err == nil {
			if qry, bad := parseRTDBQuery(q, []string{"x"}); bad == "" && qry.first == 0 {
				t.Errorf("parseRTDBQuery(%q) accepted a zero limit", in)
			}
		}
		if req, e := s.parseFirestorePath("/firestore.googleapis.com/" + in); e == nil && req.id != "" && !validID(req.id) {
			t.Errorf("parseFirestorePath(%q) gave invalid ID %q", in, req.id)
		}
		if v, err := decodeValue([]byte(in), 1); err == nil {
			_ = encodeValue(v)
		}
		if _, err := s.verifyIDToken(in); err == nil {
			t.Errorf("verifyIDToken accepted %q", in)
		}
	})
}
