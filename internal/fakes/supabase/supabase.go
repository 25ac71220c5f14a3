package supabase

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configures a fake project.
type Options struct {
	// Tables are the tables exposed in schema public, by name.
	Tables map[string]*Table
	// RPCs are the functions callable at /rest/v1/rpc/{name}, by name.
	RPCs map[string]RPC
	// Buckets are the storage buckets, by name (which is also their id).
	Buckets map[string]*Bucket
	// Users are the project's users, who log in with email and password.
	Users []User
	// TokenTTL is the access tokens' lifetime; 1h when zero. Tests use a
	// second or two to force refreshes.
	TokenTTL time.Duration
	// MetadataRoleTrusted makes the select policy of every RLS table pass
	// for a JWT whose user_metadata.role is "admin". Users write their
	// own user_metadata (PUT /auth/v1/user), so any user becomes an admin:
	// the classic misconfiguration (policies must read app_metadata, which
	// only the service role writes).
	MetadataRoleTrusted bool
	// HideRoot makes GET /rest/v1/ refuse the anon key, as newer hosted
	// projects do, instead of serving the OpenAPI document.
	HideRoot bool
}

// Table is one table of schema public.
type Table struct {
	// RLS turns row-level security on, with owner-only policies
	// (auth.uid() = OwnerColumn) for every command; anon sees nothing.
	// Off, anyone may do anything, as Postgres without RLS when the
	// default grants allow it.
	RLS bool
	// OwnerColumn names the column holding the owner's user id; "user_id"
	// when empty.
	OwnerColumn string
	// Columns lists columns beyond those the seed rows name (for a table
	// that starts empty, say).
	Columns []string
	// Rows are the seed rows. A row without an "id" gets one: the next
	// integer, or a random UUID when the seed ids are strings.
	Rows []map[string]any
}

// RPC is a database function. uid is the caller's user id, "" when
// anonymous or the service role; args are the JSON arguments (numbers as
// json.Number). It returns the result and an HTTP status: 0 means 200, or
// 204 when the result is nil (a void function). With a status of 400 or
// more a string result becomes a PostgREST error (code P0001) and any
// other result is sent as it is.
type RPC func(uid string, args map[string]any) (any, int)

// Bucket is a storage bucket.
type Bucket struct {
	// Public marks a public bucket (its objects download without a
	// token). It does not make the bucket listable.
	Public bool
	// RLS on: a user lists only the objects it owns, anon none. Off: any
	// logged-in user lists every object, and anon too when the bucket is
	// Public.
	RLS bool
	// Objects are the stored objects.
	Objects []Object
}

// Object is a stored object.
type Object struct {
	// Name is the object's path in the bucket ("folder/file.pdf").
	Name string
	// Owner is the id of the user who uploaded it, if any.
	Owner string
	// Size is its size in bytes.
	Size int
}

// User is a project user.
type User struct {
	// ID is the user's UUID; a random one when empty.
	ID string
	// Email and Password are the login.
	Email, Password string
	// UserMetadata is what the user may write itself (raw_user_meta_data).
	UserMetadata map[string]any
	// AppMetadata is what only the service role may write; provider and
	// providers are added as GoTrue does.
	AppMetadata map[string]any
}

// Bounds that keep the fake's memory and work finite.
const (
	maxBody             = 1 << 20
	maxRows             = 1000
	maxTableRows        = 10000
	maxSessionsPerUser  = 100
	maxTokensPerSession = 16
)

// Server is a fake Supabase project. Its zero value is not usable: call New.
type Server struct {
	secret      []byte
	ref         string
	anonKey     string
	serviceKey  string
	ttl         time.Duration
	metaTrusted bool
	hideRoot    bool
	rpcs        map[string]RPC
	created     time.Time

	mu       sync.Mutex
	tables   map[string]*table
	buckets  map[string]*bucket
	users    []*user
	sessions map[string]*session
	refresh  map[string]*refreshToken
	returned map[string]int
	requests int
}

var _ http.Handler = (*Server)(nil)

