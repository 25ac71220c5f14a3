package baas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/journal"
	"github.com/launchready/launchready/internal/jwtx"
)

// SelfEscalation is AUTHZ-009: a member cannot grant itself a role through
// what it may write about itself on the platform: Supabase user_metadata,
// Firebase custom claims and a Firestore profile document.
type SelfEscalation struct{}

var (
	_ check.Check  = SelfEscalation{}
	_ check.Reader = SelfEscalation{}
)

// selfRole is what member a writes about itself: the names policies and
// rules most often read a role from.
var selfRole = map[string]any{"role": "admin", "is_admin": true, "admin": true}

// maxNames bounds the tables or collections probed per platform: two
// requests each, before and after.
const maxNames = 25

// Meta returns the static description.
func (SelfEscalation) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-009", Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactAccountTakeover,
		Title:  "A member cannot grant itself a role through profile metadata",
		Pass: "Member a writes role: admin (with is_admin and admin) into what it may write about itself: Supabase user_metadata " +
			"(PUT /auth/v1/user), Firebase custom claims (accounts:update customAttributes, which Firebase refuses to clients) and its " +
			"Firestore users/{uid} document. With a token issued afterwards it reaches no more rows or documents than before, counted " +
			"with HEAD and Prefer: count=exact, or a one-document page without fields, never copying rows. What it wrote is restored at once.",
		Why: "A user writes its own Supabase user_metadata and, under the usual rules, its own profile document. A row-level security " +
			"policy that reads auth.jwt() -> 'user_metadata' ->> 'role', or a security rule that reads the role from the caller's users " +
			"document, lets every member declare itself an admin.",
		Breaks: "Any member grants itself admin with one request and then reads every member's rows or documents.",
		Fix: "Keep roles where only the server writes them:\n" +
			"  Supabase: read the role from app_metadata (auth.jwt() -> 'app_metadata' ->> 'role'), which only the service role sets, " +
			"or from a roles table members cannot write; never from user_metadata\n" +
			"  Firebase: set roles as custom claims with the Admin SDK (request.auth.token.admin == true in rules), or keep the role in " +
			"a document members cannot write: match /users/{uid} { allow update: if request.auth.uid == uid && " +
			"!request.resource.data.diff(resource.data).affectedKeys().hasAny(['role']); }",
		Refs:      []string{"ASVS v5.0.0-8.2.1", "ASVS v5.0.0-15.3.3", "API3:2023", "API5:2023", "CWE-915", "CWE-285"},
		Intrusive: true,
		Needs:     []string{"accounts.a"},
		Budget:    check.Budget{Objects: 1},
	}
}

// Reads names the platforms whose metadata it writes: either or both;
// without one the check is N/A.
func (SelfEscalation) Reads() []string { return []string{"auth.supabase|auth.firebase"} }

// Run writes the role into member a's own metadata on each configured
// platform, compares what a fresh token reaches, and restores.
func (SelfEscalation) Run(ctx context.Context, env *check.Env) check.Result {
	sb, fb := env.Sessions.PlatformConfig("supabase"), env.Sessions.PlatformConfig("firebase")
	if sb == nil && fb == nil {
		return check.NotApplicable("the config names no Supabase or Firebase project (auth.supabase, auth.firebase), so there is no " +
			"platform metadata a member could write")
	}
	if !env.Intrusive {
		// The runner never gets here without consent; a direct call must
		// not write either.
		return check.Skipped("intrusive check: it writes member a's own metadata, so it runs only with consent", "re-run with --intrusive")
	}
	var unproven []string
	if sb != nil {
		if ok, why := env.MayWrite(ctx, sb.SupabaseURL); !ok {
			unproven, sb = append(unproven, "the Supabase project "+sb.SupabaseURL+": "+why), nil
		}
	}
	if fb != nil {
		if ok, why := env.MayWrite(ctx, fb.Identity+"/v1/"); !ok {
			unproven, fb = append(unproven, "the Firebase project's APIs ("+fb.Identity+"): "+why), nil
		}
	}
	if sb == nil && fb == nil {
		return check.Skipped("no consent to write to "+strings.Join(unproven, "; "),
			"prove the portal with `launchready token` (a project off loopback is written to only when the proven portal's frontend uses it)")
	}
	names := namesIn(ctx, env)
	var parts []part
	errs := unproven
	if sb != nil {
		p, err := supabaseProbe{env: env, base: strings.TrimSuffix(sb.SupabaseURL, "/")}.run(ctx, names)
		parts = append(parts, p)
		if err != nil {
			errs = append(errs, "Supabase: "+err.Error())
		}
	}
	if fb != nil {
		ps, err := newFirebaseEscalation(env, fb).run(ctx, names)
		parts = append(parts, ps...)
		if err != nil {
			errs = append(errs, "Firebase: "+err.Error())
		}
	}
	return escalationVerdict(env, parts, errs, names.notes)
}

