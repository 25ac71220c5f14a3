package observatory

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// broadSources allow nearly any origin; broadOrInline adds the sources that
// allow inline code (csp.js DANGEROUSLY_BROAD and UNSAFE_INLINE).
var (
	broadSources  = []string{"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
	broadOrInline = append(slices.Clone(broadSources), "'unsafe-inline'", "data:")
)

// nonceHashPrefixes start a nonce or hash source.
var nonceHashPrefixes = []string{"'sha256-", "'sha384-", "'sha512-", "'nonce-"}

// evalCSP runs the content-security-policy test. It also returns the
// enforced policy, nil when there is none or it cannot be parsed, for the
// X-Frame-Options test.
func evalCSP(h, equiv http.Header) (Test, *policy) {
	raw := headerValues(h, "Content-Security-Policy")
	meta := headerValues(equiv, "Content-Security-Policy")
	header := strings.Join(raw, ", ")
	pols, err := parsePolicies(raw, meta)
	if err != nil {
		return newTest(TestCSP, CSPHeaderInvalid, "cannot be parsed: "+err.Error(), header), nil
	}
	if !slices.ContainsFunc(pols, func(p policy) bool { return len(p.dirs) > 0 }) {
		return notEnforced(h, len(raw)+len(meta) > 0, header), nil
	}
	p := merge(pols)
	result, why := classify(p)
	if outcomes[result].pass && len(p.dupes) > 0 {
		result = CSPDuplicateDirectives
		why += ", but " + strings.Join(p.dupes, " and ") + " is repeated, which forfeits the bonus"
	}
	if len(meta) > 0 {
		why += fmt.Sprintf(" (with %d <meta http-equiv> value(s))", len(meta))
	}
	return newTest(TestCSP, result, why, header), &p
}

// notEnforced explains a missing policy. A report-only policy blocks
// nothing, so it does not count as one.
func notEnforced(h http.Header, sent bool, header string) Test {
	if ro := strings.Join(headerValues(h, "Content-Security-Policy-Report-Only"), ", "); ro != "" {
		return newTest(TestCSP, CSPReportingOnly,
			"only Content-Security-Policy-Report-Only is sent, which reports violations but blocks nothing", header)
	}
	if sent {
		return newTest(TestCSP, CSPNotImplemented, "the policy has no directive a browser enforces", header)
	}
	return newTest(TestCSP, CSPNotImplemented, "no Content-Security-Policy header", header)
}

// sources is the source list governing one kind of resource and the
// directive it came from: its own, "default-src", or "" when neither is set
// and anything is allowed.
type sources struct {
	from string
	list []string
}

func (p policy) fetch(name string) sources {
	if l, ok := p.dirs[name]; ok {
		return sources{name, slices.Clone(l)}
	}
	if l, ok := p.dirs["default-src"]; ok {
		return sources{"default-src", slices.Clone(l)}
	}
	return sources{"", []string{"*"}}
}

// label names the directive behind s for a Detail line.
func (s sources) label(kind string) string {
	if s.from == "default-src" {
		return "default-src (the fallback for " + kind + ")"
	}
	return s.from
}

// classify picks the policy's result: the first problem found, in the
// Observatory's order, else one of the passing results.
func classify(p policy) (result, why string) {
	script, style, object := p.fetch("script-src"), p.fetch("style-src"), p.fetch("object-src")
	script.list, style.list = ignoreInline(script.list), ignoreInline(style.list)
	if slices.Contains(script.list, "'strict-dynamic'") {
		if !hasNonceOrHash(script.list) {
			return CSPHeaderInvalid, script.label("scripts") + " has 'strict-dynamic' without a nonce or hash"
		}
		script.list = strictDynamic(script.list)
	}
	if why, bad := unsafeScripts(script, object); bad {
		return CSPUnsafeInline, why
	}
	if why, bad := insecureActive(p, script); bad {
		return CSPInsecureScheme, why
	}
	if why, bad := unsafeEval(script, style); bad {
		return CSPUnsafeEval, why
	}
	if why, bad := insecurePassive(p); bad {
		return CSPInsecurePassiveOnly, why
	}
	if why, bad := unsafeStyles(style); bad {
		return CSPUnsafeInlineStyleOnly, why
	}
	if d := p.dirs["default-src"]; len(d) == 1 && d[0] == "'none'" {
		return CSPNoUnsafeDefaultNone, "default-src 'none' and no unsafe source"
	}
	return CSPNoUnsafe, "no unsafe source, though default-src is not 'none'"
}

// ignoreInline drops 'unsafe-inline' from a list with a nonce or hash, as
// browsers do.
func ignoreInline(list []string) []string {
	if !hasNonceOrHash(list) {
		return list
	}
	return slices.DeleteFunc(list, func(s string) bool { return s == "'unsafe-inline'" })
}

func hasNonceOrHash(list []string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return hasAnyPrefix(s, nonceHashPrefixes...) })
}

