package platform

import (
	"regexp"
	"strings"

	"github.com/launchready/launchready/internal/safetext"
)

// FirebaseUse is what a frontend shows of the Firebase project it talks
// to: the web app's firebaseConfig and the Firestore collections,
// Realtime Database paths and Storage paths its code names. A dynamic
// path segment (a template placeholder, a variable, a concatenation) is
// "*": users/*/orders.
type FirebaseUse struct {
	// Configs are the firebaseConfig objects found, first seen first.
	Configs []FirebaseConfig
	// Collections are Firestore collection paths (an odd number of
	// segments; collection names are never "*").
	Collections []Use
	// DatabasePaths are Realtime Database paths (the root is left out).
	DatabasePaths []Use
	// StoragePaths are Cloud Storage object paths or prefixes.
	StoragePaths []Use
}

// FirebaseConfig is one firebaseConfig object of a web app.
type FirebaseConfig struct {
	APIKey        string
	AuthDomain    string
	ProjectID     string
	DatabaseURL   string
	StorageBucket string
	// Where names the source it was first seen in.
	Where string
}

// Bounds: a source is read up to maxFirebaseSource bytes; at most
// maxFirebaseConfigs configs and maxFirebaseNames names of each kind are
// kept; a call's arguments span at most maxFirebaseArgs bytes.
const (
	maxFirebaseSource  = 8 << 20
	maxFirebaseConfigs = 4
	maxFirebaseNames   = 64
	maxFirebaseArgs    = 512
	maxFirebaseChain   = 8
)

var (
	// fbAPIKey matches an apiKey property whose value is a Google API key,
	// keys quoted or not, values in any kind of quotes.
	fbAPIKey = regexp.MustCompile(`["']?\bapiKey["']?\s*:\s*["'` + "`" + `](AIza[0-9A-Za-z_-]{35})["'` + "`]")
	// fbConfigKey matches the other firebaseConfig properties.
	fbConfigKey = regexp.MustCompile(`["']?\b(authDomain|projectId|databaseURL|storageBucket)["']?\s*:\s*(?:"([^"\\\s]{1,300})"|'([^'\\\s]{1,300})'|` +
		"`([^`\\\\\\s$]{1,300})`)")
	// fbCall matches a call that names a path: collection(, doc(, ref(,
	// child( — as a function, a method (.ref(), or webpack's
	// (0,x.collection)( form.
	fbCall = regexp.MustCompile(`(\.\s*)?\b(collection|doc|ref|child)(\s*\))?\s*\(`)
	// fbSegment is a path segment worth probing.
	fbSegment = regexp.MustCompile(`^[A-Za-z0-9_.:@~*-]{1,128}$`)
	// fbStorageRecv recognises a Storage receiver or first argument.
	fbStorageRecv = regexp.MustCompile(`(?i)storage`)
)

// Firebase recognises Firebase use in srcs. It only reads the texts.
func Firebase(srcs []Source) FirebaseUse {
	var u FirebaseUse
	seen := map[string]bool{}
	for _, src := range srcs {
		fbSource(&u, seen, src)
	}
	return u
}

// fbSource reads one source into u.
func fbSource(u *FirebaseUse, seen map[string]bool, src Source) {
	body := safetext.Prefix(src.Body, maxFirebaseSource)
	if strings.Contains(body, "AIza") {
		fbConfigs(u, body, src.Label)
	}
	fbCalls(u, seen, body, src.Label)
}

// fbConfigs finds firebaseConfig objects: an apiKey holding a Google API
// key and the properties of the same object literal.
func fbConfigs(u *FirebaseUse, body, where string) {
	for _, m := range fbAPIKey.FindAllStringSubmatchIndex(body, -1) {
		if len(u.Configs) >= maxFirebaseConfigs {
			return
		}
		c := FirebaseConfig{APIKey: body[m[2]:m[3]], Where: where}
		lo, hi := max(0, m[0]-800), min(len(body), m[1]+1200)
		if i := strings.LastIndexByte(body[lo:m[0]], '{'); i >= 0 {
			lo += i
		}
		if i := strings.IndexByte(body[m[1]:hi], '}'); i >= 0 {
			hi = m[1] + i
		}
		for _, k := range fbConfigKey.FindAllStringSubmatch(body[lo:hi], -1) {
			v := k[2] + k[3] + k[4]
			switch k[1] {
			case "authDomain":
				c.AuthDomain = fbFirst(c.AuthDomain, v)
			case "projectId":
				c.ProjectID = fbFirst(c.ProjectID, v)
			case "databaseURL":
				c.DatabaseURL = fbFirst(c.DatabaseURL, v)
			case "storageBucket":
				c.StorageBucket = fbFirst(c.StorageBucket, v)
			}
		}
		if !fbHasConfig(u.Configs, c) {
			u.Configs = append(u.Configs, c)
		}
	}
}

