package firebase

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// storedDoc is a stored document; it is replaced, never changed, on
// write.
type storedDoc struct {
	fields           map[string]any
	created, updated time.Time
}

type firestoreState struct {
	rules           Rules
	ownerField      string
	roleFromProfile bool
	colls           map[string]map[string]*storedDoc // collection path → ID → document
}

func (f *firestoreState) init(o Firestore, now time.Time) error {
	if o.Rules < RulesLocked || o.Rules > RulesOwner {
		return fmt.Errorf("unknown rules %v", o.Rules)
	}
	f.rules, f.ownerField, f.roleFromProfile = o.Rules, o.OwnerField, o.RoleFromProfile
	if f.ownerField == "" {
		f.ownerField = "owner"
	}
	f.colls = map[string]map[string]*storedDoc{}
	for coll, docs := range o.Collections {
		segs := strings.Split(coll, "/")
		if len(segs)%2 != 1 || !allValid(segs) {
			return fmt.Errorf("collection path %q: want an odd number of valid segments (users, users/u1/orders)", coll)
		}
		for i, d := range docs {
			if !validID(d.ID) {
				return fmt.Errorf("%s[%d]: invalid document ID %q", coll, i, d.ID)
			}
			if f.get(coll, d.ID) != nil {
				return fmt.Errorf("%s: duplicate document ID %q", coll, d.ID)
			}
			fields, err := normalizeFields(d.Fields)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", coll, d.ID, err)
			}
			f.put(coll, d.ID, &storedDoc{fields: fields, created: now, updated: now})
		}
	}
	return nil
}

func allValid(segs []string) bool {
	for _, s := range segs {
		if !validID(s) {
			return false
		}
	}
	return true
}

// validID reports whether s may be a collection or document ID
// (Firestore "Usage and limits": no slash, not . or .., not __.*__, at
// most 1500 bytes).
func validID(s string) bool {
	return s != "" && len(s) <= 1500 && s != "." && s != ".." && !strings.Contains(s, "/") &&
		!(len(s) >= 4 && strings.HasPrefix(s, "__") && strings.HasSuffix(s, "__"))
}

func (f *firestoreState) get(coll, id string) *storedDoc {
	return f.colls[coll][id]
}

func (f *firestoreState) put(coll, id string, d *storedDoc) {
	if f.colls[coll] == nil {
		f.colls[coll] = map[string]*storedDoc{}
	}
	f.colls[coll][id] = d
}

// fsError is a Firestore error: code, message, status.
func fsError(code int, status, msg string) *apiError {
	return &apiError{Code: code, Message: msg, Status: status}
}

var (
	fsDenied          = fsError(http.StatusForbidden, "PERMISSION_DENIED", "Missing or insufficient permissions.")
	fsUnauthenticated = fsError(http.StatusUnauthorized, "UNAUTHENTICATED",
		"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")
)

// fsRequest is a parsed Firestore request path.
type fsRequest struct {
	coll, id string // id is empty for a collection
	action   string // custom method after ':' on the last segment, e.g. runQuery
}

