package detect

import (
	"fmt"
	"regexp"
	"strings"
)

// Backend is a JSON login the browser code names: a backend whose API
// the frontend calls itself (PocketBase, GoTrue, Django REST framework,
// Strapi, Directus), which makes the portal's login auth.kind json.
type Backend struct {
	// Name is the backend's, for the summary and comments.
	Name string
	// Where is the page or script the login was seen in.
	Where string
	// Login is the login's API path and JSON body.
	Login string
	Body  map[string]string
	// Token is the login answer's JSON field holding the token, sent
	// back in Header after Prefix.
	Token, Header, Prefix string
	// Signup, Reset, Me and Logout are the backend's documented account
	// endpoints as config values ("" when it has none).
	Signup, Reset, Me, Logout string
}

// backend is one known JSON-login backend: how the browser code names
// its login, and the config it implies for what matched.
type backend struct {
	name string
	// seen matches the login in page or script text; its first group,
	// when it has one, is the backend's user collection.
	seen *regexp.Regexp
	make func(group string) Backend
}

// backends are the JSON logins init recognizes, each from its own
// documentation (the paths its JS SDK calls, and its REST reference).
var backends = []backend{
	{
		// PocketBase: pb.collection("users").authWithPassword(…) calls
		// POST /api/collections/users/auth-with-password; records API,
		// request-verification, confirm-verification, request- and
		// confirm-password-reset, auth-refresh (docs: api-records).
		name: "PocketBase",
		seen: regexp.MustCompile(`/api/collections/([A-Za-z0-9_]+)/auth-with-password|collection\(\s*["']([A-Za-z0-9_]+)["']\s*\)\s*\.authWithPassword`),
		make: func(c string) Backend {
			api := "/api/collections/" + c
			return Backend{
				Login: api + "/auth-with-password", Body: map[string]string{"identity": "{{email}}", "password": "{{password}}"},
				Token: "token", Header: "Authorization",
				Signup: `{path: ` + api + `/records, json: {email: "{{email}}", password: "{{password}}", passwordConfirm: "{{password}}"}, verify: true, request: {path: ` + api + `/request-verification, json: {email: "{{email}}"}}, confirm: {path: ` + api + `/confirm-verification, json: {token: "{{token}}"}}, delete: {path: "` + api + `/records/{{self.id}}", method: DELETE}}`,
				Reset:  `{path: ` + api + `/request-password-reset, json: {email: "{{email}}"}, confirm: {path: ` + api + `/confirm-password-reset, json: {token: "{{token}}", password: "{{new_password}}", passwordConfirm: "{{new_password}}"}}}`,
				Me:     `{path: ` + api + `/auth-refresh, method: POST, id_field: record.id}`,
				Logout: `{kind: client}`,
			}
		},
	},
	{
		// GoTrue (Supabase Auth, self-hosted on the portal's origin):
		// POST /auth/v1/token?grant_type=password → access_token.
		name: "GoTrue (Supabase Auth)",
		seen: regexp.MustCompile(`(/auth/v1)/token\?grant_type=password`),
		make: func(string) Backend {
			return Backend{
				Login: "/auth/v1/token?grant_type=password", Body: map[string]string{"email": "{{email}}", "password": "{{password}}"},
				Token: "access_token", Header: "Authorization", Prefix: "Bearer ",
				Signup: `{path: /auth/v1/signup, json: {email: "{{email}}", password: "{{password}}"}, verify: true}`,
				Reset:  `{path: /auth/v1/recover, json: {email: "{{email}}"}}`,
				Me:     `{path: /auth/v1/user, id_field: id}`,
				Logout: `{path: /auth/v1/logout, method: POST}`,
			}
		},
	},
	{
		// dj-rest-auth (Django REST framework): POST …/login/ → {"key"}
		// sent back as "Authorization: Token KEY"; registration,
		// password/reset, user/, logout/ next to it.
		name: "Django REST framework (dj-rest-auth)",
		seen: regexp.MustCompile(`(/(?:api/)?(?:dj-rest-auth|rest-auth)|/api/auth)/login/`),
		make: func(base string) Backend {
			return Backend{
				Login: base + "/login/", Body: map[string]string{"email": "{{email}}", "password": "{{password}}"},
				Token: "key", Header: "Authorization", Prefix: "Token ",
				Signup: `{path: ` + base + `/registration/, json: {email: "{{email}}", password1: "{{password}}", password2: "{{password}}"}, verify: true}`,
				Reset:  `{path: ` + base + `/password/reset/, json: {email: "{{email}}"}}`,
				Me:     `{path: ` + base + `/user/, id_field: pk}`,
				Logout: `{path: ` + base + `/logout/, method: POST}`,
			}
		},
	},
	{
		// Simple JWT (Django REST framework): POST /api/token/ →
		// {"access", "refresh"}, sent as a Bearer token.
		name: "Django REST framework (Simple JWT)",
		seen: regexp.MustCompile(`(/api)/token/["'?]`),
		make: func(string) Backend {
			return Backend{
				Login: "/api/token/", Body: map[string]string{"username": "{{email}}", "password": "{{password}}"},
				Token: "access", Header: "Authorization", Prefix: "Bearer ",
			}
		},
	},
	{
		// Strapi: POST /api/auth/local {identifier, password} → {jwt,
		// user}; /api/auth/local/register, /api/auth/forgot-password,
		// /api/users/me.
		name: "Strapi",
		seen: regexp.MustCompile(`(/api)/auth/local["'?]`),
		make: func(string) Backend {
			return Backend{
				Login: "/api/auth/local", Body: map[string]string{"identifier": "{{email}}", "password": "{{password}}"},
				Token: "jwt", Header: "Authorization", Prefix: "Bearer ",
				Signup: `{path: /api/auth/local/register, json: {username: "{{tag}}", email: "{{email}}", password: "{{password}}"}, verify: true}`,
				Reset:  `{path: /api/auth/forgot-password, json: {email: "{{email}}"}}`,
				Me:     `{path: /api/users/me, id_field: id}`,
				Logout: `{kind: client}`,
			}
		},
	},
}