func fbFirst(have, v string) string {
	if have != "" {
		return have
	}
	return v
}

func fbHasConfig(cs []FirebaseConfig, c FirebaseConfig) bool {
	for _, o := range cs {
		if o.APIKey == c.APIKey && o.ProjectID == c.ProjectID {
			return true
		}
	}
	return false
}

// fbKind is what a recognised path names.
type fbKind int

const (
	fbFirestore fbKind = iota
	fbDatabase
	fbStorage
)

// fbCalls finds the paths named by Firestore, Realtime Database and
// Storage calls. A method chain (.collection("a").doc(x).collection("b"),
// .ref("a").child(x)) is read whole, and its links are not read again.
func fbCalls(u *FirebaseUse, seen map[string]bool, body, where string) {
	consumed := 0
	for _, m := range fbCall.FindAllStringSubmatchIndex(body, -1) {
		if m[0] < consumed {
			continue
		}
		name := body[m[4]:m[5]]
		method := m[2] >= 0 && m[6] < 0
		open := m[1] - 1
		if method {
			end, ok := fbChain(u, seen, body, m[0], name, open, where)
			if ok {
				consumed = end
			}
			continue
		}
		args, end, ok := fbArgs(body, open)
		if !ok {
			continue
		}
		if kind, path, ok := fbModular(name, args); ok {
			fbAdd(u, seen, kind, path, where)
			consumed = end
		}
	}
}

// fbModular reads a modular-API call: collection(db, "a", id, "b"),
// doc(db, "a/b"), ref(db, "a"), ref(storage, "a/b.png"),
// child(ref(db, "a"), "b"). A doc() names its collection.
func fbModular(name string, args []string) (fbKind, []string, bool) {
	kind, path, ok := fbRef(name, args)
	if !ok {
		return 0, nil, false
	}
	if name == "doc" {
		return kind, path[:len(path)-1], true
	}
	return kind, path, true
}

// fbRef is the full path a modular call refers to (a document's own path
// for doc()). The first argument is the database (any identifier) or a
// nested call of the same API.
func fbRef(name string, args []string) (fbKind, []string, bool) {
	if len(args) < 2 {
		return 0, nil, false
	}
	parent, ok := fbParent(args[0])
	if !ok {
		return 0, nil, false
	}
	var segs []string
	for _, a := range args[1:] {
		s, ok := fbPath(a)
		if !ok {
			return 0, nil, false
		}
		segs = append(segs, s...)
	}
	p := append(append([]string(nil), parent.path...), segs...)
	switch name {
	case "collection":
		return fbFirestore, p, parent.kind == fbFirestore && len(p)%2 == 1
	case "doc":
		return fbFirestore, p, parent.kind == fbFirestore && len(p)%2 == 0
	case "ref":
		if parent.nested {
			return 0, nil, false
		}
		kind := fbDatabase
		if fbStorageRecv.MatchString(args[0]) || fbDottedArgs(args[1:]) {
			kind = fbStorage
		}
		return kind, segs, true
	case "child":
		if !parent.nested || parent.kind == fbFirestore {
			return 0, nil, false
		}
		if parent.kind == fbDatabase && fbDottedArgs(args[1:]) {
			return fbStorage, p, true
		}
		return parent.kind, p, true
	}
	return 0, nil, false
}

// fbParentRef is a call's first argument: the database, or a nested
// reference whose path is known.
type fbParentRef struct {
	kind   fbKind
	path   []string
	nested bool
}

var fbNested = regexp.MustCompile(`^(?:\(\s*0\s*,\s*[\w$.]*?\.)?(collection|doc|ref)(?:\s*\))?\s*\(`)
var fbIdent = regexp.MustCompile(`^[\w$]+(?:\s*\.\s*[\w$]+)*(?:\(\s*\))?$`)

