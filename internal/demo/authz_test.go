package demo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/config"
)

// Tests of the member objects, the admin area, the profile API and token
// sessions: what the authorization checks (AUTHZ-001..006) probe.

// startWith starts a portal with opts in a fresh directory.
func startWith(t *testing.T, opts Options) *Portal {
	t.Helper()
	opts.Dir = t.TempDir()
	p, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// call sends method to rawURL with body (of contentType, unless "") and
// the extra header; it returns the response and its body.
func call(t *testing.T, c *http.Client, method, rawURL, contentType, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, rawURL, err)
	}
	return resp, string(b)
}

// sendJSON sends v as an application/json body.
func sendJSON(t *testing.T, c *http.Client, method, rawURL string, v any) (*http.Response, string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, c, method, rawURL, "application/json", string(b), nil)
}

// listIDs reads an API list as c and returns its items' IDs.
func listIDs(t *testing.T, c *http.Client, rawURL string) []string {
	t.Helper()
	resp, body := get(t, c, rawURL)
	var l struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &l) != nil {
		t.Fatalf("GET %s: %d %s", rawURL, resp.StatusCode, body)
	}
	ids := make([]string, len(l.Items))
	for i, it := range l.Items {
		ids[i] = it.ID
	}
	return ids
}

// jsonField reads one top-level field of a JSON object body.
func jsonField(t *testing.T, body, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object (%v): %s", err, body)
	}
	return m[field]
}

// isJSONError reports an {"error": …} answer with the JSON content type.
func isJSONError(resp *http.Response, body string) bool {
	var m map[string]string
	return resp.Header.Get("Content-Type") == "application/json" && json.Unmarshal([]byte(body), &m) == nil && m["error"] != ""
}

// TestObjectReads: member b and anonymous visitors read member a's first
// object of each kind; they get a's data only where a flaw lets them.
func TestObjectReads(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			b, _ := login(t, p, "b")
			anon := newClient(t, p, false)
			first := func(list string) string { return listIDs(t, a, p.URL+list)[0] }
			inv, msg, file, card := first("/api/invoices"), first("/api/messages"), first("/api/files"), first("/api/cards")
			f := m.flaws
			cases := []struct {
				name, path string
				who        *http.Client
				leaks      bool
				status     int
				location   string
			}{
				{"a's own invoice", "/api/invoices/" + inv, a, true, 0, ""},
				{"b reads a's invoice", "/api/invoices/" + inv, b, f.InvoiceIDOR, http.StatusNotFound, ""},
				{"anonymous reads a's invoice", "/api/invoices/" + inv, anon, false, http.StatusUnauthorized, ""},
				{"a's own message page", "/messages/" + msg, a, true, 0, ""},
				{"b reads a's message page", "/messages/" + msg, b, f.MessageIDOR, http.StatusNotFound, ""},
				{"anonymous reads a's message page", "/messages/" + msg, anon, false, http.StatusFound, "/login?next=/messages/" + msg},
				{"a's own message by API", "/api/messages/" + msg, a, true, 0, ""},
				{"b reads a's message by API", "/api/messages/" + msg, b, false, http.StatusNotFound, ""},
				{"anonymous reads a's message by API", "/api/messages/" + msg, anon, false, http.StatusUnauthorized, ""},
				{"a's own file", "/files/" + file + "/download", a, true, 0, ""},
				{"b downloads a's file", "/files/" + file + "/download", b, f.PublicFiles, http.StatusNotFound, ""},
				{"anonymous downloads a's file", "/files/" + file + "/download", anon, f.PublicFiles, http.StatusFound, "/login?next=/files/" + file + "/download"},
				{"a's own card", "/api/cards/" + card, a, true, 0, ""},
				{"b reads a's card", "/api/cards/" + card, b, false, http.StatusNotFound, ""},
				{"anonymous reads a's card", "/api/cards/" + card, anon, false, http.StatusUnauthorized, ""},
			}
			for _, tc := range cases {
				resp, body := get(t, tc.who, p.URL+tc.path)
				shows := strings.Contains(body, "alice@portal.test")
				switch {
				case tc.leaks && (resp.StatusCode != http.StatusOK || !shows):
					t.Errorf("%s: %d, want 200 with a's data:\n%s", tc.name, resp.StatusCode, body)
				case !tc.leaks && (resp.StatusCode != tc.status || shows || resp.Header.Get("Location") != tc.location):
					t.Errorf("%s: %d to %q, want %d to %q without a's data:\n%s", tc.name, resp.StatusCode,
						resp.Header.Get("Location"), tc.status, tc.location, body)
				case !tc.leaks && strings.HasPrefix(tc.path, "/api/") && !isJSONError(resp, body):
					t.Errorf("%s: %q %s, want a JSON error", tc.name, resp.Header.Get("Content-Type"), body)
				}
			}
		})
	}
}

