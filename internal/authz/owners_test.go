package authz

import (
	"slices"
	"strings"
	"testing"
)

func TestOwnersIn(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		a, b       string // sorted IDs, comma-separated
	}{
		{"PocketBase list", `{"page":1,"items":[{"id":"i1","owner":"ua","total":1},{"id":"i2","owner":"ub"},{"id":"i3","owner":"uc"}]}`, "i1", "i2"},
		{"top-level array, numeric ids", `[{"id":7,"user_id":"ua"},{"id":8,"user_id":"ub"}]`, "7", "8"},
		{"the id itself is no owner", `[{"id":"ua"},{"id":"x","created_by":"ub"}]`, "", "x"},
		{"no owner field", `{"items":[{"id":"1","title":"t"}]}`, "", ""},
		{"not JSON", `<html>ua</html>`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := ownersIn([]byte(tc.body), "id", "ua", "ub")
			if got := keys(a); got != tc.a {
				t.Errorf("a's = %q, want %q", got, tc.a)
			}
			if got := keys(b); got != tc.b {
				t.Errorf("b's = %q, want %q", got, tc.b)
			}
		})
	}
}

func keys(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}