func fbParent(arg string) (fbParentRef, bool) {
	arg = strings.TrimSpace(arg)
	if m := fbNested.FindStringSubmatchIndex(arg); m != nil {
		args, end, ok := fbArgs(arg, m[1]-1)
		if !ok || strings.TrimSpace(arg[end:]) != "" {
			return fbParentRef{}, false
		}
		name := arg[m[2]:m[3]]
		if name == "ref" && len(args) == 1 {
			// ref(db): the database root.
			kind := fbDatabase
			if fbStorageRecv.MatchString(args[0]) {
				kind = fbStorage
			}
			return fbParentRef{kind: kind, nested: true}, true
		}
		kind, path, ok := fbRef(name, args)
		if !ok {
			return fbParentRef{}, false
		}
		return fbParentRef{kind: kind, path: path, nested: true}, true
	}
	if fbIdent.MatchString(arg) || fbDynamic.MatchString(arg) {
		return fbParentRef{kind: fbFirestore}, true
	}
	return fbParentRef{}, false
}

// fbChain reads a compat-API method chain starting at a .collection(,
// .doc( or .ref( call; it returns where the chain ends.
func fbChain(u *FirebaseUse, seen map[string]bool, body string, at int, name string, open int, where string) (int, bool) {
	if name == "child" {
		return 0, false
	}
	args, end, ok := fbArgs(body, open)
	if !ok || len(args) > 1 {
		return 0, false
	}
	var path []string
	if len(args) == 1 {
		if path, ok = fbPath(args[0]); !ok {
			return 0, false
		}
	}
	kind := fbFirestore
	switch name {
	case "ref":
		kind = fbDatabase
		if fbStorageRecv.MatchString(body[max(0, at-40):at]) || fbDottedArgs(args) {
			kind = fbStorage
		}
	case "doc":
		// A lone .doc(id) is any object's method; a path with a slash
		// is a Firestore document.
		if len(path) < 2 || len(path)%2 != 0 {
			return 0, false
		}
	}
	var found [][]string
	switch {
	case name == "doc":
		found = append(found, path[:len(path)-1])
	default:
		found = append(found, path)
	}
	for i := 0; i < maxFirebaseChain; i++ {
		next := fbNextLink(body, end)
		if next.name == "" {
			break
		}
		want := "child"
		if kind == fbFirestore {
			want = map[bool]string{true: "doc", false: "collection"}[len(path)%2 == 1]
		}
		if next.name != want || len(next.args) != 1 {
			break
		}
		seg, ok := fbPath(next.args[0])
		if !ok {
			break
		}
		path, end = append(path, seg...), next.end
		if kind == fbDatabase && fbDottedArgs(next.args) {
			kind = fbStorage
		}
		if kind != fbFirestore || next.name == "collection" {
			found = append(found, path)
		}
	}
	for _, p := range found {
		fbAdd(u, seen, kind, p, where)
	}
	return end, true
}

type fbLink struct {
	name string
	args []string
	end  int
}

var fbLinkRe = regexp.MustCompile(`^\s*\.\s*(collection|doc|child)\s*\(`)

// fbNextLink reads the chained call right after end, if any.
func fbNextLink(body string, end int) fbLink {
	m := fbLinkRe.FindStringSubmatchIndex(body[end:min(len(body), end+64)])
	if m == nil {
		return fbLink{}
	}
	args, e, ok := fbArgs(body, end+m[1]-1)
	if !ok {
		return fbLink{}
	}
	return fbLink{name: body[end+m[2] : end+m[3]], args: args, end: e}
}

// fbDottedArgs reports a path argument with a dot in its static text:
// never a Realtime Database key, so a Storage object name.
func fbDottedArgs(args []string) bool {
	for _, a := range args {
		if v, ok := fbValue(a); ok && strings.Contains(v, ".") {
			return true
		}
	}
	return false
}

// fbAdd records a path under its kind, once, keeping the first place.
func fbAdd(u *FirebaseUse, seen map[string]bool, kind fbKind, path []string, where string) {
	if len(path) == 0 {
		return
	}
	list := &u.DatabasePaths
	switch kind {
	case fbFirestore:
		if len(path)%2 != 1 {
			return
		}
		for i := 0; i < len(path); i += 2 {
			if path[i] == "*" {
				return
			}
		}
		list = &u.Collections
	case fbStorage:
		list = &u.StoragePaths
	}
	if len(path) == 1 && path[0] == "*" {
		return
	}
	name := strings.Join(path, "/")
	key := string(rune('0'+kind)) + name
	if seen[key] || len(*list) >= maxFirebaseNames {
		return
	}
	seen[key] = true
	*list = append(*list, Use{Name: name, Where: where})
}