// part is one platform's share of the result.
type part struct {
	rows     []check.TableRow
	evidence []check.Evidence
	// opened says what the escalation reached that was closed before.
	opened []string
	// fail is the sentence naming the flaw when opened is not empty.
	fail string
	// pass says what happened when nothing opened.
	pass string
}

// escalationVerdict folds the platforms' parts into one result.
func escalationVerdict(env *check.Env, parts []part, errs, notes []string) check.Result {
	table := &check.Table{Title: "Member a grants itself a role", Columns: []string{"accepted", "read back", "access before", "access after"}}
	var ev []check.Evidence
	var fails, passes []string
	for _, p := range parts {
		table.Rows = append(table.Rows, p.rows...)
		ev = append(ev, p.evidence...)
		if len(p.opened) > 0 {
			fails = append(fails, p.fail+" ("+strings.Join(p.opened, "; ")+")")
		} else if p.pass != "" {
			passes = append(passes, p.pass)
		}
	}
	for _, n := range notes {
		ev = append(ev, check.Evidence{Detail: env.Client.Redactor().Redact(n)})
	}
	var res check.Result
	switch {
	case len(fails) > 0:
		res = check.Failf(ev, "member a made itself an admin: %s", strings.Join(fails, "; "))
	case len(errs) > 0:
		res = check.Errorf("%s", env.Client.Redactor().Redact(strings.Join(errs, "; ")))
		res.Evidence = ev
	default:
		res = check.Passf("%s", strings.Join(passes, "; "))
		res.Evidence = ev
	}
	res.Table = table
	return res
}

// frontendNames are the tables and collections the frontend code names.
type frontendNames struct {
	tables, collections []string
	notes               []string
}

