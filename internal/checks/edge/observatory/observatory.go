package observatory

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Test names, as the Observatory reports them.
const (
	TestCSP      = "content-security-policy"
	TestXCTO     = "x-content-type-options"
	TestXFO      = "x-frame-options"
	TestReferrer = "referrer-policy"
)

// Content-Security-Policy results.
const (
	// CSPNoUnsafeDefaultNone: default-src 'none' and nothing unsafe.
	CSPNoUnsafeDefaultNone = "csp-implemented-with-no-unsafe-default-src-none"
	// CSPNoUnsafe: nothing unsafe, but default-src is not 'none'.
	CSPNoUnsafe = "csp-implemented-with-no-unsafe"
	// CSPUnsafeInlineStyleOnly: only style-src is unsafe or overly broad.
	CSPUnsafeInlineStyleOnly = "csp-implemented-with-unsafe-inline-in-style-src-only"
	// CSPInsecurePassiveOnly: only images or media may load over HTTP.
	CSPInsecurePassiveOnly = "csp-implemented-with-insecure-scheme-in-passive-content-only"
	// CSPUnsafeEval: script-src or style-src allows 'unsafe-eval'.
	CSPUnsafeEval = "csp-implemented-with-unsafe-eval"
	// CSPUnsafeInline: scripts or plugins are unrestricted, inline or too broad.
	CSPUnsafeInline = "csp-implemented-with-unsafe-inline"
	// CSPInsecureScheme: active content may load over HTTP.
	CSPInsecureScheme = "csp-implemented-with-insecure-scheme"
	// CSPDuplicateDirectives: a passing policy repeats report-uri or report-to.
	CSPDuplicateDirectives = "csp-implemented-but-duplicate-directives"
	// CSPHeaderInvalid: the policy cannot be parsed.
	CSPHeaderInvalid = "csp-header-invalid"
	// CSPNotImplemented: no enforced policy.
	CSPNotImplemented = "csp-not-implemented"
	// CSPReportingOnly: only Content-Security-Policy-Report-Only is sent.
	CSPReportingOnly = "csp-not-implemented-but-reporting-enabled"
)

// X-Content-Type-Options results.
const (
	// XCTONosniff: the header is exactly nosniff.
	XCTONosniff = "x-content-type-options-nosniff"
	// XCTONotImplemented: the header is absent or empty.
	XCTONotImplemented = "x-content-type-options-not-implemented"
	// XCTOHeaderInvalid: the header is something else.
	XCTOHeaderInvalid = "x-content-type-options-header-invalid"
)

// X-Frame-Options results.
const (
	// XFOViaCSP: the enforced CSP has a frame-ancestors directive.
	XFOViaCSP = "x-frame-options-implemented-via-csp"
	// XFOSameOriginOrDeny: X-Frame-Options is DENY or SAMEORIGIN.
	XFOSameOriginOrDeny = "x-frame-options-sameorigin-or-deny"
	// XFOAllowFrom: X-Frame-Options uses ALLOW-FROM.
	XFOAllowFrom = "x-frame-options-allow-from-origin"
	// XFONotImplemented: neither header nor frame-ancestors.
	XFONotImplemented = "x-frame-options-not-implemented"
	// XFOHeaderInvalid: X-Frame-Options is something else.
	XFOHeaderInvalid = "x-frame-options-header-invalid"
)

// Referrer-Policy results.
const (
	// ReferrerPrivate: no-referrer, same-origin, strict-origin or
	// strict-origin-when-cross-origin.
	ReferrerPrivate = "referrer-policy-private"
	// ReferrerNotImplemented: no Referrer-Policy (browsers then default to
	// strict-origin-when-cross-origin).
	ReferrerNotImplemented = "referrer-policy-not-implemented"
	// ReferrerUnsafe: origin, origin-when-cross-origin, unsafe-url or
	// no-referrer-when-downgrade.
	ReferrerUnsafe = "referrer-policy-unsafe"
	// ReferrerHeaderInvalid: no recognised policy token.
	ReferrerHeaderInvalid = "referrer-policy-header-invalid"
)

// outcome is a result's score modifier and whether the Observatory counts it
// as a pass. Modifiers are SCORE_TABLE in src/grader/charts.js of
// mdn/mdn-http-observatory; pass sets are each test's own list in
// src/analyzer/tests/*.js.
type outcome struct {
	modifier int
	pass     bool
}

