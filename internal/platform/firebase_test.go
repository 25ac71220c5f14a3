package platform

import (
	"reflect"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/fakesecret"
)

const testKey = "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"

// fbNames lists the names, nil for none.
func fbNames(us []Use) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestFirebaseConfig(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []FirebaseConfig
	}{
		{name: "unminified", body: `const firebaseConfig = {
  apiKey: "` + testKey + `",
  authDomain: "demo-portal.firebaseapp.com",
  databaseURL: "https://demo-portal-default-rtdb.firebaseio.com",
  projectId: "demo-portal",
  storageBucket: "demo-portal.appspot.com",
  messagingSenderId: "1234567890",
  appId: "1:1234567890:web:abcdef"
};
initializeApp(firebaseConfig);`,
			want: []FirebaseConfig{{APIKey: testKey, AuthDomain: "demo-portal.firebaseapp.com", ProjectID: "demo-portal",
				DatabaseURL: "https://demo-portal-default-rtdb.firebaseio.com", StorageBucket: "demo-portal.appspot.com", Where: "src"}}},
		{name: "minified single quotes", body: `var a=(0,o.initializeApp)({apiKey:'` + testKey + `',authDomain:'p1-x.firebaseapp.com',projectId:'p1-x',storageBucket:'p1-x.firebasestorage.app'});`,
			want: []FirebaseConfig{{APIKey: testKey, AuthDomain: "p1-x.firebaseapp.com", ProjectID: "p1-x", StorageBucket: "p1-x.firebasestorage.app", Where: "src"}}},
		{name: "JSON quoted keys", body: `{"apiKey": "` + testKey + `", "projectId": "json-proj"}`,
			want: []FirebaseConfig{{APIKey: testKey, ProjectID: "json-proj", Where: "src"}}},
		{name: "template literal values", body: "cfg={apiKey:`" + testKey + "`,projectId:`tpl-proj`}",
			want: []FirebaseConfig{{APIKey: testKey, ProjectID: "tpl-proj", Where: "src"}}},
		{name: "no Google key", body: `{apiKey: "` + fakesecret.StripeLiveKey + `", projectId: "x-proj"}`},
		{name: "short key", body: `{apiKey: "AIzaShort", projectId: "x-proj"}`},
		{name: "other object's properties not borrowed", body: `{projectId:"wrong-one"};{apiKey:"` + testKey + `"}`,
			want: []FirebaseConfig{{APIKey: testKey, Where: "src"}}},
		{name: "twice is once", body: `{apiKey:"` + testKey + `",projectId:"p-one1"} {apiKey:"` + testKey + `",projectId:"p-one1"}`,
			want: []FirebaseConfig{{APIKey: testKey, ProjectID: "p-one1", Where: "src"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Firebase([]Source{{Label: "src", Body: tc.body}}).Configs
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFirebasePaths(t *testing.T) {
	for _, tc := range []struct {
		name, body        string
		coll, db, storage []string
	}{
		{name: "modular collection", body: `getDocs(collection(db, "invoices"))`, coll: []string{"invoices"}},
		{name: "subcollection with variable", body: `collection(db, "users", uid, "orders")`, coll: []string{"users/*/orders"}},
		{name: "subcollection in one template", body: "collection(db, `users/${user.uid}/orders`)", coll: []string{"users/*/orders"}},
		{name: "doc names its collection", body: `getDoc(doc(db, "profiles/abc"))`, coll: []string{"profiles"}},
		{name: "doc with id argument", body: `doc(db, "profiles", auth.currentUser.uid)`, coll: []string{"profiles"}},
		{name: "collection under a doc", body: `collection(doc(db, "users", u), "notes")`, coll: []string{"users/*/notes"}},
		{name: "webpack form", body: `(0,r.collection)(n,"tickets");(0,r.doc)(n,"tickets",t.id)`, coll: []string{"tickets"}},
		{name: "compat chain", body: `firebase.firestore().collection("users").doc(uid).collection("payments").get()`,
			coll: []string{"users", "users/*/payments"}},
		{name: "compat doc path", body: `db.doc("settings/global")`, coll: []string{"settings"}},
		{name: "compat doc path dynamic", body: `db.doc("users/" + uid)`, coll: []string{"users"}},
		{name: "dynamic collection name dropped", body: `collection(db, name)`},
		{name: "lone doc method ignored", body: `pdf.doc("hello")`},
		{name: "rtdb modular", body: `onValue(ref(db, "messages/" + roomId), cb)`, db: []string{"messages/*"}},
		{name: "rtdb child of ref", body: `child(ref(db), "users/" + uid)`, db: []string{"users/*"}},
		{name: "rtdb child of path ref", body: `child(ref(db, "rooms"), id)`, db: []string{"rooms/*"}},
		{name: "rtdb compat chain", body: `firebase.database().ref("users").child(uid).once("value")`, db: []string{"users", "users/*"}},
		{name: "rtdb compat root child", body: `db.ref().child('presence')`, db: []string{"presence"}},
		{name: "vue ref is not a path", body: `const count = ref(0); const name = ref("hello")`},
		{name: "storage modular", body: "uploadBytes(ref(storage, `avatars/${uid}/photo.png`), f)", storage: []string{"avatars/*/photo.png"}},
		{name: "storage by file name", body: `ref(s, "invoices/" + id + ".pdf")`, storage: []string{"invoices/*"}},
		{name: "storage compat", body: `firebase.storage().ref("uploads").child(name)`, storage: []string{"uploads", "uploads/*"}},
		{name: "escaped slash", body: `collection(db,"a\/b\/c")`, coll: []string{"a/b/c"}},
		{name: "spaces are no path", body: `collection(db, "not a path")`},
		{name: "unterminated", body: `collection(db, "users`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := Firebase([]Source{{Label: "/app.js", Body: tc.body}})
			if got := fbNames(u.Collections); !reflect.DeepEqual(got, tc.coll) {
				t.Errorf("collections = %q, want %q", got, tc.coll)
			}
			if got := fbNames(u.DatabasePaths); !reflect.DeepEqual(got, tc.db) {
				t.Errorf("database paths = %q, want %q", got, tc.db)
			}
			if got := fbNames(u.StoragePaths); !reflect.DeepEqual(got, tc.storage) {
				t.Errorf("storage paths = %q, want %q", got, tc.storage)
			}
		})
	}
}

// TestFirebaseFirstWhereAndBounds: a name keeps the first source that
// used it, and each list stops at its bound.
func TestFirebaseFirstWhereAndBounds(t *testing.T) {
	u := Firebase([]Source{
		{Label: "/a.js", Body: `collection(db,"orders")`},
		{Label: "/b.js", Body: `collection(db,"orders");collection(db,"items")`},
	})
	want := []Use{{Name: "orders", Where: "/a.js"}, {Name: "items", Where: "/b.js"}}
	if !reflect.DeepEqual(u.Collections, want) {
		t.Errorf("collections = %+v, want %+v", u.Collections, want)
	}
	var b strings.Builder
	for i := 0; i < 3*maxFirebaseNames; i++ {
		b.WriteString(`collection(db,"c` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `");`)
	}
	if n := len(Firebase([]Source{{Label: "x", Body: b.String()}}).Collections); n != maxFirebaseNames {
		t.Errorf("%d collections kept, want the bound %d", n, maxFirebaseNames)
	}
}

func FuzzFirebase(f *testing.F) {
	for _, s := range []string{
		`{apiKey:"` + testKey + `",projectId:"p-one1"}`,
		"collection(db, `users/${a.b}/x`)",
		`firebase.firestore().collection("users").doc(uid).collection("p")`,
		`child(ref(db), "a" + b)`, "ref(storage, `a/${`b`}`)", `doc(db,"a","b")(`, `(0,r.collection)(`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		u := Firebase([]Source{{Label: "f", Body: body}})
		if len(u.Configs) > maxFirebaseConfigs {
			t.Fatalf("%d configs", len(u.Configs))
		}
		for _, list := range [][]Use{u.Collections, u.DatabasePaths, u.StoragePaths} {
			if len(list) > maxFirebaseNames {
				t.Fatalf("%d names", len(list))
			}
			for _, n := range list {
				for _, seg := range strings.Split(n.Name, "/") {
					if !fbSegment.MatchString(seg) {
						t.Fatalf("bad segment %q in %q", seg, n.Name)
					}
				}
			}
		}
		for _, c := range u.Collections {
			if strings.Count(c.Name, "/")%2 != 0 {
				t.Fatalf("collection %q has an even number of segments", c.Name)
			}
		}
	})
}
