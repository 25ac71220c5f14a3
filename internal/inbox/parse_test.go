package inbox

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseNestedCharsets(t *testing.T) {
	raw := crlf("From: =?iso-8859-1?Q?Caf=E9?= <cafe@example.com>\n" +
		"To: \"Doe, J\" <j@example.com>, qa+a@example.com\n" +
		"Subject: =?windows-1252?Q?=93Verify=94_now?= =?x-unknown?Q?abc?=\n" +
		"Date: Sat, 28 Nov 2026 10:00:00 +0100\n" +
		"Message-ID: <m1@example.com>\n" +
		"Content-Type: multipart/mixed; boundary=outer\n" +
		"\n" +
		"preamble\n" +
		"--outer\n" +
		"Content-Type: multipart/related; boundary=rel\n" +
		"\n" +
		"--rel\n" +
		"Content-Type: multipart/alternative; boundary=alt\n" +
		"\n" +
		"--alt\n" +
		"Content-Type: text/plain; charset=ISO-8859-1\n" +
		"Content-Transfer-Encoding: quoted-printable\n" +
		"\n" +
		"Caf=E9 https://a.example/v?t=3D1\n" +
		"--alt\n" +
		"Content-Type: text/html; charset=windows-1252\n" +
		"Content-Transfer-Encoding: base64\n" +
		"\n" +
		b64Lines("<p>\x93hi\x94 \x80</p>") + "\n" +
		"--alt--\n" +
		"--rel\n" +
		"Content-Type: image/png\n" +
		"Content-Transfer-Encoding: base64\n" +
		"\n" +
		"iVBORw0KGgo=\n" +
		"--rel--\n" +
		"--outer\n" +
		"Content-Type: text/plain; charset=utf-8\n" +
		"Content-Disposition: attachment; filename=notes.txt\n" +
		"\n" +
		"attached https://attachment.example/\n" +
		"--outer\n" +
		"Content-Type: text/plain; charset=koi8-r\n" +
		"\n" +
		"tail \xc1\xc2\n" +
		"--outer--\n")
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := &Message{
		MessageID: "m1@example.com",
		From:      "cafe@example.com",
		To:        []string{"j@example.com", "qa+a@example.com"},
		Subject:   "\u201cVerify\u201d nowabc", // RFC 2047: space between encoded words is dropped
		Text:      "Café https://a.example/v?t=1\ntail \uFFFD",
		HTML:      "<p>\u201chi\u201d \u20ac</p>",
	}
	if m.MessageID != want.MessageID || m.From != want.From || !slices.Equal(m.To, want.To) ||
		m.Subject != want.Subject || m.Text != want.Text || m.HTML != want.HTML {
		t.Errorf("got  %+q\nwant %+q", []any{m.MessageID, m.From, m.To, m.Subject, m.Text, m.HTML},
			[]any{want.MessageID, want.From, want.To, want.Subject, want.Text, want.HTML})
	}
	if !m.Date.Equal(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Date = %v", m.Date)
	}
	if got := m.Header["Content-Type"]; len(got) != 1 || !strings.HasPrefix(got[0], "multipart/mixed") {
		t.Errorf("Header = %v", m.Header)
	}
	if &m.Raw[0] != &raw[0] {
		t.Error("Raw should share the input")
	}
}

