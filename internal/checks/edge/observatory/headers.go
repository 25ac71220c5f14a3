package observatory

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// evalXCTO runs the x-content-type-options test. Repeated headers are read
// joined with ", ", as the Observatory's HTTP client hands them over, so
// "nosniff" sent twice is invalid there and here.
func evalXCTO(h http.Header) Test {
	vals := headerValues(h, "X-Content-Type-Options")
	header := strings.Join(vals, ", ")
	switch {
	case header == "":
		return newTest(TestXCTO, XCTONotImplemented, "no X-Content-Type-Options header", header)
	case strings.EqualFold(strings.TrimSpace(header), "nosniff"):
		return newTest(TestXCTO, XCTONosniff, "X-Content-Type-Options is nosniff", header)
	case len(vals) > 1:
		return newTest(TestXCTO, XCTOHeaderInvalid, fmt.Sprintf(
			"X-Content-Type-Options is sent %d times and reads %s together, not exactly nosniff", len(vals), quoted(header)), header)
	}
	return newTest(TestXCTO, XCTOHeaderInvalid, "X-Content-Type-Options is "+quoted(header)+", not nosniff", header)
}

// evalXFO runs the x-frame-options test: an enforced CSP with a
// frame-ancestors directive (from a header; browsers ignore it in <meta>)
// wins over the X-Frame-Options header, whatever that header says.
// Repeated headers are read joined, so "SAMEORIGIN, SAMEORIGIN" is invalid,
// as the Observatory's own tests expect.
func evalXFO(h http.Header, csp *policy) Test {
	vals := headerValues(h, "X-Frame-Options")
	header := strings.Join(vals, ", ")
	if csp != nil {
		if fa, ok := csp.dirs["frame-ancestors"]; ok {
			return newTest(TestXFO, XFOViaCSP, frameAncestorsDetail(fa), header)
		}
	}
	v := strings.ToLower(strings.TrimSpace(header))
	switch {
	case header == "":
		return newTest(TestXFO, XFONotImplemented, "no X-Frame-Options header and no CSP frame-ancestors", header)
	case v == "deny" || v == "sameorigin":
		return newTest(TestXFO, XFOSameOriginOrDeny, "X-Frame-Options is "+quoted(header), header)
	case strings.HasPrefix(v, "allow-from"):
		return newTest(TestXFO, XFOAllowFrom,
			"X-Frame-Options uses ALLOW-FROM, which current browsers ignore; CSP frame-ancestors is the replacement", header)
	case len(vals) > 1:
		return newTest(TestXFO, XFOHeaderInvalid, fmt.Sprintf(
			"X-Frame-Options is sent %d times and reads %s together, not one DENY or SAMEORIGIN", len(vals), quoted(header)), header)
	}
	return newTest(TestXFO, XFOHeaderInvalid, "X-Frame-Options is "+quoted(header)+", not DENY, SAMEORIGIN or ALLOW-FROM", header)
}

// frameAncestorsDetail describes the frame-ancestors sources, warning when
// they let any site frame the page (the Observatory credits that anyway).
func frameAncestorsDetail(fa []string) string {
	shown := make([]string, len(fa))
	for i, s := range fa {
		shown[i] = show(s)
	}
	d := "CSP frame-ancestors " + strings.Join(shown, " ") + " replaces X-Frame-Options"
	if s := firstIn(fa, broadSources); s != "" {
		d += ", though " + show(s) + " lets any site frame the page"
	}
	return d
}

// Referrer-Policy tokens, from referrer-policy.js.
var (
	referrerGood = []string{"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
	referrerBad  = map[string]string{
		"origin":                     "sends the origin to every site, even over plain HTTP",
		"origin-when-cross-origin":   "sends the origin to other sites, even over plain HTTP",
		"unsafe-url":                 "sends the full URL to every site, even over plain HTTP",
		"no-referrer-when-downgrade": "sends the full URL to every other HTTPS site",
	}
)

// evalReferrer runs the referrer-policy test. Values from headers and then
// <meta> tags are read as one comma-separated list and, as browsers do, the
// last token they recognise wins, so older browsers can be given a fallback.
func evalReferrer(h, equiv http.Header) Test {
	vals := headerValues(h, "Referrer-Policy")
	meta := headerValues(equiv, "Referrer-Policy")
	header := strings.Join(vals, ", ")
	if len(vals)+len(meta) == 0 {
		return newTest(TestReferrer, ReferrerNotImplemented,
			"no Referrer-Policy; browsers default to strict-origin-when-cross-origin", header)
	}
	all := strings.Join(append(vals, meta...), ", ")
	p := lastReferrerToken(all)
	why := "effective policy " + p
	if strings.Contains(all, ",") {
		why += " (the last recognised in " + quoted(all) + ")"
	}
	switch {
	case slices.Contains(referrerGood, p):
		return newTest(TestReferrer, ReferrerPrivate, why, header)
	case referrerBad[p] != "":
		return newTest(TestReferrer, ReferrerUnsafe, why+" "+referrerBad[p], header)
	}
	return newTest(TestReferrer, ReferrerHeaderInvalid, "no recognised policy in "+quoted(all), header)
}

// lastReferrerToken returns the last recognised policy token of a
// comma-separated list, or "".
func lastReferrerToken(list string) string {
	toks := strings.Split(list, ",")
	for i := len(toks) - 1; i >= 0; i-- {
		t := strings.ToLower(strings.TrimSpace(toks[i]))
		if slices.Contains(referrerGood, t) || referrerBad[t] != "" {
			return t
		}
	}
	return ""
}
