// Package detect looks at a portal from outside, as a first-time visitor,
// and works out how it is built: where members log in and with which
// fields, which pages need a login, and which backend-as-a-service
// platforms (Supabase, Firebase, Clerk) its browser code talks to. It
// backs `launchready init`, which turns what it saw into a starting
// config with the right auth.kind. It only sends GET requests, to the
// portal's own origin.
package detect

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
	"github.com/launchready/launchready/internal/platform"
)

// Limits on what one detection fetches.
const (
	maxPages   = 25
	maxScripts = 30
)

// commonPaths are where portals usually put their account pages, tried
// besides the links of the home page.
var commonPaths = []string{
	"/login", "/signin", "/sign-in", "/log-in", "/auth/login", "/account/login", "/users/sign_in", "/accounts/login/",
	"/signup", "/sign-up", "/register", "/join", "/accounts/signup/",
	"/forgot-password", "/forgot", "/reset-password", "/password/reset", "/accounts/password/reset/",
	"/dashboard", "/account", "/app", "/billing", "/settings", "/profile", "/api/me",
}

// Form is a form found on a page.
type Form struct {
	// Path is the page showing it, as the portal serves it (after a
	// redirect that only adds a trailing slash); Action where it posts
	// ("" = itself).
	Path, Action string
	// Email and Password are the field names to fill; Email is "" for a
	// form without one.
	Email, Password string
	// Confirm is the second password field of a signup form (its
	// confirmation), "" when it has none.
	Confirm string
	// Extra are the other fields a signup form needs filled: a user name
	// ({{tag}}), a terms checkbox (its value).
	Extra map[string]string
}

// Logout is a sign-out link or form found on a page.
type Logout struct {
	Path, Method string
}

// Report is what a detection saw.
type Report struct {
	// URL is the portal's origin as given.
	URL string
	// Login, Signup and Reset are the account forms found (nil: none).
	Login, Signup, Reset *Form
	// Logout is the sign-out found on a page (nil: none).
	Logout *Logout
	// Backend is the JSON login the browser code names (nil: none).
	Backend *Backend
	// HTML are the HTML pages read, as served, for target.pages.
	HTML []string
	// Protected are pages that sent an anonymous visitor to the login
	// page or refused it.
	Protected []string
	// Clerk are the Clerk applications the browser code loads.
	Clerk []platform.ClerkInstance
	// Supabase and Firebase are what the browser code shows of the
	// projects it reads data from directly.
	Supabase platform.SupabaseUse
	Firebase platform.FirebaseUse
	// Pages and Scripts count what was read.
	Pages, Scripts int
	// Notes say what could not be read.
	Notes []string
	// CAFile and Resolver, when set, are written to the config's target
	// section (a staging portal with its own CA or DNS).
	CAFile, Resolver string
}

// visitor fetches pages and scripts of one origin, anonymously.
type visitor struct {
	client *client.Client
	jar    http.CookieJar
	origin *url.URL
	seen   map[string]bool
	// rec reads each body as it comes: what it shows of the platforms
	// is kept, not the bodies.
	rec     *platform.Recognizer
	r       *Report
	scripts int
}

// Run visits the portal at origin through c (whose scope must admit it).
func Run(ctx context.Context, c *client.Client, origin *url.URL) (*Report, error) {
	v := &visitor{client: c, jar: client.NewJar(), origin: origin, seen: map[string]bool{}, rec: platform.NewRecognizer(), r: &Report{URL: origin.String()}}
	home, err := v.page(ctx, "/")
	if err != nil {
		return nil, err
	}
	if home == nil {
		return nil, fmt.Errorf("the home page %s could not be read: %s", origin.Redacted(), strings.Join(v.r.Notes, "; "))
	}
	var links []string
	homeLinks, err := page.Links(home.Body, home.URL)
	if err != nil {
		v.r.Notes = append(v.r.Notes, "the home page was read in part: "+err.Error())
	}
	for _, l := range homeLinks {
		if u, err := url.Parse(l.URL); err == nil && v.sameOrigin(u) && !authz.IsAction(u.Path+" "+l.Text) {
			links = append(links, u.Path)
		}
	}
	for _, p := range append(links, commonPaths...) {
		if v.r.Pages >= maxPages {
			v.r.Notes = append(v.r.Notes, fmt.Sprintf("stopped after %d pages", maxPages))
			break
		}
		if _, err := v.page(ctx, p); err != nil {
			return nil, err
		}
	}
	v.r.Clerk = v.rec.Clerk()
	v.r.Supabase = v.rec.Supabase()
	v.r.Firebase = v.rec.Firebase()
	return v.r, nil
}

