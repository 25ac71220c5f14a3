package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
	"github.com/launchready/launchready/internal/platform"
	engine "github.com/launchready/launchready/internal/secrets"
)

// Bounds of the frontend crawl SEC-003 and SEC-004 share: at most
// maxPages HTML pages (the configured ones, then links found on them, one
// level deep), maxScripts scripts (those pages load, and the modules they
// import, maxImportDepth levels deep) and maxMaps source maps.
const (
	maxPages       = 30
	maxScripts     = 80
	maxMaps        = 80
	maxImportDepth = 3
	// maxPageFetches bounds the links fetched while looking for pages:
	// links that answer no HTML page (404s, redirects off the portal) do
	// not count as pages, and a page may hold thousands.
	maxPageFetches = 4 * maxPages
)

// runtimeConfigs are endpoints single-page apps load their runtime
// configuration from; each is fetched once, anonymously, and scanned when
// it answers a script or JSON that is not the portal's not-found page.
var runtimeConfigs = []string{"/env.js", "/env-config.js", "/__env.js", "/runtime-config.js", "/config.js", "/api/config", "/api/env"}

// asset is one body the crawl scanned.
type asset struct {
	// label names it in findings: the path, with " inline script" and the
	// like for what a page embeds.
	label string
	// what says what it is: "script", "inline script", "page", …
	what string
	// as is who fetched it: "anonymous" or "member a".
	as string
	// resp is the response it came in, without its bodies: the crawl
	// lasts the whole scan, its bodies only as long as they are read.
	resp *client.Response
	// partial is set when only the first bytes were read (the body cap).
	partial bool
}

// hit is one finding and the asset it was found in.
type hit struct {
	f engine.Finding
	a *asset
}

// publicMap is a source map anyone can download.
type publicMap struct {
	// path is the map's URL path; via says how it was found.
	path, via string
	resp      *client.Response
	// sources counts the original files it names; embedded those whose
	// source text it carries.
	sources, embedded int
	// inline is a data: URL map inside the script itself.
	inline bool
}

// skipped is one script or source map the crawl did not fetch because its
// host is outside target.scope.
type skipped struct {
	url, what, via string
	// ownSite is true when the host shares the portal's registrable domain
	// (cdn.example.com for app.example.com): likely the portal's own code.
	ownSite bool
}

// frontend is what the crawl saw.
type frontend struct {
	assets []*asset
	hits   []hit
	maps   []publicMap
	pages  int
	// nonHTML lists pages that answered 200 with something else than
	// HTML (an API-only target); failed those that answered a server
	// error.
	nonHTML, failed []string
	// notes say what was not crawled and why.
	notes []string
	// outside lists what the portal's pages and scripts named on hosts
	// outside target.scope, never fetched: a check that would have judged
	// them cannot pass on the rest.
	outside []skipped
	// requests counts the requests the crawl sent; fetched the pages it
	// asked for.
	requests, fetched int
	// platforms is what the texts read show of the platforms the browser
	// talks to (Supabase, Firebase); texts counts those texts.
	platforms *platform.Recognizer
	texts     int
}

// crawl collects the frontend once per scan.
func crawl(ctx context.Context, env *check.Env) (*frontend, error) {
	return check.Shared(ctx, env, "secrets.frontend", func(ctx context.Context) (*frontend, error) {
		sc, err := scanner(ctx, env)
		if err != nil {
			return nil, err
		}
		c := &crawler{env: env, sc: sc, fe: &frontend{platforms: platform.NewRecognizer()}, seen: map[string]bool{}}
		return c.run(ctx)
	})
}

// crawler walks the frontend: pages, their scripts, the modules those
// import and the source maps next to them.
type crawler struct {
	env     *check.Env
	sc      *engine.Scanner
	fe      *frontend
	seen    map[string]bool // URLs fetched or queued
	scripts int
}

// fetcher is an identity the crawl fetches as.
type fetcher struct {
	name string
	sess *client.Session
}

