package supabase

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// Supabase Storage: /storage/v1/bucket, /storage/v1/bucket/{id} and
// /storage/v1/object/list/{bucket}; uploads and removal in upload.go.

type bucket struct {
	name        string
	public, rls bool
	objects     []*object
	created     time.Time
}

type object struct {
	name, owner, id string
	size            int
	created         time.Time
}

func newBucket(name string, b *Bucket, created time.Time) (*bucket, error) {
	if b == nil || name == "" || len(name) > 100 || strings.ContainsAny(name, "/\\ ?#%") {
		return nil, fmt.Errorf("want a bucket name without / \\ space ? # %%, and a bucket")
	}
	out := &bucket{name: name, public: b.Public, rls: b.RLS, created: created}
	seen := map[string]bool{}
	for _, o := range b.Objects {
		if o.Name == "" || strings.HasPrefix(o.Name, "/") || strings.HasSuffix(o.Name, "/") || strings.Contains(o.Name, "//") {
			return nil, fmt.Errorf("object name %q: want a path without empty segments", o.Name)
		}
		if seen[o.Name] || o.Size < 0 {
			return nil, fmt.Errorf("object %q: duplicate, or negative size", o.Name)
		}
		seen[o.Name] = true
		out.objects = append(out.objects, &object{name: o.Name, owner: strings.ToLower(o.Owner), id: newUUID(), size: o.Size, created: created})
	}
	return out, nil
}

// storageError is Storage's error body; it is sent with HTTP 400 (500
// for server errors) whatever statusCode says, as Storage renders it.
type storageError struct {
	StatusCode string `json:"statusCode"`
	Error      string `json:"error"`
	Message    string `json:"message"`
}

func storageFail(w http.ResponseWriter, code, errName, message string) {
	writeJSON(w, http.StatusBadRequest, "application/json; charset=utf-8", storageError{code, errName, message})
}

func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request, route, keyRole string) {
	p, ok := s.storagePrincipal(w, r, keyRole)
	if !ok {
		return
	}
	switch {
	case r.Method == http.MethodGet && (route == "bucket" || route == "bucket/"):
		s.listBuckets(w, p)
	case r.Method == http.MethodGet && strings.HasPrefix(route, "bucket/"):
		s.getBucket(w, p, strings.TrimPrefix(route, "bucket/"))
	case r.Method == http.MethodPost && strings.HasPrefix(route, "object/list/"):
		s.listObjects(w, r, p, strings.TrimPrefix(route, "object/list/"))
	case r.Method == http.MethodPost && strings.HasPrefix(route, "object/"):
		s.uploadObject(w, r, p, strings.TrimPrefix(route, "object/"))
	case r.Method == http.MethodDelete && strings.HasPrefix(route, "object/") && !strings.Contains(strings.TrimPrefix(route, "object/"), "/"):
		s.deleteObjects(w, r, p, strings.TrimPrefix(route, "object/"))
	default:
		writeJSON(w, http.StatusNotFound, "application/json; charset=utf-8", obj{"statusCode": 404, "error": "Not Found",
			"message": fmt.Sprintf("Route %s:/%s not found", r.Method, route)})
	}
}

// storagePrincipal verifies the bearer token (the apikey's role without
// one); Storage refuses a bad token with InvalidJWT.
func (s *Server) storagePrincipal(w http.ResponseWriter, r *http.Request, keyRole string) (principal, bool) {
	tok, ok := bearer(r)
	if !ok {
		return principal{role: keyRole}, true
	}
	claims, err := s.parseJWT(tok)
	if err != nil {
		storageFail(w, "400", "InvalidJWT", storageJWTMessage(err))
		return principal{}, false
	}
	p := principal{role: claimString(claims, "role"), uid: strings.ToLower(claimString(claims, "sub")), claims: claims}
	if p.role != "anon" && p.role != "authenticated" && p.role != "service_role" {
		storageFail(w, "400", "InvalidJWT", fmt.Sprintf("role %q does not exist", p.role))
		return principal{}, false
	}
	return p, true
}

func (b *bucket) json() obj {
	ts := b.created.Format(time.RFC3339Nano)
	return obj{"id": b.name, "name": b.name, "owner": "", "public": b.public, "type": "STANDARD",
		"file_size_limit": nil, "allowed_mime_types": nil, "created_at": ts, "updated_at": ts}
}