// supabaseIdent is a table name the Data API's root may list.
var supabaseIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// namesIn reads table and collection names from what the frontend crawl
// the secrets checks share recognised. A frontend that cannot be read is
// a note: the platform's own listing may still name the tables.
func namesIn(ctx context.Context, env *check.Env) frontendNames {
	fe := readFrontend(ctx, env)
	n := frontendNames{notes: fe.notes}
	if fe.err != nil {
		n.notes = append(n.notes, "the frontend could not be read for table and collection names: "+env.Client.Redactor().Redact(fe.err.Error()))
	}
	for _, t := range fe.supabase.Tables {
		n.tables = appendNew(n.tables, t.Name)
	}
	for _, c := range fe.firebase.Collections {
		// Top-level collections only: a subcollection path names a
		// parent document the member may not own.
		if !strings.Contains(c.Name, "/") {
			n.collections = appendNew(n.collections, c.Name)
		}
	}
	return n
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// access is what one identity reaches in one table or collection.
type access struct {
	// ok: the read was allowed and n rows or documents are visible;
	// more: more than n (a one-document page that has a next page).
	ok   bool
	n    int
	more bool
	// unit is "row" or "document".
	unit string
	// status is the HTTP status of a refused read (0: no answer);
	// missing marks a table the project does not have.
	status  int
	missing bool
}

func (a access) String() string {
	switch {
	case a.missing:
		return "no such table"
	case !a.ok && a.status == 0:
		return "no answer"
	case !a.ok:
		return fmt.Sprintf("denied (%d)", a.status)
	case a.more:
		return fmt.Sprintf("%d or more %ss", a.n+1, a.unit)
	case a.n == 1:
		return "1 " + a.unit
	}
	return fmt.Sprintf("%d %ss", a.n, a.unit)
}

// grew reports whether after reaches rows before did not.
func grew(before, after access) bool {
	if !after.ok || after.missing {
		return false
	}
	if !before.ok {
		return after.n > 0 || after.more
	}
	return after.n > before.n || after.more && !before.more
}

// supabaseProbe writes user_metadata and counts rows before and after.
type supabaseProbe struct {
	env  *check.Env
	base string
}

func (p supabaseProbe) run(ctx context.Context, n frontendNames) (part, error) {
	out := part{fail: "Supabase row-level security policies trust user_metadata, which every user writes; use app_metadata or a roles table"}
	a, err := p.env.Sessions.PlatformLogin(ctx, "supabase", "a")
	if err != nil {
		return out, fmt.Errorf("logging member a in: %w", err)
	}
	tables, err := p.tables(ctx, a, n.tables)
	if err != nil {
		return out, err
	}
	before := p.countAll(ctx, a, tables)
	old, _, err := p.metadata(ctx, a)
	if err != nil {
		return out, err
	}
	r, err := newRestore(p.env, check.Undo{What: "member a's Supabase user_metadata (role, is_admin, admin)", As: "a", Platform: "supabase",
		Request: check.UndoRequest(p.metadataRequest(old), ""), Run: p.restoreMetadata(a, old)})
	if err != nil {
		return out, err
	}
	body, _ := json.Marshal(map[string]any{"data": selfRole}) // plain values: always marshals
	put, err := a.Do(r.context(ctx), &client.Request{Method: http.MethodPut, URL: p.base + "/auth/v1/user", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}}})
	if err != nil {
		r.wrote()
		return out, fmt.Errorf("writing member a's user_metadata: %w", err)
	}
	if put.StatusCode != http.StatusOK {
		out.rows = append(out.rows, check.TableRow{Label: "Supabase user_metadata.role = admin (PUT /auth/v1/user)",
			Cells: []string{fmt.Sprintf("no (%d)", put.StatusCode), "—", "—", "—"}})
		out.evidence = append(out.evidence, check.HTTPEvidence(p.env, put, "Supabase Auth refused member a's own metadata update"))
		out.pass = fmt.Sprintf("Supabase Auth refused member a's user_metadata update (%d)", put.StatusCode)
		r.cancel()
		return out, nil
	}
	r.wrote()
	now, got, err := p.metadata(ctx, a)
	if err != nil {
		return out, err
	}
	readBack := metadataAdmin(now)
	fresh, err := p.env.Sessions.PlatformLogin(ctx, "supabase", "a")
	if err != nil {
		return out, fmt.Errorf("logging member a in again for a token carrying the new metadata: %w", err)
	}
	carried := metadataAdmin(jwtClaims(rawToken(fresh))["user_metadata"])
	after := p.countAll(ctx, fresh, tables)
	restored := r.result(ctx)
	out.rows = append(out.rows, check.TableRow{Label: "Supabase user_metadata.role = admin (PUT /auth/v1/user)",
		Cells: []string{"yes (200)", yesNo(readBack) + tokenNote(carried), "—", "—"}})
	if !carried {
		return out, fmt.Errorf("the token Supabase issued after the metadata change does not carry user_metadata.role = admin, so "+
			"whether a policy trusts it could not be tested (%s)", restored)
	}
	if !anyAnswered(after) {
		return out, fmt.Errorf("no table could be counted as member a after the metadata change (%s)", restored)
	}
	var grownEv []check.Evidence
	for i, t := range tables {
		out.rows = append(out.rows, check.TableRow{Label: "Supabase table " + t.name + " (count as member a)",
			Cells: []string{"", "", before[i].String(), after[i].String()}})
		if grew(before[i], after[i]) {
			out.opened = append(out.opened, fmt.Sprintf("table %s: %s before, %s after", t.name, before[i], after[i]))
			grownEv = append(grownEv, check.HTTPEvidence(p.env, t.last, fmt.Sprintf("With a token issued after the metadata "+
				"change member a counts %s in %s; before it counted %s.", after[i], t.name, before[i])))
		}
	}
	out.evidence = append(out.evidence, check.HTTPEvidence(p.env, put, "Member a wrote role: admin, is_admin, admin into its own "+
		"user_metadata."), check.HTTPEvidence(p.env, got, fmt.Sprintf("Read back: user_metadata.role is admin: %s. %s", yesNo(readBack), restored)))
	out.evidence = append(out.evidence, grownEv...)
	out.pass = fmt.Sprintf("Supabase accepted member a's user_metadata.role = admin (user_metadata is user-writable by design) but no "+
		"policy trusted it: a token carrying it counts no more rows in %d tables. %s", len(tables), restored)
	return out, nil
}

// anyAnswered reports whether some count got an answer about an existing
// table (allowed or refused): without one, nothing was tested.
func anyAnswered(counts []access) bool {
	for _, c := range counts {
		if !c.missing && (c.ok || c.status != 0) {
			return true
		}
	}
	return false
}

