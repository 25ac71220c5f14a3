package authz

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/client"
)

func TestMarkers(t *testing.T) {
	owner := []byte(`{"id":"inv_3f9a2b1c8d7e","number":"INV-2026-A-0011","member":"alice@portal.test","status":"Paid","amount":"€12.00","note":"Shared footer text"}`)
	baseline := map[string]bool{"Shared footer text": true}
	m := MarkersOf(owner, "", baseline, []string{"inv_3f9a2b1c8d7e"})
	if slices.Contains(m.Values, "inv_3f9a2b1c8d7e") || slices.Contains(m.Values, "Shared footer text") || slices.Contains(m.Values, "Paid") {
		t.Errorf("markers kept an ID, a baseline value or a short word: %v", m.Values)
	}
	if len(m.Values) == 0 || (m.Values[0] != "INV-2026-A-0011" && m.Values[0] != "alice@portal.test") {
		t.Errorf("strongest marker first: %v", m.Values)
	}
	for _, tt := range []struct {
		name string
		body string
		want bool
	}{
		{"the same object", string(owner), true},
		{"the object as HTML with entities", `<p>INV-2026-A-0011</p><p>alice&#64;portal.test</p>`, true},
		{"escaped JSON", `{"n":"INV-2026-A-0011","m":"alice\u0040portal.test"}`, true},
		{"not found echoing the ID", `{"error":"inv_3f9a2b1c8d7e not found"}`, false},
		{"empty list", `{"items":[]}`, false},
		{"one weak value alone", `<p>€12.00 due</p>`, false},
	} {
		got := m.Proves(m.Find([]byte(tt.body)))
		if got != tt.want {
			t.Errorf("%s: proves %v, want %v (found %v)", tt.name, got, tt.want, m.Find([]byte(tt.body)))
		}
	}
	c := MarkersOf([]byte(`{"body":"note lrcanary0011223344"}`), "lrcanary0011223344", nil, nil)
	if !c.Proves(c.Find([]byte(`xx lrcanary0011223344 yy`))) {
		t.Error("the canary alone does not prove exposure")
	}
}

func TestExcerpt(t *testing.T) {
	body := []byte(strings.Repeat("a", 200) + " INV-2026-A-0011 " + strings.Repeat("b", 200))
	e := excerpt(body, "INV-2026-A-0011")
	if !strings.Contains(e, "INV-2026-A-0011") || len(e) > 200 || !strings.HasPrefix(e, "…") || !strings.HasSuffix(e, "…") {
		t.Errorf("excerpt %q", e)
	}
}

func TestIDsIn(t *testing.T) {
	base, _ := url.Parse("https://portal.test/messages")
	tp := Template{Raw: "https://portal.test/messages/{id}", Via: "path"}
	for _, tt := range []struct {
		name, body, field string
		want              []string
	}{
		{"json items", `{"items":[{"id":"msg_1a2b3c4d"},{"id":17},{"uuid":"x"}]}`, "id", []string{"msg_1a2b3c4d", "17"}},
		{"json nested with custom field", `{"data":{"rows":[{"uuid":"u-1"},{"uuid":"u-2"}]}}`, "uuid", []string{"u-1", "u-2"}},
		{"html links", `<a href="/messages/msg_9f">one</a><a href="https://portal.test/messages/msg_8e">two</a><a href="/other/1">x</a>`, "id", []string{"msg_9f", "msg_8e"}},
		{"broken json", `{"items":[{"id":`, "id", nil},
	} {
		got := idsIn(&client.Response{URL: base, Body: []byte(tt.body)}, tt.field, tp)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func FuzzParsers(f *testing.F) {
	f.Add([]byte(`{"items":[{"id":"inv_1"}]}`), "https://portal.test/a/1234?id=99")
	f.Add([]byte(`<a href="/messages/msg_1">x</a><script src="/app.js"></script>`), "https://portal.test/messages")
	f.Add([]byte(`[[[[[[[[`), "::")
	f.Fuzz(func(t *testing.T, body []byte, raw string) {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Host == "" {
			u, _ = url.Parse("https://portal.test/x")
		}
		tp := Template{Raw: "https://portal.test/messages/{id}", Via: "path"}
		_ = idsIn(&client.Response{URL: u, Body: body}, "id", tp)
		for _, x := range templatesOf(u) {
			_ = x.Match(x.Fill("1"))
		}
		m := MarkersOf(body, "lrcanary00", nil, []string{"x"})
		if found := m.Find(body); len(m.Values) > 0 && len(found) == 0 {
			t.Errorf("a body does not carry its own markers: %v", m.Values)
		}
		_ = JudgeIDs([]string{string(body), raw})
		_ = LooksLikeID(raw)
		_ = IsAction(raw)
		if len(body) > 0 {
			_ = excerpt(body, string(body[:1]))
		}
	})
}