// page fetches one path once; a page that is no HTML or failed is nil.
func (v *visitor) page(ctx context.Context, p string) (*client.Response, error) {
	if v.seen[p] {
		return nil, nil
	}
	v.seen[p] = true
	resp, err := v.get(ctx, v.origin.ResolveReference(&url.URL{Path: p}).String())
	if err != nil || resp == nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		v.protected(servedPath(p, resp))
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK || !isHTML(resp) || !v.sameOrigin(resp.URL) {
		return nil, nil
	}
	v.r.Pages++
	final := resp.URL.Path
	v.r.HTML = append(v.r.HTML, final)
	v.forms(p, final, resp)
	v.logout(resp)
	v.backend(final, resp.Body)
	// Sent to the login page: the page needs a login.
	if final != p && v.r.Login != nil && final == v.r.Login.Path && !v.isLoginPath(p) {
		v.protected(servedPath(p, resp))
	}
	return resp, v.scriptsOf(ctx, resp)
}

// servedPath is the path the portal serves for p: p with the trailing
// slash a first permanent redirect adds (Django's APPEND_SLASH, most
// static hosts), else p as asked.
func servedPath(p string, resp *client.Response) string {
	if len(resp.Hops) == 0 || !strings.HasSuffix(resp.Hops[0].Location, p+"/") {
		return p
	}
	switch resp.Hops[0].Status {
	case http.StatusMovedPermanently, http.StatusPermanentRedirect:
		if u, err := url.Parse(resp.Hops[0].Location); err == nil && u.Path == p+"/" {
			return u.Path
		}
	}
	return p
}

// logout records the first sign-out a page shows: a form posting to it,
// or a link to it.
func (v *visitor) logout(resp *client.Response) {
	if v.r.Logout != nil {
		return
	}
	for _, f := range page.Forms(resp.Body, resp.URL) {
		if u, err := url.Parse(f.Action); err == nil && v.sameOrigin(u) && logoutWords(u.Path) {
			v.r.Logout = &Logout{Path: u.Path, Method: f.Method}
			return
		}
	}
	links, _ := page.Links(resp.Body, resp.URL)
	for _, l := range links {
		if u, err := url.Parse(l.URL); err == nil && v.sameOrigin(u) && logoutWords(u.Path+" "+l.Text) {
			v.r.Logout = &Logout{Path: u.Path, Method: http.MethodGet}
			return
		}
	}
}

// backend records the first JSON login a page or script names.
func (v *visitor) backend(label string, body []byte) {
	if v.r.Backend != nil {
		return
	}
	if b, ok := findBackend(label, string(body)); ok {
		v.r.Backend = &b
	}
}

// forms classifies the page's forms: login, signup or reset.
func (v *visitor) forms(asked, final string, resp *client.Response) {
	for _, f := range page.Forms(resp.Body, resp.URL) {
		form := &Form{Path: final, Action: v.actionPath(f.Action, resp.URL), Email: emailField(f)}
		passwords := 0
		for _, fl := range f.Fields {
			if strings.EqualFold(fl.Type, "password") {
				passwords++
				switch {
				case form.Password == "":
					form.Password = fl.Name
				case form.Confirm == "":
					form.Confirm = fl.Name
				}
			}
		}
		switch {
		case passwords >= 2 || (passwords == 1 && signupWords(final+" "+asked)):
			if v.r.Signup == nil {
				form.Extra = signupExtras(f, form.Email)
				v.r.Signup = form
			}
		case passwords == 1:
			if v.r.Login == nil {
				v.r.Login = form
			}
		case form.Email != "" && resetWords(final+" "+asked):
			if v.r.Reset == nil {
				v.r.Reset = form
			}
		}
	}
}

// protected records a page that needs a login.
func (v *visitor) protected(p string) {
	for _, q := range v.r.Protected {
		if q == p {
			return
		}
	}
	if !v.isLoginPath(p) {
		v.r.Protected = append(v.r.Protected, p)
	}
}

