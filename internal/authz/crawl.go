package authz

import (
	"context"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// dangerous are words in a link's path, query or text that mark an action,
// not a page: the crawler never follows them, even with GET. A word matches
// a whole token or, for the longer ones, a token's start (deleted,
// cancellation).
var dangerous = []string{
	"logout", "logoff", "signout", "delete", "remove", "destroy", "cancel", "unsubscribe", "deactivate", "revoke",
	"disable", "reset", "leave", "purge", "flush", "truncate", "wipe", "drop", "ban", "suspend", "terminate",
	"impersonate", "approve", "refund", "restart", "deploy", "migrate", "seed", "kill",
}

// dangerousPairs are two-token spellings: "log out", "log-out", "sign_out".
var dangerousPairs = [][2]string{{"log", "out"}, {"log", "off"}, {"sign", "out"}}

// staticExt are paths the crawler does not fetch as pages.
var staticExt = []string{".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico",
	".woff", ".woff2", ".ttf", ".pdf", ".zip", ".mp4", ".mp3"}

// adminRoute finds quoted same-origin paths with an admin segment in
// scripts.
var adminRoute = regexp.MustCompile("[\"'`](/(?:[A-Za-z0-9_.-]+/)*(?:admin|internal|staff|superuser|backoffice)(?:/[A-Za-z0-9_./-]*)?)[\"'`]")

// crawlItem is one page waiting to be fetched.
type crawlItem struct {
	url   string
	depth int
}

// crawl walks a's pages breadth-first with GET only, within the configured
// page and depth bounds: links to objects with an ID become crawled kinds,
// JSON lists suggest REST item URLs, and same-origin scripts are read for
// admin routes.
func (d *discovery) crawl(ctx context.Context) error {
	cfg := d.env.Config
	var queue []crawlItem
	seen := map[string]bool{}
	push := func(raw string, depth int) {
		if depth > cfg.Crawl.Depth || seen[raw] || !d.crawlable(raw) {
			return
		}
		seen[raw] = true
		queue = append(queue, crawlItem{raw, depth})
	}
	if s := d.env.Sessions.Config().Success; s != "" {
		push(d.url(s), 0)
	}
	for _, p := range cfg.Auth.Protected {
		push(d.url(p), 0)
	}
	for _, o := range cfg.Objects {
		if o.List != "" {
			push(d.url(o.List), 0)
		}
	}
	found := map[string]*crawled{}
	var order []string
	var scripts []string
	for len(queue) > 0 && d.inv.Pages < cfg.Crawl.Pages {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		it := queue[0]
		queue = queue[1:]
		resp, err := d.do(ctx, d.a, &client.Request{URL: it.url, Follow: true})
		d.inv.Pages++
		if err != nil || resp.StatusCode >= 400 || d.env.Sessions.IsLoginURL(resp.URL) {
			continue
		}
		if isJSON(resp) {
			d.restGuesses(resp, found, &order)
			continue
		}
		links, err := page.Links(resp.Body, resp.URL)
		if err != nil {
			d.note("the crawl read part of %s only: %v", d.env.Client.Redactor().Redact(resp.URL.Path), err)
		}
		// The page itself is not kept: objects found on it point to it
		// without its body.
		from := resp.WithoutBodies()
		for _, l := range links {
			if !d.crawlable(l.URL) || isDangerous(l.Text) {
				continue
			}
			u, _ := url.Parse(l.URL)
			d.objectLink(u, from, found, &order)
			push(l.URL, it.depth+1)
		}
		srcs, err := page.Scripts(resp.Body, resp.URL)
		if err != nil {
			d.note("the crawl read part of %s only: %v", d.env.Client.Redactor().Redact(resp.URL.Path), err)
		}
		for _, s := range srcs {
			if u, err := url.Parse(s); err == nil && d.sameOrigin(u) && !slices.Contains(scripts, s) && len(scripts) < maxScripts {
				scripts = append(scripts, s)
			}
		}
	}
	if len(queue) > 0 {
		d.note("the crawl stopped at its bound of %d pages (crawl.pages) with %d links left", cfg.Crawl.Pages, len(queue))
	}
	for _, raw := range order {
		c := found[raw]
		k := &Kind{Name: "crawled " + strings.TrimPrefix(c.tpl.Raw, d.origin.String()), Template: c.tpl, IDsA: c.ids, Source: c.from}
		d.inv.Kinds = append(d.inv.Kinds, k)
		for _, id := range c.ids[:min(len(c.ids), MaxReadsPerKind)] {
			if _, err := d.ownerRead(ctx, k.Name, c.tpl, id, readOpts{guessed: c.guessed}); err != nil {
				return err
			}
		}
	}
	d.readScripts(ctx, scripts)
	return nil
}

// crawled is an object kind the crawl found, with a's IDs.
type crawled struct {
	tpl Template
	ids []string
	// seen holds ids, for IDs found many times over.
	seen map[string]bool
	// from is the page that linked to the first object, without its body.
	from *client.Response
	// guessed is true for REST item URLs made up under a JSON list: one
	// that a itself cannot open was a wrong guess, not an object.
	guessed bool
}

// objectLink records a link that reads an object: its last ID-looking path
// segment (or an ID-looking query value) makes the template, unless a
// configured kind already covers it.
func (d *discovery) objectLink(u *url.URL, from *client.Response, found map[string]*crawled, order *[]string) {
	tpls := templatesOf(u)
	if len(tpls) == 0 {
		return
	}
	// The last path template names the object read; query ones follow.
	pick := tpls[0]
	for _, t := range tpls {
		if t.Via == "path" {
			pick = t
		}
	}
	for _, k := range d.inv.Kinds {
		if k.Object != nil && k.Template.Raw != "" && k.Template.Match(u.String()) != "" {
			return
		}
	}
	d.remember(pick, pick.Match(u.String()), from, found, order, false)
}

func (d *discovery) remember(t Template, id string, from *client.Response, found map[string]*crawled, order *[]string, guessed bool) {
	if id == "" {
		return
	}
	c := found[t.Raw]
	if c == nil {
		c = &crawled{tpl: t, from: from, seen: map[string]bool{}, guessed: guessed}
		found[t.Raw] = c
		*order = append(*order, t.Raw)
	}
	if !c.seen[id] {
		c.seen[id] = true
		c.ids = append(c.ids, id)
	}
}

// restGuesses turns a JSON list's id fields into item URLs under the
// list's path (/api/things → /api/things/{id}), the REST convention.
func (d *discovery) restGuesses(resp *client.Response, found map[string]*crawled, order *[]string) {
	base := strings.TrimSuffix(resp.URL.EscapedPath(), "/")
	if base == "" || LooksLikeID(path.Base(base)) {
		return
	}
	t := Template{Raw: d.origin.String() + base + "/{id}", Via: "path"}
	for _, k := range d.inv.Kinds {
		if k.Object != nil && k.Template.Raw == t.Raw {
			return
		}
	}
	ids, _ := idsIn(resp, "id", Template{}) // JSON: read whole
	from := resp.WithoutBodies()
	for _, id := range ids {
		if LooksLikeID(id) {
			d.remember(t, id, from, found, order, true)
		}
	}
}

// crawlable reports whether a URL is a same-origin page that is safe to
// fetch: not an action (logout, delete…), not a static file.
func (d *discovery) crawlable(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || !d.sameOrigin(u) {
		return false
	}
	p := strings.ToLower(u.Path)
	if isDangerous(p) || isDangerous(strings.ToLower(u.RawQuery)) {
		return false
	}
	for _, ext := range staticExt {
		if strings.HasSuffix(p, ext) {
			return false
		}
	}
	return true
}

func (d *discovery) sameOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, d.origin.Scheme) && strings.EqualFold(u.Host, d.origin.Host)
}

