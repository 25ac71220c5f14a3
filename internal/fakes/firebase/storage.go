package firebase

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// storedObject is a stored object; replaced, never changed, on write.
type storedObject struct {
	name, owner string
	content     []byte
	token       string // the download token of its download URL
	created     time.Time
	generation  int64
}

type storageState struct {
	rules   Rules
	bucket  string
	objects map[string]*storedObject
}

// maxObjectSize bounds seeded objects, whose filler content is kept in
// memory.
const maxObjectSize = 16 << 20

func (st *storageState) init(o Storage, project string, now time.Time) error {
	if o.Rules < RulesLocked || o.Rules > RulesOwner {
		return fmt.Errorf("unknown rules %v", o.Rules)
	}
	st.rules, st.bucket = o.Rules, o.Bucket
	if st.bucket == "" {
		st.bucket = project + ".appspot.com"
	}
	if strings.ContainsAny(st.bucket, "/ ?#") {
		return fmt.Errorf("bucket %q: not a bucket name", st.bucket)
	}
	st.objects = map[string]*storedObject{}
	for i, ob := range o.Objects {
		switch {
		case !validObjectName(ob.Name):
			return fmt.Errorf("Objects[%d]: invalid name %q", i, ob.Name)
		case st.objects[ob.Name] != nil:
			return fmt.Errorf("Objects[%d]: duplicate name %q", i, ob.Name)
		case ob.Size < 0 || ob.Size > maxObjectSize:
			return fmt.Errorf("Objects[%d]: size %d out of 0..%d", i, ob.Size, maxObjectSize)
		}
		st.objects[ob.Name] = newObject(ob.Name, ob.Owner, filler(ob.Size), now)
	}
	return nil
}

// validObjectName follows Cloud Storage's naming rules.
func validObjectName(n string) bool {
	return n != "" && len(n) <= 1024 && n != "." && n != ".." && !strings.ContainsAny(n, "\r\n")
}

func newObject(name, owner string, content []byte, now time.Time) *storedObject {
	return &storedObject{name: name, owner: owner, content: content, token: randomUUID(),
		created: now, generation: now.UnixMicro()}
}

func filler(n int) []byte {
	const line = "launchready fake object content\n"
	return bytes.Repeat([]byte(line), n/len(line)+1)[:n]
}

func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // documented never to fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// storageError writes Firebase Storage's error body: code and message,
// indented.
func storageError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	writeJSON(w, r, code, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

const (
	storageDenied   = "Permission denied."
	storageNotFound = "Not Found."
	storageBadRoute = "Invalid HTTP method/URL pair."
)

// serveStorage serves the Cloud Storage for Firebase REST API (v0):
// listing, object metadata and download, raw upload and delete.
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/firebasestorage.googleapis.com/v0/b/")
	if !ok {
		storageError(w, r, http.StatusBadRequest, storageBadRoute)
		return
	}
	bucketEsc, objPart, _ := strings.Cut(rest, "/")
	bucket, err1 := url.PathUnescape(bucketEsc)
	objEsc, hasName := strings.CutPrefix(objPart, "o/")
	name, err2 := url.PathUnescape(objEsc)
	switch {
	case err1 != nil || err2 != nil || (objPart != "o" && !hasName):
		storageError(w, r, http.StatusBadRequest, storageBadRoute)
		return
	case bucket != s.st.bucket:
		storageError(w, r, http.StatusNotFound, storageNotFound+"  Could not access bucket "+bucket)
		return
	}
	uid, err := s.bearerCaller(r, "Firebase ", "Bearer ")
	if err != nil {
		storageError(w, r, http.StatusUnauthorized, "Invalid authentication credentials.")
		return
	}
	switch {
	case !hasName && r.Method == http.MethodGet:
		s.storageList(w, r, uid)
	case !hasName && r.Method == http.MethodPost:
		s.storageUpload(w, r, uid, r.URL.Query().Get("name"))
	case hasName && validObjectName(name) && r.Method == http.MethodGet:
		s.storageGet(w, r, uid, name)
	case hasName && validObjectName(name) && r.Method == http.MethodDelete:
		s.storageDelete(w, r, uid, name)
	default:
		storageError(w, r, http.StatusBadRequest, storageBadRoute)
	}
}

