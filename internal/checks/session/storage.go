package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/launchready/launchready/internal/browser"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/jwtx"
)

// Web storage judging.
const (
	// storageTimeout bounds the browser session (start, pages, clean-up).
	storageTimeout = 90 * time.Second
	// opaqueMin is the shortest value under a token-named key that counts
	// as a token; opaqueBits its least Shannon entropy per character.
	opaqueMin  = 20
	opaqueBits = 3.5
	// secretMin is the shortest session value looked for inside storage
	// values: shorter ones match by chance.
	secretMin = 8
	// jsonDepth bounds the walk into JSON values for token-named fields.
	jsonDepth = 4
)

// Storage is SESS-005: no session tokens in localStorage, sessionStorage or
// IndexedDB, read from a real browser logged in as member a.
type Storage struct {
	// find locates Chromium; nil means browser.Find. Tests replace it to
	// play a machine without a browser.
	find func() (string, error)
}

var _ check.Check = Storage{}

// Meta returns the static description.
func (Storage) Meta() check.Meta {
	return check.Meta{
		ID: "SESS-005", Area: check.AreaSession, Severity: check.Major,
		Impact: check.ImpactSession,
		Title:  "No tokens in localStorage, sessionStorage or IndexedDB",
		Pass: "Headless Chromium, given member a's session cookies, opens the home page, the login success page and every " +
			"protected page (and is shown member content on at least one); afterwards localStorage, sessionStorage and IndexedDB " +
			"hold no JWT, nothing equal to or containing the session cookie's value or the bearer token, and no long random value " +
			"under a key named like token, jwt, auth, session, access or refresh. A Supabase (sb-…-auth-token) or Firebase " +
			"(firebase:authUser:…) session, which those SDKs keep in web storage by design, is WARN: tolerable only behind a strict " +
			"Content-Security-Policy.",
		Why: "Web storage has no HttpOnly: every script on the page can read it, including one injected through a cross-site " +
			"scripting bug or shipped by a compromised analytics tag, chat widget or npm package. A token read there works from the " +
			"attacker's machine until it expires; a session in an HttpOnly cookie cannot be read by scripts at all.",
		Breaks: "One XSS or one bad dependency lets an attacker copy every visiting member's session and act as them from anywhere " +
			"(read their data, change their email, cancel their plan) for as long as the tokens live.",
		Fix: "Keep the session in a server-set HttpOnly, Secure, SameSite=Lax cookie and stop writing tokens from JavaScript:\n" +
			"  Express/Fastify: set the session with res.cookie(name, value, {httpOnly: true, secure: true, sameSite: 'lax'}) instead of res.json({token}) + localStorage.setItem\n" +
			"  Next.js / Auth.js: the default cookie session; call APIs from route handlers or server actions that read the cookie\n" +
			"  SPA with a separate API: a backend-for-frontend that keeps the tokens server-side and gives the browser a cookie session\n" +
			"  Supabase: @supabase/ssr (createBrowserClient/createServerClient with cookie storage) instead of the localStorage default\n" +
			"  Firebase: mint a server-side session cookie (admin.auth().createSessionCookie) for your own pages\n" +
			"Where a platform SDK must keep its session in web storage, compensate: a strict Content-Security-Policy (script-src 'self' " +
			"with nonces, no 'unsafe-inline', no wildcard hosts), as few third-party scripts as possible, and short-lived access tokens.",
		Refs:  []string{"ASVS v5.0.0-3.3.4", "API8:2023", "CWE-922"},
		Needs: []string{"auth.login", "accounts.a", "auth.protected"},
	}
}

// plan is everything a browser session needs, gathered before it starts.
type plan struct {
	sess    *client.Session
	view    *journey.View
	origin  *url.URL
	opts    browser.Options
	cookies []*http.Cookie
	pages   []string
}

// Run opens the portal logged in, in Chromium, and judges what the pages
// left in web storage.
func (s Storage) Run(ctx context.Context, env *check.Env) check.Result {
	p, res, ok := s.prepare(ctx, env)
	if !ok {
		return res
	}
	// The browser's only way out is this proxy: every request it makes goes
	// through the scan's client, under its scope and consent.
	px, err := env.Client.StartProxy(ctx)
	if err != nil {
		return check.Errorf("%v", err)
	}
	defer px.Close()
	p.opts.Proxy = &browser.Proxy{Addr: px.Addr(), SPKI: px.SPKI()}
	got, err := browser.Inspect(ctx, p.opts, p.cookies, p.origin, p.pages)
	if err != nil {
		return inspectError(env, err)
	}
	if res, ok := loggedIn(ctx, env, p, got); !ok {
		return res
	}
	return judgeStorage(env, got, sessionSecrets(ctx, env, p.sess))
}

