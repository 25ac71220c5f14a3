package inbox

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	f.Add([]byte(strings.ReplaceAll(verificationMail("qa+a@example.com", now), "\n", "\r\n")))
	f.Add([]byte(plainMail("qa@example.com", "=?utf-8?B?w6k=?=", now)))
	f.Add(crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\nContent-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n=93x=94\n--c--\n--b--\n"))
	f.Add([]byte("Content-Type: text/plain; charset=\"\n\n\xff"))
	f.Add([]byte("To: <@>, \"\", =?x?q?=ZZ?=\n\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			if m != nil {
				t.Fatal("message returned with an error")
			}
			return
		}
		if len(m.Text) > maxTextBytes || len(m.HTML) > maxTextBytes || len(m.To) > maxAddresses {
			t.Fatalf("unbounded: text %d, html %d, to %d", len(m.Text), len(m.HTML), len(m.To))
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) || !utf8.ValidString(m.Subject) {
			t.Fatal("invalid UTF-8 out")
		}
		n := 0
		for _, vs := range m.Header {
			n += len(vs)
		}
		if n > maxHeaderFields {
			t.Fatalf("%d header fields kept", n)
		}
		Links(m) // must not panic on anything Parse produces
	})
}

func FuzzLinks(f *testing.F) {
	f.Add("see https://a.example/x). <https://b.example/y>", `<a href="https://c.example/?a=1&amp;b=2">c</a>`)
	f.Add("HTTP://x", `<a href=javascript:alert(1)>x</a><area href="//x">`)
	f.Add("https://[::1]:80/ https://%zz/", "<script>https://x.example/</script><a href='https://a.example/")
	f.Add("(((https://a.example/)))...", "&lt;https://b.example/&gt;")
	f.Fuzz(func(t *testing.T, text, html string) {
		links := Links(&Message{Text: text, HTML: html})
		if len(links) > maxLinks {
			t.Fatalf("%d links", len(links))
		}
		seen := map[string]bool{}
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l) > maxLinkBytes {
				t.Fatalf("bad link %q", l)
			}
			if seen[l] {
				t.Fatalf("duplicate %q", l)
			}
			seen[l] = true
		}
	})
}
