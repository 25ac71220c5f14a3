package observatory

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// hdr builds a header from name, value pairs; a repeated name adds a line.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// good is hdr plus nosniff, DENY and a private Referrer-Policy, which
// together add 0 penalties and a +5 bonus.
func good(kv ...string) http.Header {
	return hdr(append([]string{
		"X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY",
		"Referrer-Policy", "strict-origin-when-cross-origin",
	}, kv...)...)
}

const csp = "Content-Security-Policy"

// helmetCSP is the policy helmet (Express) sends by default.
const helmetCSP = "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
	"frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';" +
	"style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests"

type exp struct {
	test, result string
	mod          int
}

type evalCase struct {
	name  string
	h     http.Header
	meta  http.Header
	want  []exp
	score int
}

var cases = []evalCase{
	// Whole-response defaults.
	{"next.js default: no security headers", hdr("X-Powered-By", "Next.js", "Content-Type", "text/html"),
		nil, []exp{{TestCSP, CSPNotImplemented, -25}, {TestXCTO, XCTONotImplemented, -5},
			{TestXFO, XFONotImplemented, -20}, {TestReferrer, ReferrerNotImplemented, 0}}, 50},
	{"express + helmet defaults", hdr(csp, helmetCSP, "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "SAMEORIGIN", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestCSP, CSPUnsafeInlineStyleOnly, 0}, {TestXFO, XFOViaCSP, 5}, {TestReferrer, ReferrerPrivate, 5}}, 110},

	// CSP results.
	{"strict nonce policy with 'strict-dynamic' and fallbacks", good(csp,
		"object-src 'none'; script-src 'nonce-r4nd0m' 'strict-dynamic' 'unsafe-inline' https: http:; base-uri 'none'"),
		nil, []exp{{TestCSP, CSPUnsafeInlineStyleOnly, 0}}, 105},
	{"strict nonce policy with default-src 'none'", good(csp,
		"default-src 'none'; script-src 'nonce-abc123' 'strict-dynamic'; style-src 'self'; img-src 'self'; "+
			"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
		nil, []exp{{TestCSP, CSPNoUnsafeDefaultNone, 10}, {TestXFO, XFOViaCSP, 5}}, 120},
	{"default-src 'self' alone: bonus not counted below 90", hdr(csp, "default-src 'self'"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}, {TestXCTO, XCTONotImplemented, -5}, {TestXFO, XFONotImplemented, -20}}, 75},
	{"default-src 'self' with the other headers", good(csp, "default-src 'self'"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}}, 110},
	{"script-src 'self' 'unsafe-inline'", good(csp, "default-src 'self'; script-src 'self' 'unsafe-inline'"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}}, 80},
	{"unsafe-inline in style-src only", good(csp, "default-src 'self'; style-src 'self' 'unsafe-inline'"),
		nil, []exp{{TestCSP, CSPUnsafeInlineStyleOnly, 0}}, 105},
	{"http: in img-src only: exactly 90 keeps the bonus", good(csp, "default-src 'self'; img-src 'self' http:"),
		nil, []exp{{TestCSP, CSPInsecurePassiveOnly, -10}}, 95},
	{"http media source", good(csp, "default-src 'none'; script-src 'self'; media-src http://media.example.com"),
		nil, []exp{{TestCSP, CSPInsecurePassiveOnly, -10}}, 95},
	{"http script host", good(csp, "default-src 'self'; script-src 'self' http://cdn.example.com"),
		nil, []exp{{TestCSP, CSPInsecureScheme, -20}}, 80},
	{"http report-uri counts as active", good(csp, "default-src 'self'; report-uri http://csp.example.com/r"),
		nil, []exp{{TestCSP, CSPInsecureScheme, -20}}, 80},
	{"unsafe-eval", good(csp, "default-src 'self'; script-src 'self' 'unsafe-eval'"),
		nil, []exp{{TestCSP, CSPUnsafeEval, -10}}, 95},
	{"no script-src nor default-src", hdr(csp, "frame-ancestors 'none'; upgrade-insecure-requests",
		"X-Content-Type-Options", "nosniff", "Referrer-Policy", "same-origin"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}, {TestXFO, XFOViaCSP, 5}}, 80},
	{"default-src https: is too broad for scripts", good(csp, "default-src https:"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}}, 80},
	{"data: in script-src", good(csp, "default-src 'self'; script-src 'self' data:"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}}, 80},
	{"object-src * with safe scripts", good(csp, "default-src 'none'; script-src 'self'; object-src *"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}}, 80},
	{"nonce makes 'unsafe-inline' ignored", good(csp, "default-src 'self'; script-src 'self' 'nonce-abc' 'unsafe-inline'"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}}, 110},
	{"'strict-dynamic' keeps data: unsafe", good(csp, "default-src 'none'; script-src 'strict-dynamic' 'nonce-abc' data:"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}}, 80},
	{"invalid: repeated directive", good(csp, "default-src 'self'; script-src 'self'; script-src 'unsafe-inline'"),
		nil, []exp{{TestCSP, CSPHeaderInvalid, -25}}, 75},
	{"invalid: 'strict-dynamic' without nonce still credits frame-ancestors", hdr(csp,
		"default-src 'self'; script-src 'self' 'strict-dynamic'; frame-ancestors 'none'",
		"X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestCSP, CSPHeaderInvalid, -25}, {TestXFO, XFOViaCSP, 5}}, 75},
	{"invalid: too short", good(csp, "none"), nil, []exp{{TestCSP, CSPHeaderInvalid, -25}}, 75},
	{"invalid: empty header", good(csp, ""), nil, []exp{{TestCSP, CSPHeaderInvalid, -25}}, 75},
	{"invalid: trailing comma", good(csp, "default-src 'self',"), nil, []exp{{TestCSP, CSPHeaderInvalid, -25}}, 75},
	{"only separators: not implemented", good(csp, ";;;;;;;"), nil, []exp{{TestCSP, CSPNotImplemented, -25}}, 75},
	{"second header tightens the first", good(csp, "default-src 'self'; script-src 'self' 'unsafe-inline'",
		csp, "script-src 'self'"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}}, 110},
	{"comma-joined policies tighten alike", good(csp, "default-src 'self'; script-src 'self' 'unsafe-inline', script-src 'self'"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}}, 110},
	{"second header is the weak one: not credited with 'none'", hdr(csp, "frame-ancestors 'self'",
		csp, "default-src 'self'; script-src 'self' 'unsafe-inline'",
		"X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestCSP, CSPUnsafeInline, -20}, {TestXFO, XFOViaCSP, 5}}, 80},
	{"two policies with nothing in common leave 'none'", good(csp, "default-src https://a.example.com",
		csp, "default-src https://b.example.com"),
		nil, []exp{{TestCSP, CSPNoUnsafeDefaultNone, 10}}, 115},
	{"report-only alone", good("Content-Security-Policy-Report-Only", "default-src 'self'; report-uri /csp"),
		nil, []exp{{TestCSP, CSPReportingOnly, -25}}, 75},
	{"report-only beside an enforced policy is ignored", good(csp, "default-src 'self'",
		"Content-Security-Policy-Report-Only", "default-src 'none'"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}}, 110},
	{"repeated report-uri forfeits the bonus", good(csp, "default-src 'none'; report-uri /a; report-uri /b"),
		nil, []exp{{TestCSP, CSPDuplicateDirectives, 0}}, 105},
	{"meta-only policy; frame-ancestors ignored in meta", hdr("X-Content-Type-Options", "nosniff",
		"Referrer-Policy", "no-referrer"),
		hdr(csp, "default-src 'none'; frame-ancestors 'none'"),
		[]exp{{TestCSP, CSPNoUnsafeDefaultNone, 10}, {TestXFO, XFONotImplemented, -20}}, 80},

	// X-Content-Type-Options.
	{"nosniff in odd case and spacing", hdr(csp, "default-src 'self'", "X-Content-Type-Options", " NoSniff ",
		"X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXCTO, XCTONosniff, 0}}, 110},
	{"nosniff misspelled", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosnif",
		"X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXCTO, XCTOHeaderInvalid, -5}}, 105},
	{"nosniff sent twice", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXCTO, XCTOHeaderInvalid, -5}}, 105},

	// X-Frame-Options.
	{"XFO SAMEORIGIN", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "sameorigin", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXFO, XFOSameOriginOrDeny, 0}}, 110},
	{"XFO ALLOW-FROM", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "ALLOW-FROM https://partner.example.com", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXFO, XFOAllowFrom, 0}}, 110},
	{"XFO garbage", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "ALLOWALL", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXFO, XFOHeaderInvalid, -20}}, 80},
	{"XFO sent twice", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "SAMEORIGIN", "X-Frame-Options", "SAMEORIGIN", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestXFO, XFOHeaderInvalid, -20}}, 80},
	{"frame-ancestors outranks a garbage XFO", hdr(csp, "default-src 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options", "nosniff", "X-Frame-Options", "ALLOWALL", "Referrer-Policy", "no-referrer"),
		nil, []exp{{TestCSP, CSPNoUnsafe, 5}, {TestXFO, XFOViaCSP, 5}}, 115},
	{"XFO in a meta tag is ignored", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"Referrer-Policy", "no-referrer"),
		hdr("X-Frame-Options", "DENY"), []exp{{TestXFO, XFONotImplemented, -20}}, 80},

	// Referrer-Policy.
	{"referrer fallback list", good(csp, "default-src 'self'", "Referrer-Policy", "no-referrer, strict-origin-when-cross-origin"),
		nil, []exp{{TestReferrer, ReferrerPrivate, 5}}, 110},
	{"referrer unsafe-url", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY", "Referrer-Policy", "unsafe-url"),
		nil, []exp{{TestReferrer, ReferrerUnsafe, -5}}, 100},
	{"referrer no-referrer-when-downgrade is unsafe in MDN's version", hdr(csp, "default-src 'self'",
		"X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer-when-downgrade"),
		nil, []exp{{TestReferrer, ReferrerUnsafe, -5}}, 100},
	{"referrer: the last valid token wins", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY", "Referrer-Policy", "strict-origin-when-cross-origin, unsafe-url"),
		nil, []exp{{TestReferrer, ReferrerUnsafe, -5}}, 100},
	{"referrer: unknown tokens skipped", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer, whimsy"),
		nil, []exp{{TestReferrer, ReferrerPrivate, 5}}, 110},
	{"referrer garbage", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY", "Referrer-Policy", "whimsy"),
		nil, []exp{{TestReferrer, ReferrerHeaderInvalid, -5}}, 100},
	{"referrer empty", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY", "Referrer-Policy", ""),
		nil, []exp{{TestReferrer, ReferrerHeaderInvalid, -5}}, 100},
	{"referrer meta read after the header", hdr(csp, "default-src 'self'", "X-Content-Type-Options", "nosniff",
		"X-Frame-Options", "DENY", "Referrer-Policy", "unsafe-url"),
		hdr("Referrer-Policy", "no-referrer"), []exp{{TestReferrer, ReferrerPrivate, 5}}, 110},

	// Header maps built by hand.
	{"lower-case keys", http.Header{
		"content-security-policy": {"default-src 'self'"}, "x-content-type-options": {"nosniff"},
		"x-frame-options": {"deny"}, "referrer-policy": {"no-referrer"},
	}, nil, []exp{{TestCSP, CSPNoUnsafe, 5}, {TestXCTO, XCTONosniff, 0}, {TestXFO, XFOSameOriginOrDeny, 0}}, 110},
}

