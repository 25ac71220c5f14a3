package firebase

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// rtdbState is the Realtime Database. The tree is immutable: a write
// builds a new root sharing untouched subtrees, so a reader may use a
// node after dropping the lock. Nodes are map[string]any (never empty),
// string, bool or json.Number.
type rtdbState struct {
	rules    Rules
	ownerKey string
	root     any
}

func (d *rtdbState) init(o RTDB) error {
	if o.Rules < RulesLocked || o.Rules > RulesOwner {
		return fmt.Errorf("unknown rules %v", o.Rules)
	}
	d.rules, d.ownerKey = o.Rules, o.OwnerKey
	if d.ownerKey == "" {
		d.ownerKey = "owner"
	}
	if !validKey(d.ownerKey) {
		return fmt.Errorf("OwnerKey %q is not a valid key", d.ownerKey)
	}
	if o.Data == nil {
		return nil
	}
	// A JSON round trip turns any Go value into the tree's types.
	raw, err := json.Marshal(o.Data)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	v, err := decodeJSONNumbers(raw)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	d.root, err = normalize(v)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

func decodeJSONNumbers(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

var errBadKey = errors.New(`keys must be non-empty, at most 768 bytes, and contain none of ". # $ / [ ]" nor control characters`)

// validKey reports whether k may name a child (Realtime Database
// "Structure your database": no . $ # [ ] / or ASCII control characters).
func validKey(k string) bool {
	if k == "" || len(k) > 768 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 32 || c == 127 || strings.IndexByte(".$#[]/", c) >= 0 {
			return false
		}
	}
	return true
}

// normalize turns a decoded JSON value into the tree's form: nulls and
// empty objects vanish, arrays become objects keyed by index, keys are
// checked.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool, string, json.Number:
		return v, nil
	case []any:
		m := make(map[string]any, len(v))
		for i, c := range v {
			m[strconv.Itoa(i)] = c
		}
		return normalize(m)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, c := range v {
			if !validKey(k) {
				return nil, fmt.Errorf("key %q: %w", k, errBadKey)
			}
			nc, err := normalize(c)
			if err != nil {
				return nil, err
			}
			if nc != nil {
				out[k] = nc
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// childAt walks path from node; nil when absent.
func childAt(node any, path []string) any {
	for _, k := range path {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[k]
	}
	return node
}

// setAt returns a copy of node with val at path (nil deletes), copying
// only the maps along the path.
func setAt(node any, path []string, val any) any {
	if len(path) == 0 {
		return val
	}
	m, _ := node.(map[string]any)
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if c := setAt(out[path[0]], path[1:], val); c != nil {
		out[path[0]] = c
	} else {
		delete(out, path[0])
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// rtdbPath parses the request path: URL-decoded keys, the ".json" suffix
// removed, empty segments skipped. ok is false for an invalid key.
func rtdbPath(escaped string) ([]string, bool) {
	escaped = strings.TrimSuffix(escaped, ".json")
	var path []string
	for _, seg := range strings.Split(escaped, "/") {
		if seg == "" {
			continue
		}
		k, err := url.PathUnescape(seg)
		if err != nil || !validKey(k) {
			return nil, false
		}
		path = append(path, k)
	}
	return path, true
}

// rtdbError writes an error as the Realtime Database formats it.
func rtdbError(w http.ResponseWriter, status int, msg string) {
	q, _ := json.Marshal(msg)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\n  \"error\" : %s\n}\n", q)
}

const rtdbDenied = "Permission denied"

// serveRTDB serves the Realtime Database REST API on every path ending
// in ".json".
func (s *Server) serveRTDB(w http.ResponseWriter, r *http.Request) {
	path, ok := rtdbPath(r.URL.EscapedPath())
	if !ok {
		rtdbError(w, http.StatusBadRequest, "Invalid path: Invalid token in path")
		return
	}
	q := r.URL.Query()
	method := r.Method
	if o := r.Header.Get("X-HTTP-Method-Override"); o != "" && method == http.MethodPost {
		method = strings.ToUpper(o)
	}
	uid, err := s.rtdbCaller(r, q)
	switch {
	case errors.Is(err, errTokenExpired):
		rtdbError(w, http.StatusUnauthorized, "Auth token is expired")
		return
	case err != nil:
		rtdbError(w, http.StatusUnauthorized, "Could not parse auth token.")
		return
	}
	switch method {
	case http.MethodGet:
		s.rtdbGet(w, path, uid, q)
	case http.MethodPut, http.MethodPatch, http.MethodPost, http.MethodDelete:
		s.rtdbWrite(w, r, method, path, uid, q)
	default:
		rtdbError(w, http.StatusMethodNotAllowed, "Invalid method: "+method)
	}
}

// rtdbCaller reads the ID token from ?auth=, ?access_token= or an
// Authorization bearer header; "" is an unauthenticated caller.
func (s *Server) rtdbCaller(r *http.Request, q url.Values) (string, error) {
	tok := q.Get("auth")
	if tok == "" {
		tok = q.Get("access_token")
	}
	if tok == "" {
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
			tok = h[7:]
		}
	}
	if tok == "" {
		return "", nil
	}
	return s.verifyIDToken(tok)
}

// owns reports whether the node at path belongs to uid: its key is the
// uid (users/$uid) or its owner child holds it.
func (d *rtdbState) owns(node any, path []string, uid string) bool {
	if len(path) > 0 && path[len(path)-1] == uid {
		return true
	}
	m, ok := node.(map[string]any)
	return ok && m[d.ownerKey] == uid
}

// canRead applies the rules to a read at path. Read grants cascade down
// the tree, and rules are not filters: reading a parent needs a grant on
// the parent itself.
func (d *rtdbState) canRead(uid string, path []string) bool {
	switch d.rules {
	case RulesOpen:
		return true
	case RulesAuthed:
		return uid != ""
	case RulesOwner:
		if uid == "" {
			return false
		}
		for i := 0; i <= len(path); i++ {
			if d.owns(childAt(d.root, path[:i]), path[:i], uid) {
				return true
			}
		}
	}
	return false
}

// canWrite applies the rules to a write at target that turns oldRoot
// into newRoot. Owner rules: a grant on a node the caller owns that it
// still owns afterwards (or deletes), or the creation of a new node
// owned by the caller.
func (d *rtdbState) canWrite(uid string, target []string, oldRoot, newRoot any) bool {
	switch d.rules {
	case RulesOpen:
		return true
	case RulesAuthed:
		return uid != ""
	case RulesOwner:
		if uid == "" {
			return false
		}
		for i := 0; i <= len(target); i++ {
			p := target[:i]
			if len(p) > 0 && p[len(p)-1] == uid {
				return true
			}
			before, after := childAt(oldRoot, p), childAt(newRoot, p)
			if d.owns(before, nil, uid) && (after == nil || d.owns(after, nil, uid)) {
				return true
			}
		}
		return childAt(oldRoot, target) == nil && d.owns(childAt(newRoot, target), nil, uid)
	}
	return false
}

// rtdbQuery is a GET's query parameters.
type rtdbQuery struct {
	shallow           bool
	orderBy           string
	first, last       int
	constraints       map[string]any // startAt, endAt, equalTo, startAfter, endBefore
	pretty, silent    bool
	hasQueryParameter bool
}

var rangeParams = []string{"startAt", "endAt", "equalTo", "startAfter", "endBefore"}

// parseRTDBQuery reads the query parameters of a read, refusing what
// the Realtime Database refuses. Ordering by $value or a child needs an
// ".indexOn" rule, which these rules never have.
func parseRTDBQuery(q url.Values, path []string) (rtdbQuery, string) {
	out := rtdbQuery{
		shallow: q.Get("shallow") == "true", first: -1, last: -1,
		pretty: q.Get("print") == "pretty", silent: q.Get("print") == "silent",
		constraints: map[string]any{},
	}
	for _, p := range append([]string{"orderBy", "limitToFirst", "limitToLast"}, rangeParams...) {
		if q.Has(p) {
			out.hasQueryParameter = true
		}
	}
	if !out.hasQueryParameter {
		return out, ""
	}
	if out.shallow {
		return out, "Mixing 'shallow' and querying parameters is not supported"
	}
	if !q.Has("orderBy") {
		return out, "orderBy must be defined when other query parameters are defined"
	}
	if err := json.Unmarshal([]byte(q.Get("orderBy")), &out.orderBy); err != nil || out.orderBy == "" {
		return out, "orderBy must be a valid JSON encoded path"
	}
	if out.orderBy != "$key" && out.orderBy != "$priority" {
		index := strings.TrimPrefix(out.orderBy, "$")
		if out.orderBy != "$value" {
			index = out.orderBy
		}
		return out, fmt.Sprintf("Index not defined, add \".indexOn\": \"%s\", for path \"/%s\", to the rules", index, strings.Join(path, "/"))
	}
	for _, p := range []string{"limitToFirst", "limitToLast"} {
		if !q.Has(p) {
			continue
		}
		n, err := strconv.Atoi(q.Get(p))
		if err != nil || n <= 0 {
			return out, p + " must be a positive integer"
		}
		if p == "limitToFirst" {
			out.first = n
		} else {
			out.last = n
		}
	}
	if out.first >= 0 && out.last >= 0 {
		return out, "limitToFirst and limitToLast cannot both be set"
	}
	for _, p := range rangeParams {
		if !q.Has(p) {
			continue
		}
		v, err := decodeJSONNumbers([]byte(q.Get(p)))
		if err != nil {
			return out, p + " must be a valid JSON value"
		}
		if _, isStr := v.(string); out.orderBy == "$key" && !isStr {
			return out, "Query by key requires " + p + " to be a string"
		}
		out.constraints[p] = v
	}
	return out, ""
}

func (s *Server) rtdbGet(w http.ResponseWriter, path []string, uid string, q url.Values) {
	qry, bad := parseRTDBQuery(q, path)
	if bad != "" {
		rtdbError(w, http.StatusBadRequest, bad)
		return
	}
	s.mu.Lock()
	allowed := s.rtdb.canRead(uid, path)
	node := childAt(s.rtdb.root, path)
	s.mu.Unlock()
	if !allowed {
		rtdbError(w, http.StatusUnauthorized, rtdbDenied)
		return
	}
	switch {
	case qry.shallow:
		node = shallow(node)
	case qry.hasQueryParameter:
		node = qry.apply(node)
	}
	s.items.rtdb.Add(int64(records(node)))
	if qry.silent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeRTDB(w, http.StatusOK, render(node), qry.pretty)
}

func writeRTDB(w http.ResponseWriter, status int, v any, pretty bool) {
	var out []byte
	if pretty {
		out, _ = json.MarshalIndent(v, "", "  ") // tree values always marshal
	} else {
		out, _ = json.Marshal(v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// shallow maps an object's children to true; leaves stay as they are.
func shallow(node any) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// apply filters and limits an object's children. Children have no
// priorities here, so under $priority they all sort as null, by key.
func (q rtdbQuery) apply(node any) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if q.admits(k) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	if q.first >= 0 && len(keys) > q.first {
		keys = keys[:q.first]
	}
	if q.last >= 0 && len(keys) > q.last {
		keys = keys[len(keys)-q.last:]
	}
	if len(keys) == 0 {
		return nil
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func (q rtdbQuery) admits(key string) bool {
	for p, v := range q.constraints {
		if q.orderBy == "$priority" {
			// Every priority is null: null is ≥ only null and < any value.
			ok := map[string]bool{"startAt": v == nil, "endAt": true, "equalTo": v == nil,
				"startAfter": false, "endBefore": v != nil}[p]
			if !ok {
				return false
			}
			continue
		}
		s, _ := v.(string)
		var ok bool
		switch p {
		case "startAt":
			ok = !keyLess(key, s)
		case "endAt":
			ok = !keyLess(s, key)
		case "equalTo":
			ok = key == s
		case "startAfter":
			ok = keyLess(s, key)
		case "endBefore":
			ok = keyLess(key, s)
		}
		if !ok {
			return false
		}
	}
	return true
}

// keyLess orders keys as the Realtime Database does: keys that parse as
// 32-bit integers first, numerically, then the rest as strings.
func keyLess(a, b string) bool {
	ai, aInt := intKey(a)
	bi, bInt := intKey(b)
	switch {
	case aInt && bInt:
		return ai < bi
	case aInt != bInt:
		return aInt
	}
	return a < b
}

func intKey(k string) (int64, bool) {
	n, err := strconv.ParseInt(k, 10, 32)
	if err != nil || strconv.FormatInt(n, 10) != k {
		return 0, false
	}
	return n, true
}

// render turns objects whose keys are mostly array indexes back into
// arrays, as the Realtime Database renders them (more than half of the
// indexes up to the largest key present).
func render(node any) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	maxIdx := int64(-1)
	for k := range m {
		i, isInt := intKey(k)
		if !isInt || i < 0 {
			maxIdx = math.MinInt64
			break
		}
		maxIdx = max(maxIdx, i)
	}
	if maxIdx >= 0 && int64(len(m))*2 > maxIdx+1 {
		arr := make([]any, maxIdx+1)
		for k, v := range m {
			i, _ := intKey(k)
			arr[i] = render(v)
		}
		return arr
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = render(v)
	}
	return out
}

// records counts the records a response carries. A node holding leaf
// values is a record (a user, an order, a shallow listing): one, plus the
// records of any child that holds only nodes (a list inside the record).
// A node holding only nodes is a list: the sum of its children's records.
// A lone leaf is one record, null none.
func records(node any) int {
	m, ok := node.(map[string]any)
	if !ok {
		if node == nil {
			return 0
		}
		return 1
	}
	isRecord := holdsLeaf(m)
	n := 0
	if isRecord {
		n = 1
	}
	for _, c := range m {
		if cm, ok := c.(map[string]any); ok && (!isRecord || !holdsLeaf(cm)) {
			n += records(cm)
		}
	}
	return n
}

func holdsLeaf(m map[string]any) bool {
	for _, c := range m {
		if _, isMap := c.(map[string]any); !isMap {
			return true
		}
	}
	return false
}

// rtdbWrite serves PUT, PATCH, POST (push) and DELETE.
func (s *Server) rtdbWrite(w http.ResponseWriter, r *http.Request, method string, path []string, uid string, q url.Values) {
	raw, e := readBody(r)
	if e != nil {
		rtdbError(w, e.Code, "Payload too large")
		return
	}
	var body any
	if method != http.MethodDelete {
		v, err := decodeJSONNumbers(raw)
		if err != nil {
			rtdbError(w, http.StatusBadRequest, "Invalid data; couldn't parse JSON object, array, or value.")
			return
		}
		body = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.rtdb.root
	newRoot, targets, answer, bad := s.rtdb.plan(method, path, body, s.now())
	if bad != "" {
		rtdbError(w, http.StatusBadRequest, bad)
		return
	}
	for _, t := range targets {
		if !s.rtdb.canWrite(uid, t, old, newRoot) {
			rtdbError(w, http.StatusUnauthorized, rtdbDenied)
			return
		}
	}
	s.rtdb.root = newRoot
	if q.Get("print") == "silent" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeRTDB(w, http.StatusOK, render(answer), q.Get("print") == "pretty")
}

// plan computes a write: the new root, the locations written (each
// checked against the rules) and the answer (the data written, the
// pushed child's name, or null).
func (d *rtdbState) plan(method string, path []string, body any, now time.Time) (any, [][]string, any, string) {
	root := d.root
	switch method {
	case http.MethodDelete:
		return setAt(root, path, nil), [][]string{path}, nil, ""
	case http.MethodPut, http.MethodPost:
		v, err := normalize(body)
		if err != nil {
			return nil, nil, nil, "Invalid data; " + err.Error()
		}
		if method == http.MethodPut {
			return setAt(root, path, v), [][]string{path}, v, ""
		}
		target := append(append([]string(nil), path...), pushID(now))
		return setAt(root, target, v), [][]string{target}, map[string]any{"name": target[len(target)-1]}, ""
	}
	// PATCH: each key, which may be a multi-location path, is a write.
	m, ok := body.(map[string]any)
	if !ok {
		return nil, nil, nil, "Invalid data; couldn't parse JSON object."
	}
	var targets [][]string
	echo := map[string]any{}
	for k, c := range m {
		sub, ok := keyPath(k)
		if !ok {
			return nil, nil, nil, fmt.Sprintf("Invalid data; couldn't parse key %q: %v", k, errBadKey)
		}
		v, err := normalize(c)
		if err != nil {
			return nil, nil, nil, "Invalid data; " + err.Error()
		}
		t := append(append([]string(nil), path...), sub...)
		root = setAt(root, t, v)
		targets = append(targets, t)
		if v != nil {
			echo[k] = v
		}
	}
	return root, targets, echo, ""
}

// keyPath splits a multi-location PATCH key ("a/b/c") into keys.
func keyPath(k string) ([]string, bool) {
	var out []string
	for _, seg := range strings.Split(k, "/") {
		if seg == "" {
			continue
		}
		if !validKey(seg) {
			return nil, false
		}
		out = append(out, seg)
	}
	return out, len(out) > 0
}

const pushChars = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// pushID makes a chronologically ordered push key: 8 characters of the
// time in milliseconds, then 12 random ones.
func pushID(now time.Time) string {
	ms := now.UnixMilli()
	var head [8]byte
	for i := 7; i >= 0; i-- {
		head[i] = pushChars[ms%64]
		ms /= 64
	}
	return string(head[:]) + randomString(pushChars, 12)
}