// TestObjectLists: each member lists only its own objects, with content
// naming the owner.
func TestObjectLists(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			for _, tc := range []struct {
				path  string
				count int
				want  []string
			}{
				{"/api/invoices", 3, []string{`"number":"INV-2026-A-0011"`, `"amount":"€12.00"`, `"member":"alice@portal.test"`, `"status":"Paid"`}},
				{"/api/messages", 2, []string{`"subject":"Welcome to Portal, Alice Example"`, `"member":"alice@portal.test"`}},
				{"/api/files", 2, []string{`"name":"membership-certificate.txt"`, `"size":`}},
				{"/api/cards", 1, []string{`"brand":"Visa"`, `"last4":"4242"`, `"owner":"alice@portal.test"`}},
			} {
				resp, body := get(t, a, p.URL+tc.path)
				if n := len(listIDs(t, a, p.URL+tc.path)); n != tc.count || resp.Header.Get("Content-Type") != "application/json" {
					t.Errorf("%s: %d items (%q), want %d", tc.path, n, resp.Header.Get("Content-Type"), tc.count)
				}
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s lacks %s:\n%s", tc.path, w, body)
					}
				}
				if strings.Contains(body, "bob@portal.test") || strings.Contains(body, "INV-2026-B") {
					t.Errorf("%s shows b's objects:\n%s", tc.path, body)
				}
			}
		})
	}
}

// TestObjectIDs: sequential file numbers shared by every member with
// PublicFiles, random prefixed IDs everywhere else.
func TestObjectIDs(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			clients := map[string]*http.Client{}
			for _, name := range []string{"a", "b", "admin"} {
				clients[name], _ = login(t, p, name)
			}
			for _, tc := range []struct{ list, pattern string }{
				{"/api/invoices", `^inv_[0-9a-f]{16}$`},
				{"/api/messages", `^msg_[0-9a-f]{16}$`},
				{"/api/cards", `^card_[0-9a-f]{16}$`},
			} {
				for name, c := range clients {
					for _, id := range listIDs(t, c, p.URL+tc.list) {
						if !regexp.MustCompile(tc.pattern).MatchString(id) {
							t.Errorf("%s of %s: ID %q does not match %s", tc.list, name, id, tc.pattern)
						}
					}
				}
			}
			var files []string
			for _, name := range []string{"a", "b", "admin"} {
				files = append(files, listIDs(t, clients[name], p.URL+"/api/files")...)
			}
			if m.flaws.PublicFiles {
				if want := []string{"1001", "1002", "1003", "1004", "1005", "1006"}; !slices.Equal(files, want) {
					t.Errorf("file IDs of a, b, admin: %v, want %v", files, want)
				}
				return
			}
			seen := map[string]bool{}
			for _, id := range files {
				if !regexp.MustCompile(`^file_[0-9a-f]{32}$`).MatchString(id) || seen[id] {
					t.Errorf("file ID %q: want a unique file_<32 hex>", id)
				}
				seen[id] = true
			}
		})
	}
}