func TestEvaluate(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := EvaluateWithMeta(c.h, c.meta)
			checkShape(t, got)
			for _, w := range c.want {
				tt := find(t, got, w.test)
				if tt.Result != w.result || tt.Modifier != w.mod {
					t.Errorf("%s = %s %+d, want %s %+d (%s)", w.test, tt.Result, tt.Modifier, w.result, w.mod, tt.Detail)
				}
			}
			if got.Score != c.score {
				t.Errorf("score = %d (base %d), want %d; tests:\n%s", got.Score, got.Base, c.score, dump(got))
			}
		})
	}
}

// TestEveryResultCovered makes sure the table exercises every result name.
func TestEveryResultCovered(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range cases {
		for _, tt := range EvaluateWithMeta(c.h, c.meta).Tests {
			seen[tt.Result] = true
		}
	}
	for r := range outcomes {
		if !seen[r] {
			t.Errorf("no case yields %s", r)
		}
	}
}

func TestEvaluateNilEqualsMetaNil(t *testing.T) {
	h := good(csp, helmetCSP)
	a, b := Evaluate(h), EvaluateWithMeta(h, nil)
	if a.Score != b.Score || dump(a) != dump(b) {
		t.Fatalf("Evaluate and EvaluateWithMeta(h, nil) differ:\n%s\n%s", dump(a), dump(b))
	}
	if got := Evaluate(nil); got.Score != 50 || got.Base != 50 {
		t.Fatalf("Evaluate(nil) = %d/%d, want 50/50", got.Score, got.Base)
	}
}