// segmentsHold reports whether a slash-separated name has uid as one of
// its segments (users/{uid}/…).
func segmentsHold(name, uid string) bool {
	return uid != "" && slices.Contains(strings.Split(name, "/"), uid)
}

func (st *storageState) grants(uid string, owner func() bool) bool {
	switch st.rules {
	case RulesOpen:
		return true
	case RulesAuthed:
		return uid != ""
	case RulesOwner:
		return uid != "" && owner()
	}
	return false
}

// canList: list rules see the prefix only, not the objects' metadata, so
// owner rules admit a listing inside the caller's folder (…/{uid}/…) and
// nothing else: "users/uidA" would also list "users/uidAB/…".
func (st *storageState) canList(uid, prefix string) bool {
	return st.grants(uid, func() bool { return strings.Contains("/"+prefix, "/"+uid+"/") })
}

// canAccess: a get, overwrite or delete is the caller's when the path
// holds its uid or the object's owner metadata does.
func (st *storageState) canAccess(uid, name string, ob *storedObject) bool {
	return st.grants(uid, func() bool { return segmentsHold(name, uid) || ob != nil && ob.owner == uid })
}

type listItem struct {
	Name   string `json:"name"`
	Bucket string `json:"bucket"`
}

type listResponse struct {
	Prefixes      []string   `json:"prefixes"`
	Items         []listItem `json:"items"`
	NextPageToken string     `json:"nextPageToken,omitempty"`
}

func (s *Server) storageList(w http.ResponseWriter, r *http.Request, uid string) {
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	limit := 1000
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			storageError(w, r, http.StatusBadRequest, "Invalid maxResults: "+strconv.Quote(v))
			return
		}
		limit = min(n, 1000)
	}
	after := ""
	if t := q.Get("pageToken"); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil || !strings.HasPrefix(string(raw), "after:") {
			storageError(w, r, http.StatusBadRequest, "Invalid page token.")
			return
		}
		after = strings.TrimPrefix(string(raw), "after:")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.canList(uid, prefix) {
		storageError(w, r, http.StatusForbidden, storageDenied)
		return
	}
	entries, isPrefix := s.st.entries(prefix, delim, after)
	out := listResponse{Prefixes: []string{}, Items: []listItem{}}
	if len(entries) > limit {
		entries = entries[:limit]
		out.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte("after:" + entries[limit-1]))
	}
	for _, e := range entries {
		if isPrefix[e] {
			out.Prefixes = append(out.Prefixes, e)
		} else {
			out.Items = append(out.Items, listItem{Name: e, Bucket: s.st.bucket})
		}
	}
	s.items.storage.Add(int64(len(out.Items)))
	writeJSON(w, r, http.StatusOK, out)
}

