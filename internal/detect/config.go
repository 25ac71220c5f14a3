package detect

import (
	"encoding/json"
	"fmt"
	"strings"
)

// q quotes a value for YAML: a JSON string is a YAML double-quoted
// scalar, so whatever a hostile page named a field stays one value.
func q(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// Kind is the auth.kind the report suggests and why.
func (r *Report) Kind() (kind, why string) {
	switch {
	case len(r.Clerk) > 0:
		return "clerk", fmt.Sprintf("the browser code loads Clerk (publishable key for %s in %s)", r.Clerk[0].FrontendAPI, r.Clerk[0].Where)
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
	if f := r.Reset; f != nil {
		out = append(out, "password reset form at "+f.Path)
	}
	if len(r.Protected) > 0 {
		out = append(out, "pages that need a login: "+strings.Join(r.Protected, ", "))
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

// printable replaces control characters, which a hostile page could put
// in a field name to rewrite the terminal, with '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

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
	fmt.Fprintf(&b, "auth:\n  kind: %s  # %s\n", kind, oneLine(why))
	switch kind {
	case "clerk":
		b.WriteString("  clerk: {secret_key: env:CLERK_SECRET_KEY}  # a development instance's sk_test_ key: the scan mints sessions for the test users\n")
	default:
		r.formLogin(&b)
	}
	r.protectedLines(&b)
	b.WriteString("accounts:  # two test members (and an admin: accounts.admin) that exist on the portal\n")
	b.WriteString("  a: {email: env:LR_A_EMAIL, password: env:LR_A_PASSWORD}\n")
	b.WriteString("  b: {email: env:LR_B_EMAIL, password: env:LR_B_PASSWORD}\n")
	return b.String()
}

// formLogin writes auth.login and, commented out, the signup and reset
// flows, which need an inbox.
func (r *Report) formLogin(b *strings.Builder) {
	f := r.Login
	if f == nil {
		b.WriteString("  login: {path: /login, form: {email: \"{{email}}\", password: \"{{password}}\"}}  # not found: check the path and field names\n")
		return
	}
	fmt.Fprintf(b, "  login: {path: %s", q(f.Path))
	if f.Action != "" {
		fmt.Fprintf(b, ", action: %s", q(f.Action))
	}
	fmt.Fprintf(b, ", form: {%s: \"{{email}}\", %s: \"{{password}}\"}}\n", q(or(f.Email, "email")), q(or(f.Password, "password")))
	if s := r.Signup; s != nil {
		fmt.Fprintf(b, "  # signup: {path: %s, form: {%s: \"{{email}}\", %s: \"{{password}}\"}, verify: true}  # with auth.inbox, to test the signup journey\n",
			q(s.Path), q(or(s.Email, "email")), q(or(s.Password, "password")))
	}
	if s := r.Reset; s != nil {
		fmt.Fprintf(b, "  # reset: {path: %s, form: {%s: \"{{email}}\"}}  # with auth.inbox, to test password reset\n", q(s.Path), q(or(s.Email, "email")))
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

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// oneLine keeps a comment on its line.
func oneLine(s string) string { return printable(s) }