func (c *crawler) run(ctx context.Context) (*frontend, error) {
	anon := fetcher{"anonymous", c.env.Sessions.Anonymous()}
	if err := c.pages(ctx, anon, c.publicPages()); err != nil {
		return nil, err
	}
	if prot := c.env.Config.Auth.Protected; len(prot) > 0 {
		if _, ok := c.env.Config.Accounts["a"]; ok {
			sess, err := c.env.Sessions.Get(ctx, "a")
			if err != nil {
				c.fe.notes = append(c.fe.notes, "member a could not log in, so the pages behind the login were not crawled: "+
					c.env.Client.Redactor().Redact(err.Error()))
			} else if err := c.pages(ctx, fetcher{"member a", sess}, prot); err != nil {
				return nil, err
			}
		}
	}
	if err := c.runtimeConfig(ctx, anon); err != nil {
		return nil, err
	}
	return c.fe, nil
}

// publicPages are the configured pages anyone can open: target.pages,
// else the home page and the login, signup and reset pages.
func (c *crawler) publicPages() []string {
	if pages := c.env.Config.Target.Pages; len(pages) > 0 {
		return pages
	}
	out := []string{"/"}
	a := c.env.Config.Auth
	if a.Login != nil && a.Login.Path != "" {
		out = append(out, a.Login.Path)
	}
	if a.Signup != nil && !a.Signup.None && a.Signup.Path != "" {
		out = append(out, a.Signup.Path)
	}
	if a.Reset != nil && !a.Reset.None && a.Reset.Path != "" {
		out = append(out, a.Reset.Path)
	}
	return out
}

// pages visits the seed pages as f, then the same-origin links they hold,
// one level deep; links that name an action (logout, delete…) are never
// followed.
func (c *crawler) pages(ctx context.Context, f fetcher, seeds []string) error {
	var next []page.Link
	for _, p := range seeds {
		links, err := c.page(ctx, f, journey.URL(c.env, p))
		if err != nil {
			return err
		}
		next = append(next, links...)
	}
	for _, l := range next {
		if _, err := c.page(ctx, f, l.URL); err != nil {
			return err
		}
	}
	return nil
}

// page fetches one HTML page as f, scans it and its scripts, and returns
// the links worth following.
func (c *crawler) page(ctx context.Context, f fetcher, raw string) ([]page.Link, error) {
	u, err := url.Parse(raw)
	if err != nil || c.seen[f.name+" "+raw] || c.fe.pages >= maxPages || !c.sameOrigin(u) || c.isAction(u, "") {
		return nil, nil
	}
	if c.fe.fetched >= maxPageFetches {
		c.note(fmt.Sprintf("the crawl stopped after fetching %d links, %d of them HTML pages", maxPageFetches, c.fe.pages))
		return nil, nil
	}
	c.seen[f.name+" "+raw] = true
	c.fe.fetched++
	resp, partial, err := c.get(ctx, f, raw)
	if err != nil || resp == nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusOK && !isHTML(resp):
		c.fe.nonHTML = append(c.fe.nonHTML, pathOf(resp.URL))
	case resp.StatusCode >= 500:
		c.fe.failed = append(c.fe.failed, fmt.Sprintf("%s (%d)", pathOf(resp.URL), resp.StatusCode))
	}
	if resp.StatusCode != http.StatusOK || !isHTML(resp) || !c.sameOrigin(resp.URL) {
		return nil, nil
	}
	c.fe.pages++
	label := resp.URL.Path
	slim := resp.WithoutBodies()
	scripts, err := page.ScriptElements(resp.Body, resp.URL)
	if err != nil {
		c.note(fmt.Sprintf("%s was read in part: %v", label, err))
	}
	links, err := page.Links(resp.Body, resp.URL)
	if err != nil {
		c.note(fmt.Sprintf("%s was read in part: %v", label, err))
	}
	// The page is ours alone from here: its inline scripts are blanked
	// out of it in place once scanned, rather than in a copy.
	body := resp.Body
	for i, s := range scripts {
		if s.Src != "" {
			if err := c.script(ctx, f, s.Src, 0); err != nil {
				return nil, err
			}
			continue
		}
		c.scanText(ctx, &asset{label: fmt.Sprintf("%s <script> #%d", label, i+1), what: inlineKind(s), as: f.name, resp: slim, partial: partial},
			s.Text, s.Line)
		if at := bytes.Index(body, []byte(s.Text)); at >= 0 {
			blankOut(body[at : at+len(s.Text)])
		}
	}
	// The page around its inline scripts: meta tags, data attributes,
	// hidden fields.
	c.scanText(ctx, &asset{label: label, what: "page", as: f.name, resp: slim, partial: partial}, string(body), 1)
	var follow []page.Link
	for _, l := range links {
		if lu, err := url.Parse(l.URL); err == nil && c.sameOrigin(lu) && !c.isAction(lu, l.Text) {
			follow = append(follow, l)
		}
	}
	return follow, nil
}