// TestFileDownload: the owner's download is a text attachment naming it,
// and the files page links to it.
func TestFileDownload(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			id := listIDs(t, a, p.URL+"/api/files")[0]
			_, page := get(t, a, p.URL+"/files")
			if !strings.Contains(page, `href="/files/`+id+`/download"`) {
				t.Errorf("/files does not link to the download of %s:\n%s", id, page)
			}
			resp, body := get(t, a, p.URL+"/files/"+id+"/download")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
				resp.Header.Get("Content-Disposition") != `attachment; filename=membership-certificate.txt` ||
				!strings.HasPrefix(body, "Membership certificate for Alice Example <alice@portal.test>") {
				t.Errorf("download: %d %q %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
			}
			if resp, _ := get(t, a, p.URL+"/files/nope/download"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a missing file: %d, want 404", resp.StatusCode)
			}
		})
	}
}

// TestMessagePages: the list links to each message's page, which shows it.
func TestMessagePages(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			ids := listIDs(t, a, p.URL+"/api/messages")
			resp, page := get(t, a, p.URL+"/messages")
			for _, id := range ids {
				if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/messages/`+id+`"`) {
					t.Errorf("/messages (%d) does not link to %s:\n%s", resp.StatusCode, id, page)
				}
			}
			resp, page = get(t, a, p.URL+"/messages/"+ids[1])
			if resp.StatusCode != http.StatusOK || !strings.Contains(bodyText(page), "Your RSVP: Founders' breakfast") {
				t.Errorf("/messages/%s: %d\n%s", ids[1], resp.StatusCode, page)
			}
			if resp, _ := get(t, a, p.URL+"/messages/msg_0000000000000000"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a missing message: %d, want 404", resp.StatusCode)
			}
		})
	}
}

// TestMessageWrites: a creates a message, b tries to change and delete it
// (MessageWriteIDOR lets it), a changes and deletes its own.
func TestMessageWrites(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			b, _ := login(t, p, "b")
			anon := newClient(t, p, false)
			resp, body := sendJSON(t, a, http.MethodPost, p.URL+"/api/messages", map[string]string{"subject": "note", "body": "a's canary 1"})
			id, _ := jsonField(t, body, "id").(string)
			if resp.StatusCode != http.StatusCreated || !regexp.MustCompile(`^msg_[0-9a-f]{16}$`).MatchString(id) ||
				resp.Header.Get("Location") != "/api/messages/"+id || jsonField(t, body, "member") != "alice@portal.test" {
				t.Fatalf("create: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			item := p.URL + "/api/messages/" + id
			for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
				u := item
				if method == http.MethodPost {
					u = p.URL + "/api/messages"
				}
				if r, body := sendJSON(t, anon, method, u, map[string]string{"subject": "x", "body": "x"}); r.StatusCode != http.StatusUnauthorized || !isJSONError(r, body) {
					t.Errorf("anonymous %s: %d %s", method, r.StatusCode, body)
				}
			}
			checkForeignPatch(t, p, a, b, id, m.flaws.MessageWriteIDOR)
			checkForeignDelete(t, p, a, b, id, m.flaws.MessageWriteIDOR)
			if m.flaws.MessageWriteIDOR {
				return // b deleted it
			}
			if r, body := sendJSON(t, a, http.MethodPatch, item, map[string]string{"subject": "new subject", "body": "a's canary 2"}); r.StatusCode != http.StatusOK ||
				jsonField(t, body, "subject") != "new subject" || jsonField(t, body, "body") != "a's canary 2" {
				t.Errorf("a's own update: %d %s", r.StatusCode, body)
			}
			if r, body := call(t, a, http.MethodDelete, item, "", "", nil); r.StatusCode != http.StatusNoContent || body != "" {
				t.Errorf("a's own delete: %d %s", r.StatusCode, body)
			}
			if r, _ := get(t, a, item); r.StatusCode != http.StatusNotFound {
				t.Errorf("after a's delete: %d, want 404", r.StatusCode)
			}
		})
	}
}

