package recorded

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func sample() *Recording {
	return &Recording{
		Origin: "https://app.example.com", Account: "a", Recorded: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		VerifiedURL: "https://app.example.com/dashboard",
		Cookies: []Cookie{
			{Name: "sid", Value: "session-cookie-value", Domain: "app.example.com", Path: "/", Secure: true, HTTPOnly: true, SameSite: "Lax"},
			{Name: "pref", Value: "x", Domain: ".example.com", Path: "/", Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		LocalStorage:   map[string]string{"sb-ref-auth-token": `{"access_token":"eyJhbGciOi.access.token","user":{"id":"u1"}}`, "theme": "dark"},
		SessionStorage: map[string]string{},
		IndexedDB: []Database{{Name: "firebaseLocalStorageDb", Version: 1, Stores: []Store{{
			Name: "firebaseLocalStorage", KeyPath: json.RawMessage(`"fbase_key"`),
			Records: []Record{{Key: json.RawMessage(`"firebase:authUser:k:[DEFAULT]"`), Value: json.RawMessage(`{"fbase_key":"k","value":{"stsTokenManager":{"accessToken":"firebase-id-token-value"}}}`)}},
		}}}},
	}
}

func TestWriteFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "launchready-session-a.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, sample()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600 even over a 0644 file", st.Mode().Perm(), err)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), `{`+"\n"+`  "warning": "This file is a credential`) {
		t.Errorf("does not start with the warning: %.80s", data)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Schema != Schema || got.Cookies[1].Expires != sample().Cookies[1].Expires || got.LocalStorage["theme"] != "dark" || !got.Cookies[0].HostOnly() || got.Cookies[1].HostOnly() {
		t.Errorf("round trip: %+v", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestParseRefuses(t *testing.T) {
	good, err := sample().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(good); err != nil {
		t.Fatalf("Parse(good) = %v", err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(good, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"not json":      {[]byte("cookies: []"), "invalid JSON: invalid character 'c' looking for beginning of value"},
		"trailing":      {append(append([]byte{}, good...), "{}"...), "trailing data after the JSON object"},
		"schema":        {edit(func(m map[string]any) { m["schema"] = "playwright" }), `schema is "playwright", want "launchready/session/v1"`},
		"unknown field": {edit(func(m map[string]any) { m["origins"] = []any{} }), `invalid JSON: json: unknown field "origins"`},
		"origin":        {edit(func(m map[string]any) { m["origin"] = "app.example.com" }), `origin: want an http(s) origin like https://app.example.com, got "app.example.com"`},
		"no time":       {edit(func(m map[string]any) { delete(m, "recorded") }), "no recorded time"},
		"cookie name":   {edit(func(m map[string]any) { m["cookies"] = []any{map[string]any{"name": "", "domain": "x"}} }), "cookies[0]: needs a name and a domain"},
		"cookie value": {edit(func(m map[string]any) {
			m["cookies"] = []any{map[string]any{"name": "a", "value": "1\r\nX: y", "domain": "x"}}
		}), "cookies[0]: a name, value, domain or path holds a character a cookie cannot"},
		"samesite": {edit(func(m map[string]any) {
			m["cookies"] = []any{map[string]any{"name": "a", "domain": "x", "sameSite": "lax"}}
		}), `cookies[0]: sameSite "lax", want Strict, Lax or None`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestToken(t *testing.T) {
	r := sample()
	for from, want := range map[string]string{
		"localStorage:sb-ref-auth-token#access_token": "eyJhbGciOi.access.token",
		"localStorage:theme":                          "dark",
		"cookie:sid":                                  "session-cookie-value",
	} {
		if got, err := r.Token(from); err != nil || got != want {
			t.Errorf("Token(%q) = %q, %v; want %q", from, got, err, want)
		}
	}
	for from, want := range map[string]string{
		"sessionStorage:tok":              `the recording holds no sessionStorage "tok"`,
		"localStorage:theme#x":            `localStorage "theme" field "x": the value is not JSON`,
		"localStorage:sb-ref-auth-token#": `"localStorage:sb-ref-auth-token#": ` + FromForms,
		"token":                           `"token": ` + FromForms,
		"indexedDB:x":                     `"indexedDB:x": ` + FromForms,
	} {
		if _, err := r.Token(from); err == nil || err.Error() != want {
			t.Errorf("Token(%q) = %v\nwant %s", from, err, want)
		}
	}
}

func TestScope(t *testing.T) {
	hosts := ScopeHosts([]string{"app.example.com", "App.example.com:8443", "https://storage.example.net/bucket/", "[::1]:8080", "127.0.0.1"})
	if want := []string{"app.example.com", "storage.example.net", "::1", "127.0.0.1"}; !slices.Equal(hosts, want) {
		t.Errorf("ScopeHosts = %q, want %q", hosts, want)
	}
	for domain, want := range map[string]bool{
		"app.example.com": true, ".example.com": true, "example.com": false, ".google.com": false,
		"accounts.google.com": false, ".app.example.com": true, "evil-app.example.com": false,
	} {
		if got := InScope(domain, hosts); got != want {
			t.Errorf("InScope(%q) = %v, want %v", domain, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	s := sample().Secrets()
	for _, want := range []string{"session-cookie-value", "eyJhbGciOi.access.token", "firebase-id-token-value"} {
		if !slices.Contains(s, want) {
			t.Errorf("Secrets misses %q", want)
		}
	}
}

func TestCommand(t *testing.T) {
	if got := Command("b", "sessions/b.json"); got != "launchready login --record --account b --out sessions/b.json" {
		t.Errorf("Command = %q", got)
	}
}

// FuzzParse: no input makes Parse panic, and what it accepts marshals and
// parses again to the same recording.
func FuzzParse(f *testing.F) {
	good, _ := sample().Marshal()
	f.Add(good)
	f.Add([]byte(`{"schema":"launchready/session/v1","origin":"http://127.0.0.1:1","recorded":"2026-01-01T00:00:00Z","cookies":[{"name":"a","domain":".x"}],"indexeddb":[{"name":"d","stores":[{"name":"s","records":[{"key":1,"value":null}]}]}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		again, err := r.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed recording: %v", err)
		}
		r2, err := Parse(again)
		if err != nil {
			t.Fatalf("a marshalled recording does not parse: %v\n%s", err, again)
		}
		if r2.Origin != r.Origin || len(r2.Cookies) != len(r.Cookies) || len(r2.IndexedDB) != len(r.IndexedDB) {
			t.Errorf("round trip changed the recording")
		}
		_ = r.Secrets()
		_, _ = r.Token("localStorage:a#b.c")
	})
}
