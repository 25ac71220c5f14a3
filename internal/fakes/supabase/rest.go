package supabase

import (
	"fmt"
	"net/http"
	"strings"
)

// The Data API (PostgREST 12 behind /rest/v1/): roles, dispatch, errors.

// apiError is an error answer ready to write.
type apiError struct {
	status int
	body   any
	header http.Header
}

// pgBody is PostgREST's error body.
type pgBody struct {
	Code    string `json:"code"`
	Details any    `json:"details"`
	Hint    any    `json:"hint"`
	Message string `json:"message"`
}

func pgError(status int, code, message string, details, hint any) *apiError {
	return &apiError{status: status, body: pgBody{Code: code, Details: details, Hint: hint, Message: message}}
}

func (e *apiError) write(w http.ResponseWriter) {
	for k, v := range e.header {
		w.Header()[k] = v
	}
	writeJSON(w, e.status, "application/json; charset=utf-8", e.body)
}

// principal is the database role a request runs as.
type principal struct {
	role   string // anon, authenticated or service_role
	uid    string // auth.uid(): the sub claim
	claims map[string]any
}

// authed is PostgREST's test for 401 versus 403 on 42501.
func (p principal) authed() bool { return p.role != "anon" }

// principal reads the role from the Authorization header; without one
// the request runs as the apikey's role (the gateway forwards the key).
func (s *Server) principal(r *http.Request, keyRole string) (principal, *apiError) {
	tok, ok := bearer(r)
	if !ok {
		return principal{role: keyRole}, nil
	}
	claims, err := s.parseJWT(tok)
	if err != nil {
		msg := postgrestJWTMessage(tok, err)
		e := pgError(http.StatusUnauthorized, "PGRST301", msg, nil, nil)
		e.header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token", error_description="` + msg + `"`}}
		return principal{}, e
	}
	p := principal{role: claimString(claims, "role"), uid: strings.ToLower(claimString(claims, "sub")), claims: claims}
	switch p.role {
	case "":
		p.role = "anon" // db-anon-role, for a token without a role claim
	case "anon", "authenticated", "service_role":
	default:
		return principal{}, pgError(http.StatusUnauthorized, "22023", fmt.Sprintf("role %q does not exist", p.role), nil, nil)
	}
	return p, nil
}

func (s *Server) serveRest(w http.ResponseWriter, r *http.Request, path, keyRole string) {
	p, fail := s.principal(r, keyRole)
	if fail != nil {
		fail.write(w)
		return
	}
	switch {
	case path == "":
		s.root(w, r, p)
	case strings.HasPrefix(path, "rpc/"):
		s.rpc(w, r, p, strings.TrimPrefix(path, "rpc/"))
	case strings.Contains(path, "/"):
		pgError(http.StatusNotFound, "PGRST125", "Invalid path specified in request URL", nil, nil).write(w)
	default:
		s.tableRequest(w, r, p, path)
	}
}

// tableRequest serves /rest/v1/{table}.
func (s *Server) tableRequest(w http.ResponseWriter, r *http.Request, p principal, name string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete:
	case http.MethodPut:
		notImplemented("PUT upserts").write(w)
		return
	default:
		pgError(http.StatusMethodNotAllowed, "PGRST117", "Unsupported HTTP method: "+r.Method, nil, nil).write(w)
		return
	}
	q, fail := parseQuery(r.URL.RawQuery)
	if fail != nil {
		fail.write(w)
		return
	}
	var body []byte
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		var ok bool
		if body, ok = readBody(w, r); !ok {
			return
		}
	}
	req := &tableReq{p: p, q: q, prefer: parsePrefer(r.Header), single: wantsObject(r.Header), head: r.Method == http.MethodHead}
	s.mu.Lock()
	out := s.execute(r, req, name, body)
	s.mu.Unlock()
	out.write(w, req.head)
}

// tableReq is one request on a table.
type tableReq struct {
	p      principal
	q      *readQuery
	prefer prefer
	single bool // Accept: application/vnd.pgrst.object+json
	head   bool
	t      *table
	bound  []boundFilter
}

