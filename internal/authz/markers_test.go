package authz

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/client"
)

func TestMarkers(t *testing.T) {
	owner := []byte(`{"id":"inv_3f9a2b1c8d7e","number":"INV-2026-A-0011","member":"alice@portal.test","status":"Paid","amount":"€12.00","note":"Shared footer text"}`)
	baseline := map[string]bool{"Shared footer text": true}
	m, err := MarkersOf(owner, "", baseline, []string{"inv_3f9a2b1c8d7e"})
	if err != nil {
		t.Fatal(err)
	}
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
		found, err := m.Find([]byte(tt.body))
		if got := m.Proves(found); got != tt.want || err != nil {
			t.Errorf("%s: proves %v (%v), want %v (found %v)", tt.name, got, err, tt.want, found)
		}
	}
	c, _ := MarkersOf([]byte(`{"body":"note lrcanary0011223344"}`), "lrcanary0011223344", nil, nil)
	if found, _ := c.Find([]byte(`xx lrcanary0011223344 yy`)); !c.Proves(found) {
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

// TestExcerptCutsWholeCharacters: wherever the window's edges fall in a
// multi-byte character, the excerpt is valid UTF-8 and the character is
// left out rather than split.
func TestExcerptCutsWholeCharacters(t *testing.T) {
	const marker = "INV-2026-A-0011"
	for _, tc := range []struct {
		name string
		pad  string
		skew int // ASCII bytes before the marker, moving the cut through the character
	}{
		{"euro at both cuts", "€", 0},
		{"euro, cut at its second byte", "€", 1},
		{"euro, cut at its third byte", "€", 2},
		{"two-byte é", "é", 1},
		{"CJK", "日本", 2},
		{"four-byte emoji", "😀", 1},
		{"four-byte emoji, other offset", "😀", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			side := strings.Repeat(tc.pad, 2*aroundBytes/len(tc.pad))
			body := []byte(side + strings.Repeat("x", tc.skew) + " " + marker + " " + side)
			e := excerpt(body, marker)
			if !utf8.ValidString(e) || !strings.Contains(e, marker) {
				t.Errorf("excerpt %q: want valid UTF-8 holding the marker", e)
			}
		})
	}
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"total 12€ due", 9, "total 12…"},
		{"total 12€ due", 10, "total 12…"},
		{"total 12€ due", 11, "total 12€…"},
		{"日本語テキスト", 7, "日本…"},
		{"short", 80, "short"},
	} {
		if got := clip(tc.s, tc.n); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
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
		got, err := idsIn(&client.Response{URL: base, Body: []byte(tt.body)}, tt.field, tp)
		if err != nil || !slices.Equal(got, tt.want) {
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
		_, _ = idsIn(&client.Response{URL: u, Body: body}, "id", tp)
		for _, x := range templatesOf(u) {
			_ = x.Match(x.Fill("1"))
		}
		m, _ := MarkersOf(body, "lrcanary00", nil, []string{"x"})
		if found, _ := m.Find(body); len(m.Values) > 0 && len(found) == 0 {
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

// TestIDsInManyIDs: a list of 100,000 objects (each ID listed twice) gives
// each ID once, in order, with a set: the slice searched on every insert
// made this quadratic (about two minutes for one list: the "JSON list of
// 100k IDs" scenario of internal/hostile).
func TestIDsInManyIDs(t *testing.T) {
	const n = 100_000
	var js, links strings.Builder
	js.WriteString("[")
	for i := range n {
		fmt.Fprintf(&js, `{"id":"a%09d"},{"id":"a%09d"},`, i, i)
		fmt.Fprintf(&links, `<a href="/messages/m%06d">m</a><a href="/messages/m%06d">again</a>`, i%1500, i%1500)
	}
	js.WriteString(`{"id":"a000000000"}]`)
	base, _ := url.Parse("https://portal.test/messages")
	tp := Template{Raw: "https://portal.test/messages/{id}", Via: "path"}
	ids, err := idsIn(&client.Response{URL: base, Body: []byte(js.String())}, "id", tp)
	if err != nil || len(ids) != n || ids[0] != "a000000000" || ids[n-1] != fmt.Sprintf("a%09d", n-1) {
		t.Fatalf("JSON list: %d IDs (%v), want %d in order", len(ids), err, n)
	}
	ids, err = idsIn(&client.Response{URL: base, Body: []byte(links.String())}, "id", tp)
	if err != nil || len(ids) != 1500 || ids[1499] != "m001499" {
		t.Fatalf("links: %d IDs (%v), want 1500 in order", len(ids), err)
	}
}

// TestMarkersSmallIDs: the object's ID is left out where it stands as a
// word or number of its own ("Invoice 1", "inv-1"), not wherever its
// digits occur: with IDs 1 to 3 every line of an invoice holds them.
func TestMarkersSmallIDs(t *testing.T) {
	owner := []byte(`{"id":1,"lines":["Invoice 1","Total 120.00","12 licences","due for inv-1"]}`)
	m, err := MarkersOf(owner, "", nil, []string{"1"})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m.Values)
	if want := []string{"12 licences", "Total 120.00"}; !slices.Equal(m.Values, want) {
		t.Errorf("markers %q, want %q", m.Values, want)
	}
}

func TestHoldsToken(t *testing.T) {
	for _, tt := range []struct {
		s, id string
		want  bool
	}{
		{"Invoice 1", "1", true}, {"1", "1", true}, {"/notes/1?x", "1", true}, {"inv-1 due", "1", true},
		{"Total 120.00", "1", false}, {"12 licences", "1", false}, {"2026-01-15", "1", false}, {"x1", "1", false},
		{"inv_3f9a not found", "inv_3f9a", true}, {"inv_3f9ab", "inv_3f9a", false}, {"№1", "1", true}, {"é1", "1", false},
		{"11 and 1", "1", true}, {"", "1", false}, {"anything", "", false},
	} {
		if got := holdsToken(tt.s, []string{tt.id}); got != tt.want {
			t.Errorf("holdsToken(%q, %q) = %v, want %v", tt.s, tt.id, got, tt.want)
		}
	}
}