func TestDetails(t *testing.T) {
	for _, c := range []struct {
		h    http.Header
		test string
		want string
	}{
		{good(csp, "default-src 'self'; script-src 'self' 'unsafe-inline'"), TestCSP, "script-src allows 'unsafe-inline' (-20)"},
		{good(csp, "default-src 'self' 'unsafe-inline'"), TestCSP, "default-src (the fallback for scripts) allows 'unsafe-inline' (-20)"},
		{good(csp, "default-src 'self'; frame-ancestors *"), TestXFO, "lets any site frame the page"},
		{good(csp, "default-src 'self'; script-src 'self' 'strict-dynamic'"), TestCSP, "without a nonce or hash"},
		{good(csp, "default-src 'self'; default-src 'none'"), TestCSP, "policy 1: directive default-src appears twice"},
		{good("Referrer-Policy", "unsafe-url"), TestReferrer, "sends the full URL"},
	} {
		if d := find(t, Evaluate(c.h), c.test).Detail; !strings.Contains(d, c.want) {
			t.Errorf("detail %q does not contain %q", d, c.want)
		}
	}
}

func TestModifier(t *testing.T) {
	if m, ok := Modifier(CSPNotImplemented); !ok || m != -25 {
		t.Errorf("Modifier(csp-not-implemented) = %d, %v", m, ok)
	}
	if _, ok := Modifier("hsts-not-implemented"); ok {
		t.Error("Modifier knows a result this package does not score")
	}
}

