package secrets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	engine "github.com/launchready/launchready/internal/secrets"
)

// Frontend is SEC-003: no secret in what the live portal sends browsers.
type Frontend struct{}

var _ check.Check = Frontend{}

// Meta returns the static description.
func (Frontend) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-003", Area: check.AreaSecrets, Severity: check.Blocker,
		Impact: check.ImpactSecrets,
		Title:  "No secrets in the live frontend (pages, scripts, payloads, source maps)",
		Pass: "No secret (the same rules and classification as SEC-001: publishable browser keys are not findings) in what " +
			"the live portal sends a browser: the home, login, signup and reset pages and the same-origin pages they link to " +
			"(as a visitor), the protected pages and their links (as member a), every same-scope script they load or preload, " +
			"the modules those import, inline scripts and framework payloads (__NEXT_DATA__, __NUXT__), runtime config " +
			"endpoints (/env.js, /api/config…) and the sources embedded in public source maps. Bounded: 30 pages, 80 scripts, " +
			"80 maps; a body over target.max_body_bytes is scanned in part and the result is at most WARN.",
		Why: "Everything in the bundle is public: a server key that reached it (a NEXT_PUBLIC_ or VITE_ prefix on the wrong " +
			"variable, a config object imported by client code) is readable by every visitor in DevTools, and bots harvest " +
			"live sites for exactly these patterns.",
		Breaks: "Whoever reads the key acts as the portal: charges and refunds through the payment account, every member's " +
			"row read or rewritten with a service-role key, mail sent in the portal's name.",
		Fix:  fixSecret,
		Refs: []string{"ASVS v5.0.0-13.3.1", "ASVS v5.0.0-14.2.3", "API8:2023", "CWE-798", "CWE-200"},
	}
}

// Run judges the secrets the shared crawl found.
func (Frontend) Run(ctx context.Context, env *check.Env) check.Result {
	_, ws, errRes := prepare(ctx, env)
	if errRes != nil {
		return *errRes
	}
	fe, err := crawl(ctx, env)
	if err != nil {
		return check.Errorf("crawling the frontend: %v", err)
	}
	if fe.pages == 0 {
		return fe.noFrontend("nothing it sends browsers was scanned")
	}
	es, info := liveEntries(env, fe.hits)
	j := judge("SEC-003", es, ws, time.Now())
	notes := publishedNote(info)
	partial := partialAssets(fe)
	if len(partial) > 0 {
		notes = append(notes, "only the first bytes of "+strings.Join(partial, ", ")+" were scanned (target.max_body_bytes)")
	}
	notes = append(notes, fe.notes...)
	own, other := fe.outsideOf("script")
	if len(other) > 0 {
		notes = append(notes, "third-party scripts not scanned (hosts outside target.scope, not the portal's site): "+strings.Join(other, ", "))
	}
	r := j.result("secret", "in "+fe.scope(), notes...)
	if r.Status == check.Pass && len(own) > 0 {
		// The portal's own code served from a host the scan may not
		// reach: what was read proves nothing about it.
		return check.Skipped(fmt.Sprintf("%s; but the portal's pages load %s from its own site outside target.scope, never fetched: %s",
			r.Summary, count(len(own), "script"), strings.Join(own, ", ")), "add those hosts to target.scope")
	}
	if r.Status == check.Pass && (len(partial) > 0 || len(fe.notes) > 0) {
		// Not all of it was read: not verified, so never a clean pass.
		r.Status = check.Warn
	}
	return r
}

// scope says what the crawl read.
func (fe *frontend) scope() string {
	n := map[string]int{}
	for _, a := range fe.assets {
		switch {
		case a.what == "script":
			n["script"]++
		case a.what == "source map" || a.what == "inline source map":
			n["source map"]++
		case a.what == "runtime config":
			n["runtime config"]++
		case a.what != "page":
			n["inline script or payload"]++
		}
	}
	parts := []string{count(fe.pages, "page")}
	for _, k := range []string{"script", "inline script or payload", "source map", "runtime config"} {
		if n[k] > 0 {
			parts = append(parts, count(n[k], k))
		}
	}
	return fmt.Sprintf("%s (%d requests)", strings.Join(parts, ", "), fe.requests)
}