// prepare finds the browser, logs member a in and plans the visit; ok is
// false with the result to return when the check cannot go on.
func (s Storage) prepare(ctx context.Context, env *check.Env) (plan, check.Result, bool) {
	find := s.find
	if find == nil {
		find = browser.Find
	}
	exe, err := find()
	if err != nil {
		return plan{}, check.Skipped("no Chromium browser on this machine: browser-mode checks need it",
			"install Debian's chromium (apt-get install -y chromium)"), false
	}
	cfg := env.Sessions.Config()
	if len(cfg.Protected) == 0 {
		return plan{}, check.Errorf("no protected page to open logged in (auth.protected)"), false
	}
	p := plan{origin: cfg.Origin, pages: storagePages(cfg)}
	if p.sess, err = env.Sessions.Get(ctx, "a"); err != nil {
		return plan{}, check.Errorf("%v", err), false
	}
	if p.view, err = journey.ProtectedView(ctx, env, cfg.Protected[0]); err != nil {
		return plan{}, check.Errorf("%v", err), false
	}
	for i, page := range p.pages {
		// The browser opens member a's own pages: a's {{self.id}}.
		if p.pages[i], err = p.sess.FillPath(ctx, page); err != nil {
			return plan{}, check.Errorf("%v", err), false
		}
	}
	// A session recorded by hand goes into the browser whole (cookies
	// with their attributes, web storage, IndexedDB).
	seed := env.Config.Recording("a")
	if p.cookies = browserCookies(p.sess, p.origin, p.pages); len(p.cookies) == 0 && seed == nil {
		if p.sess.Token() != "" {
			return plan{}, check.Skipped("member a's session is a bearer token and the login set no cookie: a browser cannot be handed a bearer token, so the pages cannot be opened logged in",
				"a login that sets a session cookie (browser mode does not yet log in through the portal's own login page)"), false
		}
		return plan{}, check.Errorf("member a's session holds no cookie to give the browser"), false
	}
	p.opts = browser.Options{ExecPath: exe, Timeout: storageTimeout, Seed: seed}
	if seed != nil {
		p.cookies = nil
	}
	return p, check.Result{}, true
}

// storagePages are the home page, the login success page and the
// protected pages, each once.
func storagePages(cfg client.LoginConfig) []string {
	pages := []string{"/"}
	for _, p := range append([]string{cfg.Success}, cfg.Protected...) {
		if p != "" && !slices.Contains(pages, p) {
			pages = append(pages, p)
		}
	}
	return pages
}

// browserCookies returns the session's cookies for the pages with the
// attributes the portal set them with (HttpOnly decides whether page
// scripts can copy them), read from the login's Set-Cookie lines.
func browserCookies(sess *client.Session, origin *url.URL, pages []string) []*http.Cookie {
	attrs := map[string]*http.Cookie{}
	for _, resp := range []*client.Response{sess.Login.Page, sess.Login.Submit, sess.Login.Verified} {
		if resp == nil {
			continue
		}
		for _, h := range resp.Hops {
			for _, line := range h.Header.Values("Set-Cookie") {
				if c, err := http.ParseSetCookie(line); err == nil {
					attrs[c.Name] = c
				}
			}
		}
	}
	seen := map[string]bool{}
	var out []*http.Cookie
	for _, p := range pages {
		ref, _ := url.Parse(p) // storagePages come from validated config
		for _, c := range sess.Cookies(origin.ResolveReference(ref)) {
			if seen[c.Name] {
				continue
			}
			seen[c.Name] = true
			bc := &http.Cookie{Name: c.Name, Value: c.Value}
			if a := attrs[c.Name]; a != nil {
				bc.Domain, bc.Path, bc.Secure, bc.HttpOnly, bc.SameSite = a.Domain, a.Path, a.Secure, a.HttpOnly, a.SameSite
			}
			out = append(out, bc)
		}
	}
	return out
}

// inspectError maps a browser failure: a missing tool is a SKIP, anything
// else an ERROR.
func inspectError(env *check.Env, err error) check.Result {
	switch {
	case errors.Is(err, browser.ErrNoChromium):
		return check.Skipped("no Chromium browser on this machine: browser-mode checks need it",
			"install Debian's chromium (apt-get install -y chromium)")
	}
	return check.Errorf("browser: %s", env.Client.Redactor().Redact(err.Error()))
}