// probedTable is a table and its last count request, for evidence.
type probedTable struct {
	name string
	last *client.Response
}

// tables lists the Data API's tables: the root OpenAPI document's paths
// (hidden on newer projects) and the names the frontend uses.
func (p supabaseProbe) tables(ctx context.Context, a *client.Session, fromCode []string) ([]*probedTable, error) {
	var list []string
	resp, err := a.Do(ctx, &client.Request{URL: p.base + "/rest/v1/"})
	if err != nil {
		return nil, fmt.Errorf("reading the Data API's table list: %w", err)
	}
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if resp.StatusCode == http.StatusOK && json.Unmarshal(resp.Body, &doc) == nil {
		for path := range doc.Paths {
			name := strings.TrimPrefix(path, "/")
			if supabaseIdent.MatchString(name) {
				list = append(list, name)
			}
		}
	}
	slices.Sort(list)
	for _, t := range fromCode {
		list = appendNew(list, t)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no table to count: the Data API's root (GET /rest/v1/) answered %d without a table list and the "+
			"frontend names none with .from('…'), so nothing was written", resp.StatusCode)
	}
	out := make([]*probedTable, 0, min(len(list), maxNames))
	for _, name := range list[:min(len(list), maxNames)] {
		out = append(out, &probedTable{name: name})
	}
	return out, nil
}

// countAll counts each table's rows visible to s.
func (p supabaseProbe) countAll(ctx context.Context, s *client.Session, tables []*probedTable) []access {
	out := make([]access, len(tables))
	for i, t := range tables {
		resp, err := s.Do(ctx, &client.Request{Method: http.MethodHead, URL: p.base + "/rest/v1/" + t.name + "?select=*&limit=1",
			Header: http.Header{"Prefer": {"count=exact"}}})
		if err != nil {
			out[i] = access{unit: "row"}
			continue
		}
		t.last = resp
		out[i] = rangeCount(resp)
	}
	return out
}

// rangeCount reads PostgREST's Content-Range total ("0-0/12", "*/0").
func rangeCount(resp *client.Response) access {
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return access{missing: true, status: resp.StatusCode, unit: "row"}
	case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent:
		return access{status: resp.StatusCode, unit: "row"}
	}
	_, total, _ := strings.Cut(resp.Header.Get("Content-Range"), "/")
	n, err := strconv.Atoi(total)
	if err != nil {
		return access{status: resp.StatusCode, unit: "row"}
	}
	return access{ok: true, n: n, unit: "row"}
}