// findBackend returns the first known JSON login text names, with where.
func findBackend(label, text string) (Backend, bool) {
	for _, b := range backends {
		m := b.seen.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		group := ""
		for _, g := range m[1:] {
			if g != "" {
				group = g
				break
			}
		}
		out := b.make(group)
		out.Name, out.Where = b.name, label
		return out, true
	}
	return Backend{}, false
}

// jsonLogin writes the auth keys and the session of a JSON login.
func (r *Report) jsonLogin(b *strings.Builder) {
	be := r.Backend
	fmt.Fprintf(b, "  login: {path: %s, json: {%s}}  # %s, named in %s\n", q(be.Login), jsonFields(be.Body), oneLine(be.Name), oneLine(be.Where))
	if be.Logout != "" {
		fmt.Fprintf(b, "  logout: %s\n", be.Logout)
	}
	if be.Signup != "" {
		fmt.Fprintf(b, "  signup: %s  # needs auth.inbox\n", be.Signup)
	}
	if be.Reset != "" {
		fmt.Fprintf(b, "  reset: %s  # needs auth.inbox\n", be.Reset)
	}
}

// jsonFields writes a JSON body's fields in a stable order.
func jsonFields(m map[string]string) string {
	var parts []string
	for _, k := range []string{"identity", "identifier", "email", "username", "password"} {
		if v, ok := m[k]; ok {
			parts = append(parts, fmt.Sprintf("%s: %s", k, q(v)))
		}
	}
	return strings.Join(parts, ", ")
}

// sessionLines writes the token session of a JSON login, and accounts.me
// (written into accounts by the caller).
func (r *Report) sessionLines(b *strings.Builder) {
	be := r.Backend
	fmt.Fprintf(b, "session: {kind: token, from: %s, header: %s, prefix: %s}\n", q(be.Token), q(be.Header), q(be.Prefix))
}