func TestMergeIntersects(t *testing.T) {
	pols, err := parsePolicies([]string{
		"default-src https://a.example.com/lib/ https://b.example.com 'self'",
		"default-src https://a.example.com/lib/v2/ 'self' https://c.example.com; img-src 'self' data:",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := merge(pols)
	if got, want := p.dirs["default-src"], []string{"'self'", "https://a.example.com/lib/v2/"}; !sameSet(got, want) {
		t.Errorf("default-src = %q, want %q", got, want)
	}
	if got, want := p.dirs["img-src"], []string{"'self'"}; !sameSet(got, want) {
		t.Errorf("img-src = %q, want %q (the first policy's default-src applies to images)", got, want)
	}
}

// hugePolicies are pairs of 60 KiB policies of distinct sources and of
// path sources: the inputs where a quadratic intersection would show.
func hugePolicies() [][2]string {
	gen := func(format string) string {
		var b strings.Builder
		b.WriteString("default-src")
		for i := 0; b.Len() < 60<<10; i++ {
			fmt.Fprintf(&b, " "+format, i)
		}
		return b.String()
	}
	return [][2]string{{gen("h%d"), gen("h%d")}, {gen("h%d/"), gen("h%d/x")}, {gen("g%d"), gen("h%d/")}}
}

// TestHugeHostileHeaders: two huge policies are scored, in range. Their
// cost is measured by BenchmarkHugeHostileHeaders, not timed here: the
// machines are shared.
func TestHugeHostileHeaders(t *testing.T) {
	for _, pair := range hugePolicies() {
		s := Evaluate(hdr(csp, pair[0], csp, pair[1]))
		checkShape(t, s)
	}
}

func BenchmarkHugeHostileHeaders(b *testing.B) {
	pairs := hugePolicies()
	for b.Loop() {
		for _, pair := range pairs {
			Evaluate(hdr(csp, pair[0], csp, pair[1]))
		}
	}
}

func FuzzEvaluate(f *testing.F) {
	f.Add(helmetCSP, "", "nosniff", "DENY", "no-referrer", "")
	f.Add("default-src 'none'; script-src 'nonce-a' 'strict-dynamic', script-src 'self'", "default-src 'self'",
		"nosniff, nosniff", "ALLOW-FROM x", "no-referrer, unsafe-url", "default-src 'none'")
	f.Add("script-src ;;; ,,, report-uri a; report-uri b", "x", "", "\x00", ",,,", "frame-ancestors *")
	f.Add("default-src https://a/ https://a/b/, default-src https://a/b/c", "", "NOSNIFF", "sameorigin", "", "\r\n")
	f.Fuzz(func(t *testing.T, cspv, ro, xcto, xfo, rp, meta string) {
		h := hdr(csp, cspv, "Content-Security-Policy-Report-Only", ro,
			"X-Content-Type-Options", xcto, "X-Frame-Options", xfo, "Referrer-Policy", rp)
		s := EvaluateWithMeta(h, hdr(csp, meta, "Referrer-Policy", meta))
		checkShape(t, s)
		if s.Score < 0 || s.Score > 120 || s.Base > 100 {
			t.Fatalf("score %d, base %d out of range", s.Score, s.Base)
		}
	})
}

// checkShape asserts what holds for every Score: four tests in order,
// modifiers matching the table, one-line details, and the bonus rule.
func checkShape(t *testing.T, s Score) {
	t.Helper()
	names := []string{TestCSP, TestXCTO, TestXFO, TestReferrer}
	if len(s.Tests) != len(names) {
		t.Fatalf("got %d tests, want %d", len(s.Tests), len(names))
	}
	base, bonus := 100, 0
	for i, tt := range s.Tests {
		if tt.Name != names[i] {
			t.Errorf("test %d is %q, want %q", i, tt.Name, names[i])
		}
		o, ok := outcomes[tt.Result]
		if !ok || o.modifier != tt.Modifier || o.pass != tt.Pass {
			t.Errorf("%s: result %q with modifier %d, pass %v does not match the table", tt.Name, tt.Result, tt.Modifier, tt.Pass)
		}
		if tt.Detail == "" || strings.ContainsAny(tt.Detail, "\r\n") {
			t.Errorf("%s: detail %q is not one line", tt.Name, tt.Detail)
		}
		if tt.Modifier < 0 {
			base += tt.Modifier
		} else {
			bonus += tt.Modifier
		}
	}
	want := base
	if base >= 90 {
		want += bonus
	}
	if s.Base != base || s.Score != max(want, 0) {
		t.Errorf("score %d base %d, want %d base %d", s.Score, s.Base, max(want, 0), base)
	}
}

func find(t *testing.T, s Score, name string) Test {
	t.Helper()
	for _, tt := range s.Tests {
		if tt.Name == name {
			return tt
		}
	}
	t.Fatalf("no test %s", name)
	return Test{}
}

func dump(s Score) string {
	var b strings.Builder
	for _, tt := range s.Tests {
		b.WriteString(tt.Name + " " + tt.Result + ": " + tt.Detail + "\n")
	}
	return b.String()
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