// loggedIn proves the visit was made logged in: the scanner's own session
// still opens the protected page (a lost session would make empty storage
// meaningless), and the browser was shown member content somewhere.
func loggedIn(ctx context.Context, env *check.Env, p plan, got []browser.Storage) (check.Result, bool) {
	_, ok, err := journey.Accepts(ctx, env, p.view, p.sess.Cookies(p.view.Member.URL), p.sess.TokenHeader())
	if err != nil {
		return check.Errorf("%v", err), false
	}
	if !ok {
		return check.Errorf("after the browser visit, member a's session no longer opens %s: the session was lost, so what the browser stored proves nothing", p.view.Path), false
	}
	for _, s := range got {
		text := strings.Join(strings.Fields(s.Text), " ")
		for _, seg := range p.view.Unique {
			if strings.Contains(text, seg) {
				return check.Result{}, true
			}
		}
	}
	var where []string
	for _, s := range got {
		where = append(where, fmt.Sprintf("%s → %s (%d)", s.Page, s.URL, s.Status))
	}
	return check.Errorf("the browser session was not logged in: no page showed Chromium any of member a's content from %s (%s)",
		p.view.Path, env.Client.Redactor().Redact(strings.Join(where, "; "))), false
}

// secret is a session value to look for in storage.
type secret struct{ what, value string }

// sessionSecrets are the bearer token and the session cookies' values: the
// cookies identified by behaviour or, for token sessions and when that
// fails, every long cookie value.
func sessionSecrets(ctx context.Context, env *check.Env, sess *client.Session) []secret {
	var out []secret
	if tok := strings.TrimPrefix(sess.Token(), env.Config.Session.Prefix); len(tok) >= secretMin {
		out = append(out, secret{"the bearer token", tok})
	}
	if env.Config.Session.Kind != "token" {
		if sc, err := journey.IdentifySessionCookies(ctx, env); err == nil {
			for _, c := range sc.Cookies {
				if len(c.Value) >= secretMin {
					out = append(out, secret{"the value of session cookie " + c.Name, c.Value})
				}
			}
			return out
		}
	}
	for _, c := range sess.Cookies(env.Sessions.Config().Origin) {
		if len(c.Value) >= 2*secretMin {
			out = append(out, secret{"the value of cookie " + c.Name, c.Value})
		}
	}
	return out
}

// finding is one token found in web storage.
type finding struct {
	page  browser.Storage
	where string // e.g. `localStorage key "token"`
	pane  string // DevTools → Application pane
	key   string
	value string
	what  string
	// platform names the SDK that keeps its session there by design.
	platform string
}

// judgeStorage classifies every stored value and turns the findings into
// the verdict.
func judgeStorage(env *check.Env, got []browser.Storage, secrets []secret) check.Result {
	var fails, warns []finding
	var problems []string
	seen := map[string]bool{}
	read := 0
	for _, s := range got {
		problems = append(problems, s.Problems...)
		for _, e := range storageEntries(s) {
			read++
			f, ok := classify(e, secrets)
			if !ok || seen[f.where] {
				continue
			}
			seen[f.where] = true // localStorage is per origin: report it once
			if f.platform != "" {
				warns = append(warns, f)
			} else {
				fails = append(fails, f)
			}
		}
	}
	return verdict(env, fails, warns, problems, len(got), read)
}

// storageEntries flattens a page's three stores, keys sorted.
func storageEntries(s browser.Storage) []finding {
	var out []finding
	for _, area := range []struct {
		name, pane string
		m          map[string]string
	}{{"localStorage", "Local storage", s.Local}, {"sessionStorage", "Session storage", s.Session}} {
		for _, k := range slices.Sorted(maps.Keys(area.m)) {
			out = append(out, finding{page: s, where: fmt.Sprintf("%s key %q", area.name, k), pane: area.pane, key: k, value: area.m[k]})
		}
	}
	for _, e := range s.IndexedDB {
		out = append(out, finding{page: s, where: fmt.Sprintf("IndexedDB %q store %q key %q", e.Database, e.Store, e.Key),
			pane: "IndexedDB", key: e.Key, value: e.Value})
	}
	return out
}

// classify says whether an entry holds a token and what kind: a session
// value, a JWT, or an opaque value under a token-named key.
func classify(f finding, secrets []secret) (finding, bool) {
	f.platform = platformKey(f.key)
	for _, s := range secrets {
		if strings.Contains(f.value, s.value) {
			f.what = s.what
			return f, true
		}
	}
	if jwtx.Find(f.value) != nil {
		f.what = "a JWT"
		return f, true
	}
	for _, n := range namedStrings(f.key, f.value) {
		if tokenName(n.name) && opaque(n.value) {
			f.what = fmt.Sprintf("a %d-character random value under the token-like name %q", len(n.value), n.name)
			return f, true
		}
	}
	return f, false
}