// metadata reads member a's user_metadata from GET /auth/v1/user.
func (p supabaseProbe) metadata(ctx context.Context, a *client.Session) (map[string]any, *client.Response, error) {
	resp, err := a.Do(ctx, &client.Request{URL: p.base + "/auth/v1/user"})
	if err != nil {
		return nil, nil, fmt.Errorf("reading member a's user: %w", err)
	}
	var u struct {
		Meta map[string]any `json:"user_metadata"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(resp.Body, &u) != nil {
		return nil, resp, fmt.Errorf("reading member a's user (GET /auth/v1/user) answered %d", resp.StatusCode)
	}
	if u.Meta == nil {
		u.Meta = map[string]any{}
	}
	return u.Meta, resp, nil
}

// restore undoes one write, once: inline when the probe ends, and again
// at clean-up if that failed. It is journaled before the write, with the
// request that undoes it.
type restore struct {
	what string
	fn   func(context.Context) error
	cr   *check.Creation

	mu   sync.Mutex
	done bool
}

// newRestore journals the undo before the write it undoes (u.Run is the
// in-process undo); an error means: do not write.
func newRestore(env *check.Env, u check.Undo) (*restore, error) {
	r := &restore{what: u.What, fn: u.Run}
	u.Run = r.run
	cr, err := env.Plan(u)
	if err != nil {
		return nil, err
	}
	r.cr = cr
	return r, nil
}

// context is the write's context: once sent it runs to its answer.
func (r *restore) context(ctx context.Context) context.Context { return r.cr.Context(ctx) }

// wrote says the write was accepted, or may have been (no answer): the
// undo runs at clean-up unless it already ran, and restoring values that
// were never changed is harmless.
func (r *restore) wrote() { r.cr.Created(nil, nil) }

func (r *restore) run(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return nil
	}
	if err := r.fn(ctx); err != nil {
		return err
	}
	r.done = true
	return nil
}

// cancel marks the write as refused: there is nothing to undo.
func (r *restore) cancel() {
	r.mu.Lock()
	r.done = true
	r.mu.Unlock()
	r.cr.Refused("the write was refused")
}

// result restores and says how it went, for evidence.
func (r *restore) result(ctx context.Context) string {
	if err := r.run(ctx); err != nil {
		return "Restoring " + r.what + " failed (" + err.Error() + "); it is retried at clean-up: check it by hand."
	}
	return "Then " + r.what + " was restored and read back."
}

// restoreMetadata puts back the user_metadata keys member a wrote.
func (p supabaseProbe) restoreMetadata(a *client.Session, old map[string]any) func(context.Context) error {
	return func(ctx context.Context) error {
		resp, err := a.Do(ctx, p.metadataRequest(old))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("PUT /auth/v1/user answered %d", resp.StatusCode)
		}
		now, _, err := p.metadata(ctx, a)
		if err != nil {
			return err
		}
		for k := range selfRole {
			if !sameJSON(now[k], old[k]) {
				return fmt.Errorf("user_metadata.%s is still %s", k, showJSON(now[k]))
			}
		}
		return nil
	}
}

// metadataRequest is the request that puts back the user_metadata keys
// member a may write.
func (p supabaseProbe) metadataRequest(old map[string]any) *client.Request {
	data := map[string]any{}
	for k := range selfRole {
		data[k] = old[k] // nil deletes a key a did not have
	}
	body, _ := json.Marshal(map[string]any{"data": data}) // decoded JSON: always marshals
	return &client.Request{Method: http.MethodPut, URL: p.base + "/auth/v1/user", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}}}
}

// metadataAdmin reports whether a metadata object says role admin.
func metadataAdmin(v any) bool {
	m, _ := v.(map[string]any)
	role, _ := m["role"].(string)
	return role == "admin"
}

// jwtClaims decodes a JWT's payload without verifying it: the scanner
// only reads what its own fresh token says.
func jwtClaims(tok string) map[string]any {
	t, err := jwtx.Parse(tok)
	if err != nil {
		return nil
	}
	return t.Claims
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func tokenNote(carried bool) string {
	if carried {
		return ", in a fresh token"
	}
	return ", not in a fresh token"
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func showJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// pathEscape escapes a name for one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }

// firebaseEscalation tries custom claims and the Firestore profile document.
type firebaseEscalation struct {
	env *check.Env
	cfg *client.PlatformConfig
	// docs is the Firestore documents root; "" without auth.firebase.
	docs string
}

func newFirebaseEscalation(env *check.Env, cfg *client.PlatformConfig) firebaseEscalation {
	p := firebaseEscalation{env: env, cfg: cfg}
	if f := env.Config.Auth.Firebase; f != nil {
		p.docs = f.Endpoints.Firestore + "/v1/projects/" + f.ProjectID + "/databases/(default)/documents"
	}
	return p
}

func (p firebaseEscalation) run(ctx context.Context, n frontendNames) ([]part, error) {
	a, err := p.env.Sessions.PlatformLogin(ctx, "firebase", "a")
	if err != nil {
		return nil, fmt.Errorf("logging member a in: %w", err)
	}
	uid, attrs, err := p.lookup(ctx, a)
	if err != nil {
		return nil, err
	}
	claims, err := p.claims(ctx, a, attrs)
	if err != nil {
		return []part{claims}, err
	}
	if p.docs == "" {
		return []part{claims}, nil
	}
	profile, err := p.profile(ctx, a, uid, n.collections)
	return []part{claims, profile}, err
}

func (p firebaseEscalation) identity(method string) string {
	return p.cfg.Identity + "/v1/accounts:" + method + "?key=" + url.QueryEscape(p.cfg.APIKey)
}

// post sends a JSON body to the Identity Toolkit with member a's current
// ID token in it.
func (p firebaseEscalation) post(ctx context.Context, a *client.Session, method string, body map[string]any) (*client.Response, error) {
	body["idToken"] = rawToken(a)
	raw, _ := json.Marshal(body) // strings and bools: always marshals
	resp, err := a.Do(ctx, &client.Request{Method: http.MethodPost, URL: p.identity(method), Body: raw,
		Header: http.Header{"Content-Type": {"application/json"}}})
	if err != nil {
		return nil, fmt.Errorf("accounts:%s as member a: %w", method, err)
	}
	return resp, nil
}

// lookup reads member a's uid and custom claims (accounts:lookup).
func (p firebaseEscalation) lookup(ctx context.Context, a *client.Session) (string, string, error) {
	resp, err := p.post(ctx, a, "lookup", map[string]any{})
	if err != nil {
		return "", "", err
	}
	var out struct {
		Users []struct {
			LocalID          string `json:"localId"`
			CustomAttributes string `json:"customAttributes"`
		} `json:"users"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(resp.Body, &out) != nil || len(out.Users) != 1 || out.Users[0].LocalID == "" {
		return "", "", fmt.Errorf("accounts:lookup for member a answered %d without its account", resp.StatusCode)
	}
	return out.Users[0].LocalID, out.Users[0].CustomAttributes, nil
}

// claims asks accounts:update to set custom claims, which Firebase keeps
// for admin credentials; accepted and carried by a fresh ID token is the
// flaw.
func (p firebaseEscalation) claims(ctx context.Context, a *client.Session, oldAttrs string) (part, error) {
	out := part{fail: "Firebase accepted custom claims from a client (accounts:update customAttributes): claims must be set with the Admin SDK only"}
	const label = "Firebase custom claims role: admin, admin: true (accounts:update)"
	before := roleClaims(jwtClaims(rawToken(a)))
	if oldAttrs == "" {
		oldAttrs = "{}"
	}
	// The undo is journaled without the ID token it needs (json:idToken):
	// a replay takes a fresh one.
	back, _ := json.Marshal(map[string]any{"customAttributes": oldAttrs}) // a string: always marshals
	r, err := newRestore(p.env, check.Undo{What: "member a's Firebase custom claims", As: "a", Platform: "firebase",
		Request: &journal.Request{Method: http.MethodPost, URL: p.identity("update"), Body: string(back),
			Header: http.Header{"Content-Type": {"application/json"}}, TokenIn: "json:idToken"},
		Run: func(ctx context.Context) error {
			back, err := p.post(ctx, a, "update", map[string]any{"customAttributes": oldAttrs})
			if err != nil {
				return err
			}
			if back.StatusCode != http.StatusOK {
				return fmt.Errorf("accounts:update answered %d", back.StatusCode)
			}
			return nil
		}})
	if err != nil {
		return out, err
	}
	attrs, _ := json.Marshal(map[string]any{"role": "admin", "admin": true}) // always marshals
	resp, err := p.post(r.context(ctx), a, "update", map[string]any{"customAttributes": string(attrs), "returnSecureToken": true})
	if err != nil {
		r.wrote()
		return out, err
	}
	if resp.StatusCode != http.StatusOK {
		r.cancel()
		code := firebaseError(resp.Body)
		out.rows = []check.TableRow{{Label: label, Cells: []string{fmt.Sprintf("no (%d %s)", resp.StatusCode, code), "—", "—", "—"}}}
		out.evidence = []check.Evidence{check.HTTPEvidence(p.env, resp, "Firebase refused custom claims from member a's own token, as it should.")}
		out.pass = fmt.Sprintf("Firebase refused custom claims from member a (%s)", code)
		return out, nil
	}
	r.wrote()
	fresh, err := p.env.Sessions.PlatformLogin(ctx, "firebase", "a")
	if err != nil {
		return out, fmt.Errorf("logging member a in again for a token carrying the claims: %w", err)
	}
	after := roleClaims(jwtClaims(rawToken(fresh)))
	restored := r.result(ctx)
	carried := after != "" && after != before
	out.rows = []check.TableRow{{Label: label, Cells: []string{"yes (200)", yesNo(carried) + tokenNote(carried), "—", "—"}}}
	out.evidence = []check.Evidence{check.HTTPEvidence(p.env, resp, fmt.Sprintf("accounts:update accepted customAttributes from member "+
		"a's own ID token; a fresh ID token carries %s. %s", firstOr(after, "no role claim"), restored))}
	if carried {
		out.opened = []string{"member a's fresh ID token carries " + after}
		return out, nil
	}
	out.pass = "Firebase answered 200 to custom claims from member a, but no fresh ID token carries them. " + restored
	return out, nil
}

// roleClaims describes the role claims of an ID token ("" for none).
func roleClaims(c map[string]any) string {
	var out []string
	if role, _ := c["role"].(string); role == "admin" {
		out = append(out, "role: admin")
	}
	if admin, _ := c["admin"].(bool); admin {
		out = append(out, "admin: true")
	}
	return strings.Join(out, ", ")
}

// profile writes role: admin into member a's users/{uid} document and
// compares the collections it can list before and after.
func (p firebaseEscalation) profile(ctx context.Context, a *client.Session, uid string, fromCode []string) (part, error) {
	out := part{fail: "Firestore rules read the role from a document the member writes (users/{uid}); keep roles in custom claims or a document members cannot write"}
	label := "Firestore users/" + uid + ".role = admin (PATCH)"
	colls := appendNew(slices.Clone(fromCode), "users")
	colls = colls[:min(len(colls), maxNames)]
	before := p.listAll(ctx, a, colls)
	doc := p.docs + "/users/" + pathEscape(uid)
	old, err := p.readRole(ctx, a, doc)
	if err != nil {
		return out, err
	}
	if old.resp.StatusCode != http.StatusOK && old.resp.StatusCode != http.StatusNotFound {
		out.rows = []check.TableRow{{Label: label, Cells: []string{"not tried", "—", "—", "—"}}}
		out.evidence = []check.Evidence{check.HTTPEvidence(p.env, old.resp, "Member a may not read its own profile document, so nothing was written.")}
		out.pass = fmt.Sprintf("Firestore refused member a reading its own users/{uid} document (%d), so no role was written there", old.resp.StatusCode)
		return out, nil
	}
	r, err := newRestore(p.env, check.Undo{What: "member a's Firestore users/{uid} document", As: "a", Platform: "firebase",
		Request: check.UndoRequest(profileRequest(doc, old), ""), Run: p.restoreProfile(a, doc, old)})
	if err != nil {
		return out, err
	}
	put, err := a.Do(r.context(ctx), &client.Request{Method: http.MethodPatch, URL: doc + "?updateMask.fieldPaths=role&mask.fieldPaths=role",
		Body: []byte(`{"fields":{"role":{"stringValue":"admin"}}}`), Header: http.Header{"Content-Type": {"application/json"}}})
	if err != nil {
		r.wrote()
		return out, fmt.Errorf("writing member a's profile document: %w", err)
	}
	if put.StatusCode != http.StatusOK {
		out.rows = []check.TableRow{{Label: label, Cells: []string{fmt.Sprintf("no (%d)", put.StatusCode), "—", "—", "—"}}}
		out.evidence = []check.Evidence{check.HTTPEvidence(p.env, put, "Firestore refused member a writing role into its own profile document.")}
		out.pass = fmt.Sprintf("Firestore refused member a writing role into its own users/{uid} document (%d)", put.StatusCode)
		r.cancel()
		return out, nil
	}
	r.wrote()
	now, err := p.readRole(ctx, a, doc)
	if err != nil {
		return out, err
	}
	readBack := now.isAdmin()
	after := p.listAll(ctx, a, colls)
	restored := r.result(ctx)
	if !readBack {
		return out, fmt.Errorf("Firestore accepted member a's role write but its users/{uid} document does not read back role: admin, "+
			"so whether a rule trusts it could not be tested (%s)", restored)
	}
	answered := make([]access, len(after))
	for i := range after {
		answered[i] = after[i].acc
	}
	if !anyAnswered(answered) {
		return out, fmt.Errorf("no collection could be listed as member a after the role write (%s)", restored)
	}
	out.rows = []check.TableRow{{Label: label, Cells: []string{"yes (200)", yesNo(readBack), "—", "—"}}}
	var grownEv []check.Evidence
	for i, c := range colls {
		out.rows = append(out.rows, check.TableRow{Label: "Firestore collection " + c + " (list as member a)",
			Cells: []string{"", "", before[i].acc.String(), after[i].acc.String()}})
		if grew(before[i].acc, after[i].acc) {
			out.opened = append(out.opened, fmt.Sprintf("collection %s: %s before, %s after", c, before[i].acc, after[i].acc))
			grownEv = append(grownEv, check.HTTPEvidence(p.env, after[i].resp, fmt.Sprintf("After writing role: admin into its own "+
				"profile member a lists %s: %s; before: %s. Documents were asked for without their fields.", c, after[i].acc, before[i].acc)))
		}
	}
	out.evidence = append([]check.Evidence{check.HTTPEvidence(p.env, put, fmt.Sprintf("Member a wrote role: admin into its own "+
		"users/{uid} document; read back: %s. %s", yesNo(readBack), restored))}, grownEv...)
	out.pass = fmt.Sprintf("Firestore let member a write role: admin into its own users/{uid} document, but no rule trusted it: "+
		"no more documents in %d collections. %s", len(colls), restored)
	return out, nil
}

// listed is one collection listing.
type listed struct {
	acc  access
	resp *client.Response
}

// listAll lists one document of each collection, without its fields.
func (p firebaseEscalation) listAll(ctx context.Context, a *client.Session, colls []string) []listed {
	out := make([]listed, len(colls))
	for i, c := range colls {
		// A mask naming a field no document has: names only, no data.
		resp, err := a.Do(ctx, &client.Request{URL: p.docs + "/" + pathEscape(c) + "?pageSize=1&mask.fieldPaths=launchready_probe"})
		out[i] = listed{acc: access{unit: "document"}, resp: resp}
		if err != nil {
			continue
		}
		if resp.StatusCode != http.StatusOK {
			out[i].acc.status = resp.StatusCode
			continue
		}
		var page struct {
			Documents []json.RawMessage `json:"documents"`
			Next      string            `json:"nextPageToken"`
		}
		if json.Unmarshal(resp.Body, &page) != nil {
			out[i].acc.status = resp.StatusCode
			continue
		}
		out[i].acc = access{ok: true, n: len(page.Documents), more: page.Next != "", unit: "document"}
	}
	return out
}

// profileRole is member a's profile document's role as read.
type profileRole struct {
	resp *client.Response
	// role is the stored Value of the role field (nil: no such field).
	role json.RawMessage
}

func (r profileRole) isAdmin() bool {
	var v struct {
		S string `json:"stringValue"`
	}
	return r.role != nil && json.Unmarshal(r.role, &v) == nil && v.S == "admin"
}

// readRole gets the profile document's role field only.
func (p firebaseEscalation) readRole(ctx context.Context, a *client.Session, doc string) (profileRole, error) {
	resp, err := a.Do(ctx, &client.Request{URL: doc + "?mask.fieldPaths=role"})
	if err != nil {
		return profileRole{}, fmt.Errorf("reading member a's profile document: %w", err)
	}
	out := profileRole{resp: resp}
	var d struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if resp.StatusCode == http.StatusOK && json.Unmarshal(resp.Body, &d) == nil {
		out.role = d.Fields["role"]
	}
	return out, nil
}

// restoreProfile puts the document back: deleted when the probe created
// it, else its role field as it was (absent stays absent).
func (p firebaseEscalation) restoreProfile(a *client.Session, doc string, old profileRole) func(context.Context) error {
	existed := old.resp.StatusCode == http.StatusOK
	return func(ctx context.Context) error {
		req := profileRequest(doc, old)
		resp, err := a.Do(ctx, req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d", req.Method, resp.StatusCode)
		}
		now, err := p.readRole(ctx, a, doc)
		switch {
		case err != nil:
			return err
		case !existed && now.resp.StatusCode != http.StatusNotFound:
			return fmt.Errorf("the document still exists (%d)", now.resp.StatusCode)
		case existed && !sameRaw(now.role, old.role):
			return fmt.Errorf("role is %s, was %s", firstOr(string(now.role), "absent"), firstOr(string(old.role), "absent"))
		}
		return nil
	}
}

// profileRequest is the request that puts the profile document back: a
// delete when it did not exist, else its role field as it was.
func profileRequest(doc string, old profileRole) *client.Request {
	if old.resp.StatusCode != http.StatusOK {
		return &client.Request{Method: http.MethodDelete, URL: doc}
	}
	fields := map[string]json.RawMessage{}
	if old.role != nil {
		fields["role"] = old.role
	}
	body, _ := json.Marshal(map[string]any{"fields": fields}) // raw JSON read from the API
	return &client.Request{Method: http.MethodPatch, URL: doc + "?updateMask.fieldPaths=role&mask.fieldPaths=role", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}}}
}

// rawToken is the session's ID token without its header prefix.
func rawToken(s *client.Session) string {
	t := s.Token()
	if len(t) > 7 && strings.EqualFold(t[:7], "bearer ") {
		return t[7:]
	}
	return t
}

// firebaseError is the error code of a Google API error body.
func firebaseError(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e) // an empty code says the body had none
	return e.Error.Message
}

// sameRaw compares two JSON values, ignoring layout.
func sameRaw(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && sameJSON(va, vb)
}

func firstOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