// note records what the crawl could not read, once.
func (c *crawler) note(n string) {
	if !slices.Contains(c.fe.notes, n) {
		c.fe.notes = append(c.fe.notes, n)
	}
}

// inlineKind names what an inline script is: a framework's data payload
// or code.
func inlineKind(s page.Script) string {
	switch {
	case s.ID == "__NEXT_DATA__":
		return "Next.js __NEXT_DATA__ payload"
	case strings.Contains(s.Text, "__NUXT__"):
		return "Nuxt __NUXT__ payload"
	case strings.Contains(strings.ToLower(s.Type), "json"):
		return "inline JSON payload"
	}
	return "inline script"
}

// blankOut replaces every byte but newlines with a space, so the page
// around an inline script keeps its line numbers without scanning the
// script twice.
func blankOut(b []byte) {
	for i, ch := range b {
		if ch != '\n' {
			b[i] = ' '
		}
	}
}

// Patterns in scripts: the source map comment (the last one counts) and
// relative or absolute ES module imports.
var (
	sourceMapComment = regexp.MustCompile(`(?m)(?://[#@]|/\*[#@])[ \t]*sourceMappingURL[ \t]*=[ \t]*([^\s*'"]+)`)
	moduleImport     = regexp.MustCompile(`(?:\bimport\s*\(\s*|\bimport\s*|\bfrom\s*)["'](\.{0,2}/[^"'\s]{1,300}\.m?js)["']`)
)

