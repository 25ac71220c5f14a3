package supabase

import (
	"maps"
	"net/http"
	"slices"
)

// GET /rest/v1/: the Swagger 2.0 document PostgREST 12 serves at its root.

func (s *Server) root(w http.ResponseWriter, r *http.Request, p principal) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		pgError(http.StatusMethodNotAllowed, "PGRST117", "Unsupported HTTP method: "+r.Method, nil, nil).write(w)
		return
	}
	if s.hideRoot && p.role != "service_role" {
		writeJSON(w, http.StatusUnauthorized, "application/json", gatewayError{Message: "Access to schema is forbidden",
			Hint: "Accessing the schema via the Data API is only allowed using a secret API key."})
		return
	}
	s.mu.Lock()
	spec := s.openAPI(r)
	s.mu.Unlock()
	const ct = "application/openapi+json; charset=utf-8"
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		return
	}
	writeRaw(w, http.StatusOK, ct, marshal(spec))
}

type obj = map[string]any

// openAPI builds the document; the caller holds s.mu.
func (s *Server) openAPI(r *http.Request) obj {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	media := []string{"application/json", "application/vnd.pgrst.object+json;nulls=stripped", "application/vnd.pgrst.object+json", "text/csv"}
	paths := obj{"/": obj{"get": obj{"produces": []string{"application/openapi+json", "application/json"},
		"responses": obj{"200": obj{"description": "OK"}}, "summary": "OpenAPI description (this document)", "tags": []string{"Introspection"}}}}
	defs, params := obj{}, commonParameters()
	for _, name := range slices.Sorted(maps.Keys(s.tables)) {
		t := s.tables[name]
		paths["/"+name], defs[name] = t.pathItem(params), t.definition()
	}
	for _, name := range slices.Sorted(maps.Keys(s.rpcs)) {
		op := func(args obj) obj {
			return obj{"parameters": []obj{args}, "produces": media[:3], "responses": obj{"200": obj{"description": "OK"}},
				"tags": []string{"(rpc) " + name}}
		}
		paths["/rpc/"+name] = obj{
			"get":  op(obj{"$ref": "#/parameters/preferParams"}),
			"post": op(obj{"in": "body", "name": "args", "required": true, "schema": obj{"type": "object", "properties": obj{}}}),
		}
	}
	return obj{
		"swagger": "2.0", "host": r.Host, "basePath": "/rest/v1/", "schemes": []string{scheme},
		"info":     obj{"description": "", "title": "standard public schema", "version": "12.2.3"},
		"consumes": media, "produces": media, "paths": paths, "definitions": defs, "parameters": params,
		"externalDocs": obj{"description": "PostgREST Documentation", "url": "https://postgrest.org/en/v12/references/api.html"},
	}
}

func commonParameters() obj {
	header := func(name, desc string, enum ...string) obj {
		p := obj{"name": name, "description": desc, "required": false, "in": "header", "type": "string"}
		if len(enum) > 0 {
			p["enum"] = enum
		}
		return p
	}
	query := func(name, desc string, typ string) obj {
		return obj{"name": name, "description": desc, "required": false, "in": "query", "type": typ}
	}
	return obj{
		"preferParams": header("Prefer", "Preference", "params=single-object"),
		"preferReturn": header("Prefer", "Preference", "return=representation", "return=minimal", "return=none"),
		"preferCount":  header("Prefer", "Preference", "count=none"),
		"preferPost": header("Prefer", "Preference", "return=representation", "return=minimal", "return=none",
			"resolution=ignore-duplicates", "resolution=merge-duplicates"),
		"select":      query("select", "Filtering Columns", "string"),
		"on_conflict": query("on_conflict", "On Conflict", "string"),
		"order":       query("order", "Ordering", "string"),
		"range":       header("Range", "Limiting and Pagination"),
		"rangeUnit":   obj{"name": "Range-Unit", "description": "Limiting and Pagination", "required": false, "in": "header", "type": "string", "default": "items"},
		"offset":      query("offset", "Limiting and Pagination", "string"),
		"limit":       query("limit", "Limiting and Pagination", "string"),
	}
}

// pathItem documents /{table} and adds its parameters to params.
func (t *table) pathItem(params obj) obj {
	ref := func(name string) obj { return obj{"$ref": "#/parameters/" + name} }
	var filters []obj
	for _, c := range t.cols {
		key := "rowFilter." + t.name + "." + c
		params[key] = obj{"name": c, "required": false, "in": "query", "type": "string", "format": t.types[c].String()}
		filters = append(filters, ref(key))
	}
	params["body."+t.name] = obj{"name": t.name, "description": t.name, "required": false, "in": "body",
		"schema": obj{"$ref": "#/definitions/" + t.name}}
	tags := []string{t.name}
	ok := func(code, desc string) obj { return obj{code: obj{"description": desc}} }
	return obj{
		"get": obj{"tags": tags, "parameters": append(filters, ref("select"), ref("order"), ref("range"), ref("rangeUnit"),
			ref("offset"), ref("limit"), ref("preferCount")),
			"responses": obj{"200": obj{"description": "OK", "schema": obj{"type": "array", "items": obj{"$ref": "#/definitions/" + t.name}}},
				"206": obj{"description": "Partial Content"}}},
		"post":   obj{"tags": tags, "parameters": []obj{ref("body." + t.name), ref("select"), ref("preferPost")}, "responses": ok("201", "Created")},
		"delete": obj{"tags": tags, "parameters": append(filters, ref("preferReturn")), "responses": ok("204", "No Content")},
		"patch":  obj{"tags": tags, "parameters": append(filters, ref("body."+t.name), ref("preferReturn")), "responses": ok("204", "No Content")},
	}
}

func (t *table) definition() obj {
	props := obj{}
	for _, c := range t.cols {
		typ := t.types[c]
		p := obj{"format": typ.String()}
		switch typ {
		case typBigint:
			p["type"] = "integer"
		case typNumber:
			p["type"] = "number"
		case typBool:
			p["type"] = "boolean"
		case typText, typUUID:
			p["type"] = "string"
		}
		if c == "id" {
			p["description"] = "Note:\nThis is a Primary Key.<pk/>"
		}
		props[c] = p
	}
	return obj{"description": "", "required": []string{"id"}, "properties": props, "type": "object"}
}