// checkForeignPatch: b's update of a's message lands only with the flaw;
// a's read-back says which.
func checkForeignPatch(t *testing.T, p *Portal, a, b *http.Client, id string, flawed bool) {
	t.Helper()
	item := p.URL + "/api/messages/" + id
	resp, body := sendJSON(t, b, http.MethodPatch, item, map[string]string{"body": "b was here"})
	_, back := get(t, a, item)
	changed := strings.Contains(back, "b was here")
	switch {
	case flawed && (resp.StatusCode != http.StatusOK || !changed):
		t.Errorf("MessageWriteIDOR: b's update: %d %s; a reads %s", resp.StatusCode, body, back)
	case !flawed && (resp.StatusCode != http.StatusNotFound || !isJSONError(resp, body) || changed || !strings.Contains(back, "a's canary 1")):
		t.Errorf("b's update: %d %s; a reads %s", resp.StatusCode, body, back)
	}
	if _, page := get(t, a, p.URL+"/messages/"+id); strings.Contains(page, "b was here") != flawed {
		t.Errorf("a's message page after b's update:\n%s", page)
	}
}

// checkForeignDelete: b's delete of a's message lands only with the flaw.
func checkForeignDelete(t *testing.T, p *Portal, a, b *http.Client, id string, flawed bool) {
	t.Helper()
	item := p.URL + "/api/messages/" + id
	resp, body := call(t, b, http.MethodDelete, item, "", "", nil)
	back, _ := get(t, a, item)
	gone := !slices.Contains(listIDs(t, a, p.URL+"/api/messages"), id)
	switch {
	case flawed && (resp.StatusCode != http.StatusNoContent || back.StatusCode != http.StatusNotFound || !gone):
		t.Errorf("MessageWriteIDOR: b's delete: %d; a's read-back %d, gone from a's list: %v", resp.StatusCode, back.StatusCode, gone)
	case !flawed && (resp.StatusCode != http.StatusNotFound || !isJSONError(resp, body) || back.StatusCode != http.StatusOK || gone):
		t.Errorf("b's delete: %d %s; a's read-back %d, gone from a's list: %v", resp.StatusCode, body, back.StatusCode, gone)
	}
}