// listBuckets: storage.buckets has RLS and no policies, so only the
// service role sees rows.
func (s *Server) listBuckets(w http.ResponseWriter, p principal) {
	out := []obj{}
	s.mu.Lock()
	if p.role == "service_role" {
		for _, name := range slices.Sorted(maps.Keys(s.buckets)) {
			out = append(out, s.buckets[name].json())
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", out)
}

func (s *Server) getBucket(w http.ResponseWriter, p principal, name string) {
	s.mu.Lock()
	b := s.buckets[name]
	var body obj
	if b != nil && p.role == "service_role" {
		body = b.json()
	}
	s.mu.Unlock()
	if body == nil {
		storageFail(w, "404", "Bucket not found", "Bucket not found")
		return
	}
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", body)
}

// listRequest is the body of POST /object/list/{bucket}.
type listRequest struct {
	Prefix *string      `json:"prefix"`
	Limit  *json.Number `json:"limit"`
	Offset *json.Number `json:"offset"`
	Search string       `json:"search"`
	SortBy *struct {
		Column string `json:"column"`
		Order  string `json:"order"`
	} `json:"sortBy"`
}

// parse validates the body as Storage's JSON schema does.
func (lr *listRequest) parse(raw []byte) (prefix string, limit, offset int, msg string) {
	if err := decodeJSON(raw, lr); err != nil {
		return "", 0, 0, "Body is not valid JSON but content-type is set to 'application/json'"
	}
	if lr.Prefix == nil {
		return "", 0, 0, "body must have required property 'prefix'"
	}
	limit, offset = 100, 0
	for _, f := range []struct {
		v    *json.Number
		name string
		min  int
		dst  *int
	}{{lr.Limit, "limit", 1, &limit}, {lr.Offset, "offset", 0, &offset}} {
		if f.v == nil {
			continue
		}
		n, err := f.v.Int64()
		if err != nil {
			return "", 0, 0, "body/" + f.name + " must be integer"
		}
		if n < int64(f.min) {
			return "", 0, 0, fmt.Sprintf("body/%s must be >= %d", f.name, f.min)
		}
		*f.dst = int(min(n, 1<<30))
	}
	if lr.SortBy != nil && !slices.Contains([]string{"name", "updated_at", "created_at", "last_accessed_at"}, lr.SortBy.Column) {
		return "", 0, 0, "body/sortBy/column must be equal to one of the allowed values"
	}
	if lr.SortBy != nil && lr.SortBy.Order != "" && lr.SortBy.Order != "asc" && lr.SortBy.Order != "desc" {
		return "", 0, 0, "body/sortBy/order must be equal to one of the allowed values"
	}
	return *lr.Prefix, limit, offset, ""
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request, p principal, name string) {
	raw, ok := readBody(w, r)
	if !ok {
		return
	}
	var lr listRequest
	prefix, limit, offset, msg := lr.parse(raw)
	if msg != "" {
		storageFail(w, "400", "Bad Request", msg)
		return
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/" // Storage takes the prefix for a folder
	}
	s.mu.Lock()
	var items []listItem
	if b := s.buckets[name]; b != nil {
		items = b.search(p, prefix, strings.ToLower(lr.Search))
	}
	s.mu.Unlock()
	if lr.SortBy != nil && lr.SortBy.Order == "desc" {
		slices.Reverse(items)
	}
	out := make([]obj, 0, len(items))
	start := min(offset, len(items))
	for _, it := range items[start : start+min(limit, len(items)-start)] {
		out = append(out, it.json())
	}
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", out)
}

// canList is the select policy on storage.objects for this bucket.
func (b *bucket) canList(p principal, o *object) bool {
	switch {
	case p.role == "service_role":
		return true
	case b.rls:
		return p.role == "authenticated" && p.uid != "" && o.owner == p.uid
	case p.role == "authenticated":
		return true
	}
	return b.public
}

// listItem is a file, or a folder (o nil), one level under the prefix.
type listItem struct {
	name string
	o    *object
}

// search is storage.search: the names one level under prefix, folders
// from the visible objects only, sorted by name.
func (b *bucket) search(p principal, prefix, search string) []listItem {
	var out []listItem
	folders := map[string]bool{}
	for _, o := range b.objects {
		rel, under := strings.CutPrefix(o.name, prefix)
		if !under || !b.canList(p, o) || !strings.HasPrefix(strings.ToLower(rel), search) {
			continue
		}
		if dir, _, nested := strings.Cut(rel, "/"); nested {
			if !folders[dir] {
				folders[dir] = true
				out = append(out, listItem{name: dir})
			}
			continue
		}
		out = append(out, listItem{name: rel, o: o})
	}
	slices.SortFunc(out, func(a, b listItem) int { return cmp.Compare(a.name, b.name) })
	return out
}

func (it listItem) json() obj {
	if it.o == nil {
		return obj{"name": it.name, "id": nil, "updated_at": nil, "created_at": nil, "last_accessed_at": nil, "metadata": nil}
	}
	ts := it.o.created.Format(time.RFC3339Nano)
	sum := md5.Sum([]byte(it.o.name))
	ctype, _, _ := strings.Cut(mime.TypeByExtension(path.Ext(it.o.name)), ";")
	return obj{"name": it.name, "id": it.o.id, "updated_at": ts, "created_at": ts, "last_accessed_at": ts,
		"metadata": obj{"eTag": `"` + hex.EncodeToString(sum[:]) + `"`, "size": it.o.size,
			"mimetype": cmp.Or(ctype, "application/octet-stream"), "cacheControl": "max-age=3600",
			"lastModified": ts, "contentLength": it.o.size, "httpStatusCode": 200}}
}