// New builds a project from opts, with a fresh random JWT secret and
// project ref. It refuses a configuration a real project could not hold:
// bad names, duplicate ids or emails, non-UUID user ids, values that are
// not JSON.
func New(opts Options) (*Server, error) {
	if opts.TokenTTL < 0 {
		return nil, fmt.Errorf("supabase fake: TokenTTL %v is negative", opts.TokenTTL)
	}
	s := &Server{
		secret: make([]byte, 32), ttl: opts.TokenTTL, metaTrusted: opts.MetadataRoleTrusted, hideRoot: opts.HideRoot,
		rpcs: map[string]RPC{}, created: time.Now().UTC(), tables: map[string]*table{}, buckets: map[string]*bucket{},
		sessions: map[string]*session{}, refresh: map[string]*refreshToken{}, returned: map[string]int{},
	}
	if s.ttl == 0 {
		s.ttl = time.Hour
	}
	_, _ = rand.Read(s.secret) // crypto/rand.Read never fails (Go 1.24+)
	s.ref = randomString(20, "abcdefghijklmnopqrstuvwxyz")
	if err := s.mintKeys(); err != nil {
		return nil, err
	}
	if err := s.addUsers(opts.Users); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Tables)) {
		t, err := newTable(name, opts.Tables[name])
		if err != nil {
			return nil, fmt.Errorf("supabase fake: table %q: %w", name, err)
		}
		s.tables[name] = t
	}
	for name, fn := range opts.RPCs {
		if !validIdent(name) || fn == nil {
			return nil, fmt.Errorf("supabase fake: RPC %q: want an identifier and a function", name)
		}
		s.rpcs[name] = fn
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Buckets)) {
		b, err := newBucket(name, opts.Buckets[name], s.created)
		if err != nil {
			return nil, fmt.Errorf("supabase fake: bucket %q: %w", name, err)
		}
		s.buckets[name] = b
	}
	return s, nil
}

// addUsers validates and stores the pre-made users.
func (s *Server) addUsers(users []User) error {
	seen := map[string]bool{}
	for i, u := range users {
		email := strings.ToLower(strings.TrimSpace(u.Email))
		switch {
		case email == "" || !strings.Contains(email, "@"):
			return fmt.Errorf("supabase fake: user %d: want an email address, got %q", i, u.Email)
		case seen[email]:
			return fmt.Errorf("supabase fake: user %d: email %s is taken", i, email)
		case u.Password == "":
			return fmt.Errorf("supabase fake: user %s: empty password", email)
		}
		seen[email] = true
		id := strings.ToLower(u.ID)
		if id == "" {
			id = newUUID()
		}
		if !isUUID(id) {
			return fmt.Errorf("supabase fake: user %s: id %q is not a UUID (GoTrue's sub claim is one)", email, u.ID)
		}
		for _, o := range s.users {
			if o.id == id {
				return fmt.Errorf("supabase fake: user %s: id %s is taken", email, id)
			}
		}
		um, err1 := normalizeMap(u.UserMetadata)
		am, err2 := normalizeMap(u.AppMetadata)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("supabase fake: user %s: metadata: %w", email, err)
		}
		am["provider"], am["providers"] = "email", []any{"email"}
		s.users = append(s.users, &user{id: id, identityID: newUUID(), email: email, password: u.Password, userMeta: um, appMeta: am, created: s.created})
	}
	return nil
}

// AnonKey is the project's legacy anon key: an HS256 JWT
// {"iss":"supabase","ref":…,"role":"anon","iat":…,"exp":…} signed with the
// project's JWT secret.
func (s *Server) AnonKey() string { return s.anonKey }

// ServiceRoleKey is the legacy service_role key, which bypasses RLS.
func (s *Server) ServiceRoleKey() string { return s.serviceKey }

// Ref is the project ref in the keys' ref claim.
func (s *Server) Ref() string { return s.ref }

// RowsReturned is how many rows of table all response bodies have carried
// so far (reads and write representations). HEAD and count headers carry
// none.
func (s *Server) RowsReturned(table string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.returned[table]
}

// Requests is how many requests the handler has received, preflights and
// refused ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// UserByEmail returns the user's current state (metadata and password as
// updated through the API).
func (s *Server) UserByEmail(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByEmail(email)
	if u == nil {
		return User{}, false
	}
	return User{ID: u.id, Email: u.email, Password: u.password,
		UserMetadata: copyMap(u.userMeta), AppMetadata: copyMap(u.appMeta)}, true
}

// Rows returns a copy of the table's current rows (nil for an unknown
// table). Numbers are json.Number.
func (s *Server) Rows(table string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[table]
	if t == nil {
		return nil
	}
	out := make([]map[string]any, len(t.rows))
	for i, r := range t.rows {
		out[i] = copyMap(r)
	}
	return out
}

// normalizeMap copies m through JSON, so that it holds only what a JSON
// body could (numbers as json.Number); nil becomes an empty map.
func normalizeMap(m map[string]any) (map[string]any, error) {
	out := map[string]any{}
	if m == nil {
		return out, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return out, decodeJSON(raw, &out)
}

// copyMap deep-copies a JSON-shaped map.
func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyMap(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// decodeJSON decodes one JSON value, numbers as json.Number, refusing
// trailing data.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("invalid character after top-level value")
	}
	return nil
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// isUUID reports whether s is a UUID in its canonical text form (any case).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

// validIdent reports whether name is a plain SQL identifier.
func validIdent(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i, c := range name {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