// parseFirestorePath parses
// /firestore.googleapis.com/v1/projects/{p}/databases/{d}/documents[/{path}][:{action}].
func (s *Server) parseFirestorePath(escaped string) (fsRequest, *apiError) {
	var req fsRequest
	rest := strings.TrimPrefix(escaped, "/firestore.googleapis.com/")
	raw := strings.Split(rest, "/")
	segs := make([]string, len(raw))
	for i, r := range raw {
		seg, err := url.PathUnescape(r)
		if err != nil {
			return req, fsError(http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid resource name: bad escaping.")
		}
		segs[i] = seg
	}
	if n := len(segs); n > 0 {
		for _, a := range []string{"runQuery", "batchGet", "commit", "listCollectionIds", "runAggregationQuery"} {
			if before, ok := strings.CutSuffix(segs[n-1], ":"+a); ok {
				segs[n-1], req.action = before, a
			}
		}
	}
	if len(segs) < 6 || segs[0] != "v1" || segs[1] != "projects" || segs[3] != "databases" || segs[5] != "documents" {
		return req, notFoundError()
	}
	if p, db := segs[2], segs[4]; p != s.projectID || db != "(default)" {
		return req, fsError(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf(
			"The database %s does not exist for project %s Please visit https://console.cloud.google.com/datastore/setup?project=%s to add a Cloud Datastore or Cloud Firestore database.", db, p, p))
	}
	tail := segs[6:]
	for _, t := range tail {
		if !validID(t) {
			return req, fsError(http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf("Invalid resource name %q: path segments must be valid IDs.", strings.Join(tail, "/")))
		}
	}
	switch {
	case len(tail)%2 == 1:
		req.coll = strings.Join(tail, "/")
	case len(tail) > 0:
		req.coll, req.id = strings.Join(tail[:len(tail)-1], "/"), tail[len(tail)-1]
	}
	return req, nil
}

func (s *Server) docName(coll, id string) string {
	return "projects/" + s.projectID + "/databases/(default)/documents/" + coll + "/" + id
}

// serveFirestore serves the Cloud Firestore REST API v1 document methods
// get, list, patch and delete, and runQuery.
func (s *Server) serveFirestore(w http.ResponseWriter, r *http.Request) {
	req, e := s.parseFirestorePath(r.URL.EscapedPath())
	if e == nil && r.URL.Query().Has("key") {
		e = s.checkAPIKey(r, "firestore.googleapis.com")
	}
	if e != nil {
		e.write(w, r)
		return
	}
	uid, err := s.bearerCaller(r, "Bearer ")
	if err != nil {
		fsUnauthenticated.write(w, r)
		return
	}
	switch {
	case req.action == "runQuery" && r.Method == http.MethodPost:
		s.fsRunQuery(w, r, uid, req)
	case req.action != "" || req.coll == "":
		notFoundError().write(w, r)
	case req.id == "" && r.Method == http.MethodGet:
		s.fsList(w, r, uid, req.coll)
	case req.id != "" && r.Method == http.MethodGet:
		s.fsGet(w, r, uid, req)
	case req.id != "" && (r.Method == http.MethodPatch || r.Method == http.MethodDelete):
		s.fsWrite(w, r, uid, req)
	default:
		notFoundError().write(w, r)
	}
}

// bearerCaller reads an ID token from the Authorization header with the
// given scheme; no header is an unauthenticated caller.
func (s *Server) bearerCaller(r *http.Request, schemes ...string) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", nil
	}
	for _, scheme := range schemes {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return s.verifyIDToken(h[len(scheme):])
		}
	}
	return "", errTokenInvalid
}

// owns reports whether a document belongs to uid: a document ID on its
// path is the uid (users/{uid}, users/{uid}/orders/{id}) or its owner
// field holds it.
func (f *firestoreState) owns(coll, id string, fields map[string]any, uid string) bool {
	return f.pathOwned(coll, id, uid) || (fields != nil && fields[f.ownerField] == uid)
}

func (f *firestoreState) pathOwned(coll, id, uid string) bool {
	if id == uid {
		return true
	}
	segs := strings.Split(coll, "/")
	for i := 1; i < len(segs); i += 2 {
		if segs[i] == uid {
			return true
		}
	}
	return false
}

// isAdmin is the RoleFromProfile grant: the caller's own profile says
// role "admin".
func (f *firestoreState) isAdmin(uid string) bool {
	if !f.roleFromProfile || uid == "" {
		return false
	}
	d := f.get("users", uid)
	return d != nil && d.fields["role"] == "admin"
}

// grants applies the rule set; owner says what the owner rules decide.
func (f *firestoreState) grants(uid string, owner func() bool) bool {
	switch f.rules {
	case RulesOpen:
		return true
	case RulesAuthed:
		return uid != ""
	case RulesOwner:
		return uid != "" && (owner() || f.isAdmin(uid))
	}
	return false
}

func (f *firestoreState) canRead(uid, coll, id string, d *storedDoc) bool {
	return f.grants(uid, func() bool {
		var fields map[string]any
		if d != nil {
			fields = d.fields
		}
		return f.owns(coll, id, fields, uid)
	})
}