func TestParseLenient(t *testing.T) {
	tests := []struct {
		name, raw  string
		text, html string
		to         []string
	}{
		{"no content type, invalid utf-8", "To: a@example.com\n\nhello \xff world\n", "hello \uFFFD world\n", "", []string{"a@example.com"}},
		{"html only", "Content-Type: text/html\n\n<b>x</b>", "", "<b>x</b>", nil},
		{"sloppy addresses", "To: Broken <a@example.com>, , b@example.com, not an address\n\nx", "x", "", []string{"a@example.com", "b@example.com"}},
		{"truncated multipart keeps what was read", "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst part\n--b\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\n!!!notbase64",
			"first part", "", nil},
		{"unknown transfer encoding kept", "Content-Transfer-Encoding: x-uuencode\n\nbegin 644\n", "begin 644\n", "", nil},
		{"empty body", "Subject: hi\n\n", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(crlf(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(m.Text, "\r\n", "\n")
			if text != tt.text || m.HTML != tt.html || !slices.Equal(m.To, tt.to) {
				t.Errorf("got text %q html %q to %q", text, m.HTML, m.To)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := map[string][]byte{
		"over the size limit":       make([]byte, MaxBodyBytes+1),
		"not a header":              []byte("this is not a header line\r\n\r\nbody"),
		"header too big":            []byte("X: " + strings.Repeat("a", maxHeaderBytes) + "\r\n\r\n"),
		"broken multipart, no text": crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!"),
	}
	for name, raw := range tests {
		if m, err := Parse(raw); err == nil {
			t.Errorf("%s: got %+v, want an error", name, m)
		}
	}
}

func TestParseLimits(t *testing.T) {
	// Nesting deeper than maxDepth: the text below the limit is not reached.
	var deep strings.Builder
	deep.WriteString("Content-Type: multipart/mixed; boundary=b0\n\n")
	for i := range maxDepth + 3 {
		fmt.Fprintf(&deep, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i+1)
	}
	fmt.Fprintf(&deep, "--b%d\nContent-Type: text/plain\n\ndeep\n", maxDepth+3)
	for i := maxDepth + 3; i >= 0; i-- {
		fmt.Fprintf(&deep, "--b%d--\n", i)
	}
	if m, err := Parse(crlf(deep.String())); err != nil || strings.Contains(m.Text, "deep") {
		t.Errorf("deep nesting: got %+v, %v", m, err)
	}

	// More parts than maxParts: the rest are not read.
	var many strings.Builder
	many.WriteString("Content-Type: multipart/mixed; boundary=b\n\n")
	for i := range maxParts + 50 {
		fmt.Fprintf(&many, "--b\nContent-Type: text/plain\n\np%d\n", i)
	}
	many.WriteString("--b--\n")
	m, err := Parse(crlf(many.String()))
	if err != nil || !strings.Contains(m.Text, "p0") || strings.Contains(m.Text, fmt.Sprintf("p%d", maxParts)) {
		t.Errorf("many parts: got text of %d bytes, %v", len(m.Text), err)
	}

	// Text is capped without splitting a rune.
	big := "Content-Type: text/plain; charset=utf-8\n\n" + strings.Repeat("é", maxTextBytes)
	m, err = Parse(crlf(big))
	if err != nil || len(m.Text) > maxTextBytes || !utf8.ValidString(m.Text) || len(m.Text) < maxTextBytes-1 {
		t.Errorf("big text: %d bytes, valid %v, %v", len(m.Text), utf8.ValidString(m.Text), err)
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct{ charset, in, want string }{
		{"latin1", "caf\xe9", "café"},
		{"ISO-8859-15", "\xa4\xbd", "€œ"},
		{"cp1252", "\x80\x81\x9f", "€\uFFFDŸ"},
		{"unknown", "ok \xff", "ok \uFFFD"},
	}
	for _, tt := range tests {
		if got := toUTF8(tt.charset, []byte(tt.in)); got != tt.want {
			t.Errorf("toUTF8(%s, %q) = %q, want %q", tt.charset, tt.in, got, tt.want)
		}
	}
	if got := string(truncateUTF8([]byte("aé"), 2)); got != "a" {
		t.Errorf("truncateUTF8 = %q", got)
	}
}

func TestPlusAddress(t *testing.T) {
	good := []struct{ template, tag, want string }{
		{"qa+{{tag}}@example.com", "a1-b2", "qa+a1-b2@example.com"},
		{"{{tag}}@inbox.example.com", "x", "x@inbox.example.com"},
		{"qa@{{tag}}.example.com", "signup-1", "qa@signup-1.example.com"},
	}
	for _, tt := range good {
		if got, err := PlusAddress(tt.template, tt.tag); err != nil || got != tt.want {
			t.Errorf("PlusAddress(%q, %q) = %q, %v", tt.template, tt.tag, got, err)
		}
	}
	bad := []struct{ template, tag string }{
		{"qa@example.com", "a"},                // no {{tag}}
		{"qa+{{tag}}{{tag}}@example.com", "a"}, // twice
		{"qa+{{tag}}", "a"},                    // not an address
		{"QA <qa+{{tag}}@example.com>", "a"},   // display name
		{"qa+{{tag}}@localhost", "a"},          // no domain name
		{"qa +{{tag}}@example.com", "a"},       // space
		{"qa+{{tag}}@example.com", ""},         // empty tag
		{"qa+{{tag}}@example.com", "Upper"},    // tag charset
		{"qa+{{tag}}@example.com", "a@b"},      // tag charset
		{"qa+{{tag}}@example.com", "a.b"},      // tag charset
		{"qa+{{tag}}@example.com", strings.Repeat("a", 33)},
		{strings.Repeat("q", 60) + "+{{tag}}@example.com", "abcdefgh"}, // local part over 64
	}
	for _, tt := range bad {
		if got, err := PlusAddress(tt.template, tt.tag); err == nil {
			t.Errorf("PlusAddress(%q, %q) = %q, want an error", tt.template, tt.tag, got)
		}
	}
}