// liveEntries turns the secrets among hits into entries, one per value:
// a key in the bundle and again in its source map is one key, found
// first where the browser gets it.
func liveEntries(env *check.Env, hits []hit) ([]entry, []string) {
	var secret []hit
	var info []string
	for _, h := range hits {
		switch h.f.Class {
		case engine.Secret:
			secret = append(secret, h)
		case engine.Publishable:
			info = append(info, h.f.Kind)
		}
	}
	at := func(i int) engine.Finding { return secret[i].f }
	var es []entry
	for _, g := range engine.GroupByValue(len(secret), at) {
		es = append(es, valueEntry(g, at, func(i int, ev check.Evidence) check.Evidence {
			h := secret[i]
			ev.Detail = fmt.Sprintf("in %s fetched as %s\n%s", h.a.what, h.a.as, ev.Detail)
			ev.Repro = liveRepro(env, h)
			if h.a.resp != nil {
				ev.Request = env.Client.Redactor().Redact("GET " + h.a.resp.URL.String())
				ev.Status = h.a.resp.StatusCode
			}
			return ev
		}))
	}
	return es, dedupe(info)
}

// liveRepro is the curl command that shows the finding's line.
func liveRepro(env *check.Env, h hit) string {
	if h.a.resp == nil {
		return ""
	}
	curl := strings.Replace(env.Client.Repro(h.a.resp), "curl -sS -i ", "curl -sS ", 1)
	if _, src, ok := strings.Cut(h.f.File, "!"); ok {
		return fmt.Sprintf("%s | jq -r --arg s %s '.sourcesContent[.sources|index($s)]' | sed -n %dp", curl, shellQuote(src), max(h.f.Line, 1))
	}
	return fmt.Sprintf("%s | sed -n %dp", curl, max(h.f.Line, 1))
}

// partialAssets names the bodies read only in part.
func partialAssets(fe *frontend) []string {
	var out []string
	seen := map[*client.Response]bool{}
	for _, a := range fe.assets {
		if a.partial && !seen[a.resp] {
			seen[a.resp] = true
			out = append(out, a.resp.URL.Path)
		}
	}
	return out
}

// noteText appends notes to a message.
func noteText(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return ": " + strings.Join(notes, "; ")
}

// dedupe keeps the first of each string.
func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// SourceMaps is SEC-004: no public source maps.
type SourceMaps struct{}

var _ check.Check = SourceMaps{}

// Meta returns the static description.
func (SourceMaps) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-004", Area: check.AreaSecrets, Severity: check.Major,
		Impact: check.ImpactSecrets,
		Title:  "No public source maps",
		Pass: "No source map of the portal's scripts can be downloaded: for every script SEC-003's crawl fetched, the map " +
			"named by its sourceMappingURL comment or SourceMap header and the .map file next to it (tools often upload it " +
			"without the comment) answer anything but a source map. A map that carries the original sources (sourcesContent) " +
			"FAILs; one that only names the files is a WARN; a map inlined as a data: URL counts too. The secrets inside are " +
			"SEC-003's.",
		Why: "A public source map hands out the portal's original source: comments, internal endpoints, feature flags, admin " +
			"routes, and any key that was in the code, in readable form. It turns a black-box portal into an open-source one " +
			"for attackers.",
		Breaks: "Attackers read the unminified code for hidden admin routes and weak checks; a key in any source file is theirs.",
		Fix: "Do not deploy maps, or upload them only to the error tracker and keep them off the web server:\n" +
			"  Vite: build.sourcemap: false (or 'hidden' plus deleting *.map before deploy)\n" +
			"  Next.js: productionBrowserSourceMaps: false (the default)\n" +
			"  webpack: devtool: false or 'hidden-source-map', then upload to Sentry and delete the .map files\n" +
			"  Or refuse *.map at the edge: nginx `location ~* \\.map$ { return 404; }`.",
		Refs: []string{"ASVS v5.0.0-13.4.1", "API8:2023", "CWE-540", "CWE-615"},
	}
}