// entries lists, in name order after the page token, the objects under
// prefix and, with a delimiter, the "folders" (prefixes ending in it).
func (st *storageState) entries(prefix, delim, after string) ([]string, map[string]bool) {
	isPrefix := map[string]bool{}
	var out []string
	for name := range st.objects {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		e := name
		if i := strings.Index(rest, delim); delim != "" && i >= 0 {
			e = prefix + rest[:i+len(delim)]
			if isPrefix[e] {
				continue
			}
			isPrefix[e] = true
		}
		if e > after {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out, isPrefix
}

// objectMeta is an object's metadata resource as Firebase Storage sends
// it.
type objectMeta struct {
	Name               string            `json:"name"`
	Bucket             string            `json:"bucket"`
	Generation         string            `json:"generation"`
	Metageneration     string            `json:"metageneration"`
	ContentType        string            `json:"contentType"`
	TimeCreated        string            `json:"timeCreated"`
	Updated            string            `json:"updated"`
	StorageClass       string            `json:"storageClass"`
	Size               string            `json:"size"`
	MD5Hash            string            `json:"md5Hash"`
	ContentEncoding    string            `json:"contentEncoding"`
	ContentDisposition string            `json:"contentDisposition"`
	CRC32C             string            `json:"crc32c"`
	Etag               string            `json:"etag"`
	DownloadTokens     string            `json:"downloadTokens"`
	Metadata           map[string]string `json:"metadata,omitempty"`
}

func contentType(name string) string {
	t := mime.TypeByExtension(path.Ext(name))
	if t == "" {
		return "application/octet-stream"
	}
	t, _, _ = strings.Cut(t, ";")
	return t
}

func (s *Server) meta(ob *storedObject) objectMeta {
	md := md5.Sum(ob.content)
	crc := binary.BigEndian.AppendUint32(nil, crc32.Checksum(ob.content, crc32.MakeTable(crc32.Castagnoli)))
	ts := ob.created.UTC().Format("2006-01-02T15:04:05.000Z")
	m := objectMeta{
		Name: ob.name, Bucket: s.st.bucket, Generation: strconv.FormatInt(ob.generation, 10), Metageneration: "1",
		ContentType: contentType(ob.name), TimeCreated: ts, Updated: ts, StorageClass: "STANDARD",
		Size: strconv.Itoa(len(ob.content)), MD5Hash: base64.StdEncoding.EncodeToString(md[:]),
		ContentEncoding: "identity", ContentDisposition: "inline; filename*=utf-8''" + url.PathEscape(path.Base(ob.name)),
		CRC32C: base64.StdEncoding.EncodeToString(crc), Etag: base64.StdEncoding.EncodeToString(md[:8]),
		DownloadTokens: ob.token,
	}
	if ob.owner != "" {
		m.Metadata = map[string]string{"owner": ob.owner}
	}
	return m
}

// storageGet serves metadata, or the content with alt=media. A download
// URL's token (?token=) grants the download whatever the rules say, as
// in Firebase.
func (s *Server) storageGet(w http.ResponseWriter, r *http.Request, uid, name string) {
	q := r.URL.Query()
	media := q.Get("alt") == "media"
	s.mu.Lock()
	ob := s.st.objects[name]
	byToken := media && ob != nil && q.Get("token") != "" && q.Get("token") == ob.token
	allowed := byToken || s.st.canAccess(uid, name, ob)
	var m objectMeta
	if ob != nil {
		m = s.meta(ob)
	}
	s.mu.Unlock()
	switch {
	case !allowed:
		storageError(w, r, http.StatusForbidden, storageDenied)
	case ob == nil:
		storageError(w, r, http.StatusNotFound, storageNotFound)
	case media:
		s.items.storage.Add(1)
		w.Header().Set("Content-Type", m.ContentType)
		w.Header().Set("Content-Length", m.Size)
		w.Header().Set("Content-Disposition", m.ContentDisposition)
		w.Header().Set("Etag", m.Etag)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ob.content) // content is never changed in place
	default:
		s.items.storage.Add(1)
		writeJSON(w, r, http.StatusOK, m)
	}
}

// storageUpload serves a simple upload: POST …/o?name=… with the content
// as the body (uploadType=media, or X-Goog-Upload-Protocol: raw).
func (s *Server) storageUpload(w http.ResponseWriter, r *http.Request, uid, name string) {
	if proto := r.Header.Get("X-Goog-Upload-Protocol"); !validObjectName(name) || (proto != "" && proto != "raw") {
		storageError(w, r, http.StatusBadRequest, storageBadRoute)
		return
	}
	raw, e := readBody(r)
	if e != nil {
		storageError(w, r, e.Code, e.Message)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.st.objects[name]
	if !s.st.canAccess(uid, name, old) {
		storageError(w, r, http.StatusForbidden, storageDenied)
		return
	}
	owner := uid
	if old != nil {
		owner = old.owner
	}
	ob := newObject(name, owner, raw, s.now())
	s.st.objects[name] = ob
	writeJSON(w, r, http.StatusOK, s.meta(ob))
}

func (s *Server) storageDelete(w http.ResponseWriter, r *http.Request, uid, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ob := s.st.objects[name]
	switch {
	case !s.st.canAccess(uid, name, ob):
		storageError(w, r, http.StatusForbidden, storageDenied)
	case ob == nil:
		storageError(w, r, http.StatusNotFound, storageNotFound)
	default:
		delete(s.st.objects, name)
		w.WriteHeader(http.StatusNoContent)
	}
}
