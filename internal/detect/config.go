package detect

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/platform"
	"github.com/launchready/launchready/internal/safetext"
)

// q quotes a value for YAML: a JSON string is a YAML double-quoted
// scalar, so whatever a hostile page named a field stays one value.
func q(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// supabase returns the project URL and publishable key the frontend
// uses, when it shows both.
func (r *Report) supabase() (url string, key platform.SupabaseKey, ok bool) {
	k, hasKey := r.Supabase.PublishableKey()
	if len(r.Supabase.URLs) == 0 || !hasKey {
		return "", platform.SupabaseKey{}, false
	}
	return r.Supabase.URLs[0].Name, k, true
}

// firebase returns the first firebaseConfig with an API key and project.
func (r *Report) firebase() (platform.FirebaseConfig, bool) {
	for _, c := range r.Firebase.Configs {
		if c.APIKey != "" && c.ProjectID != "" {
			return c, true
		}
	}
	return platform.FirebaseConfig{}, false
}

// Kind is the auth.kind the report suggests and why. A sign-in platform
// in the browser code wins over a login form: the form is then the
// platform's widget posting to the platform.
func (r *Report) Kind() (kind, why string) {
	if len(r.Clerk) > 0 {
		return "clerk", fmt.Sprintf("the browser code loads Clerk (publishable key for %s in %s)", r.Clerk[0].FrontendAPI, r.Clerk[0].Where)
	}
	if u, k, ok := r.supabase(); ok {
		return "supabase", fmt.Sprintf("the browser code signs in with Supabase Auth (project %s, %s key in %s)", u, k.Role, k.Where)
	}
	if c, ok := r.firebase(); ok {
		return "firebase", fmt.Sprintf("the browser code loads Firebase (project %s, config in %s)", c.ProjectID, c.Where)
	}
	if be := r.Backend; be != nil {
		// The login page's form, if any, is sent by its script as JSON.
		return "json", fmt.Sprintf("the browser code logs in with %s's JSON API (%s, in %s)", be.Name, be.Login, be.Where)
	}
	switch {
	case r.Login != nil:
		return "form", fmt.Sprintf("%s shows a login form posting %s and %s", r.Login.Path, r.Login.Email, r.Login.Password)
	}
	return "form", "no login form or sign-in platform was found: fill in auth.login by hand"
}

// Summary is one line per thing found, for the terminal.
func (r *Report) Summary() []string {
	var out []string
	if f := r.Login; f != nil {
		out = append(out, fmt.Sprintf("login form at %s (fields %s, %s)", f.Path, f.Email, f.Password))
	}
	if f := r.Signup; f != nil {
		out = append(out, "signup form at "+f.Path)
	}
	if be := r.Backend; be != nil {
		out = append(out, fmt.Sprintf("%s JSON login at %s (in %s)", be.Name, be.Login, be.Where))
	}
	if l := r.Logout; l != nil {
		out = append(out, fmt.Sprintf("sign-out at %s %s", l.Method, l.Path))
	}
	if f := r.Reset; f != nil {
		out = append(out, "password reset form at "+f.Path)
	}
	if len(r.Protected) > 0 {
		out = append(out, "pages that need a login: "+strings.Join(r.Protected, ", "))
	}
	if u, _, ok := r.supabase(); ok {
		out = append(out, fmt.Sprintf("Supabase project %s; tables %s; buckets %s", u, useNames(r.Supabase.Tables), useNames(r.Supabase.Buckets)))
	}
	for _, k := range r.Supabase.Keys {
		if k.Secret() {
			out = append(out, fmt.Sprintf("WARNING: a Supabase %s key is in %s: it bypasses every row-level security policy; rotate it now (the scan's SEC checks report it)", k.Role, k.Where))
		}
	}
	if c, ok := r.firebase(); ok {
		out = append(out, fmt.Sprintf("Firebase project %s; collections %s", c.ProjectID, useNames(r.Firebase.Collections)))
	}
	for _, c := range r.Clerk {
		env := "development"
		if c.Live {
			env = "production"
		}
		out = append(out, fmt.Sprintf("Clerk %s instance %s (in %s)", env, c.FrontendAPI, c.Where))
	}
	kind, why := r.Kind()
	out = append(out, fmt.Sprintf("auth.kind: %s — %s", kind, why))
	for i := range out {
		out[i] = printable(out[i])
	}
	return out
}

// printable makes a line a hostile page could have written into (a field
// name, a path) safe for a terminal and a YAML comment.
func printable(s string) string { return safetext.Line(s) }

// Config is a starting launchready.yaml for the portal: what was found
// filled in, the rest named in comments. Credentials are env: references.
func (r *Report) Config() string {
	var b strings.Builder
	kind, why := r.Kind()
	fmt.Fprintf(&b, "# launchready.yaml written by `launchready init` from what %s showed an anonymous visitor.\n", r.URL)
	b.WriteString("# Review every line; see the README for every key. Credentials come from the environment, never this file.\n")
	fmt.Fprintf(&b, "target:\n  url: %s\n", q(r.URL))
	if r.CAFile != "" {
		fmt.Fprintf(&b, "  ca_file: %s\n", q(r.CAFile))
	}
	if r.Resolver != "" {
		fmt.Fprintf(&b, "  resolver: %s\n", q(r.Resolver))
	}
	if pages := r.pages(); kind == "json" && len(pages) > 0 {
		fmt.Fprintf(&b, "  pages: [%s]  # the portal's HTML pages (its API answers JSON)\n", quoteAll(pages))
	}
	fmt.Fprintf(&b, "auth:\n  kind: %s  # %s\n", kind, oneLine(why))
	switch kind {
	case "clerk":
		b.WriteString("  clerk: {secret_key: env:CLERK_SECRET_KEY}  # a development instance's sk_test_ key: the scan mints sessions for the test users\n")
	case "supabase", "firebase":
	case "json":
		r.jsonLogin(&b)
	default:
		r.formLogin(&b)
	}
	r.platformLines(&b)
	r.protectedLines(&b)
	r.inboxLines(&b, kind)
	if kind == "json" {
		r.sessionLines(&b)
	}
	b.WriteString("accounts:  # two test members (and an admin: accounts.admin) that exist on the portal\n")
	if be := r.Backend; kind == "json" && be.Me != "" {
		fmt.Fprintf(&b, "  me: %s  # how a member reads its own record: {{self.id}}\n", be.Me)
	}
	if kind == "clerk" {
		b.WriteString("  a: {email: env:LR_A_EMAIL}\n  b: {email: env:LR_B_EMAIL}\n")
		return b.String()
	}
	b.WriteString("  a: {email: env:LR_A_EMAIL, password: env:LR_A_PASSWORD}\n")
	b.WriteString("  b: {email: env:LR_B_EMAIL, password: env:LR_B_PASSWORD}\n")
	return b.String()
}

// inboxLines writes, when a signup or reset was found, the inbox their
// journeys read the scanner's mail from: a template to fill in, since
// only the operator knows where the test addresses' mail arrives.
func (r *Report) inboxLines(b *strings.Builder, kind string) {
	found := r.Signup != nil || r.Reset != nil || (kind == "json" && r.Backend.Signup+r.Backend.Reset != "")
	if !found || kind == "clerk" || kind == "supabase" || kind == "firebase" {
		return
	}
	b.WriteString("  # The signup and reset journeys read the scanner's mail here; fill in where mail to qa+TAG@your-domain arrives:\n")
	b.WriteString("  # inbox: {kind: mailpit, url: http://127.0.0.1:8025, address: \"qa+{{tag}}@example.com\"}\n")
}

// pages are the home page and the account forms' pages, each once, those
// that were read as HTML: what EDGE-004 scores and the frontend crawl
// starts from.
func (r *Report) pages() []string {
	var out []string
	cands := []string{"/"}
	for _, f := range []*Form{r.Login, r.Signup, r.Reset} {
		if f != nil {
			cands = append(cands, f.Path)
		}
	}
	for _, p := range cands {
		if slices.Contains(r.HTML, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// quoteAll quotes each path for a YAML flow list.
func quoteAll(ps []string) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = q(p)
	}
	return strings.Join(out, ", ")
}

// platformLines writes the data platforms the browser reaches directly,
// whatever the login: AUTHZ-007 and AUTHZ-008 probe them.
func (r *Report) platformLines(b *strings.Builder) {
	if u, k, ok := r.supabase(); ok {
		fmt.Fprintf(b, "  supabase: {url: %s, anon_key: %s}  # publishable; from %s\n", q(u), q(k.Value), oneLine(k.Where))
	}
	if c, ok := r.firebase(); ok {
		fmt.Fprintf(b, "  firebase:  # the web app's firebaseConfig (publishable), from %s\n    api_key: %s\n    project_id: %s\n", oneLine(c.Where), q(c.APIKey), q(c.ProjectID))
		if c.DatabaseURL != "" {
			fmt.Fprintf(b, "    database_url: %s\n", q(c.DatabaseURL))
		}
		if c.StorageBucket != "" {
			fmt.Fprintf(b, "    storage_bucket: %s\n", q(c.StorageBucket))
		}
	}
}

// formLogin writes auth.login, the logout and the signup and reset flows
// found, with the forms' own field names.
func (r *Report) formLogin(b *strings.Builder) {
	f := r.Login
	if f == nil {
		b.WriteString("  login: {path: /login, form: {email: \"{{email}}\", password: \"{{password}}\"}}  # not found: check the path and field names\n")
	} else {
		fmt.Fprintf(b, "  login: {path: %s", q(f.Path))
		if f.Action != "" {
			fmt.Fprintf(b, ", action: %s", q(f.Action))
		}
		fmt.Fprintf(b, ", form: {%s: \"{{email}}\", %s: \"{{password}}\"}}\n", q(or(f.Email, "email")), q(or(f.Password, "password")))
	}
	if l := r.Logout; l != nil {
		fmt.Fprintf(b, "  logout: {path: %s, method: %s}  # seen on a page\n", q(l.Path), l.Method)
	}
	if s := r.Signup; s != nil {
		fields := []string{fmt.Sprintf("%s: \"{{email}}\"", q(or(s.Email, "email"))), fmt.Sprintf("%s: \"{{password}}\"", q(or(s.Password, "password")))}
		if s.Confirm != "" {
			fields = append(fields, fmt.Sprintf("%s: \"{{password}}\"", q(s.Confirm)))
		}
		for _, k := range slices.Sorted(maps.Keys(s.Extra)) {
			fields = append(fields, fmt.Sprintf("%s: %s", q(k), q(s.Extra[k])))
		}
		fmt.Fprintf(b, "  signup: {path: %s, form: {%s}, verify: true}  # needs auth.inbox; add delete: {path: …} to remove the accounts it makes\n",
			q(s.Path), strings.Join(fields, ", "))
	}
	if s := r.Reset; s != nil {
		fmt.Fprintf(b, "  reset: {path: %s, form: {%s: \"{{email}}\"}}  # needs auth.inbox\n", q(s.Path), q(or(s.Email, "email")))
	}
}

func (r *Report) protectedLines(b *strings.Builder) {
	if len(r.Protected) == 0 {
		b.WriteString("  protected: [/dashboard]  # not found: pages only a logged-in member can open\n")
		return
	}
	quoted := make([]string, len(r.Protected))
	for i, p := range r.Protected {
		quoted[i] = q(p)
	}
	fmt.Fprintf(b, "  protected: [%s]  # sent an anonymous visitor to the login page\n", strings.Join(quoted, ", "))
}

// useNames lists names, "none" for none.
func useNames(us []platform.Use) string {
	if len(us) == 0 {
		return "none seen"
	}
	names := make([]string, 0, len(us))
	for _, u := range us {
		names = append(names, u.Name)
	}
	return strings.Join(names, ", ")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// oneLine keeps a comment on its line.
func oneLine(s string) string { return printable(s) }
