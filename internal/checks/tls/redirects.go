// Package tls holds the SSL and redirects checks (TLS-*).
package tls

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// variantURLs lists the ways visitors reach the portal: target.url, the
// configured variants, and the http:// twin of every https:// one on the
// default port (on a custom port the twin's port cannot be guessed).
func variantURLs(env *check.Env) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return
		}
		key := origin(u) + u.EscapedPath()
		if !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	all := append([]string{env.Config.Target.URL}, env.Config.Target.Variants...)
	for _, v := range all {
		add(v)
	}
	for _, v := range all {
		if u, err := url.Parse(v); err == nil && u.Scheme == "https" && u.Port() == "" {
			add("http://" + u.Host + u.EscapedPath())
		}
	}
	return out
}

// origin is scheme://host:port with the default port made explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.ToLower(u.Scheme + "://" + u.Hostname() + ":" + port)
}

// hopList renders a chain as "status URL -> Location" lines.
func hopList(hops []client.Hop) string {
	var b strings.Builder
	for i, h := range hops {
		fmt.Fprintf(&b, "%d. %s %s -> %d", i+1, h.Method, h.URL, h.Status)
		if h.Location != "" {
			fmt.Fprintf(&b, " Location: %s", h.Location)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// fetch follows a variant's redirects, keeping the chain even when it loops.
func fetch(ctx context.Context, env *check.Env, v string) (*client.Response, string, error) {
	resp, err := env.Client.Do(ctx, &client.Request{URL: v, Follow: true})
	var re *client.RedirectError
	if errors.As(err, &re) && resp != nil {
		return resp, re.Reason, nil
	}
	return resp, "", err
}

// HTTPSRedirect is TLS-003: every http:// variant redirects to https://.
type HTTPSRedirect struct{}

var _ check.Check = HTTPSRedirect{}

// Meta returns the static description.
func (HTTPSRedirect) Meta() check.Meta {
	return check.Meta{
		ID: "TLS-003", Area: check.AreaTLS, Severity: check.Blocker,
		Impact: check.ImpactTransport,
		Title:  "Plain HTTP redirects to HTTPS",
		Pass: "Every http:// variant of the portal (target.url, target.variants, and the http:// twin of each https:// one on the default port) " +
			"answers its first request with a redirect to an https:// URL, and never serves a page over plain HTTP.",
		Why: "People type the bare domain and old links use http://. A page served over plain HTTP can be read and altered by anyone on the " +
			"network path, and its forms send passwords in clear text.",
		Breaks: "Members on shared Wi-Fi can have their login intercepted or the page rewritten (a fake login form, injected scripts).",
		Fix: "Redirect every plain-HTTP request with 301 to the canonical https:// origin, in one hop, at the edge:\n" +
			"  nginx: server { listen 80; server_name example.com www.example.com; return 301 https://example.com$request_uri; }\n" +
			"  Caddy: automatic for every site block with a domain name\n" +
			"  Vercel/Netlify: automatic; make sure no custom rewrite serves http://\n" +
			"Then add HSTS so browsers stop trying http:// at all.",
		Refs: []string{"ASVS v5.0.0-12.2.1", "ASVS v5.0.0-4.1.2", "API8:2023", "CWE-319", "CWE-523"},
	}
}

// Run requests each http:// variant and judges its first answer.
func (HTTPSRedirect) Run(ctx context.Context, env *check.Env) check.Result {
	var fails, warns []check.Evidence
	var failed, errs []string
	tested := 0
	for _, v := range variantURLs(env) {
		if !strings.HasPrefix(v, "http://") {
			continue
		}
		tested++
		resp, loop, err := fetch(ctx, env, v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", v, err))
			continue
		}
		verdict, detail := judgeUpgrade(resp, loop)
		switch verdict {
		case check.Fail:
			failed = append(failed, v)
			fails = append(fails, check.HTTPEvidence(env, resp, detail+"\n"+hopList(resp.Hops)))
		case check.Warn:
			warns = append(warns, check.HTTPEvidence(env, resp, detail+"\n"+hopList(resp.Hops)))
		}
	}
	for _, e := range errs {
		fails = append(fails, check.Evidence{Detail: "could not evaluate " + env.Client.Redactor().Redact(e)})
	}
	switch {
	case len(failed) > 0:
		return check.Failf(append(fails, warns...), "%d http:// %s served over plain HTTP: %s", len(failed), plural(len(failed), "variant is", "variants are"), strings.Join(failed, ", "))
	case len(errs) > 0:
		return check.Errorf("could not evaluate %s", strings.Join(errs, "; "))
	case tested == 0:
		return check.Skipped("no http:// variant to test: target.url and target.variants are https:// on custom ports",
			"list the http:// variants (e.g. http://example.com) in target.variants")
	case len(warns) > 0:
		return check.Warnf(warns, "every http:// variant ends on HTTPS, but %d only after a plain-HTTP hop", len(warns))
	}
	return check.Passf("all %d http:// variants redirect straight to https://", tested)
}

// judgeUpgrade reads an http:// chain: the first hop must point at https://.
func judgeUpgrade(resp *client.Response, loop string) (check.Status, string) {
	first := resp.Hops[0]
	if first.Location == "" {
		return check.Fail, fmt.Sprintf("The first answer is status %d with no redirect: the page is served over plain HTTP.", first.Status)
	}
	if strings.HasPrefix(first.Location, "https://") {
		return check.Pass, ""
	}
	if loop != "" {
		return check.Fail, "The redirect chain never reaches HTTPS: " + loop + "."
	}
	if resp.OutOfScope != "" {
		if strings.HasPrefix(resp.OutOfScope, "https://") {
			return check.Warn, "Reaches HTTPS only after a plain-HTTP hop (the HTTPS target is outside target.scope and was not followed)."
		}
		return check.Fail, fmt.Sprintf("Redirects to the plain-HTTP URL %s (outside target.scope, not followed).", resp.OutOfScope)
	}
	if resp.URL.Scheme != "https" {
		return check.Fail, fmt.Sprintf("The chain ends on plain HTTP (status %d at %s).", resp.StatusCode, resp.URL)
	}
	return check.Warn, "Reaches HTTPS only after a plain-HTTP redirect to another URL: the first hop should go straight to https://."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
