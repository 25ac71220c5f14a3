package config

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// Supabase is auth.supabase: the project members log in to (auth.kind
// supabase) and whose data API the scan probes.
type Supabase struct {
	// URL is the project URL, https://<ref>.supabase.co (or a self-hosted
	// or local one).
	URL string `yaml:"url,required"`
	// AnonKey is the project's publishable key (the legacy anon JWT or
	// sb_publishable_…), sent as the apikey header. Publishable, so it
	// may be written literally.
	AnonKey Value `yaml:"anon_key,required"`
}

// Firebase is auth.firebase: the project members log in to (auth.kind
// firebase) and whose databases the scan probes.
type Firebase struct {
	// APIKey is the web API key of the Firebase config (publishable).
	APIKey Value `yaml:"api_key,required"`
	// ProjectID names the project (Firestore paths, token audience).
	ProjectID string `yaml:"project_id,required"`
	// DatabaseURL is the Realtime Database, https://<db>.firebaseio.com
	// (or …firebasedatabase.app); empty when the portal uses none.
	DatabaseURL string `yaml:"database_url"`
	// StorageBucket is the Storage bucket, <project>.appspot.com or
	// <project>.firebasestorage.app; empty when the portal uses none.
	StorageBucket string `yaml:"storage_bucket"`
	// Endpoints override the Google API origins, for the Firebase
	// Emulator Suite or a test double.
	Endpoints FirebaseEndpoints `yaml:"endpoints"`
}

// FirebaseEndpoints are the base URLs of the Firebase REST APIs.
type FirebaseEndpoints struct {
	Identity    string `yaml:"identity"`
	SecureToken string `yaml:"securetoken"`
	Firestore   string `yaml:"firestore"`
	Storage     string `yaml:"storage"`
}

// The production origins of the Firebase REST APIs.
const (
	FirebaseIdentity    = "https://identitytoolkit.googleapis.com"
	FirebaseSecureToken = "https://securetoken.googleapis.com"
	FirebaseFirestore   = "https://firestore.googleapis.com"
	FirebaseStorage     = "https://firebasestorage.googleapis.com"
)

// applyPlatformDefaults fills in the Firebase endpoints and admits each
// platform API into the scope, under the project's own prefix only: a
// provider host is shared by every project, so a scan may reach this
// project's paths there and nothing else.
func (c *Config) applyPlatformDefaults() {
	if f := c.Auth.Firebase; f != nil {
		e := &f.Endpoints
		for _, d := range []struct {
			p   *string
			def string
		}{{&e.Identity, FirebaseIdentity}, {&e.SecureToken, FirebaseSecureToken}, {&e.Firestore, FirebaseFirestore}, {&e.Storage, FirebaseStorage}} {
			if *d.p == "" {
				*d.p = d.def
			}
			*d.p = strings.TrimSuffix(*d.p, "/")
		}
	}
	c.Target.Scope = append(c.Target.Scope, c.PlatformScope()...)
}

// applyPlatformSession: a platform login's session is its access token,
// sent as a bearer token (to the platform's APIs; see target).
func (c *Config) applyPlatformSession() {
	from := map[string]string{"supabase": "access_token", "firebase": "idToken"}[c.Auth.Kind]
	if from == "" {
		return
	}
	s := &c.Session
	defaultTo(c, "session.kind", &s.Kind, "token")
	defaultTo(c, "session.from", &s.From, from)
	defaultTo(c, "session.header", &s.Header, "Authorization")
	defaultTo(c, "session.prefix", &s.Prefix, "Bearer ")
}

// PlatformScope lists the URL prefixes the platform APIs need.
func (c *Config) PlatformScope() []string {
	var out []string
	if s := c.Auth.Supabase; s != nil && s.URL != "" {
		out = append(out, strings.TrimSuffix(s.URL, "/")+"/")
	}
	if f := c.Auth.Firebase; f != nil {
		e := f.Endpoints
		out = append(out, e.Identity+"/v1/", e.SecureToken+"/v1/", e.Firestore+"/v1/projects/"+f.ProjectID+"/")
		if f.StorageBucket != "" {
			out = append(out, e.Storage+"/v0/b/"+f.StorageBucket+"/")
		}
		if f.DatabaseURL != "" {
			out = append(out, strings.TrimSuffix(f.DatabaseURL, "/")+"/")
		}
	}
	if k := c.Auth.Clerk; k != nil && k.APIURL != "" {
		out = append(out, k.ClerkAPIPrefix())
	}
	return out
}

// validatePlatform checks the platform sections and that auth.kind has
// the one it needs. It runs before the scope is checked: the scope holds
// the platform URLs, and a bad one is this section's error.
func (c *Config) validatePlatform() error {
	a := c.Auth
	switch {
	case a.Kind == "supabase" && a.Supabase == nil:
		return c.src.errKey("auth.kind", "supabase needs an auth.supabase section: {url: https://<ref>.supabase.co, anon_key: …}")
	case a.Kind == "firebase" && a.Firebase == nil:
		return c.src.errKey("auth.kind", "firebase needs an auth.firebase section: {api_key: …, project_id: …}")
	}
	if s := a.Supabase; s != nil {
		if err := c.checkAPIURL("auth.supabase.url", s.URL); err != nil {
			return err
		}
		if strings.TrimSpace(s.AnonKey.Value) == "" {
			return c.src.errKey("auth.supabase.anon_key", "is empty: give the project's anon or sb_publishable_ key (Project Settings → API)")
		}
		if strings.HasPrefix(s.AnonKey.Value, "sb_secret_") || jwtRole(s.AnonKey.Value) == "service_role" {
			return c.src.errKey("auth.supabase.anon_key", "is a secret key (service_role or sb_secret_): give the publishable anon key; a scan must act as the browser does, and a secret key bypasses every row-level security policy")
		}
	}
	if f := a.Firebase; f != nil {
		if strings.TrimSpace(f.APIKey.Value) == "" {
			return c.src.errKey("auth.firebase.api_key", "is empty: give the web app's apiKey from the Firebase config")
		}
		if !validProjectID(f.ProjectID) {
			return c.src.errKey("auth.firebase.project_id", "want a Firebase project ID (6 to 30 lower-case letters, digits and -), got %q", f.ProjectID)
		}
		if f.DatabaseURL != "" {
			if err := c.checkAPIURL("auth.firebase.database_url", f.DatabaseURL); err != nil {
				return err
			}
		}
		if f.StorageBucket != "" && strings.ContainsAny(f.StorageBucket, "/ ?#") {
			return c.src.errKey("auth.firebase.storage_bucket", "want a bucket name such as %s.appspot.com, got %q", f.ProjectID, f.StorageBucket)
		}
		for key, v := range map[string]string{"identity": f.Endpoints.Identity, "securetoken": f.Endpoints.SecureToken,
			"firestore": f.Endpoints.Firestore, "storage": f.Endpoints.Storage} {
			if err := c.checkAPIURL("auth.firebase.endpoints."+key, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAPIURL accepts an absolute http(s) URL with a host and no query,
// fragment or credentials.
func (c *Config) checkAPIURL(key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return c.src.errKey(key, "want an absolute https:// URL with no query or credentials, got %s", quoteURL(raw))
	}
	return nil
}

// validProjectID reports a Firebase/Google Cloud project ID.
func validProjectID(id string) bool {
	if len(id) < 6 || len(id) > 30 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// jwtRole reads the role claim of a JWT-shaped key, or "".
func jwtRole(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Role string `json:"role"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return ""
	}
	return claims.Role
}
