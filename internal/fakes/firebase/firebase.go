package firebase

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a fake Firebase project.
type Options struct {
	// APIKey is the project's web API key, the one in the web app's
	// firebaseConfig. Empty: a random "AIza…" key of 39 characters, made
	// at New as Google makes them.
	APIKey string
	// ProjectID names the project (token issuer and audience, Firestore
	// resource names, the default bucket); "demo-portal" when empty.
	ProjectID string
	// Users are the project's email/password accounts.
	Users []User
	// TokenTTL is the ID tokens' lifetime; one hour (Firebase's, fixed)
	// when zero. Tests use a second or two to watch tokens expire. It is
	// rounded up to whole seconds, as expiresIn counts seconds.
	TokenTTL time.Duration
	// RTDB is the Realtime Database.
	RTDB RTDB
	// Firestore is the Cloud Firestore (default) database.
	Firestore Firestore
	// Storage is the default Cloud Storage for Firebase bucket.
	Storage Storage
}

// User is an email/password account.
type User struct {
	// UID is the account's localId; a random 28-character one, as
	// Firebase makes them, when empty.
	UID string
	// Email is the sign-in email; compared without regard to case, as
	// Firebase stores emails in lower case.
	Email string
	// Password is the sign-in password.
	Password string
	// DisplayName is the profile name; the ID token's "name" claim.
	DisplayName string
	// CustomClaims are the account's custom claims (set by an admin in
	// production), copied to the top level of its ID tokens and shown as
	// customAttributes by accounts:lookup. Reserved JWT and Firebase claim
	// names are refused, as the Admin SDK refuses them.
	CustomClaims map[string]any
}

// Rules is a service's security rules, one of four common rule sets. The
// zero value is RulesLocked, what Firebase writes for a new database in
// "production mode".
type Rules int

const (
	// RulesLocked: nobody reads or writes ("allow read, write: if false").
	RulesLocked Rules = iota
	// RulesOpen: anyone, signed in or not, reads and writes everything
	// ("allow read, write: if true"): test mode left on.
	RulesOpen
	// RulesAuthed: any signed-in user reads and writes everything
	// ("auth != null").
	RulesAuthed
	// RulesOwner: a signed-in user reads and writes only what it owns: a
	// node, document or object whose owner field is its uid, or whose path
	// has its uid as a segment (users/{uid}). Anonymous callers get
	// nothing; collections are never listable as a whole.
	RulesOwner
)

// String names the rule set, for test names and messages.
func (r Rules) String() string {
	switch r {
	case RulesLocked:
		return "locked"
	case RulesOpen:
		return "open"
	case RulesAuthed:
		return "authed"
	case RulesOwner:
		return "owner"
	}
	return fmt.Sprintf("Rules(%d)", int(r))
}

// RTDB is the Realtime Database: its data tree and rules.
type RTDB struct {
	// Rules governs reads and writes.
	Rules Rules
	// Data is the tree at the root. Values are JSON values as
	// encoding/json decodes them (maps, slices, strings, numbers, bools);
	// nulls and empty objects are dropped and arrays become objects keyed
	// "0", "1", …, as the Realtime Database stores them.
	Data map[string]any
	// OwnerKey is the child key naming a node's owner uid; "owner" when
	// empty.
	OwnerKey string
}

// Firestore is the Cloud Firestore database "(default)".
type Firestore struct {
	// Rules governs reads and writes.
	Rules Rules
	// Collections are the documents by collection path ("users", or
	// "users/u1/orders" for a subcollection).
	Collections map[string][]Doc
	// OwnerField is the document field naming its owner uid; "owner" when
	// empty.
	OwnerField string
	// RoleFromProfile adds the classic self-escalation flaw to the rules:
	// a caller whose users/{uid} document has role == "admin" reads and
	// writes everything, and users may write their own users/{uid}
	// document, role included. It has no effect under RulesLocked.
	RoleFromProfile bool
}

// Doc is a Firestore document.
type Doc struct {
	// ID is the document ID, the last segment of its path.
	ID string
	// Fields are its fields: nil, bool, string, integers, floats,
	// json.Number, time.Time, []byte, []any and map[string]any (nested
	// the same way).
	Fields map[string]any
}

// Storage is the project's default bucket.
type Storage struct {
	// Rules governs listing and reading.
	Rules Rules
	// Bucket names the bucket; "<project>.appspot.com" when empty.
	Bucket string
	// Objects are the stored objects.
	Objects []Object
}

// Object is a stored object.
type Object struct {
	// Name is the object's full name ("invoices/u1/2024-01.pdf").
	Name string
	// Owner is the owner uid, kept as the custom metadata "owner" that
	// owner rules compare with request.auth.uid.
	Owner string
	// Size is the content length in bytes; the content is filler.
	Size int
}

// Service names, for ItemsReturned.
const (
	serviceRTDB      = "rtdb"
	serviceFirestore = "firestore"
	serviceStorage   = "storage"
)