var outcomes = map[string]outcome{
	CSPNoUnsafeDefaultNone:   {10, true},
	CSPNoUnsafe:              {5, true},
	CSPUnsafeInlineStyleOnly: {0, true},
	CSPInsecurePassiveOnly:   {-10, true},
	CSPUnsafeEval:            {-10, false},
	CSPUnsafeInline:          {-20, false},
	CSPInsecureScheme:        {-20, false},
	CSPDuplicateDirectives:   {0, true},
	CSPHeaderInvalid:         {-25, false},
	CSPNotImplemented:        {-25, false},
	CSPReportingOnly:         {-25, false},

	XCTONosniff:        {0, true},
	XCTONotImplemented: {-5, false},
	XCTOHeaderInvalid:  {-5, false},

	XFOViaCSP:           {5, true},
	XFOSameOriginOrDeny: {0, true},
	XFOAllowFrom:        {0, true},
	XFONotImplemented:   {-20, false},
	XFOHeaderInvalid:    {-20, false},

	ReferrerPrivate:        {5, true},
	ReferrerNotImplemented: {0, true},
	ReferrerUnsafe:         {-5, false},
	ReferrerHeaderInvalid:  {-5, false},
}

// minScoreForBonus is MINIMUM_SCORE_FOR_EXTRA_CREDIT: bonuses only count
// when the score without them is at least this.
const minScoreForBonus = 90

// Modifier returns the Observatory's score modifier for a result name, and
// false for a name this package does not score.
func Modifier(result string) (int, bool) {
	o, ok := outcomes[result]
	return o.modifier, ok
}

// Test is the outcome of one Observatory test.
type Test struct {
	// Name is the Observatory's test name, e.g. "content-security-policy".
	Name string
	// Result is the Observatory's result name, e.g.
	// "csp-implemented-with-unsafe-inline".
	Result string
	// Modifier is the result's score modifier.
	Modifier int
	// Pass is whether the Observatory counts the result as passing.
	Pass bool
	// Detail is one human line: what was seen and why, ending with the
	// modifier, e.g. "script-src allows 'unsafe-inline' (-20)".
	Detail string
	// Header is the raw value of the test's header, several joined with
	// ", ", or "" if it was absent.
	Header string
}

// Score is the four tests' combined score.
type Score struct {
	// Score is the final score: Base, plus the bonuses when Base is at
	// least 90, never below 0.
	Score int
	// Base is 100 plus every negative modifier.
	Base int
	// Tests are the four tests in the order CSP, X-Content-Type-Options,
	// X-Frame-Options, Referrer-Policy.
	Tests []Test
}

// Evaluate scores the security headers of one response. It is
// EvaluateWithMeta without any <meta http-equiv> values.
func Evaluate(h http.Header) Score {
	return EvaluateWithMeta(h, nil)
}

// EvaluateWithMeta scores the security headers of one response together with
// the <meta http-equiv> values of its HTML, keyed by the http-equiv name.
// As in the Observatory, only Content-Security-Policy and Referrer-Policy are
// read from equiv; X-Frame-Options in a meta tag is ignored.
func EvaluateWithMeta(h, equiv http.Header) Score {
	csp, policy := evalCSP(h, equiv)
	return total([]Test{csp, evalXCTO(h), evalXFO(h, policy), evalReferrer(h, equiv)})
}

// total adds the modifiers up: penalties always, bonuses only at 90 or more.
func total(tests []Test) Score {
	base, bonus := 100, 0
	for _, t := range tests {
		if t.Modifier < 0 {
			base += t.Modifier
		} else {
			bonus += t.Modifier
		}
	}
	score := base
	if base >= minScoreForBonus {
		score += bonus
	}
	return Score{Score: max(score, 0), Base: base, Tests: tests}
}

// newTest builds a Test, taking modifier and pass from the result and
// appending the modifier to detail.
func newTest(name, result, detail, header string) Test {
	o := outcomes[result]
	mod := "0"
	if o.modifier != 0 {
		mod = fmt.Sprintf("%+d", o.modifier)
	}
	return Test{
		Name: name, Result: result, Modifier: o.modifier, Pass: o.pass,
		Detail: detail + " (" + mod + ")", Header: header,
	}
}

// headerValues returns every value of the named field, matching the name
// case-insensitively as the Observatory does, so that a header map built by
// hand with lower-case keys is read too. A nil map has no values.
func headerValues(h http.Header, name string) []string {
	canon := http.CanonicalHeaderKey(name)
	vals := append([]string(nil), h[canon]...)
	var other []string
	for k := range h {
		if k != canon && strings.EqualFold(k, name) {
			other = append(other, k)
		}
	}
	sort.Strings(other)
	for _, k := range other {
		vals = append(vals, h[k]...)
	}
	return vals
}

// show makes an untrusted token safe for a one-line Detail: clipped, and
// quoted with escapes if it holds anything unprintable.
func show(s string) string {
	s = clip(s)
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}

// quoted clips an untrusted value and quotes it for a one-line Detail.
func quoted(s string) string {
	return strconv.Quote(clip(s))
}

// clip keeps at most 80 runes of s.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:80]) + "…"
}
