package inbox

import (
	"regexp"
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		name, text, html, re, want string
		ok                         bool
	}{
		{name: "plain", text: "Your sign-in code is 483920.", want: "483920", ok: true},
		{name: "date and footer ignored", text: "Sent 2026-11-29 12:30:45\nYour verification code: 120934\n\nAcme Ltd, company no. 09876543, +44 20 7946 0958",
			want: "120934", ok: true},
		{name: "code before the word", text: "Order 77665544 shipped.\n\n  551208 is your one-time passcode", want: "551208", ok: true},
		{name: "html only", html: `<html><style>.x{color:#123456}</style><p>Use this code</p><h1>  904 117 </h1><p>or</p><b>90411777</b></html>`,
			want: "90411777", ok: true},
		{name: "html entities and tags", html: `<p>Your&nbsp;OTP:&nbsp;<strong>667788</strong></p><p>Ref 11223344</p>`, want: "667788", ok: true},
		{name: "lone candidate without a word", text: "Enter 246810 to continue", want: "246810", ok: true},
		{name: "ambiguous", text: "Numbers 123456 and 654321", ok: false},
		{name: "none", text: "Hello, no digits here except 2026", ok: false},
		{name: "glued to letters", text: "code ABC123456DEF", ok: false},
		{name: "configured regexp", text: "Code: 111111 (old)\nPIN=A7B9C2", re: `PIN=([A-Z0-9]{6})`, want: "A7B9C2", ok: true},
		{name: "configured regexp in html", html: "<p>token <i>XY-42</i></p>", re: `token\s+(\S+)`, want: "XY-42", ok: true},
		{name: "configured regexp misses", text: "code 123456", re: `PIN=(\d+)`, ok: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var re *regexp.Regexp
			if tc.re != "" {
				re = regexp.MustCompile(tc.re)
			}
			got, ok := Code(&Message{Text: tc.text, HTML: tc.html}, re)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Code = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := Code(nil, nil); ok {
		t.Error("Code(nil) found a code")
	}
}

// FuzzCode: any mail, no panic; a default code is 6-8 digits found in the
// mail's text or HTML text.
func FuzzCode(f *testing.F) {
	f.Add("Your code is 123456", "")
	f.Add("2026-11-29 code 12345678 +1 555 1234567", "<p>OTP <b>987654</b></p>")
	f.Add("", "<script>var c=123456</script><style>#654321</style>")
	f.Add("code code code 1 22 333 4444 55555 666666 7777777 88888888 999999999", "<a href='x'>verify 010101</a")
	f.Fuzz(func(t *testing.T, text, html string) {
		m := &Message{Text: text, HTML: html}
		code, ok := Code(m, nil)
		if !ok {
			if code != "" {
				t.Errorf("not found but returned %q", code)
			}
			return
		}
		if len(code) < minCode || len(code) > maxCode || strings.Trim(code, "0123456789") != "" {
			t.Errorf("code %q is not 6-8 digits", code)
		}
		if !strings.Contains(text, code) && !strings.Contains(HTMLText(html), code) {
			t.Errorf("code %q is not in the mail", code)
		}
		if _, ok := Code(m, regexp.MustCompile(`(\d+)`)); !ok && strings.ContainsAny(text+HTMLText(html), "0123456789") {
			t.Errorf("a digit group was not found by the configured pattern")
		}
	})
}