// canList: rules are not filters, so a plain listing passes owner rules
// only where the path itself proves ownership (users/{uid}/orders).
func (f *firestoreState) canList(uid, coll string) bool {
	return f.grants(uid, func() bool { return f.pathOwned(coll, "", uid) })
}

// canWrite: owner rules let a user write documents on its own path, and
// documents whose owner field is its uid before and after the write.
func (f *firestoreState) canWrite(uid, coll, id string, old, next map[string]any) bool {
	return f.grants(uid, func() bool {
		if f.pathOwned(coll, id, uid) {
			return true
		}
		if old != nil && old[f.ownerField] != uid {
			return false
		}
		return next == nil && old != nil || next != nil && next[f.ownerField] == uid
	})
}

// docJSON is a Document resource.
type docJSON struct {
	Name       string         `json:"name"`
	Fields     map[string]any `json:"fields,omitempty"`
	CreateTime string         `json:"createTime"`
	UpdateTime string         `json:"updateTime"`
}

const fsTime = "2006-01-02T15:04:05.000000Z"

func (s *Server) docOut(coll, id string, d *storedDoc, mask [][]string) docJSON {
	fields := d.fields
	if mask != nil {
		fields = map[string]any{}
		for _, p := range mask {
			if v, ok := getPath(d.fields, p); ok {
				fields = setPath(fields, p, v, false)
			}
		}
	}
	return docJSON{Name: s.docName(coll, id), Fields: encodeFields(fields),
		CreateTime: d.created.UTC().Format(fsTime), UpdateTime: d.updated.UTC().Format(fsTime)}
}

// fieldPaths parses repeated field-path parameters (a.b, `a.b`); nil
// when absent.
func fieldPaths(vals []string) ([][]string, *apiError) {
	if vals == nil {
		return nil, nil
	}
	out := make([][]string, 0, len(vals))
	for _, v := range vals {
		p, ok := parseFieldPath(v)
		if !ok {
			return nil, fsError(http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf("Invalid property path %q.", v))
		}
		out = append(out, p)
	}
	return out, nil
}

// parseFieldPath splits a dotted field path; backquotes quote a segment.
func parseFieldPath(s string) ([]string, bool) {
	var out []string
	for s != "" {
		var seg string
		if strings.HasPrefix(s, "`") {
			end := strings.Index(s[1:], "`")
			if end < 0 {
				return nil, false
			}
			seg, s = s[1:end+1], s[end+2:]
		} else {
			i := strings.IndexByte(s, '.')
			if i < 0 {
				i = len(s)
			}
			seg, s = s[:i], s[i:]
		}
		if seg == "" {
			return nil, false
		}
		out = append(out, seg)
		if s != "" {
			if s[0] != '.' || len(s) == 1 {
				return nil, false
			}
			s = s[1:]
		}
	}
	return out, len(out) > 0
}

const (
	defaultPageSize = 300
	maxPageSize     = 300
)