// execute runs a table request; the caller holds s.mu.
func (s *Server) execute(r *http.Request, req *tableReq, name string, body []byte) result {
	req.t = s.tables[name]
	if req.t == nil {
		return failed(pgError(http.StatusNotFound, "PGRST205",
			fmt.Sprintf("Could not find the table 'public.%s' in the schema cache", name), nil, nil))
	}
	var fail *apiError
	if req.bound, fail = req.t.bind(req.q); fail != nil {
		return failed(fail)
	}
	var res result
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		res = s.read(req, r.Header)
	case http.MethodPost:
		res = s.insert(req, body)
	case http.MethodPatch:
		res = s.update(req, body)
	default:
		res = s.remove(req)
	}
	if res.fail == nil && !req.head {
		s.returned[name] += res.rows
	}
	return res
}

// result is a table request's answer.
type result struct {
	status      int
	header      http.Header
	contentType string
	body        []byte
	rows        int // rows in body
	fail        *apiError
}

func failed(e *apiError) result { return result{fail: e} }

func (res result) write(w http.ResponseWriter, head bool) {
	if res.fail != nil {
		res.fail.write(w)
		return
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	if res.body == nil || head {
		if res.contentType != "" {
			w.Header().Set("Content-Type", res.contentType)
		}
		w.WriteHeader(res.status)
		return
	}
	writeRaw(w, res.status, res.contentType, res.body)
}

// prefer is what the Prefer header asks for.
type prefer struct {
	representation bool
	count          bool
	returnApplied  string
}

func parsePrefer(h http.Header) prefer {
	var p prefer
	for _, line := range h.Values("Prefer") {
		for _, tok := range strings.Split(line, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(tok), "=")
			switch {
			case k == "return" && (v == "representation" || v == "minimal" || v == "headers-only"):
				p.representation, p.returnApplied = v == "representation", "return="+v
			case k == "count" && (v == "exact" || v == "planned" || v == "estimated"):
				p.count = true
			}
		}
	}
	return p
}

func wantsObject(h http.Header) bool {
	return strings.Contains(strings.ToLower(h.Get("Accept")), "application/vnd.pgrst.object+json")
}

// policy is a table's row-level security for one principal.
type policy struct {
	t           *table
	p           principal
	metaTrusted bool
}

func (s *Server) policy(req *tableReq) policy {
	return policy{t: req.t, p: req.p, metaTrusted: s.metaTrusted}
}

// bypass says whether no policy applies: RLS off, or the service role.
func (pol policy) bypass() bool { return !pol.t.rls || pol.p.role == "service_role" }

// owns is "auth.uid() = owner column" for a logged-in role.
func (pol policy) owns(row map[string]any) bool {
	return pol.p.role == "authenticated" && pol.p.uid != "" && strings.ToLower(textOf(row[pol.t.owner])) == pol.p.uid
}

// canSelect is the select policy (USING).
func (pol policy) canSelect(row map[string]any) bool {
	return pol.bypass() || pol.owns(row) || pol.metaTrusted && pol.p.role == "authenticated" && metadataAdmin(pol.p.claims)
}

// canModify is the update and delete policy (USING), and the insert and
// update WITH CHECK.
func (pol policy) canModify(row map[string]any) bool { return pol.bypass() || pol.owns(row) }

// violation is the 42501 a write that fails WITH CHECK gets.
func (pol policy) violation() *apiError {
	status := http.StatusUnauthorized
	if pol.p.authed() {
		status = http.StatusForbidden
	}
	return pgError(status, "42501", fmt.Sprintf("new row violates row-level security policy for table %q", pol.t.name), nil, nil)
}

// metadataAdmin is auth.jwt() -> 'user_metadata' ->> 'role' = 'admin'.
func metadataAdmin(claims map[string]any) bool {
	meta, _ := claims["user_metadata"].(map[string]any)
	role, _ := meta["role"].(string)
	return role == "admin"
}
