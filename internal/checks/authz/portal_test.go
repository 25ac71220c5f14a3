package authz

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

// How the test API answers a read of someone else's object.
const (
	refuse404    = "404"      // 404 {"error":"not found"}: correct
	leakAny      = "any"      // login only: the object itself
	emptyList    = "empty"    // 200 {"items": []}: correct, no data
	redirectLeak = "redirect" // 302 to /login whose body still carries the object
	catchAll     = "catchall" // the same 200 app shell for everything
	loginPage    = "login"    // the login page with 200
	wafBlock     = "waf"      // 403 block page
	errorEcho    = "error"    // 500 page echoing the requested ID
)

// Invoice sets (apiPortal.Invoices).
const (
	// smallIDs numbers the invoices 1 to 4 (a has 1 and 2), each line
	// holding its ID's digits: "Total 120.00", "12 licences".
	smallIDs = "small"
	// blandInvoices gives a's and b's invoices the same text: nothing in
	// a's copy is a's alone.
	blandInvoices = "bland"
)

// Notes modes (apiPortal.Notes); each seeds two notes per member.
const (
	notesOwn      = "own"       // the list shows one's own notes, reads check the owner
	notesListLeak = "list-leak" // the list shows every member's notes, reads check the owner
	notesPublic   = "public"    // list and reads answer anyone, anonymous visitors too
)

// Admin areas (apiPortal.AdminArea): HTML pages /admin and /admin/users
// whose non-admins are sent to the area's own sign-in page, /admin/login,
// which shares the area's layout.
const (
	adminGuarded   = "guarded"
	adminUsersLeak = "users-leak" // /admin/users shows the member list to members
	// adminToDashboard: /admin lists every member (name and email, each in
	// its own cell) to the admin; members are sent to their own dashboard,
	// which greets them by the same name and email.
	adminToDashboard = "to-dashboard"
)

// apiPortal is a members' JSON API written for these tests: members a, b
// and admin; invoices (read), notes (create, update, delete), files by ID,
// a profile with a role, an admin API, and an HTML dashboard linking to it
// all. Sessions are cookies (form login) or bearer tokens (JSON login).
type apiPortal struct {
	// Read is how non-owners' invoice reads are answered; Anon the same
	// for anonymous visitors ("" = 401).
	Read, Anon string
	// NoteWrites lets any member update and delete any note.
	NoteWrites bool
	// AdminLoginOnly lets any member use the admin API.
	AdminLoginOnly bool
	// RoleFromBody lets a profile update set the role.
	RoleFromBody bool
	// Sequential gives objects small sequential integer IDs.
	Sequential bool
	// Invoices picks another invoice set ("" for the default).
	Invoices string
	// Notes seeds notes and sets who may list and read them ("" for no
	// seeded notes, owner-checked).
	Notes string
	// AdminArea adds the HTML admin area ("" for none).
	AdminArea string
	// StrictProfile answers 400 to a profile update with a field it does
	// not know (anything but display_name and role).
	StrictProfile bool

	mu       sync.Mutex
	seq      int
	sessions map[string]string // session value -> member
	roles    map[string]string
	names    map[string]string
	invoices map[string]*record
	notes    map[string]*record
	files    map[string]*record
	// Requests records "METHOD path" of every request.
	Requests []string
}

type record struct {
	ID, Owner, Body string
	// Lines, when set, are shown in place of the body.
	Lines []string
	// Num shows the ID as a JSON number.
	Num bool
}

// view is the record as the API shows it.
func (rec *record) view() map[string]any {
	v := map[string]any{"id": rec.ID}
	if rec.Num {
		v["id"], _ = strconv.Atoi(rec.ID)
	}
	if rec.Lines != nil {
		v["lines"] = rec.Lines
	} else {
		v["body"] = rec.Body
	}
	return v
}

func (p *apiPortal) init() {
	p.sessions = map[string]string{}
	p.roles = map[string]string{"a": "member", "b": "member", "admin": "admin"}
	p.names = map[string]string{"a": "Alice Anders", "b": "Bob Brandt", "admin": "Ada Admin"}
	p.invoices, p.notes, p.files = map[string]*record{}, map[string]*record{}, map[string]*record{}
	n := 0
	for _, m := range []string{"a", "b"} {
		for i := 1; i <= 2; i++ {
			n++
			p.invoice(m, i, n)
			fid := p.newID("file")
			p.files[fid] = &record{ID: fid, Owner: m, Body: fmt.Sprintf("Certificate of membership no. %s-%d for %s", strings.ToUpper(m), i, p.names[m])}
			if p.Notes != "" {
				nid := p.newID("note")
				p.notes[nid] = &record{ID: nid, Owner: m, Body: fmt.Sprintf("%s's note %d: parcel locker code K%d%s", p.names[m], i, 40+n, strings.ToUpper(m))}
			}
		}
	}
}

