package demo

import (
	"fmt"
	"maps"
	"net/http"
	"net/smtp"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// sendRaw delivers a message to the portal's SMTP server with net/smtp.
func sendRaw(p *Portal, to []string, msg string) error {
	return smtp.SendMail(p.SMTPAddr, nil, "sender@portal.test", to, []byte(strings.ReplaceAll(msg, "\n", "\r\n")))
}

func plainMail(to, subject string) string {
	return "From: Sender <sender@portal.test>\nTo: " + to + "\nSubject: " + subject +
		"\nMessage-ID: <" + randomHex(8) + "@portal.test>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n\nHello " + to + "\n"
}

// jsonKeys fetches an API path and returns its top-level object.
func jsonKeys(t *testing.T, p *Portal, path string) map[string]any {
	t.Helper()
	var m map[string]any
	resp, _ := inboxGet(t, p, path, &m)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return m
}

func checkKeys(t *testing.T, what string, v any, want ...string) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, want an object", what, v)
	}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("%s keys %v, want %v", what, got, want)
	}
}

func TestInboxAPIShapes(t *testing.T) {
	p := startPortal(t, Hardened())
	if !strings.HasPrefix(p.InboxURL, "http://127.0.0.1:") || !strings.HasPrefix(p.SMTPAddr, "127.0.0.1:") {
		t.Fatalf("InboxURL %q, SMTPAddr %q", p.InboxURL, p.SMTPAddr)
	}
	if err := sendRaw(p, []string{"launchready+shape@portal.test"}, plainMail("launchready+shape@portal.test", "First")); err != nil {
		t.Fatal(err)
	}
	email, _ := signupVerified(t, p, "shape")
	list := jsonKeys(t, p, "/api/v1/messages")
	checkKeys(t, "listing", list, "total", "messages")
	msgs := list["messages"].([]any)
	if list["total"] != float64(2) || len(msgs) != 2 {
		t.Fatalf("listing: %v", list)
	}
	for i, m := range msgs {
		checkKeys(t, "summary", m, "ID", "MessageID", "From", "To", "Subject", "Created")
		s := m.(map[string]any)
		checkKeys(t, "From", s["From"], "Name", "Address")
		checkKeys(t, "To[0]", s["To"].([]any)[0], "Name", "Address")
		if _, err := time.Parse(time.RFC3339Nano, s["Created"].(string)); err != nil {
			t.Errorf("Created %v: %v", s["Created"], err)
		}
		if wantTo := []string{email, "launchready+shape@portal.test"}[i]; s["To"].([]any)[0].(map[string]any)["Address"] != wantTo {
			t.Errorf("message %d is to %v, want %s (newest first)", i, s["To"], wantTo)
		}
	}
	id := msgs[0].(map[string]any)["ID"].(string)
	msg := jsonKeys(t, p, "/api/v1/message/"+id)
	checkKeys(t, "message", msg, "ID", "MessageID", "From", "To", "Subject", "Date", "Text", "HTML")
	if msg["Subject"] != "Verify your email for Portal" || !strings.HasSuffix(msg["MessageID"].(string), "@portal.test") ||
		strings.ContainsAny(msg["MessageID"].(string), "<>") {
		t.Errorf("message %v", msg)
	}
	checkRaw(t, p, id)
	if resp, _ := inboxGet(t, p, "/api/v1/message/nope", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown message: %d", resp.StatusCode)
	}
	if resp, _ := inboxGet(t, p, "/api/v1/message/nope/raw", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown raw message: %d", resp.StatusCode)
	}
}

// checkRaw reads a portal mail's raw bytes: RFC 5322 with CRLF, the From
// the portal uses, multipart/alternative with the link in both parts.
func checkRaw(t *testing.T, p *Portal, id string) {
	t.Helper()
	resp, raw := inboxGet(t, p, "/api/v1/message/"+id+"/raw", nil)
	s := string(raw)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("raw: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"From: Portal <no-reply@portal.test>\r\n", "Subject: Verify your email for Portal\r\n",
		"Content-Type: multipart/alternative", "Content-Type: text/plain", "Content-Type: text/html", "\r\n\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("raw message lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, p.URL+"/verify?token="); n != 3 { // text, HTML href, HTML text
		t.Errorf("the link appears %d times in the raw message, want 3:\n%s", n, s)
	}
}

