// Package recorded is the file a hand-made login is saved in: the cookies,
// web storage and IndexedDB of a browser in which a person signed in to the
// portal (Google sign-in, SSO, MFA, CAPTCHA) with `launchready login
// --record`. The scan loads it instead of logging in with a password.
//
// The file is a credential: whoever holds it is signed in as that member
// until the portal ends the session. It is written with mode 0600 and its
// first field says so.
package recorded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Schema names this file format; a file with another is refused.
const Schema = "launchready/session/v1"

// Warning is the first field of every recording.
const Warning = "This file is a credential: it holds a signed-in session of the portal (cookies and tokens). " +
	"Anyone who has it is signed in as this member. Do not commit it, share it or attach it to a ticket; " +
	"add it to .gitignore and delete it when the scan is done."

// Bounds on a recording, so a hostile or corrupt file cannot exhaust memory.
const (
	// MaxFileBytes caps the file read at load.
	MaxFileBytes = 32 << 20
	// MaxCookies caps the cookies saved.
	MaxCookies = 500
	// MaxKeys caps the keys saved from each of localStorage and sessionStorage.
	MaxKeys = 2000
	// MaxValueBytes caps one web storage value or the JSON of one
	// IndexedDB record, in characters (UTF-16 code units, as the page
	// counts them).
	MaxValueBytes = 1 << 20
	// MaxDatabases caps the IndexedDB databases saved.
	MaxDatabases = 20
	// MaxRecords caps the records saved from one object store.
	MaxRecords = 1000
	// MaxIndexedDBBytes caps the JSON of every IndexedDB record together.
	MaxIndexedDBBytes = 8 << 20
)

// Recording is one signed-in browser session of one member on one origin.
type Recording struct {
	// Warning says the file is a credential; always Warning when written.
	Warning string `json:"warning"`
	// Schema is always Schema.
	Schema string `json:"schema"`
	// Origin is the portal's origin (target.url) the session belongs to.
	Origin string `json:"origin"`
	// Account is the member ("a", "b" or "admin") who signed in.
	Account string `json:"account,omitempty"`
	// Recorded is when the session was saved.
	Recorded time.Time `json:"recorded"`
	// VerifiedURL is the page that opened signed in when it was saved.
	VerifiedURL string `json:"verified_url"`
	// Cookies are the browser's cookies for the hosts in target.scope;
	// cookies of other hosts (an identity provider's) are never saved.
	Cookies []Cookie `json:"cookies"`
	// LocalStorage and SessionStorage are the origin's web storage.
	LocalStorage   map[string]string `json:"local_storage"`
	SessionStorage map[string]string `json:"session_storage"`
	// IndexedDB holds the origin's databases, best effort: records that
	// are not plain JSON data (Blob, Date, typed arrays) are skipped.
	IndexedDB []Database `json:"indexeddb"`
	// Skipped says what was not saved (and why), so a reader knows the
	// recording is partial.
	Skipped []string `json:"skipped,omitempty"`
}

// Cookie is one browser cookie with the attributes it was set with.
type Cookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Domain is as the browser keeps it: "app.example.com" for a host-only
	// cookie, ".example.com" for one set with a Domain attribute.
	Domain string `json:"domain"`
	Path   string `json:"path"`
	// Expires is zero for a session cookie.
	Expires  time.Time `json:"expires,omitzero"`
	Secure   bool      `json:"secure"`
	HTTPOnly bool      `json:"httpOnly"`
	// SameSite is Strict, Lax, None or "" (not set).
	SameSite string `json:"sameSite,omitempty"`
}

// HostOnly reports a cookie set without a Domain attribute.
func (c Cookie) HostOnly() bool { return !strings.HasPrefix(c.Domain, ".") }

// Host is the cookie's domain without the leading dot.
func (c Cookie) Host() string { return strings.TrimPrefix(c.Domain, ".") }

// Database is one IndexedDB database.
type Database struct {
	Name    string  `json:"name"`
	Version int64   `json:"version"`
	Stores  []Store `json:"stores"`
}

// Store is one object store and its records.
type Store struct {
	Name string `json:"name"`
	// KeyPath is the store's in-line key path (a string, a list of
	// strings, or null for out-of-line keys).
	KeyPath       json.RawMessage `json:"keyPath,omitempty"`
	AutoIncrement bool            `json:"autoIncrement,omitempty"`
	Records       []Record        `json:"records"`
}

