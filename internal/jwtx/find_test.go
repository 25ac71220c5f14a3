package jwtx

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestFind(t *testing.T) {
	key := randomKey(t)
	a := hsToken(t, "HS256", claims(), key)
	b := hsToken(t, "HS256", jwt.MapClaims{"sub": "member-43"}, key)
	none := noneToken(t, claims())
	tests := []struct {
		name string
		text string
		want []string
	}{
		{name: "cookie header", text: "Cookie: theme=dark; session=" + a + "; lang=en", want: []string{a}},
		{name: "set-cookie", text: "Set-Cookie: sb-access-token=" + a + "; Path=/; HttpOnly; Secure", want: []string{a}},
		{name: "json body", text: `{"access_token":"` + a + `","refresh":"` + b + `","again":"` + a + `"}`, want: []string{a, b}},
		{name: "authorization header", text: "Authorization: Bearer " + a + "\r\n", want: []string{a}},
		{name: "query string", text: "GET /cb?token=" + a + "&next=/home", want: []string{a}},
		{name: "end of sentence", text: "Your token is " + a + ".", want: []string{a}},
		{name: "unsigned token keeps its dot", text: "x=" + none + " y", want: []string{none}},
		{name: "version numbers", text: "nginx/1.25.3 go1.26.8 v2.0.0-beta.8"},
		{name: "host names", text: "https://www.example.com/a.b.c and eyJ.eyJ.x"},
		{name: "dotted base64 that is not JSON", text: "eyJhbGciOi.eyJzdWIiOi.c2ln " + seg("abc") + "." + seg("def") + "." + seg("ghi")},
		{name: "glued after other base64", text: "QUJD" + a},
		{name: "four segments", text: a + ".eyJ4"},
		{name: "empty", text: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Find(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Find = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFindBounded(t *testing.T) {
	key := randomKey(t)
	var text strings.Builder
	for i := range 2 * MaxFind {
		fmt.Fprintf(&text, "t%d=%s\n", i, hsToken(t, "HS256", jwt.MapClaims{"n": i}, key))
	}
	if got := len(Find(text.String())); got != MaxFind {
		t.Errorf("Find returned %d tokens, want the cap %d", got, MaxFind)
	}
	nearMiss := seg(`{"alg":"none"}`) + "." + seg(`{"x":1}`) + ".a "
	a := hsToken(t, "HS256", claims(), key)
	if got := Find(strings.Repeat(nearMiss, maxCandidates-1) + a); !slices.Equal(got, []string{a}) {
		t.Errorf("token after %d near-misses: Find = %d tokens, want it", maxCandidates-1, len(got))
	}
	if got := Find(strings.Repeat(nearMiss, maxCandidates) + a); len(got) != 0 {
		t.Errorf("token after %d near-misses: Find = %d tokens, want the search given up", maxCandidates, len(got))
	}
	huge := "eyJ" + strings.Repeat("A", 4*MaxSize) + ".eyJ" + strings.Repeat("B", 10) + ".c"
	if got := Find(huge); len(got) != 0 {
		t.Errorf("Find on an oversized candidate = %d tokens", len(got))
	}
}