// platformKey recognises the keys platform SDKs keep their session under.
func platformKey(key string) string {
	switch {
	case strings.HasPrefix(key, "sb-") && (strings.HasSuffix(key, "-auth-token") || strings.Contains(key, "-auth-token.")),
		key == "supabase.auth.token":
		return "Supabase"
	case strings.HasPrefix(key, "firebase:authUser:"):
		return "Firebase"
	}
	return ""
}

// named is one string found under a name.
type named struct{ name, value string }

// namedStrings returns the entry itself and, when its value is JSON, every
// string in it under its field name (a few levels deep).
func namedStrings(key, value string) []named {
	out := []named{{key, value}}
	var v any
	if json.Unmarshal([]byte(value), &v) != nil {
		return out
	}
	var walk func(name string, v any, depth int)
	walk = func(name string, v any, depth int) {
		switch x := v.(type) {
		case string:
			out = append(out, named{name, x})
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if depth < jsonDepth {
					walk(k, x[k], depth+1)
				}
			}
		case []any:
			for _, c := range x {
				if depth < jsonDepth {
					walk(name, c, depth+1)
				}
			}
		}
	}
	walk(key, v, 0)
	return out
}

// tokenName reports a key named like a credential: a word token, jwt,
// auth, session, access, refresh, bearer or sid (split at punctuation and
// camelCase), or a compound word containing token or jwt.
func tokenName(name string) bool {
	for _, w := range words(name) {
		switch {
		case w == "auth", w == "session", w == "sess", w == "sid", w == "access", w == "refresh", w == "bearer",
			strings.Contains(w, "token"), strings.Contains(w, "jwt"):
			return true
		}
	}
	return false
}

// words splits a key at non-alphanumerics and lower-to-upper case changes,
// lower-cased: "sb-x-auth-token" and "accessToken" both yield their parts.
func words(s string) []string {
	var out []string
	var cur []rune
	prevLower := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cur = append(cur, r)
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	return out
}

// opaque reports a long random-looking value: token characters only,
// letters and digits mixed, and high entropy. Paths, words, timestamps and
// plain numbers are not.
func opaque(v string) bool {
	if len(v) < opaqueMin {
		return false
	}
	var letter, digit bool
	counts := map[rune]int{}
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9':
			digit = true
		case !strings.ContainsRune("-_.~+/=", r):
			return false
		}
		counts[r]++
	}
	var bits float64
	for _, n := range counts {
		p := float64(n) / float64(len(v))
		bits -= p * math.Log2(p)
	}
	return letter && digit && bits >= opaqueBits
}

// verdict turns findings into the result.
func verdict(env *check.Env, fails, warns []finding, problems []string, pages, read int) check.Result {
	var ev []check.Evidence
	for _, f := range append(slices.Clone(fails), warns...) {
		ev = append(ev, f.evidence(env))
	}
	switch {
	case len(fails) > 0:
		return check.Failf(ev, "session token readable by page scripts: %s", describe(fails))
	case len(warns) > 0:
		return check.Warnf(ev, "%s keeps the session in web storage by design (%s): page scripts can read it, so a strict "+
			"Content-Security-Policy (script-src with nonces, no 'unsafe-inline', few third-party scripts) must keep injected scripts out",
			warns[0].platform, describe(warns))
	case len(problems) > 0:
		return check.Errorf("part of the browser storage could not be read: %s", strings.Join(problems, "; "))
	}
	return check.Passf("no token in localStorage, sessionStorage or IndexedDB after %d pages opened logged in (%d entries read)", pages, read)
}

// describe names up to three findings.
func describe(fs []finding) string {
	var parts []string
	for _, f := range fs[:min(3, len(fs))] {
		parts = append(parts, fmt.Sprintf("%s holds %s", f.where, f.what))
	}
	if len(fs) > 3 {
		parts = append(parts, fmt.Sprintf("and %d more", len(fs)-3))
	}
	return strings.Join(parts, "; ")
}

// evidence shows where the token is and its shape, never the token: its
// first four characters and its length.
func (f finding) evidence(env *check.Env) check.Evidence {
	red := env.Client.Redactor()
	shown := []rune(f.value)
	detail := fmt.Sprintf("%s holds %s: %q… (%d characters).\nOpen %s logged in, DevTools → Application → %s.",
		f.where, f.what, string(shown[:min(4, len(shown))]), len(f.value), f.page.URL, f.pane)
	if f.platform != "" {
		detail += fmt.Sprintf("\nThis is where the %s SDK keeps its session by design; the compensating control is a strict Content-Security-Policy.", f.platform)
	}
	return check.Evidence{
		Request: red.Redact("GET " + f.page.Page),
		Status:  f.page.Status,
		Detail:  red.Redact(detail),
	}
}
