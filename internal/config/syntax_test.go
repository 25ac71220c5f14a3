package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSyntaxErrorLine: a broken config's error names the line a person
// would point at: the under-indented key, the tab, the line that opens a
// quote or bracket never closed, the second of two keys, the list.
func TestSyntaxErrorLine(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"key indented less than its siblings",
			"target:\n  url: https://a.example.com\n variants: [http://a.example.com]\nauth:\n  kind: form\n", 3, "invalid YAML"},
		{"nested key indented less than its siblings",
			"target:\n  url: https://a.example.com\n  timeouts:\n    connect: 5s\n   tls: 5s\n", 5, "invalid YAML"},
		{"key indented more than its siblings",
			"target:\n  url: https://a.example.com\n    scope: [a.example.com]\n", 3, "invalid YAML"},
		{"unclosed double quote",
			"target:\n  url: \"https://a.example.com\n  scope: [a.example.com]\nauth:\n  kind: form\n", 2, "invalid YAML"},
		{"unclosed single quote",
			"target:\n  url: https://a.example.com\nauth:\n  kind: 'form\n  protected: [/x]\n", 4, "invalid YAML"},
		{"unclosed flow list",
			"target:\n  url: https://a.example.com\n  scope: [a.example.com\nauth:\n  kind: form\n", 3, "invalid YAML"},
		{"unclosed flow mapping on the first line",
			"target: {url: https://a.example.com\nauth:\n  kind: form\n", 1, "invalid YAML"},
		{"unclosed flow list after a closed multi-line one",
			"target:\n  url: https://a.example.com\n  scope: [a.example.com,\n    b.example.com]\n  variants: [http://a.example.com\nauth:\n  kind: form\n", 5, "invalid YAML"},
		{"tab indentation",
			"target:\n\turl: https://a.example.com\n", 2, "invalid YAML"},
		{"tab indentation further down",
			"target:\n  url: https://a.example.com\nauth:\n\tkind: form\n", 4, "invalid YAML"},
		{"a control character", "target:\n  url: https://a.example.com\n  resolver: \x01x\n", 3, "invalid YAML: control characters"},
		{"invalid UTF-8", "target:\n  url: https://a.example.com\n  resolver: \xffx\n", 3, "invalid YAML: invalid leading UTF-8 octet"},
		{"two colons", "target:\n  url: https://a.example.com\nauth:\n  kind: form: json\n", 4, "invalid YAML"},
		{"duplicated key",
			"target:\n  url: https://a.example.com\nauth:\n  kind: form\n  kind: json\n", 5, "auth.kind: duplicate key (first written on line 4)"},
		{"duplicated top-level key",
			"target:\n  url: https://a.example.com\nauth:\n  kind: form\ntarget:\n  url: https://b.example.com\n", 5, "target: duplicate key (first written on line 1)"},
		{"a list where a mapping is expected",
			"target:\n  url: https://a.example.com\nauth:\n  - kind: form\n", 4, "auth: want a mapping, got a list"},
		{"a list where a nested mapping is expected",
			"target:\n  url: https://a.example.com\nauth:\n  kind: form\n  login:\n    - path: /login\n", 6, "auth.login: want a mapping, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "", Options{Getenv: fakeEnv()})
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want a *config.Error", err, err)
			}
			prefix := fmt.Sprintf("launchready.yaml:%d: %s", tc.line, tc.want)
			if ce.Line != tc.line || !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q, want it to start %q", err, prefix)
			}
		})
	}
}