// Run judges the public maps the shared crawl found.
func (SourceMaps) Run(ctx context.Context, env *check.Env) check.Result {
	fe, err := crawl(ctx, env)
	if err != nil {
		return check.Errorf("crawling the frontend: %v", err)
	}
	if fe.pages == 0 {
		return fe.noFrontend("no script or map was looked for")
	}
	scripts := 0
	for _, a := range fe.assets {
		if a.what == "script" {
			scripts++
		}
	}
	var fails, warns []check.Evidence
	var named []string
	for _, m := range fe.maps {
		detail := fmt.Sprintf("%s is a public source map (found %s): it names %d original files and carries the source text of %d",
			m.path, m.via, m.sources, m.embedded)
		ev := check.HTTPEvidence(env, m.resp, detail)
		if m.inline {
			ev.Repro = strings.Replace(ev.Repro, "curl -sS -i ", "curl -sS ", 1) + " | tail -c 400"
		} else {
			ev.Repro = strings.Replace(ev.Repro, "curl -sS -i ", "curl -sS ", 1) + " | jq -r '.sources[]'"
		}
		named = append(named, m.path)
		if m.embedded > 0 {
			fails = append(fails, ev)
		} else {
			warns = append(warns, ev)
		}
	}
	where := fmt.Sprintf("for %s (comment, SourceMap header and the .map beside each)", count(scripts, "script"))
	switch {
	case len(fails) > 0:
		return check.Failf(append(fails, warns...), "%s with the original source: %s", count(len(fails), "public source map"), strings.Join(named, ", "))
	case len(warns) > 0:
		return check.Warnf(warns, "%s naming the original files (no source text): %s", count(len(warns), "public source map"), strings.Join(named, ", "))
	}
	if own, other := fe.outsideOf("source map"); len(own)+len(other) > 0 {
		// The scripts name maps the scan may not fetch: whether those are
		// public is unknown, so this is no pass.
		return check.Skipped(fmt.Sprintf("no public source map %s, but the scripts name %s on hosts outside target.scope, never fetched: %s",
			where, count(len(own)+len(other), "source map"), strings.Join(append(own, other...), ", ")), "add those hosts (or URL prefixes) to target.scope")
	}
	switch {
	case len(fe.notes) > 0:
		return check.Warnf(nil, "no public source map %s, but the crawl was incomplete: %s", where, strings.Join(fe.notes, "; "))
	}
	return check.Passf("no public source map %s", where)
}

// Keys is SEC-008: the keys the browser gets, classified by meaning, are
// publishable ones in live mode.
type Keys struct{}

var _ check.Check = Keys{}

// Meta returns the static description.
func (Keys) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-008", Area: check.AreaSecrets, Severity: check.Major,
		Impact: check.ImpactSecrets,
		Title:  "Browser keys are publishable ones, in live mode",
		Pass: "Every third-party key SEC-003's crawl found in the live frontend is classified by meaning, not by pattern: a " +
			"Stripe pk_ key, a Supabase anon key (its JWT role claim) or sb_publishable_ key, a Firebase web config are " +
			"publishable and listed with the control that must back them; none is a test-mode key (pk_test_, sk_test_) on " +
			"the launched portal. Secret keys in the browser are SEC-003's blockers and are only counted here.",
		Why: "Publishable keys are meant to be public, but only behind the provider's own controls (Supabase row-level " +
			"security, Firebase security rules); a test-mode key in production means checkout takes no real payment, and a " +
			"mix of test and live keys means some flows run against the wrong account.",
		Breaks: "Members pay and nothing is charged (test mode), or a publishable key without its control exposes every row.",
		Fix: "Build the production bundle with the live publishable keys only (Vercel/Netlify production environment " +
			"variables, not the preview ones), and check the control each key relies on: Supabase RLS on every table " +
			"(`alter table … enable row level security` plus policies), Firebase rules that are not `allow read, write: if true`.",
		Refs: []string{"ASVS v5.0.0-13.3.1", "API8:2023", "CWE-1188"},
	}
}