func (v *visitor) isLoginPath(p string) bool {
	return v.r.Login != nil && p == v.r.Login.Path
}

// scriptsOf reads the page's inline scripts and same-origin scripts.
func (v *visitor) scriptsOf(ctx context.Context, resp *client.Response) error {
	v.rec.Add(platform.Source{Label: resp.URL.Path, Body: string(resp.Body)})
	scripts, err := page.ScriptElements(resp.Body, resp.URL)
	if err != nil {
		v.r.Notes = append(v.r.Notes, resp.URL.Path+" was read in part: "+err.Error())
	}
	for _, s := range scripts {
		if s.Src == "" {
			continue
		}
		u, err := url.Parse(s.Src)
		if err != nil || !v.client.Scope().Allows(u) || v.seen[u.String()] || v.scripts >= maxScripts {
			continue
		}
		v.seen[u.String()] = true
		v.scripts++
		js, err := v.get(ctx, u.String())
		if err != nil {
			return err
		}
		if js != nil && js.StatusCode == http.StatusOK && !isHTML(js) {
			v.r.Scripts++
			v.rec.Add(platform.Source{Label: js.URL.Path, Body: string(js.Body)})
			v.backend(js.URL.Path, js.Body)
		}
	}
	return nil
}

// get fetches a URL; a failed request is a note, not an error, unless
// the run itself was cancelled.
func (v *visitor) get(ctx context.Context, raw string) (*client.Response, error) {
	resp, err := v.client.DoWith(ctx, v.jar, &client.Request{URL: raw, Follow: true})
	var tooLarge *client.TooLargeError
	switch {
	case err == nil, errors.As(err, &tooLarge) && resp != nil:
		return resp, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	v.r.Notes = append(v.r.Notes, v.client.Redactor().Redact(err.Error()))
	return nil, nil
}

func (v *visitor) sameOrigin(u *url.URL) bool {
	return u != nil && strings.EqualFold(u.Scheme, v.origin.Scheme) && strings.EqualFold(u.Host, v.origin.Host)
}

// actionPath is a form's action as a path on the origin, "" when it posts
// to its own page or elsewhere.
func (v *visitor) actionPath(action string, pageURL *url.URL) string {
	u, err := url.Parse(action)
	if err != nil || !v.sameOrigin(u) || u.Path == pageURL.Path {
		return ""
	}
	return u.Path
}

// emailField picks the field a login or reset form takes the email in.
func emailField(f page.Form) string {
	for _, fl := range f.Fields {
		if strings.EqualFold(fl.Type, "email") {
			return fl.Name
		}
	}
	for _, fl := range f.Fields {
		n := strings.ToLower(fl.Name)
		if (fl.Type == "" || strings.EqualFold(fl.Type, "text")) &&
			(strings.Contains(n, "email") || strings.Contains(n, "user") || strings.Contains(n, "login")) {
			return fl.Name
		}
	}
	return ""
}

// signupExtras are the fields of a signup form besides the email and the
// passwords that a member fills in: a user name (the account's {{tag}},
// unique per account) and a terms or consent checkbox (ticked).
func signupExtras(f page.Form, email string) map[string]string {
	out := map[string]string{}
	for _, fl := range f.Fields {
		n, typ := strings.ToLower(fl.Name), strings.ToLower(fl.Type)
		switch {
		case fl.Name == "" || fl.Name == email || fl.Disabled:
		case (typ == "" || typ == "text") && (strings.Contains(n, "user") || strings.Contains(n, "name")):
			out[fl.Name] = "{{tag}}"
		case typ == "checkbox" && !fl.Checked && consentWords(n):
			out[fl.Name] = cmpOr(fl.Value, "on")
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func consentWords(s string) bool {
	for _, w := range []string{"terms", "agree", "accept", "tos", "consent", "privacy"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func logoutWords(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"logout", "log-out", "log_out", "signout", "sign-out", "sign_out", "logoff", "log out", "sign out"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func signupWords(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "signup") || strings.Contains(s, "sign-up") || strings.Contains(s, "register") || strings.Contains(s, "join")
}

func resetWords(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "forgot") || strings.Contains(s, "reset") || strings.Contains(s, "recover")
}

func isHTML(resp *client.Response) bool {
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		return mt == "text/html" || mt == "application/xhtml+xml"
	}
	return strings.Contains(http.DetectContentType(resp.Body), "text/html")
}