func (s *Server) fsList(w http.ResponseWriter, r *http.Request, uid, coll string) {
	q := r.URL.Query()
	size := defaultPageSize
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		switch {
		case err != nil:
			fsError(http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf("Invalid value at 'page_size' (TYPE_INT32), %q", v)).write(w, r)
			return
		case n < 0:
			fsError(http.StatusBadRequest, "INVALID_ARGUMENT", "page_size must not be negative.").write(w, r)
			return
		case n > 0:
			size = min(int(n), maxPageSize)
		}
	}
	after := ""
	if t := q.Get("pageToken"); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil || !strings.HasPrefix(string(raw), "after:") {
			fsError(http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token.").write(w, r)
			return
		}
		after = strings.TrimPrefix(string(raw), "after:")
	}
	mask, e := fieldPaths(q["mask.fieldPaths"])
	if e != nil {
		e.write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fs.canList(uid, coll) {
		fsDenied.write(w, r)
		return
	}
	docs := s.fs.colls[coll]
	ids := make([]string, 0, len(docs))
	for id := range docs {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := map[string]any{}
	if len(ids) > size {
		ids = ids[:size]
		out["nextPageToken"] = base64.RawURLEncoding.EncodeToString([]byte("after:" + ids[len(ids)-1]))
	}
	if len(ids) > 0 {
		list := make([]docJSON, len(ids))
		for i, id := range ids {
			list[i] = s.docOut(coll, id, docs[id], mask)
		}
		out["documents"] = list
	}
	s.items.firestore.Add(int64(len(ids)))
	writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) fsGet(w http.ResponseWriter, r *http.Request, uid string, req fsRequest) {
	mask, e := fieldPaths(r.URL.Query()["mask.fieldPaths"])
	if e != nil {
		e.write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.fs.get(req.coll, req.id)
	switch {
	case !s.fs.canRead(uid, req.coll, req.id, d):
		fsDenied.write(w, r)
	case d == nil:
		fsError(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Document \"%s\" not found.", s.docName(req.coll, req.id))).write(w, r)
	default:
		s.items.firestore.Add(1)
		writeJSON(w, r, http.StatusOK, s.docOut(req.coll, req.id, d, mask))
	}
}

// fsWrite serves PATCH (create or update, with updateMask.fieldPaths and
// the currentDocument.exists precondition) and DELETE.
func (s *Server) fsWrite(w http.ResponseWriter, r *http.Request, uid string, req fsRequest) {
	q := r.URL.Query()
	var body map[string]any
	if r.Method == http.MethodPatch {
		var e *apiError
		if body, e = s.patchBody(r, req); e != nil {
			e.write(w, r)
			return
		}
	}
	update, e := fieldPaths(q["updateMask.fieldPaths"])
	if e != nil {
		e.write(w, r)
		return
	}
	mask, e := fieldPaths(q["mask.fieldPaths"])
	if e != nil {
		e.write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.fs.get(req.coll, req.id)
	name := s.docName(req.coll, req.id)
	switch q.Get("currentDocument.exists") {
	case "true":
		if old == nil {
			fsError(http.StatusNotFound, "NOT_FOUND", "No document to update: "+name).write(w, r)
			return
		}
	case "false":
		if old != nil {
			fsError(http.StatusConflict, "ALREADY_EXISTS", "Document already exists: "+name).write(w, r)
			return
		}
	}
	var oldFields, next map[string]any
	if old != nil {
		oldFields = old.fields
	}
	if r.Method == http.MethodPatch {
		next = merge(oldFields, body, update)
	}
	if !s.fs.canWrite(uid, req.coll, req.id, oldFields, next) {
		fsDenied.write(w, r)
		return
	}
	if next == nil {
		delete(s.fs.colls[req.coll], req.id)
		writeJSON(w, r, http.StatusOK, map[string]any{})
		return
	}
	now := s.now()
	d := &storedDoc{fields: next, created: now, updated: now}
	if old != nil {
		d.created = old.created
	}
	s.fs.put(req.coll, req.id, d)
	s.items.firestore.Add(1)
	writeJSON(w, r, http.StatusOK, s.docOut(req.coll, req.id, d, mask))
}

// merge applies a PATCH: without a mask the body replaces the document;
// with one, masked paths present in the body are set and masked paths
// absent from it are deleted, the rest kept.
func merge(old, body map[string]any, update [][]string) map[string]any {
	if update == nil {
		return body
	}
	out := cloneFields(old)
	for _, p := range update {
		v, ok := getPath(body, p)
		out = setPath(out, p, v, !ok)
	}
	return out
}

func (s *Server) patchBody(r *http.Request, req fsRequest) (map[string]any, *apiError) {
	var in struct {
		Name       string                     `json:"name"`
		Fields     map[string]json.RawMessage `json:"fields"`
		CreateTime string                     `json:"createTime"`
		UpdateTime string                     `json:"updateTime"`
	}
	if e := decodeStrict(r, &in); e != nil {
		return nil, fsError(e.Code, "INVALID_ARGUMENT", e.Message)
	}
	if in.Name != "" && in.Name != s.docName(req.coll, req.id) {
		return nil, fsError(http.StatusBadRequest, "INVALID_ARGUMENT",
			fmt.Sprintf("Document name %q in the request body does not match the name in the URL.", in.Name))
	}
	fields, err := decodeFields(in.Fields, 1)
	if err != nil {
		return nil, fsError(http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error())
	}
	return fields, nil
}