// controls names what must back each publishable key.
var controls = map[string]string{
	"Stripe":   "grants nothing on its own",
	"Supabase": "safe only with row-level security on every table the key can reach",
	"Firebase": "safe only with security rules that check request.auth",
}

// Run lists the keys the crawl found by meaning.
func (Keys) Run(ctx context.Context, env *check.Env) check.Result {
	fe, err := crawl(ctx, env)
	if err != nil {
		return check.Errorf("crawling the frontend: %v", err)
	}
	if fe.pages == 0 {
		return fe.noFrontend("no key was looked for")
	}
	var listed, testMode []string
	var ev []check.Evidence
	secrets := 0
	at := func(i int) engine.Finding { return fe.hits[i].f }
	for _, g := range engine.GroupByValue(len(fe.hits), at) {
		h := fe.hits[g[0]]
		f := h.f
		switch {
		case f.Class == engine.Secret:
			secrets++
			if strings.Contains(f.Kind, "test-mode") {
				testMode = append(testMode, f.Kind+" in "+f.File)
			}
			continue
		case f.Class != engine.Publishable:
			continue
		}
		vendor, _, _ := strings.Cut(f.Kind, " ")
		line := fmt.Sprintf("%s %s in %s line %d", f.Kind, f.Redacted, f.File, f.Line)
		if c := controls[vendor]; c != "" {
			line += ": " + c
		}
		listed = append(listed, line)
		e := check.Evidence{Detail: line, Location: &check.Location{File: f.File, Line: f.Line}, Repro: liveRepro(env, h)}
		if h.a.resp != nil {
			e.Request = env.Client.Redactor().Redact("GET " + h.a.resp.URL.String())
			e.Status = h.a.resp.StatusCode
		}
		if strings.Contains(f.Kind, "test-mode") {
			testMode = append(testMode, f.Kind+" in "+f.File)
			e.Detail += "; but it is a TEST-MODE key on the live portal: payments made through it are never charged"
			ev = append([]check.Evidence{e}, ev...) // what fails first
			continue
		}
		ev = append(ev, e)
	}
	tail := ""
	if secrets > 0 {
		tail = fmt.Sprintf("; %s in the browser too (SEC-003)", count(secrets, "secret key"))
	}
	if len(testMode) > 0 {
		return check.Failf(ev, "the live frontend ships %s: %s%s", count(len(testMode), "test-mode key"), strings.Join(testMode, ", "), tail)
	}
	r := check.Result{Status: check.Pass, Evidence: ev,
		Summary: fmt.Sprintf("%s in the live frontend, all publishable and in live mode: %s%s", count(len(listed), "browser key"), strings.Join(listed, "; "), tail)}
	if len(listed) == 0 {
		r.Summary = fmt.Sprintf("no publishable third-party key in the live frontend (%s)%s", fe.scope(), tail)
	}
	if own, _ := fe.outsideOf("script"); len(own) > 0 || len(partialAssets(fe)) > 0 || len(fe.notes) > 0 {
		// Part of the frontend was not read: a test-mode key could be
		// there, so this is no pass (as for SEC-003).
		r.Status = check.Warn
		r.Summary += "; but the crawl was incomplete: " + strings.Join(append(fe.notes, incompleteParts(fe)...), "; ")
	}
	return r
}

// incompleteParts says what of the frontend was read only in part or not
// at all, beside the crawl's notes.
func incompleteParts(fe *frontend) []string {
	var out []string
	if partial := partialAssets(fe); len(partial) > 0 {
		out = append(out, "only the first bytes of "+strings.Join(partial, ", ")+" were read (target.max_body_bytes)")
	}
	if own, _ := fe.outsideOf("script"); len(own) > 0 {
		out = append(out, "the portal's own scripts outside target.scope were not read: "+strings.Join(own, ", "))
	}
	return out
}