// script fetches one same-scope script as f, scans it, looks for its
// source map and follows the modules it imports.
func (c *crawler) script(ctx context.Context, f fetcher, raw string, depth int) error {
	u, err := url.Parse(raw)
	if err != nil || c.seen[raw] || c.scripts >= maxScripts {
		return nil
	}
	if !c.env.Client.Scope().Allows(u) {
		c.skip(raw, u, "script", "")
		return nil
	}
	c.seen[raw] = true
	c.scripts++
	resp, partial, err := c.get(ctx, f, raw)
	if err != nil || resp == nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || isHTML(resp) {
		// A single-page app's fallback answers its index for a missing
		// file: that is no script.
		return nil
	}
	text := string(resp.Body)
	// From here on the text is read, not the body: let it go.
	resp = resp.WithoutBodies()
	c.scanText(ctx, &asset{label: pathOf(resp.URL), what: "script", as: f.name, resp: resp, partial: partial}, text, 1)
	if err := c.sourceMaps(ctx, f, resp, text); err != nil {
		return err
	}
	if depth >= maxImportDepth {
		return nil
	}
	for _, m := range moduleImport.FindAllStringSubmatch(text, maxScripts) {
		ref, err := url.Parse(m[1])
		if err != nil {
			continue
		}
		if err := c.script(ctx, f, resp.URL.ResolveReference(ref).String(), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// sourceMaps tries the script's source maps: the SourceMap header, the
// sourceMappingURL comment (an inline data: URL is decoded in place) and
// the .map file next to the script, which build tools often upload even
// when they strip the comment.
func (c *crawler) sourceMaps(ctx context.Context, f fetcher, js *client.Response, text string) error {
	type cand struct{ url, via string }
	var cands []cand
	scriptPath := pathOf(js.URL)
	for _, h := range []string{"SourceMap", "X-SourceMap"} {
		if v := strings.TrimSpace(js.Header.Get(h)); v != "" {
			cands = append(cands, cand{v, h + " header of " + scriptPath})
		}
	}
	if all := sourceMapComment.FindAllStringSubmatch(text, -1); len(all) > 0 {
		ref := all[len(all)-1][1]
		if strings.HasPrefix(ref, "data:") {
			c.inlineMap(ctx, f, js, ref)
		} else {
			cands = append(cands, cand{ref, "sourceMappingURL comment in " + scriptPath})
		}
	}
	beside := *js.URL
	beside.RawQuery, beside.Fragment = "", ""
	beside.Path += ".map"
	beside.RawPath = ""
	cands = append(cands, cand{beside.String(), "next to " + scriptPath + " (no comment needed: anyone can guess the name)"})
	for i, cd := range cands {
		ref, err := url.Parse(cd.url)
		if err != nil {
			continue
		}
		mu := js.URL.ResolveReference(ref)
		if !c.env.Client.Scope().Allows(mu) {
			if i < len(cands)-1 {
				// A map the script names (not the guess beside it) on a
				// host the scan may not reach.
				c.skip(mu.String(), mu, "source map", cd.via)
			}
			continue
		}
		if err := c.sourceMap(ctx, f, mu.String(), cd.via); err != nil {
			return err
		}
	}
	return nil
}

// skip records a script or map named on a host outside the scope, once.
func (c *crawler) skip(raw string, u *url.URL, what, via string) {
	if c.seen["outside "+raw] || u.Scheme != "http" && u.Scheme != "https" {
		return
	}
	c.seen["outside "+raw] = true
	own := sameSite(u.Hostname(), c.env.Sessions.Config().Origin.Hostname())
	c.fe.outside = append(c.fe.outside, skipped{url: c.env.Client.Redactor().Redact(raw), what: what, via: via, ownSite: own})
}

// sameSite reports whether two hosts share a registrable domain (eTLD+1),
// or are the same host when either has none (an IP literal, localhost).
func sameSite(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	sa, errA := publicsuffix.EffectiveTLDPlusOne(a)
	sb, errB := publicsuffix.EffectiveTLDPlusOne(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return sa == sb
}

// outsideOf lists the skipped assets of one kind: own names those on the
// portal's own site, other those elsewhere.
func (fe *frontend) outsideOf(what string) (own, other []string) {
	for _, s := range fe.outside {
		if s.what != what {
			continue
		}
		label := s.url
		if s.via != "" {
			label += " (" + s.via + ")"
		}
		if s.ownSite {
			own = append(own, label)
		} else {
			other = append(other, label)
		}
	}
	return own, other
}

// sourceMap fetches a candidate map; one that decodes is public, and the
// sources it embeds are scanned.
func (c *crawler) sourceMap(ctx context.Context, f fetcher, raw, via string) error {
	u, err := url.Parse(raw)
	if err != nil || c.seen[raw] || len(c.fe.maps) >= maxMaps || !c.env.Client.Scope().Allows(u) {
		return nil
	}
	c.seen[raw] = true
	resp, partial, err := c.get(ctx, f, raw)
	if err != nil || resp == nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || isHTML(resp) {
		return nil
	}
	pm, ok := c.mapContents(ctx, &asset{label: pathOf(resp.URL), what: "source map", as: f.name, resp: resp.WithoutBodies(), partial: partial}, resp.Body)
	if !ok {
		return nil
	}
	pm.via = via
	c.fe.maps = append(c.fe.maps, pm)
	return nil
}

// inlineMap decodes a data: URL source map inside a script.
func (c *crawler) inlineMap(ctx context.Context, f fetcher, js *client.Response, ref string) {
	data, ok := decodeDataURL(ref)
	if !ok {
		return
	}
	a := &asset{label: pathOf(js.URL) + " (inline source map)", what: "inline source map", as: f.name, resp: js}
	if pm, ok := c.mapContents(ctx, a, data); ok {
		pm.via, pm.inline = "data: URL inside "+pathOf(js.URL), true
		c.fe.maps = append(c.fe.maps, pm)
	}
}

// mapContents reads a source map and scans each embedded source on its
// own; ok is false when the body is no source map.
func (c *crawler) mapContents(ctx context.Context, a *asset, data []byte) (publicMap, bool) {
	srcs, names, err := engine.DescribeSourceMap(data)
	if err != nil {
		return publicMap{}, false
	}
	c.fe.assets = append(c.fe.assets, a)
	pm := publicMap{path: a.label, resp: a.resp, sources: names, embedded: len(srcs)}
	fs, err := c.sc.SourceMap(ctx, a.label, data)
	if err == nil {
		for _, f := range fs {
			c.fe.hits = append(c.fe.hits, hit{f, a})
		}
	}
	return pm, true
}

// decodeDataURL decodes a data: URL's payload (base64 or percent-encoded).
func decodeDataURL(ref string) ([]byte, bool) {
	meta, payload, ok := strings.Cut(strings.TrimPrefix(ref, "data:"), ",")
	if !ok {
		return nil, false
	}
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		b, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
		}
		return b, err == nil
	}
	s, err := url.PathUnescape(payload)
	return []byte(s), err == nil
}

// runtimeConfig fetches the usual runtime configuration endpoints.
func (c *crawler) runtimeConfig(ctx context.Context, f fetcher) error {
	soft, err := notFoundBaseline(ctx, c.env)
	if err != nil {
		return err
	}
	for _, p := range runtimeConfigs {
		resp, partial, err := c.get(ctx, f, journey.URL(c.env, p))
		if err != nil {
			return err
		}
		if resp == nil || resp.StatusCode != http.StatusOK || isHTML(resp) || soft.matches(resp) {
			continue
		}
		c.scanText(ctx, &asset{label: pathOf(resp.URL), what: "runtime config", as: f.name, resp: resp.WithoutBodies(), partial: partial}, string(resp.Body), 1)
	}
	return nil
}

// get fetches a URL as f, following redirects in scope. A body over the
// cap is kept in part (partial); a failed request is no error of the
// crawl (nil response), unless the scan itself was cancelled.
func (c *crawler) get(ctx context.Context, f fetcher, raw string) (*client.Response, bool, error) {
	c.fe.requests++
	resp, err := f.sess.Do(ctx, &client.Request{URL: raw, Follow: true})
	var tooLarge *client.TooLargeError
	switch {
	case err == nil:
		return resp, false, nil
	case ctx.Err() != nil:
		return nil, false, ctx.Err()
	case errors.As(err, &tooLarge) && resp != nil:
		return resp, true, nil
	}
	c.note(c.env.Client.Redactor().Redact(err.Error()))
	return nil, false, nil
}

// scanText scans one body and keeps the asset and its findings, and what
// the text shows of the platforms the browser talks to, not the text.
func (c *crawler) scanText(ctx context.Context, a *asset, text string, line int) {
	c.fe.assets = append(c.fe.assets, a)
	c.fe.platforms.Add(platform.Source{Label: a.label, Body: text})
	c.fe.texts++
	for _, f := range c.sc.TextAt(ctx, a.label, text, line) {
		c.fe.hits = append(c.fe.hits, hit{f, a})
	}
}

// sameOrigin reports whether u is on the target's origin.
func (c *crawler) sameOrigin(u *url.URL) bool {
	o := c.env.Sessions.Config().Origin
	return u != nil && strings.EqualFold(u.Scheme, o.Scheme) && strings.EqualFold(u.Host, o.Host)
}

// isAction reports whether a link must not be followed: it names an action
// (logout, delete, unsubscribe…) or is the configured logout.
func (c *crawler) isAction(u *url.URL, text string) bool {
	if authz.IsAction(u.Path+" "+u.RawQuery) || (text != "" && authz.IsAction(text)) {
		return true
	}
	lo := c.env.Config.Auth.Logout
	return lo != nil && lo.Path != "" && u.Path == lo.Path
}

// isHTML reports whether a response is an HTML document, by its type or,
// without one, by its first bytes.
func isHTML(resp *client.Response) bool {
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		return mt == "text/html" || mt == "application/xhtml+xml"
	}
	return strings.Contains(http.DetectContentType(resp.Body), "text/html")
}

// pathOf is a URL's path and query, as findings name a fetched file.
func pathOf(u *url.URL) string {
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// noFrontend is the result for a crawl that read no HTML page (an API
// that answers JSON, pages the crawl did not start from): SKIP, naming
// target.pages, where the portal's HTML pages are listed. A crawl that
// could not read what it asked for (errors noted) is ERROR.
func (fe *frontend) noFrontend(what string) check.Result {
	const enable = "list the portal's HTML pages under target.pages, e.g. target.pages: [/, /login.html]"
	if len(fe.failed) > 0 {
		fe.notes = append(fe.notes, "server errors at "+strings.Join(firstN(fe.failed, 4), ", "))
	}
	if len(fe.notes) == 0 {
		if len(fe.nonHTML) > 0 {
			return check.Skipped(fmt.Sprintf("the crawl found no HTML page (%s answered with other content), so %s",
				strings.Join(firstN(fe.nonHTML, 4), ", "), what), enable)
		}
		return check.Skipped("the crawl found no HTML page at the pages it started from, so "+what, enable)
	}
	return check.Errorf("no HTML page of the portal could be read, so %s%s", what, noteText(fe.notes))
}
