package secrets

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// sourceMap builds a source map embedding the given sources (name,
// content pairs), JSON-escaped as bundlers write them.
func sourceMap(t testing.TB, pairs ...string) []byte {
	t.Helper()
	m := map[string]any{"version": 3, "file": "app.js", "mappings": "AAAA"}
	var names, contents []string
	for i := 0; i+1 < len(pairs); i += 2 {
		names, contents = append(names, pairs[i]), append(contents, pairs[i+1])
	}
	m["sources"], m["sourcesContent"] = names, contents
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeSourceMap(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       []EmbeddedSource
		err        string
	}{
		{"plain", `{"version":3,"sources":["src/a.ts","src/b.ts"],"sourcesContent":["let a = \"x\";\n","b"],"mappings":""}`,
			[]EmbeddedSource{{"src/a.ts", "let a = \"x\";\n"}, {"src/b.ts", "b"}}, ""},
		{"null content skipped", `{"sources":["a","b"],"sourcesContent":[null,"b"]}`, []EmbeddedSource{{"b", "b"}}, ""},
		{"no names", `{"sourcesContent":["x"]}`, []EmbeddedSource{{"source-0", "x"}}, ""},
		{"xssi prefix", ")]}'\n" + `{"sources":["a"],"sourcesContent":["x"]}`, []EmbeddedSource{{"a", "x"}}, ""},
		{"index map", `{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"sources":["a"],"sourcesContent":["x"]}}]}`,
			[]EmbeddedSource{{"section-0/a", "x"}}, ""},
		{"control characters in a name", `{"sources":["a\u001b[31m"],"sourcesContent":["x"]}`, []EmbeddedSource{{"a_[31m", "x"}}, ""},
		{"not json", `const a = 1;`, nil, "not a source map: invalid character"},
		{"json but not a map", `{"name":"x"}`, nil, "not a source map: no sources, sourcesContent, mappings or sections"},
		{"too deep", `{"sections":[{"map":{"sections":[{"map":{"sections":[{"map":{"sections":[{"map":{"sections":[{"map":{"sources":[]}}]}}]}}]}}]}}]}`,
			nil, "source map sections nest deeper than 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeSourceMap([]byte(tc.data))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err = %v, want prefix %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("source %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// FuzzDecodeSourceMap: hostile maps decode or fail, never panic, and
// every name stays printable.
func FuzzDecodeSourceMap(f *testing.F) {
	f.Add(sourceMap(f, "src/a.ts", "const k = \"v\";\n"))
	f.Add([]byte(`{"sections":[{"map":{"sources":[null],"sourcesContent":["x"]}}]}`))
	f.Add([]byte(")]}'"))
	f.Fuzz(func(t *testing.T, data []byte) {
		srcs, named, err := DescribeSourceMap(data)
		if err != nil {
			return
		}
		if named < 0 {
			t.Errorf("named %d sources", named)
		}
		for _, s := range srcs {
			if s.Name == "" || strings.ContainsAny(s.Name, "\x00\n\r\x1b") {
				t.Errorf("bad source name %q", s.Name)
			}
		}
	})
}

// TestSourceMapFindsEscapedKey: a key inside JSON-escaped sourcesContent
// is missed by scanning the map as text and found by decoding it, named
// by the original source and its line.
func TestSourceMapFindsEscapedKey(t *testing.T) {
	s := newScanner(t)
	sk := fakeStripe(t, "sk", "live")
	data := sourceMap(t, "webpack://app/src/pay.ts", "import x from 'y';\n\nconst key = \""+sk+"\";\n", "src/ok.ts", "export {};\n")
	if raw := s.Text(context.Background(), "dist/app.js.map", string(data)); len(Secrets(raw)) != 0 {
		t.Logf("scanning the raw map found %d (gitleaks may have improved)", len(raw))
	}
	fs, err := s.SourceMap(context.Background(), "dist/app.js.map", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].File != "dist/app.js.map!webpack://app/src/pay.ts" || fs[0].Line != 3 || fs[0].Kind != "Stripe live secret key" {
		t.Fatalf("findings %+v, want the key in pay.ts line 3", fs)
	}
	if _, err := s.SourceMap(context.Background(), "x.map", []byte("nope")); err == nil || !strings.HasPrefix(err.Error(), "x.map: not a source map") {
		t.Errorf("err = %v", err)
	}
}