// IsAction reports whether a path or link text names an action (logout,
// delete, reset…) that must not be requested, even with GET.
func IsAction(s string) bool { return isDangerous(s) }

func isDangerous(s string) bool {
	tokens := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isLetter(r) })
	for i, t := range tokens {
		for _, w := range dangerous {
			if t == w || (len(w) >= 5 && strings.HasPrefix(t, w)) {
				return true
			}
		}
		if i+1 < len(tokens) {
			for _, p := range dangerousPairs {
				if t == p[0] && tokens[i+1] == p[1] {
					return true
				}
			}
		}
	}
	return false
}

// readScripts fetches the same-origin scripts as a and collects the admin
// routes they name.
func (d *discovery) readScripts(ctx context.Context, scripts []string) {
	seen := map[string]bool{}
	for _, s := range scripts {
		if ctx.Err() != nil {
			return
		}
		resp, err := d.do(ctx, d.a, &client.Request{URL: s})
		if err != nil || !okStatus(resp.StatusCode) {
			continue
		}
		for _, m := range adminRoute.FindAllSubmatch(resp.Body, maxAdminRoutes) {
			r := path.Clean(string(m[1]))
			if !seen[r] {
				seen[r] = true
				d.inv.AdminRoutes = append(d.inv.AdminRoutes, r)
			}
		}
	}
}

// maxAdminRoutes caps the admin routes read from one script.
const maxAdminRoutes = 200
