package secrets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/check"
)

// Class says what a found value means for its owner.
type Class int

const (
	// Secret must never be committed, shipped or logged: it grants access.
	Secret Class = iota
	// Publishable is designed to be public (a browser key such as a Stripe
	// publishable key or a Supabase anon key): not a secrets finding, but
	// kept for checks that care where it is used.
	Publishable
	// Harmless looks like a credential but grants nothing that matters: a
	// placeholder, or a password for a database on localhost.
	Harmless
)

// String names the class for messages.
func (c Class) String() string {
	switch c {
	case Secret:
		return "secret"
	case Publishable:
		return "publishable"
	case Harmless:
		return "harmless"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Finding is one value found in one place, classified and redacted. It
// never holds the value itself.
type Finding struct {
	// Kind names what was found: "Stripe live secret key".
	Kind string
	// Class says whether it is a secret.
	Class Class
	// Severity is how much it matters: Blocker for a live secret, Major or
	// Minor for a test-mode or expired one, Info when it is not a secret.
	Severity check.Severity
	// Rotate says what to rotate and where, first.
	Rotate string
	// RuleID is the gitleaks (or launchready-*) rule that matched.
	RuleID string
	// File is the path relative to the scanned root, with "/" separators;
	// a source embedded in a source map is "map!source", as gitleaks names
	// files inside archives.
	File string
	// Line is the 1-based line in File (in the embedded source for a map).
	Line int
	// Commit is the full SHA of the commit that added it (history only).
	Commit string
	// Date is the commit's author date, YYYY-MM-DD (history only).
	Date string
	// Encoding names the encoding it was found under ("base64"), if any.
	Encoding string
	// Redacted is the value's first characters followed by "…".
	Redacted string
	// Fingerprint identifies the finding as gitleaks does:
	// commit:file:rule:line, or file:rule:line outside history.
	Fingerprint string

	// value is a digest of the value, to tell the same key found in many
	// places; never shown.
	value string
}

// GlobalFingerprint is file:rule:line, the fingerprint without the commit.
func (f Finding) GlobalFingerprint() string {
	return fmt.Sprintf("%s:%s:%d", f.File, f.RuleID, f.Line)
}

// SameValue reports whether two findings are the same value.
func (f Finding) SameValue(o Finding) bool { return f.value != "" && f.value == o.value }

// GroupByValue groups the indexes 0..n-1 of findings by value, groups in
// order of first sight and each group in index order; a finding without a
// known value is a group of its own. It takes linear time, so a history
// with thousands of findings groups at once.
func GroupByValue(n int, at func(int) Finding) [][]int {
	var groups [][]int
	index := map[string]int{}
	for i := range n {
		v := at(i).value
		if k, ok := index[v]; ok && v != "" {
			groups[k] = append(groups[k], i)
			continue
		}
		index[v] = len(groups)
		groups = append(groups, []int{i})
	}
	return groups
}

// Redact shows only the start of a value: its first four characters (fewer
// for a short value, a third at most) and "…".
func Redact(value string) string {
	r := []rune(value)
	n := min(4, len(r)/3)
	return string(r[:n]) + "…"
}

// digest is the value's identity for grouping, not reversible.
func digest(value string) string {
	sum := sha256.Sum256([]byte("launchready secret v1:" + value))
	return hex.EncodeToString(sum[:12])
}

// fingerprint builds the gitleaks-style fingerprint.
func fingerprint(commit, file, rule string, line int) string {
	if commit == "" {
		return fmt.Sprintf("%s:%s:%d", file, rule, line)
	}
	return fmt.Sprintf("%s:%s:%s:%d", commit, file, rule, line)
}

// encodingOf reads gitleaks' "decoded:base64" tag.
func encodingOf(tags []string) string {
	for _, t := range tags {
		if enc, ok := strings.CutPrefix(t, "decoded:"); ok {
			return enc
		}
	}
	return ""
}

// Secrets returns the findings that are secrets.
func Secrets(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Class == Secret {
			out = append(out, f)
		}
	}
	return out
}

// Publishables returns the findings of keys designed to be public.
func Publishables(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Class == Publishable {
			out = append(out, f)
		}
	}
	return out
}
