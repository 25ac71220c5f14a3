package supabase

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Functions as RPC: /rest/v1/rpc/{name}.

// rpcReserved are the query parameters PostgREST does not pass to a
// function (apikey is the gateway's).
var rpcReserved = map[string]bool{"select": true, "order": true, "limit": true, "offset": true, "columns": true,
	"on_conflict": true, "apikey": true}

func (s *Server) rpc(w http.ResponseWriter, r *http.Request, p principal, name string) {
	args := map[string]any{}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		for k, vs := range r.URL.Query() {
			if !rpcReserved[k] {
				args[k] = vs[0]
			}
		}
	case http.MethodPost:
		raw, ok := readBody(w, r)
		if !ok {
			return
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			if err := decodeJSON(raw, &args); err != nil || args == nil {
				invalidJSON().write(w)
				return
			}
		}
	default:
		pgError(http.StatusMethodNotAllowed, "PGRST101", "Cannot use the "+r.Method+" method on RPC", nil, nil).write(w)
		return
	}
	fn := s.rpcs[name]
	if fn == nil {
		noFunction(name, slices.Sorted(maps.Keys(args)), r.Method == http.MethodPost).write(w)
		return
	}
	uid := ""
	if p.role == "authenticated" {
		uid = p.uid
	}
	res, status := callRPC(fn, uid, args)
	writeRPCResult(w, res, status, r.Method == http.MethodHead)
}

// noFunction is PGRST202, worded as PostgREST words it.
func noFunction(name string, keys []string, post bool) *apiError {
	fn := "public." + name
	params, searched := " without parameters", " without parameters"
	if len(keys) > 0 {
		params = "(" + strings.Join(keys, ", ") + ")"
		searched = " with parameter "
		if len(keys) > 1 {
			searched = " with parameters "
		}
		searched += strings.Join(keys, ", ")
	}
	if post {
		searched += " or with a single unnamed json/jsonb parameter"
	}
	return pgError(http.StatusNotFound, "PGRST202", "Could not find the function "+fn+params+" in the schema cache",
		"Searched for the function "+fn+searched+", but no matches were found in the schema cache.", nil)
}

// callRPC runs the function, turning its panic into a 500 as a failing
// database function would be.
func callRPC(fn RPC, uid string, args map[string]any) (res any, status int) {
	defer func() {
		if v := recover(); v != nil {
			res, status = pgBody{Code: "XX000", Message: fmt.Sprintf("function failed: %v", v)}, http.StatusInternalServerError
		}
	}()
	return fn(uid, args)
}

func writeRPCResult(w http.ResponseWriter, res any, status int, head bool) {
	const ct = "application/json; charset=utf-8"
	switch {
	case status == 0 && res == nil:
		w.WriteHeader(http.StatusNoContent)
		return
	case status == 0:
		status = http.StatusOK
	case status < 100 || status > 599:
		res, status = pgBody{Code: "PGRST112", Message: "response.status guc must be a valid status code"}, http.StatusInternalServerError
	case status >= 400:
		if msg, ok := res.(string); ok {
			res = pgBody{Code: "P0001", Message: msg}
		}
	}
	if head {
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		return
	}
	writeRaw(w, status, ct, marshal(res))
}
