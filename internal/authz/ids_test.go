package authz

import (
	"net/url"
	"slices"
	"testing"
)

func TestLooksLikeID(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"1001", true}, {"7", true}, {"3f2b9c1e-8a4d-4c2e-9b1a-2f3e4d5c6b7a", true}, {"inv_3f9a2b1c8d7e", true},
		{"deadbeef12", true}, {"cus-Ab12Cd34Ef", true}, {"V1StGXR8_Z5jdHi6B-myT", true},
		{"dashboard", false}, {"invoices", false}, {"download", false}, {"", false}, {"abcdefabcdef", false},
		{"2026-report", false}, {"my-profile-page-settings", false},
	} {
		if got := LooksLikeID(tt.in); got != tt.want {
			t.Errorf("LooksLikeID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestJudgeIDs(t *testing.T) {
	for _, tt := range []struct {
		name            string
		ids             []string
		guessable, time bool
	}{
		{"consecutive", []string{"1001", "1002", "1004"}, true, false},
		{"one small integer", []string{"42"}, true, false},
		{"prefixed integers", []string{"inv_1001", "inv_1002"}, true, false},
		{"big spread integers", []string{"8234729384729384723", "1234987123498712349"}, false, false},
		{"uuid v4", []string{"3f2b9c1e-8a4d-4c2e-9b1a-2f3e4d5c6b7a", "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"}, false, false},
		{"uuid v1", []string{"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}, false, true},
		{"random hex", []string{"file_9f8e7d6c5b4a39281706f5e4d3c2b1a0"}, false, false},
	} {
		g := JudgeIDs(tt.ids)
		if g.Guessable != tt.guessable || g.TimeBased != tt.time || g.Why == "" {
			t.Errorf("%s: %+v", tt.name, g)
		}
	}
}

func TestTemplate(t *testing.T) {
	tp := newTemplate("https://portal.test/api/invoices/%7Bid%7D")
	if tp.Raw != "https://portal.test/api/invoices/{id}" || tp.Via != "path" {
		t.Fatalf("template %+v", tp)
	}
	u := tp.Fill("inv 1/2")
	if u != "https://portal.test/api/invoices/inv%201%2F2" {
		t.Errorf("Fill escaped to %s", u)
	}
	if id := tp.Match(u); id != "inv 1/2" {
		t.Errorf("Match(%s) = %q", u, id)
	}
	if id := tp.Match("https://portal.test/api/invoices/a/b"); id != "" {
		t.Errorf("a nested path matched: %q", id)
	}
	q := newTemplate("https://portal.test/invoice?id={id}&view=full")
	if q.Via != "query" || q.Fill("a&b") != "https://portal.test/invoice?id=a%26b&view=full" {
		t.Errorf("query template %+v fills %s", q, q.Fill("a&b"))
	}
}

func TestTemplatesOf(t *testing.T) {
	u, _ := url.Parse("https://portal.test/orgs/1234/files/file_9f8e7d6c5b4a3928/download?v=2&doc=77")
	var got []string
	for _, tp := range templatesOf(u) {
		got = append(got, tp.Via+" "+tp.Raw)
	}
	want := []string{
		"path https://portal.test/orgs/{id}/files/file_9f8e7d6c5b4a3928/download?v=2&doc=77",
		"path https://portal.test/orgs/1234/files/{id}/download?v=2&doc=77",
		"query https://portal.test/orgs/1234/files/file_9f8e7d6c5b4a3928/download?doc={id}&v=2",
		"query https://portal.test/orgs/1234/files/file_9f8e7d6c5b4a3928/download?doc=77&v={id}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("templatesOf:\n%v\nwant\n%v", got, want)
	}
}