// TestMessageBounds: content type, field and size limits, and the cap on
// messages per member, the same in both modes.
func TestMessageBounds(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			item := p.URL + "/api/messages/" + listIDs(t, a, p.URL+"/api/messages")[0]
			list := p.URL + "/api/messages"
			js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
			cases := []struct {
				name, method, url, ctype, body string
				status                         int
			}{
				{"form body", http.MethodPost, list, "application/x-www-form-urlencoded", "subject=x&body=y", http.StatusUnsupportedMediaType},
				{"no content type", http.MethodPost, list, "", js(map[string]string{"subject": "x", "body": "y"}), http.StatusUnsupportedMediaType},
				{"text/plain update", http.MethodPatch, item, "text/plain", js(map[string]string{"body": "y"}), http.StatusUnsupportedMediaType},
				{"not JSON", http.MethodPost, list, "application/json", "{", http.StatusBadRequest},
				{"an array", http.MethodPost, list, "application/json", "[]", http.StatusBadRequest},
				{"two values", http.MethodPost, list, "application/json", `{"subject":"x","body":"y"} {}`, http.StatusBadRequest},
				{"no body field", http.MethodPost, list, "application/json", js(map[string]string{"subject": "x"}), http.StatusBadRequest},
				{"blank subject", http.MethodPost, list, "application/json", js(map[string]string{"subject": "  ", "body": "y"}), http.StatusBadRequest},
				{"subject too long", http.MethodPost, list, "application/json", js(map[string]string{"subject": strings.Repeat("s", 201), "body": "y"}), http.StatusBadRequest},
				{"body too long", http.MethodPost, list, "application/json", js(map[string]string{"subject": "x", "body": strings.Repeat("é", 4097)}), http.StatusBadRequest},
				{"update body too long", http.MethodPatch, item, "application/json", js(map[string]string{"body": strings.Repeat("b", 4097)}), http.StatusBadRequest},
				{"empty update", http.MethodPatch, item, "application/json", "{}", http.StatusBadRequest},
				{"request too large", http.MethodPost, list, "application/json", js(map[string]string{"subject": "x", "body": strings.Repeat("b", 70<<10)}), http.StatusRequestEntityTooLarge},
				{"at the limits", http.MethodPost, list, "application/json; charset=utf-8", js(map[string]string{"subject": strings.Repeat("s", 200), "body": strings.Repeat("é", 4096)}), http.StatusCreated},
			}
			for _, tc := range cases {
				resp, body := call(t, a, tc.method, tc.url, tc.ctype, tc.body, nil)
				if resp.StatusCode != tc.status || !isJSONError(resp, body) && tc.status != http.StatusCreated {
					t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.status)
				}
			}
			n := len(listIDs(t, a, list))
			for ; n < maxMessages; n++ {
				if resp, body := sendJSON(t, a, http.MethodPost, list, map[string]string{"subject": "fill", "body": "fill"}); resp.StatusCode != http.StatusCreated {
					t.Fatalf("message %d: %d %s", n+1, resp.StatusCode, body)
				}
			}
			resp, body := sendJSON(t, a, http.MethodPost, list, map[string]string{"subject": "one too many", "body": "x"})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "limit") || len(listIDs(t, a, list)) != maxMessages {
				t.Errorf("message %d: %d %s, want 400 and %d messages", maxMessages+1, resp.StatusCode, body, maxMessages)
			}
		})
	}
}

// TestAdminAPI: the admin API answers admins, refuses members (unless
// AdminAPIUnguarded) and anonymous visitors; /admin stays admin-only.
func TestAdminAPI(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			admin, _ := login(t, p, "admin")
			anon := newClient(t, p, false)
			for _, path := range []string{"/api/admin/users", "/api/admin/stats"} {
				for _, who := range []struct {
					name   string
					c      *http.Client
					status int
				}{
					{"admin", admin, http.StatusOK},
					{"member", a, map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[m.flaws.AdminAPIUnguarded]},
					{"anonymous", anon, http.StatusUnauthorized},
				} {
					resp, body := get(t, who.c, p.URL+path)
					lists := strings.Contains(body, "bob@portal.test") || strings.Contains(body, `"members":3`)
					if resp.StatusCode != who.status || lists != (who.status == http.StatusOK) || (!lists && !isJSONError(resp, body)) {
						t.Errorf("%s as %s: %d %s, want %d", path, who.name, resp.StatusCode, body, who.status)
					}
				}
			}
			if _, body := get(t, admin, p.URL+"/api/admin/users"); !strings.Contains(body, `"email":"admin@portal.test","name":"Ada Admin","role":"admin"`) {
				t.Errorf("/api/admin/users lacks the admin:\n%s", body)
			}
			if resp, body := get(t, admin, p.URL+"/admin"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "bob@portal.test") {
				t.Errorf("/admin as admin: %d", resp.StatusCode)
			}
			if resp, body := get(t, a, p.URL+"/admin"); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "bob@portal.test") || strings.Contains(body, "Admin console") {
				t.Errorf("/admin as a member: %d\n%s", resp.StatusCode, body)
			}
			if resp, _ := get(t, anon, p.URL+"/admin"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next=/admin" {
				t.Errorf("/admin anonymously: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

// TestProfileUpdate: PATCH /api/me changes the display name; with
// ProfileMassAssignment it also stores role and is_admin, and the
// server-side role check then admits the member — shown alone too, where
// the admin API is otherwise guarded.
func TestProfileUpdate(t *testing.T) {
	for _, m := range append(modes[:2:2], struct {
		name  string
		flaws Flaws
	}{"mass assignment alone", Flaws{ProfileMassAssignment: true}}) {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			mass := m.flaws.ProfileMassAssignment
			checkAdminAccess(t, p, a, "before the update", m.flaws.AdminAPIUnguarded, false)
			resp, body := sendJSON(t, a, http.MethodPatch, p.URL+"/api/me", map[string]any{"display_name": "Alice A. Example", "role": "admin", "plan": "enterprise"})
			role := map[bool]string{true: "admin", false: "member"}[mass]
			if resp.StatusCode != http.StatusOK || jsonField(t, body, "display_name") != "Alice A. Example" || jsonField(t, body, "role") != role {
				t.Fatalf("PATCH /api/me: %d %s, want role %s", resp.StatusCode, body, role)
			}
			if _, me := get(t, a, p.URL+"/api/me"); jsonField(t, me, "role") != role || jsonField(t, me, "name") != "Alice A. Example" {
				t.Errorf("/api/me after the update: %s", me)
			}
			checkAdminAccess(t, p, a, "after the update", m.flaws.AdminAPIUnguarded || mass, mass)
			b, _ := login(t, p, "b")
			for _, step := range []struct {
				body any
				role string
			}{
				{map[string]any{"is_admin": true}, role},
				{map[string]any{"is_admin": false}, "member"},
			} {
				if _, body := sendJSON(t, b, http.MethodPatch, p.URL+"/api/me", step.body); jsonField(t, body, "role") != step.role {
					t.Errorf("b's %v: %s, want role %s", step.body, body, step.role)
				}
			}
			checkProfileRefusals(t, p, b, mass)
		})
	}
}