// Server is a fake Firebase project. It is an http.Handler serving every
// API on one origin, each under the path prefix named after its
// production host (see the package doc), and is safe for concurrent use.
type Server struct {
	apiKey        string
	projectID     string
	projectNumber string
	ttl           time.Duration
	// now is the clock; tests in this package move it.
	now func() time.Time
	key *signingKey

	requests atomic.Int64
	items    struct{ rtdb, firestore, storage atomic.Int64 }

	mu       sync.Mutex
	accounts map[string]*account // by uid
	byEmail  map[string]string   // lower-case email → uid
	refresh  map[string]refreshRecord
	rtdb     rtdbState
	fs       firestoreState
	st       storageState
}

// maxBody caps request bodies.
const maxBody = 1 << 20

var projectIDPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

// New builds a fake project from opts, or says what is wrong with them.
func New(opts Options) (*Server, error) {
	s := &Server{
		apiKey:    opts.APIKey,
		projectID: opts.ProjectID,
		ttl:       opts.TokenTTL,
		now:       time.Now,
		accounts:  map[string]*account{},
		byEmail:   map[string]string{},
		refresh:   map[string]refreshRecord{},
	}
	if s.projectID == "" {
		s.projectID = "demo-portal"
	}
	if !projectIDPattern.MatchString(s.projectID) {
		return nil, fmt.Errorf("firebase: project ID %q: want 6 to 30 lower-case letters, digits and hyphens, starting with a letter", s.projectID)
	}
	if s.apiKey == "" {
		s.apiKey = randomAPIKey()
	} else if strings.ContainsAny(s.apiKey, " \t\r\n&#?/") {
		return nil, errors.New("firebase: API key holds a space or URL delimiter")
	}
	switch {
	case s.ttl < 0:
		return nil, fmt.Errorf("firebase: negative TokenTTL %v", s.ttl)
	case s.ttl == 0:
		s.ttl = time.Hour
	case s.ttl%time.Second != 0:
		s.ttl = s.ttl.Truncate(time.Second) + time.Second
	}
	s.projectNumber = randomDigits(12)
	key, err := newSigningKey(s.now())
	if err != nil {
		return nil, fmt.Errorf("firebase: signing key: %w", err)
	}
	s.key = key
	for i, u := range opts.Users {
		if err := s.addAccount(u); err != nil {
			return nil, fmt.Errorf("firebase: Users[%d]: %w", i, err)
		}
	}
	if err := s.rtdb.init(opts.RTDB); err != nil {
		return nil, fmt.Errorf("firebase: RTDB: %w", err)
	}
	if err := s.fs.init(opts.Firestore, s.now()); err != nil {
		return nil, fmt.Errorf("firebase: Firestore: %w", err)
	}
	if err := s.st.init(opts.Storage, s.projectID, s.now()); err != nil {
		return nil, fmt.Errorf("firebase: Storage: %w", err)
	}
	return s, nil
}

// APIKey returns the project's web API key.
func (s *Server) APIKey() string { return s.apiKey }

// ProjectID returns the project ID.
func (s *Server) ProjectID() string { return s.projectID }

// Bucket returns the default bucket's name.
func (s *Server) Bucket() string { return s.st.bucket }

// Requests counts the requests served so far.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// ItemsReturned counts the stored items a service has sent in response
// bodies so far: for "rtdb" the records (nodes holding a leaf value, see
// the package doc) in GET answers, for "firestore" the documents, for
// "storage" the listed items and the objects whose metadata or content
// was read. Tests use it to assert that a probe copies at most one item.
// Any other service name counts 0.
func (s *Server) ItemsReturned(service string) int {
	switch service {
	case serviceRTDB:
		return int(s.items.rtdb.Load())
	case serviceFirestore:
		return int(s.items.firestore.Load())
	case serviceStorage:
		return int(s.items.storage.Load())
	}
	return 0
}

// Doc returns a copy of a Firestore document as it is now.
func (s *Server) Doc(collection, id string) (Doc, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.fs.get(collection, id)
	if d == nil {
		return Doc{}, false
	}
	return Doc{ID: id, Fields: cloneFields(d.fields)}, true
}

// ServeHTTP routes a request to the API whose production host names the
// first path segment; any other path ending in ".json" is the Realtime
// Database.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if r.Method == http.MethodOptions {
		preflight(w, r)
		return
	}
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Add("Vary", "Origin")
	}
	p := r.URL.Path
	host, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch host {
	case "identitytoolkit.googleapis.com":
		s.serveIdentity(w, r, rest)
	case "securetoken.googleapis.com":
		s.serveSecureToken(w, r, rest)
	case "firestore.googleapis.com":
		s.serveFirestore(w, r)
	case "firebasestorage.googleapis.com":
		s.serveStorage(w, r)
	case "www.googleapis.com":
		s.servePublicKeys(w, r, rest)
	default:
		if strings.HasSuffix(p, ".json") {
			s.serveRTDB(w, r)
			return
		}
		http.NotFound(w, r)
	}
}

// preflight answers a CORS preflight as Google front ends do: any origin,
// the requested method and headers.
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT")
	if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
		h.Set("Access-Control-Allow-Headers", rh)
	}
	h.Set("Access-Control-Max-Age", "3600")
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusOK)
}