// Record is one IndexedDB record; key and value are JSON.
type Record struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Parse reads a recording and checks it is one: the schema, an origin, a
// time, cookies with names and domains, and the bounds above. Unknown
// fields are refused, so a typo or another tool's file is not half-read.
func Parse(data []byte) (*Recording, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxFileBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Recording
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON object")
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// check validates a decoded recording.
func (r *Recording) check() error {
	if r.Schema != Schema {
		return fmt.Errorf("schema is %q, want %q", r.Schema, Schema)
	}
	if _, err := ParseOrigin(r.Origin); err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	if r.Recorded.IsZero() {
		return errors.New("no recorded time")
	}
	if len(r.Cookies) > MaxCookies {
		return fmt.Errorf("%d cookies, more than %d", len(r.Cookies), MaxCookies)
	}
	for i, c := range r.Cookies {
		if c.Name == "" || c.Host() == "" {
			return fmt.Errorf("cookies[%d]: needs a name and a domain", i)
		}
		if strings.ContainsAny(c.Name, " \t\r\n;,=") || strings.ContainsAny(c.Domain+c.Path, " \t\r\n;,") || strings.ContainsAny(c.Value, "\r\n;") {
			return fmt.Errorf("cookies[%d]: a name, value, domain or path holds a character a cookie cannot", i)
		}
		switch c.SameSite {
		case "", "Strict", "Lax", "None":
		default:
			return fmt.Errorf("cookies[%d]: sameSite %q, want Strict, Lax or None", i, c.SameSite)
		}
	}
	for _, area := range []struct {
		name string
		m    map[string]string
	}{{"local_storage", r.LocalStorage}, {"session_storage", r.SessionStorage}} {
		if len(area.m) > MaxKeys {
			return fmt.Errorf("%s has %d keys, more than %d", area.name, len(area.m), MaxKeys)
		}
	}
	if len(r.IndexedDB) > MaxDatabases {
		return fmt.Errorf("%d IndexedDB databases, more than %d", len(r.IndexedDB), MaxDatabases)
	}
	for _, db := range r.IndexedDB {
		if db.Name == "" {
			return errors.New("an IndexedDB database without a name")
		}
		for _, st := range db.Stores {
			if st.Name == "" {
				return fmt.Errorf("IndexedDB %s: an object store without a name", db.Name)
			}
			if len(st.Records) > MaxRecords {
				return fmt.Errorf("IndexedDB %s/%s: %d records, more than %d", db.Name, st.Name, len(st.Records), MaxRecords)
			}
			for i, rec := range st.Records {
				if !json.Valid(rec.Key) || !json.Valid(rec.Value) {
					return fmt.Errorf("IndexedDB %s/%s record %d: key and value must be JSON", db.Name, st.Name, i)
				}
			}
		}
	}
	return nil
}

// ParseOrigin reads an http(s) origin and returns it in canonical form
// (lower-case scheme and host, no default port, no path).
func ParseOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("want an http(s) origin like https://app.example.com, got %q", raw)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return strings.ToLower(u.Scheme) + "://" + host, nil
}

// SameOrigin reports whether the recording belongs to origin.
func (r *Recording) SameOrigin(origin string) bool {
	a, errA := ParseOrigin(r.Origin)
	b, errB := ParseOrigin(origin)
	return errA == nil && errB == nil && a == b
}