// checkAdminAccess: /api/admin/users and /admin as c.
func checkAdminAccess(t *testing.T, p *Portal, c *http.Client, when string, api, console bool) {
	t.Helper()
	want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}
	if r, _ := get(t, c, p.URL+"/api/admin/users"); r.StatusCode != want[api] {
		t.Errorf("/api/admin/users %s: %d, want %d", when, r.StatusCode, want[api])
	}
	if r, _ := get(t, c, p.URL+"/admin"); r.StatusCode != want[console] {
		t.Errorf("/admin %s: %d, want %d", when, r.StatusCode, want[console])
	}
}

// checkProfileRefusals: invalid updates, whatever the mode; a role of the
// wrong type is ignored when hardened and refused with the flaw.
func checkProfileRefusals(t *testing.T, p *Portal, c *http.Client, mass bool) {
	t.Helper()
	me := p.URL + "/api/me"
	cases := []struct {
		name, ctype, body string
		status            int
	}{
		{"form body", "application/x-www-form-urlencoded", "display_name=Bob", http.StatusUnsupportedMediaType},
		{"name too long", "application/json", `{"display_name":"` + strings.Repeat("n", 61) + `"}`, http.StatusBadRequest},
		{"empty name", "application/json", `{"display_name":""}`, http.StatusBadRequest},
		{"not JSON", "application/json", `display_name`, http.StatusBadRequest},
		{"role of the wrong type", "application/json", `{"display_name":"Bob B.","role":5,"roles":["admin"]}`, map[bool]int{true: http.StatusBadRequest, false: http.StatusOK}[mass]},
	}
	for _, tc := range cases {
		if resp, body := call(t, c, http.MethodPatch, me, tc.ctype, tc.body, nil); resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.status)
		}
	}
	if resp, body := sendJSON(t, newClient(t, p, false), http.MethodPatch, me, map[string]string{"display_name": "x"}); resp.StatusCode != http.StatusUnauthorized || !isJSONError(resp, body) {
		t.Errorf("anonymous PATCH /api/me: %d %s", resp.StatusCode, body)
	}
	if _, body := get(t, c, me); jsonField(t, body, "role") != "member" {
		t.Errorf("after the refusals: %s", body)
	}
}