// strictDynamic drops what 'strict-dynamic' with a nonce or hash makes
// browsers ignore, as far as the Observatory does: scheme and URL sources
// starting like a broad one, 'self' and 'unsafe-inline'. (It keeps data:,
// so data: still counts as unsafe, as in the Observatory.)
func strictDynamic(list []string) []string {
	return slices.DeleteFunc(list, func(s string) bool {
		return s == "'self'" || s == "'unsafe-inline'" || hasAnyPrefix(s, broadSources...)
	})
}

func unsafeScripts(script, object sources) (string, bool) {
	if script.from == "" {
		return "no script-src or default-src, so scripts may load from anywhere", true
	}
	if s := firstIn(script.list, broadOrInline); s != "" {
		return script.label("scripts") + " allows " + show(s), true
	}
	if object.from == "" {
		return "no object-src or default-src, so plugins may load from anywhere", true
	}
	if s := firstIn(object.list, broadSources); s != "" {
		return object.label("plugins") + " allows " + show(s), true
	}
	return "", false
}

// insecureActive looks for http: or ftp: sources in every directive but
// img-src and media-src (report-uri included, as in the Observatory).
func insecureActive(p policy, script sources) (string, bool) {
	if s := firstInsecure(script.list); s != "" {
		return script.label("scripts") + " allows " + show(s) + " over an insecure scheme", true
	}
	names := make([]string, 0, len(p.dirs))
	for name := range p.dirs {
		if name != "script-src" && name != "img-src" && name != "media-src" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if s := firstInsecure(p.dirs[name]); s != "" {
			return show(name) + " allows " + show(s) + " over an insecure scheme", true
		}
	}
	return "", false
}

func unsafeEval(script, style sources) (string, bool) {
	for _, s := range []struct {
		src  sources
		kind string
	}{{script, "scripts"}, {style, "styles"}} {
		if s.src.from != "" && slices.Contains(s.src.list, "'unsafe-eval'") {
			return s.src.label(s.kind) + " allows 'unsafe-eval'", true
		}
	}
	return "", false
}

func insecurePassive(p policy) (string, bool) {
	for _, d := range [][2]string{{"img-src", "images"}, {"media-src", "media"}} {
		src := p.fetch(d[0])
		if s := firstInsecure(src.list); src.from != "" && s != "" {
			return src.label(d[1]) + " allows " + show(s) + " over an insecure scheme (images and media only)", true
		}
	}
	return "", false
}

func unsafeStyles(style sources) (string, bool) {
	if style.from == "" {
		return "scripts are locked down, but with no style-src or default-src styles may load from anywhere", true
	}
	if s := firstIn(style.list, broadOrInline); s != "" {
		return "scripts are locked down, but " + style.label("styles") + " allows " + show(s), true
	}
	return "", false
}

// firstIn returns the first source of list found in set, or "".
func firstIn(list, set []string) string {
	for _, s := range list {
		if slices.Contains(set, s) {
			return s
		}
	}
	return ""
}

// firstInsecure returns the first http: or ftp: source of list, or "".
func firstInsecure(list []string) string {
	for _, s := range list {
		if hasAnyPrefix(s, "http:", "ftp:") {
			return s
		}
	}
	return ""
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// ScriptsGuarded reports whether the response headers carry an enforced
// Content-Security-Policy that stops injected scripts (the Observatory's
// passing CSP results: no unsafe-inline, no broad or insecure script
// source), and why, in one line. It is the compensating control for a
// session a page script can read.
func ScriptsGuarded(h http.Header) (bool, string) {
	t, _ := evalCSP(h, nil)
	switch t.Result {
	case CSPNoUnsafeDefaultNone, CSPNoUnsafe, CSPUnsafeInlineStyleOnly, CSPInsecurePassiveOnly, CSPDuplicateDirectives:
		return true, t.Detail
	}
	return false, t.Detail
}