func TestInboxSearch(t *testing.T) {
	p := startPortal(t, Hardened())
	for _, to := range []string{"launchready+one@portal.test", "launchready+two@portal.test", "launchready+one@portal.test"} {
		if err := sendRaw(p, []string{to}, plainMail(to, "Hi "+to)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		query string
		n     int
	}{
		{`to:"launchready+one@portal.test"`, 2},
		{`to:launchready+one@portal.test`, 2},
		{`to:"LAUNCHREADY+TWO@portal.test"`, 1},
		{`to:"launchready+three@portal.test"`, 0},
		{`to:"launchready+one@portal.test" subject:"Hi launchready+one"`, 2},
		{`from:sender@portal.test`, 3},
	}
	for _, tc := range cases {
		var l map[string]any
		inboxGet(t, p, "/api/v1/search?query="+url.QueryEscape(tc.query), &l)
		msgs, ok := l["messages"].([]any)
		if !ok || l["total"] != float64(tc.n) || len(msgs) != tc.n {
			t.Errorf("%s: %v, want %d messages (an empty list, not null)", tc.query, l, tc.n)
		}
	}
	var l apiList
	inboxGet(t, p, "/api/v1/messages?limit=1", &l)
	if l.Total != 3 || len(l.Messages) != 1 || l.Messages[0].To[0].Address != "launchready+one@portal.test" {
		t.Errorf("limit=1: %+v", l)
	}
}

func TestSMTPRefusals(t *testing.T) {
	p := startPortal(t, Hardened())
	cases := []struct {
		name string
		to   []string
		body string
	}{
		{"another domain", []string{"someone@example.com"}, plainMail("someone@example.com", "x")},
		{"a look-alike domain", []string{"a@portal.test.example"}, plainMail("a@portal.test.example", "x")},
		{"too big", []string{"big@portal.test"}, plainMail("big@portal.test", "x") + strings.Repeat(strings.Repeat("y", 70)+"\n", maxMailBytes/70)},
	}
	for _, tc := range cases {
		if err := sendRaw(p, tc.to, tc.body); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	var l apiList
	inboxGet(t, p, "/api/v1/messages", &l)
	if l.Total != 0 {
		t.Errorf("refused mail was stored: %+v", l)
	}
}

func TestInboxBounded(t *testing.T) {
	var box inbox
	for i := range maxStoredMail + 5 {
		box.add([]byte(plainMail(fmt.Sprintf("m%d@portal.test", i), "x")), nil, time.Now())
	}
	all := box.find(func(*storedMail) bool { return true })
	if len(all) != maxStoredMail || all[0].To[0].Address != fmt.Sprintf("m%d@portal.test", maxStoredMail+4) ||
		all[len(all)-1].To[0].Address != "m5@portal.test" {
		t.Fatalf("%d stored, newest %v, oldest %v", len(all), all[0].To, all[len(all)-1].To)
	}
	box.add([]byte("not a message at all"), []string{"x@portal.test"}, time.Now())
	if m := box.get("latest"); m == nil || m.To[0].Address != "x@portal.test" || string(m.Raw) != "not a message at all" {
		t.Errorf("an unparsable message: %+v", m)
	}
}

func TestParseSearch(t *testing.T) {
	cases := []struct {
		q    string
		want search
	}{
		{`to:"a+b@portal.test"`, search{{"to", "a+b@portal.test"}}},
		{`to:a@portal.test`, search{{"to", "a@portal.test"}}},
		{`subject:"two words" to:x`, search{{"subject", "two words"}, {"to", "x"}}},
		{`  verify   `, search{{"", "verify"}}},
		{`cc:x`, search{{"", "cc:x"}}},
		{``, nil},
	}
	for _, tc := range cases {
		if got := parseSearch(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("parseSearch(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}