// TestDashboardLinks: the dashboard leads a crawler to every member page;
// the bundle names the admin API in both modes; only admins get the admin
// section.
func TestDashboardLinks(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			a, _ := login(t, p, "a")
			admin, _ := login(t, p, "admin")
			_, dash := get(t, a, p.URL+"/dashboard")
			for _, want := range []string{`href="/messages"`, `href="/files"`, `href="/billing"`, `action="/logout"`, `data-role="member"`} {
				if !strings.Contains(dash, want) {
					t.Errorf("a's dashboard lacks %s", want)
				}
			}
			if strings.Contains(dash, `href="/admin"`) {
				t.Error("a's dashboard links to /admin")
			}
			_, dash = get(t, admin, p.URL+"/dashboard")
			for _, want := range []string{`href="/admin"`, `data-role="admin"`, `id="admin-stats"`} {
				if !strings.Contains(dash, want) {
					t.Errorf("the admin's dashboard lacks %s", want)
				}
			}
			for _, path := range []string{"/messages", "/files", "/account"} {
				if _, page := get(t, a, p.URL+path); !strings.Contains(page, `action="/logout"`) {
					t.Errorf("%s has no logout form", path)
				}
			}
			if _, page := get(t, a, p.URL+"/account"); !strings.Contains(page, `action="/account/delete"`) {
				t.Error("/account lost its delete form")
			}
			_, js := get(t, a, p.URL+"/static/app.js")
			if !strings.Contains(js, `adminApi = {users: "/api/admin/users", stats: "/api/admin/stats"}`) || !strings.Contains(js, `"data-role") !== "admin"`) {
				t.Errorf("app.js does not name the admin API behind the role test:\n%s", js)
			}
		})
	}
}

// TestTokenSessions: with TokenSessions, /api/login answers the session
// JWT and the API and downloads take it as a bearer token; pages do not.
func TestTokenSessions(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startWith(t, Options{Flaws: m.flaws, TokenSessions: true})
			c := newClient(t, p, false)
			login := p.URL + "/api/login"
			resp, body := sendJSON(t, c, http.MethodPost, login, map[string]string{"email": "alice@portal.test", "password": password(t, p, "a")})
			tok, _ := jsonField(t, body, "token").(string)
			if resp.StatusCode != http.StatusOK || len(strings.Split(tok, ".")) != 3 || len(resp.Header.Values("Set-Cookie")) != 0 {
				t.Fatalf("JSON login: %d %s %v", resp.StatusCode, body, resp.Header.Values("Set-Cookie"))
			}
			if r, body := sendJSON(t, c, http.MethodPost, login, map[string]string{"email": "alice@portal.test", "password": "wrong"}); r.StatusCode != http.StatusUnauthorized || !isJSONError(r, body) {
				t.Errorf("wrong password: %d %s", r.StatusCode, body)
			}
			if r, _ := call(t, c, http.MethodPost, login, "application/x-www-form-urlencoded", "email=alice%40portal.test", nil); r.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("form login at /api/login: %d", r.StatusCode)
			}
			bearer := http.Header{"Authorization": {"Bearer " + tok}}
			_, files := call(t, c, http.MethodGet, p.URL+"/api/files", "", "", bearer)
			var l struct{ Items []fileJSON }
			_ = json.Unmarshal([]byte(files), &l)
			if len(l.Items) == 0 {
				t.Fatalf("/api/files with the bearer token: %s", files)
			}
			for _, tc := range []struct {
				path   string
				header http.Header
				status int
				want   string
			}{
				{"/api/me", bearer, http.StatusOK, "alice@portal.test"},
				{"/api/invoices", bearer, http.StatusOK, "INV-2026-A-0011"},
				{l.Items[0].Download, bearer, http.StatusOK, "Membership certificate for Alice Example"},
				{"/dashboard", bearer, http.StatusFound, ""},
				{"/api/me", http.Header{"Authorization": {"Bearer not-a-token"}}, http.StatusUnauthorized, "not logged in"},
				{"/api/me", http.Header{"Authorization": {tok}}, http.StatusUnauthorized, "not logged in"},
			} {
				if r, body := call(t, c, http.MethodGet, p.URL+tc.path, "", "", tc.header); r.StatusCode != tc.status || !strings.Contains(body, tc.want) {
					t.Errorf("GET %s with %v: %d, want %d with %q", tc.path, tc.header, r.StatusCode, tc.status, tc.want)
				}
			}
		})
	}
}