// fbArgs splits the arguments of the call whose "(" is at open, honouring
// strings, template literals and nesting; end is just past the ")".
func fbArgs(s string, open int) (args []string, end int, ok bool) {
	if open < 0 || open >= len(s) || s[open] != '(' {
		return nil, 0, false
	}
	depth, start := 0, open+1
	limit := min(len(s), open+1+maxFirebaseArgs)
	for i := open + 1; i < limit; i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			j := fbSkipString(s, i, limit)
			if j < 0 {
				return nil, 0, false
			}
			i = j
		case '(', '[', '{':
			depth++
		case ']', '}':
			depth--
		case ')':
			if depth == 0 {
				if a := strings.TrimSpace(s[start:i]); a != "" || len(args) > 0 {
					args = append(args, a)
				}
				return args, i + 1, true
			}
			depth--
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
		if depth < 0 {
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// fbSkipString returns the index of the quote closing the string that
// opens at i, or -1. Template placeholders may hold braces and strings.
func fbSkipString(s string, i, limit int) int {
	q := s[i]
	for j := i + 1; j < limit; j++ {
		switch c := s[j]; {
		case c == '\\':
			j++
		case c == q:
			return j
		case q == '`' && c == '$' && j+1 < limit && s[j+1] == '{':
			depth := 0
			for j++; j < limit; j++ {
				if s[j] == '{' {
					depth++
				} else if s[j] == '}' {
					depth--
					if depth == 0 {
						break
					}
				} else if s[j] == '"' || s[j] == '\'' {
					if k := fbSkipString(s, j, limit); k >= 0 {
						j = k
					} else {
						return -1
					}
				}
			}
		case q != '`' && c == '\n':
			return -1
		}
	}
	return -1
}

// fbPath turns one argument into path segments: a string literal is
// split on "/", a template's placeholders and a concatenation's
// non-literal parts become "*", and so does a variable. A segment holding
// a "*" is "*" whole. ok is false for anything that cannot be a path.
func fbPath(arg string) ([]string, bool) {
	raw, ok := fbValue(arg)
	if !ok {
		return nil, false
	}
	var out []string
	for _, seg := range strings.Split(raw, "/") {
		if seg == "" {
			continue
		}
		if strings.Contains(seg, "*") {
			seg = "*"
		}
		if !fbSegment.MatchString(seg) {
			return nil, false
		}
		out = append(out, seg)
	}
	return out, len(out) > 0
}

// fbValue evaluates an argument to a string with "*" for its dynamic
// parts.
func fbValue(arg string) (string, bool) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return "", false
	}
	parts := fbSplitPlus(arg)
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			return "", false
		case p[0] == '"' || p[0] == '\'':
			if len(p) < 2 || p[len(p)-1] != p[0] {
				return "", false
			}
			b.WriteString(fbUnescape(p[1 : len(p)-1]))
		case p[0] == '`':
			if len(p) < 2 || p[len(p)-1] != '`' {
				return "", false
			}
			b.WriteString(fbTemplate(p[1 : len(p)-1]))
		case fbIdent.MatchString(p) || fbDynamic.MatchString(p):
			b.WriteString("*")
		default:
			return "", false
		}
	}
	return b.String(), true
}

// fbDynamic is a value computed at run time that may sit in a path: a
// member access, an index, a call with simple arguments.
var fbDynamic = regexp.MustCompile(`^[\w$.\[\]()?!]+$`)

// fbSplitPlus splits a concatenation at its top-level "+".
func fbSplitPlus(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			j := fbSkipString(s, i, len(s))
			if j < 0 {
				return []string{s}
			}
			i = j
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '+':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// fbTemplate replaces a template literal's placeholders with "*".
func fbTemplate(t string) string {
	var b strings.Builder
	for {
		i := strings.Index(t, "${")
		if i < 0 {
			b.WriteString(fbUnescape(t))
			return b.String()
		}
		b.WriteString(fbUnescape(t[:i]))
		b.WriteString("*")
		depth, j := 0, i+1
		for ; j < len(t); j++ {
			if t[j] == '{' {
				depth++
			} else if t[j] == '}' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j >= len(t) {
			return b.String()
		}
		t = t[j+1:]
	}
}

// fbUnescape undoes the escapes a path literal may hold; others are
// kept, and the segment check refuses them.
func fbUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r := strings.NewReplacer(`\/`, "/", `\"`, `"`, `\'`, "'", `\\`, `\`, "\\`", "`")
	return r.Replace(s)
}