// Load reads and parses the recording at path.
func Load(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Marshal encodes the recording with the warning first.
func (r *Recording) Marshal() ([]byte, error) {
	out := *r
	out.Warning, out.Schema = Warning, Schema
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// WriteFile writes the recording to path with mode 0600, atomically: a
// temporary file beside it (0600 from the start, so the session is never
// readable by others, even for a moment) renamed over it.
func WriteFile(path string, r *Recording) error {
	data, err := r.Marshal()
	if err != nil {
		return fmt.Errorf("encoding the session: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing the session: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; removes a failed write
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the session: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the session: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the session: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the session: %w", err)
	}
	return os.Chmod(path, 0o600)
}

// Command is the command that records (again) the session of account into
// file.
func Command(account, file string) string {
	if account == "" {
		account = "a"
	}
	return fmt.Sprintf("launchready login --record --account %s --out %s", account, file)
}

// ScopeHosts are the host names of target.scope entries ("host",
// "host:port", or a URL prefix), lower-case, each once.
func ScopeHosts(scope []string) []string {
	var out []string
	for _, s := range scope {
		host := s
		if strings.Contains(s, "://") {
			u, err := url.Parse(s)
			if err != nil {
				continue
			}
			host = u.Hostname()
		} else if u, err := url.Parse("//" + s); err == nil {
			host = u.Hostname()
		}
		host = strings.ToLower(host)
		if host != "" && !contains(out, host) {
			out = append(out, host)
		}
	}
	return out
}

// InScope reports whether a cookie with this domain would be sent to one
// of hosts: a host-only cookie to its own host, a domain cookie
// (".example.com") to that host and every host under it.
func InScope(domain string, hosts []string) bool {
	d := strings.ToLower(strings.TrimPrefix(domain, "."))
	for _, h := range hosts {
		if h == d || (strings.HasPrefix(domain, ".") && strings.HasSuffix(h, "."+d)) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Secrets lists the values in the recording that must never be printed:
// every cookie value, every web storage value of token length, and the
// long string leaves of JSON values (a token inside a stored session
// object). Short storage values ("dark", "english") are settings, and
// masking them would shred ordinary text.
func (r *Recording) Secrets() []string {
	var out []string
	for _, c := range r.Cookies {
		out = append(out, c.Value)
	}
	for _, m := range []map[string]string{r.LocalStorage, r.SessionStorage} {
		for _, v := range m {
			if len(v) >= minLeaf {
				out = append(out, v)
			}
			out = appendLeaves(out, []byte(v))
		}
	}
	for _, db := range r.IndexedDB {
		for _, st := range db.Stores {
			for _, rec := range st.Records {
				out = appendLeaves(out, rec.Value)
			}
		}
	}
	return out
}

// minLeaf is the shortest storage value treated as a credential.
const minLeaf = 16

// appendLeaves adds the long string leaves of a JSON value: short strings
// ("en", "dark") would shred ordinary text without protecting anything.
func appendLeaves(out []string, data []byte) []string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return out
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) >= minLeaf {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// FromForms says how session.from names a recorded token.
const FromForms = "want localStorage:KEY, sessionStorage:KEY or cookie:NAME, optionally followed by " +
	"#field for a field of a JSON value (localStorage:sb-ref-auth-token#access_token)"

// ParseFrom reads session.from for a recorded session: where the token is
// (localStorage, sessionStorage or cookie), its key, and a dotted path into
// a JSON value ("" for the whole value).
func ParseFrom(from string) (area, key, field string, err error) {
	area, rest, ok := strings.Cut(from, ":")
	if !ok || (area != "localStorage" && area != "sessionStorage" && area != "cookie") {
		return "", "", "", fmt.Errorf("%q: %s", from, FromForms)
	}
	key, field, _ = strings.Cut(rest, "#")
	if key == "" || (strings.Contains(rest, "#") && field == "") {
		return "", "", "", fmt.Errorf("%q: %s", from, FromForms)
	}
	return area, key, field, nil
}

// Token returns the token session.from names in the recording.
func (r *Recording) Token(from string) (string, error) {
	area, key, field, err := ParseFrom(from)
	if err != nil {
		return "", err
	}
	var v string
	var found bool
	switch area {
	case "localStorage":
		v, found = r.LocalStorage[key]
	case "sessionStorage":
		v, found = r.SessionStorage[key]
	case "cookie":
		for _, c := range r.Cookies {
			if c.Name == key {
				v, found = c.Value, true
				break
			}
		}
	}
	if !found {
		return "", fmt.Errorf("the recording holds no %s %q", area, key)
	}
	if field == "" {
		if v == "" {
			return "", fmt.Errorf("%s %q is empty", area, key)
		}
		return v, nil
	}
	tok, err := jsonString([]byte(v), field)
	if err != nil {
		return "", fmt.Errorf("%s %q field %q: %w", area, key, field, err)
	}
	return tok, nil
}

// jsonString reads a non-empty string at a dotted path of a JSON object.
func jsonString(data []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return "", errors.New("the value is not JSON")
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no object at %q", k)
		}
		if v, ok = m[k]; !ok {
			return "", fmt.Errorf("no field %q", k)
		}
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", errors.New("not a non-empty string")
	}
	return s, nil
}