// invoice adds member m's i-th invoice, the n-th of all.
func (p *apiPortal) invoice(m string, i, n int) {
	rec := &record{Owner: m}
	switch p.Invoices {
	case smallIDs:
		rec.ID, rec.Num = strconv.Itoa(n), true
		rec.Lines = []string{fmt.Sprintf("Invoice %d", n), fmt.Sprintf("Total %d.00", 120*n), fmt.Sprintf("%d licences", 12*n)}
	case blandInvoices:
		rec.ID = p.newID("inv")
		rec.Lines = []string{"Monthly membership invoice", "Standard plan, paid by card"}
	default:
		rec.ID = p.newID("inv")
		rec.Body = fmt.Sprintf("INV-2026-%s-%04d for %s, €%d.00", strings.ToUpper(m), 10+i, p.names[m], 12*i)
	}
	p.invoices[rec.ID] = rec
}

func (p *apiPortal) newID(prefix string) string {
	if p.Sequential {
		p.seq++
		return strconv.Itoa(1000 + p.seq)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// member returns who a request is logged in as ("" for nobody).
func (p *apiPortal) member(r *http.Request) string {
	v := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		v = strings.TrimPrefix(h, "Bearer ")
	} else if c, err := r.Cookie("sid"); err == nil {
		v = c.Value
	}
	return p.sessions[v]
}

func (p *apiPortal) login(email, password string) string {
	if password != checktest.Password {
		return ""
	}
	m, _, _ := strings.Cut(email, "@")
	if _, ok := p.roles[m]; !ok {
		return ""
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	s := hex.EncodeToString(b)
	p.sessions[s] = m
	return s
}

const shell = `<html><body><div id="app">Loading the portal…</div></body></html>`

func (p *apiPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Requests = append(p.Requests, r.Method+" "+r.URL.Path)
	me := p.member(r)
	path := r.URL.Path
	switch {
	case path == "/login" && r.Method == http.MethodGet:
		fmt.Fprint(w, checktest.LoginPage)
	case path == "/login" && r.Method == http.MethodPost:
		_ = r.ParseForm()
		if s := p.login(r.PostForm.Get("email"), r.PostForm.Get("password")); s != "" {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: s, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
			http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
			return
		}
		fmt.Fprint(w, checktest.LoginPage)
	case path == "/api/login":
		var in struct{ Email, Password string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		if s := p.login(in.Email, in.Password); s != "" {
			writeJSON(w, 200, map[string]string{"token": s})
			return
		}
		writeJSON(w, 401, map[string]string{"error": "bad credentials"})
	case path == "/static/app.js":
		fmt.Fprint(w, `const api = {me: "/api/me", users: "/api/admin/users", purge: "/api/admin/purge-cache"};`)
	case p.Notes == notesPublic && r.Method == http.MethodGet && (path == "/api/notes" || strings.HasPrefix(path, "/api/notes/")):
		p.publicNotes(w, strings.TrimPrefix(strings.TrimPrefix(path, "/api/notes"), "/"))
	case p.AdminArea != "" && (path == "/admin" || strings.HasPrefix(path, "/admin/")):
		p.adminArea(w, r, me)
	case me == "" && p.Anon == "" && (strings.HasPrefix(path, "/api/") || path == "/dashboard" || strings.HasPrefix(path, "/files/")):
		if strings.HasPrefix(path, "/api/") {
			writeJSON(w, 401, map[string]string{"error": "not logged in"})
			return
		}
		http.Redirect(w, r, "/login", http.StatusFound)
	case path == "/dashboard":
		p.dashboard(w, me)
	case path == "/api/me":
		p.profile(w, r, me)
	case path == "/api/invoices":
		p.list(w, p.invoices, me)
	case strings.HasPrefix(path, "/api/invoices/"):
		p.read(w, r, p.invoices, strings.TrimPrefix(path, "/api/invoices/"), me)
	case path == "/api/notes" && r.Method == http.MethodPost:
		p.createNote(w, r, me)
	case path == "/api/notes" && p.Notes == notesListLeak:
		p.list(w, p.notes, all)
	case path == "/api/notes":
		p.list(w, p.notes, me)
	case strings.HasPrefix(path, "/api/notes/"):
		p.note(w, r, strings.TrimPrefix(path, "/api/notes/"), me)
	case strings.HasPrefix(path, "/files/"):
		p.read(w, r, p.files, strings.TrimPrefix(path, "/files/"), me)
	case path == "/api/admin/users":
		if me == "" || (p.roles[me] != "admin" && !p.AdminLoginOnly) {
			writeJSON(w, 403, map[string]string{"error": "admins only"})
			return
		}
		writeJSON(w, 200, map[string]any{"users": []string{"a@portal.test (Alice Anders)", "b@portal.test (Bob Brandt)", "admin@portal.test (Ada Admin)"}})
	case path == "/logout", strings.HasPrefix(path, "/account/delete"):
		delete(p.sessions, me)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case p.Read == catchAll || p.Anon == catchAll:
		fmt.Fprint(w, shell)
	default:
		http.NotFound(w, r)
	}
}

func (p *apiPortal) dashboard(w http.ResponseWriter, me string) {
	fmt.Fprintf(w, `<html><head><script src="/static/app.js"></script></head><body><h1>Dashboard of %s</h1><ul>`, p.names[me])
	if p.AdminArea == adminToDashboard {
		fmt.Fprintf(w, `<p>Welcome, <b>%s</b></p><p>Signed in as <b>%s</b></p>`, p.names[me], me+"@portal.test")
	}
	for _, f := range p.files {
		if f.Owner == me {
			fmt.Fprintf(w, `<li><a href="/files/%s">certificate</a></li>`, f.ID)
		}
	}
	fmt.Fprint(w, `</ul><a href="/logout">Log out</a> <a href="/account/delete?confirm=1">Delete my account</a></body></html>`)
}

// list answers me's records, or everyone's when me is all.
func (p *apiPortal) list(w http.ResponseWriter, recs map[string]*record, me string) {
	items := []map[string]any{}
	for _, rec := range recs {
		if rec.Owner == me || me == all {
			items = append(items, rec.view())
		}
	}
	writeJSON(w, 200, map[string]any{"items": items})
}

// all, in place of a member, lists every member's records.
const all = "\x00all"

// publicNotes answers the notes list (id "") or one note to anyone.
func (p *apiPortal) publicNotes(w http.ResponseWriter, id string) {
	if id == "" {
		p.list(w, p.notes, all)
		return
	}
	if rec := p.notes[id]; rec != nil {
		writeJSON(w, 200, rec.view())
		return
	}
	writeJSON(w, 404, map[string]string{"error": "not found"})
}

// adminPage wraps an admin area page in the area's layout, which its
// sign-in page shares.
func adminPage(w http.ResponseWriter, main string) {
	fmt.Fprintf(w, `<html><head><title>Acme Back Office</title></head><body><header><a href="/admin">Acme Back Office</a></header>`+
		`<main>%s</main><footer>Acme Back Office · staff use only · every action is logged</footer></body></html>`, main)
}

// adminArea serves the HTML admin area: admins see it, everyone else is
// sent to its own sign-in page (members too, except on /admin/users with
// adminUsersLeak).
func (p *apiPortal) adminArea(w http.ResponseWriter, r *http.Request, me string) {
	path := r.URL.Path
	if path == "/admin/login" {
		adminPage(w, `<h1>Admin sign in</h1><form method="post" action="/admin/login"><label>Email <input name="email" type="email"></label>`+
			`<label>Password <input name="password" type="password"></label><button>Sign in</button></form>`)
		return
	}
	allowed := p.roles[me] == "admin" || (me != "" && path == "/admin/users" && p.AdminArea == adminUsersLeak)
	switch {
	case !allowed && me != "" && p.AdminArea == adminToDashboard:
		http.Redirect(w, r, "/dashboard", http.StatusFound)
	case !allowed:
		http.Redirect(w, r, "/admin/login?next="+path, http.StatusFound)
	case path == "/admin" && p.AdminArea == adminToDashboard:
		adminPage(w, `<h1>Members</h1><table><tr><td>Alice Anders</td><td>a@portal.test</td></tr>`+
			`<tr><td>Bob Brandt</td><td>b@portal.test</td></tr><tr><td>Ada Admin</td><td>admin@portal.test</td></tr></table>`)
	case path == "/admin":
		adminPage(w, `<h1>Overview</h1><p>3 members, 2 open support tickets</p><a href="/admin/users">Member accounts</a>`)
	case path == "/admin/users":
		adminPage(w, `<h1>Member accounts</h1><ul><li>a@portal.test · Alice Anders · member</li><li>b@portal.test · Bob Brandt · member</li>`+
			`<li>admin@portal.test · Ada Admin · admin</li></ul>`)
	default:
		http.NotFound(w, r)
	}
}

// read answers an object read according to the portal's flaw settings.
func (p *apiPortal) read(w http.ResponseWriter, r *http.Request, recs map[string]*record, id, me string) {
	rec := recs[id]
	if rec != nil && rec.Owner == me {
		writeJSON(w, 200, rec.view())
		return
	}
	mode := p.Read
	if me == "" {
		mode = p.Anon
	}
	switch {
	case mode == leakAny && rec != nil:
		writeJSON(w, 200, rec.view())
	case mode == emptyList:
		writeJSON(w, 200, map[string]any{"items": []any{}})
	case mode == redirectLeak && rec != nil:
		w.Header().Set("Location", "/login")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusFound)
		_ = json.NewEncoder(w).Encode(rec.view())
	case mode == catchAll:
		fmt.Fprint(w, shell)
	case mode == loginPage:
		fmt.Fprint(w, checktest.LoginPage)
	case mode == wafBlock:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<html><body><h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: 8c1f2e3d4a5b6c7d</p></body></html>`)
	case mode == errorEcho:
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<html><body><h1>Something went wrong</h1><p>Could not load object %s. Please try again later.</p></body></html>`, id)
	default:
		writeJSON(w, 404, map[string]string{"error": "not found"})
	}
}

func (p *apiPortal) createNote(w http.ResponseWriter, r *http.Request, me string) {
	var in struct{ Body string }
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Body == "" {
		writeJSON(w, 400, map[string]string{"error": "body required"})
		return
	}
	id := p.newID("note")
	p.notes[id] = &record{ID: id, Owner: me, Body: in.Body}
	writeJSON(w, 201, map[string]string{"id": id, "body": in.Body})
}

func (p *apiPortal) note(w http.ResponseWriter, r *http.Request, id, me string) {
	rec := p.notes[id]
	if rec == nil || (rec.Owner != me && (r.Method == http.MethodGet || !p.NoteWrites)) {
		writeJSON(w, 404, map[string]string{"error": "not found"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, 200, rec.view())
	case http.MethodPatch:
		var in struct{ Body string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		rec.Body = in.Body
		writeJSON(w, 200, map[string]string{"id": rec.ID, "body": rec.Body})
	case http.MethodDelete:
		delete(p.notes, id)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (p *apiPortal) profile(w http.ResponseWriter, r *http.Request, me string) {
	if r.Method == http.MethodPatch {
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		for k := range in {
			if p.StrictProfile && k != "display_name" && k != "role" {
				writeJSON(w, 400, map[string]string{"error": "unknown field " + k})
				return
			}
		}
		if n, ok := in["display_name"].(string); ok {
			p.names[me] = n
		}
		if role, ok := in["role"].(string); ok && p.RoleFromBody {
			p.roles[me] = role
		}
	}
	writeJSON(w, 200, map[string]any{"email": me + "@portal.test", "display_name": p.names[me], "role": p.roles[me]})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sessionYAML is the auth, session, accounts and objects config for the
// portal, with cookie or token sessions.
func (p *apiPortal) sessionYAML(token bool) string {
	auth := `auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  protected: [/dashboard]
session: {kind: cookie}
`
	if token {
		auth = `auth:
  kind: json
  login: {path: /api/login, form: {email: "{{email}}", password: "{{password}}"}}
  protected: [/api/me]
session: {kind: token, from: token, header: Authorization, prefix: "Bearer "}
`
	}
	adminArea := ""
	if p.AdminArea != "" {
		adminArea = ", /admin, /admin/users"
	}
	return auth + `accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
  admin: {email: admin@portal.test, password: env:ADMIN}
objects:
  - {name: invoices, list: /api/invoices, item: "/api/invoices/{id}"}
  - name: notes
    list: /api/notes
    item: "/api/notes/{id}"
    create: {path: /api/notes, json: {body: "note {{canary}}"}}
    update: {path: "/api/notes/{id}", json: {body: "{{canary}}"}}
    delete: {path: "/api/notes/{id}"}
admin: [/api/admin/users, DELETE /api/admin/users/1` + adminArea + `]
profile: {path: /api/me, json: {display_name: "{{canary}}"}}
crawl: {pages: 20}
`
}

// start serves the portal and returns an env for it.
func (p *apiPortal) start(t *testing.T, token, intrusive bool) *check.Env {
	t.Helper()
	p.init()
	_, yaml := checktest.TLSServer(t, p)
	env := checktest.Env(t, yaml+p.sessionYAML(token))
	if intrusive {
		checktest.Intrusive(env)
	}
	return env
}
