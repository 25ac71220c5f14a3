package supabase

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Storage writes: POST /storage/v1/object/{bucket}/{path} (upload) and
// DELETE /storage/v1/object/{bucket} with {"prefixes": [...]} (remove),
// following the supabase/storage routes (src/http/routes/object/
// createObject.ts, deleteObjects.ts). The insert and delete policies on
// storage.objects mirror canList: with RLS a user may write only objects
// it owns (an upload is owned by its uploader), without RLS any logged-in
// user may; anon never may.

// maxObjects bounds a bucket.
const maxObjects = 10000

// canWrite is the insert/delete policy on storage.objects.
func (b *bucket) canWrite(p principal, o *object) bool {
	switch {
	case p.role == "service_role":
		return true
	case p.role != "authenticated" || p.uid == "":
		return false
	case b.rls:
		return o == nil || o.owner == p.uid
	}
	return true
}

func (s *Server) uploadObject(w http.ResponseWriter, r *http.Request, p principal, route string) {
	name, key, _ := strings.Cut(route, "/")
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "//") {
		storageFail(w, "400", "Invalid Input", "The object name contains invalid characters")
		return
	}
	raw, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	if b == nil {
		storageFail(w, "404", "Bucket not found", "Bucket not found")
		return
	}
	if !b.canWrite(p, nil) {
		storageFail(w, "403", "Unauthorized", "new row violates row-level security policy")
		return
	}
	if slices.ContainsFunc(b.objects, func(o *object) bool { return o.name == key }) {
		storageFail(w, "409", "Duplicate", "The resource already exists")
		return
	}
	if len(b.objects) >= maxObjects {
		storageFail(w, "413", "Payload too large", "The bucket is full")
		return
	}
	o := &object{name: key, owner: p.uid, id: newUUID(), size: len(raw), created: time.Now().UTC()}
	b.objects = append(b.objects, o)
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", obj{"Key": name + "/" + key, "Id": o.id})
}

func (s *Server) deleteObjects(w http.ResponseWriter, r *http.Request, p principal, name string) {
	raw, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Prefixes []string `json:"prefixes"`
	}
	if err := decodeJSON(raw, &req); err != nil || len(req.Prefixes) == 0 || len(req.Prefixes) > 1000 {
		storageFail(w, "400", "Bad Request", "body must have required property 'prefixes' (1 to 1000 names)")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	if b == nil {
		storageFail(w, "404", "Bucket not found", "Bucket not found")
		return
	}
	out := []obj{}
	b.objects = slices.DeleteFunc(b.objects, func(o *object) bool {
		if !slices.Contains(req.Prefixes, o.name) || !b.canList(p, o) || !b.canWrite(p, o) {
			return false
		}
		out = append(out, obj{"name": o.name, "bucket_id": name, "id": o.id})
		return true
	})
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", out)
}

// Objects returns the bucket's object names and owners (nil for an
// unknown bucket).
func (s *Server) Objects(bucket string) []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucket]
	if b == nil {
		return nil
	}
	out := make([]Object, 0, len(b.objects))
	for _, o := range b.objects {
		out = append(out, Object{Name: o.name, Owner: o.owner, Size: o.size})
	}
	return out
}