// TestNoTokenSessionsByDefault: without TokenSessions there is no JSON
// login and the session JWT as a bearer token opens nothing.
func TestNoTokenSessionsByDefault(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c := newClient(t, p, false)
			if r, _ := sendJSON(t, c, http.MethodPost, p.URL+"/api/login", map[string]string{"email": "alice@portal.test", "password": password(t, p, "a")}); r.StatusCode != http.StatusNotFound {
				t.Errorf("POST /api/login: %d, want 404", r.StatusCode)
			}
			_, lr := login(t, p, "a")
			tok := cookieOf(lr, sessionNameFor(m.flaws)).Value
			bearer := http.Header{"Authorization": {"Bearer " + tok}}
			if r, _ := call(t, c, http.MethodGet, p.URL+"/api/me", "", "", bearer); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("/api/me with the session JWT as a bearer token: %d, want 401", r.StatusCode)
			}
		})
	}
}

// TestGeneratedConfigLoads: the written launchready.yaml loads, with the
// admin account, the objects, the admin routes, the profile and the
// source (the repository and its build folder), for cookie and token
// sessions.
func TestGeneratedConfigLoads(t *testing.T) {
	for _, m := range modes {
		for _, tokens := range []bool{false, true} {
			name := m.name + map[bool]string{true: "/token sessions", false: "/cookie sessions"}[tokens]
			t.Run(name, func(t *testing.T) {
				p := startWith(t, Options{Flaws: m.flaws, TokenSessions: tokens, AuthJourney: true})
				cfg, err := config.Load(p.ConfigPath)
				if err != nil {
					t.Fatal(err)
				}
				if adm := cfg.Accounts["admin"]; adm.Email.Value != "admin@portal.test" || adm.Password.Value != password(t, p, "admin") {
					t.Errorf("accounts.admin: %s %s", adm.Email.Value, adm.Password.Ref)
				}
				var names []string
				for _, o := range cfg.Objects {
					names = append(names, o.Name)
				}
				item := map[bool]string{true: "/api/messages/{id}", false: "/messages/{id}"}[tokens]
				if !slices.Equal(names, []string{"invoices", "messages", "files", "cards"}) || cfg.Objects[1].Item != item ||
					cfg.Objects[1].Create == nil || cfg.Objects[1].Update.Method != "PATCH" || cfg.Objects[1].Delete.Method != "DELETE" {
					t.Errorf("objects: %+v", cfg.Objects)
				}
				if !slices.Equal(cfg.Admin, []string{"/admin", "/api/admin/users"}) || cfg.Profile == nil || cfg.Profile.Path != "/api/me" || cfg.Profile.Method != "PATCH" {
					t.Errorf("admin %v, profile %+v", cfg.Admin, cfg.Profile)
				}
				if src := cfg.Source; src == nil || cfg.SourcePath(src.Repo) != p.RepoDir || len(src.Build) != 1 ||
					cfg.SourcePath(src.Build[0]) != filepath.Join(p.RepoDir, "dist") {
					t.Errorf("source %+v", src)
				}
				kinds := map[bool][2]string{true: {"json", "token"}, false: {"form", "cookie"}}[tokens]
				if cfg.Auth.Kind != kinds[0] || cfg.Session.Kind != kinds[1] || (tokens && (cfg.Session.Prefix != "Bearer " || cfg.Auth.Login.Path != "/api/login" || !cfg.Auth.Logout.None)) {
					t.Errorf("auth %+v, session %+v", cfg.Auth, cfg.Session)
				}
			})
		}
	}
}
