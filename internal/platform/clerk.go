package platform

import (
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/launchready/launchready/internal/safetext"
)

// ClerkInstance is a Clerk application the frontend loads.
type ClerkInstance struct {
	// PublishableKey is the pk_test_/pk_live_ key (publishable).
	PublishableKey string
	// FrontendAPI is the host the key encodes, where the browser SDK
	// talks to Clerk (clerk.<domain> or <slug>.clerk.accounts.dev).
	FrontendAPI string
	// Live is true for a production (pk_live_) instance.
	Live bool
	// Where is the first source it was seen in.
	Where string
}

// clerkKey matches a Clerk publishable key: pk_test_ or pk_live_ and the
// base64 of the Frontend API host followed by "$". Stripe's pk_test_ keys
// share the prefix but decode to no host, so the decoding decides.
var clerkKey = regexp.MustCompile(`\bpk_(test|live)_([A-Za-z0-9+/_-]{8,200}={0,2})`)

// maxClerk caps the instances reported.
const maxClerk = 4

// Clerk finds the Clerk instances the sources name by publishable key.
func Clerk(srcs []Source) []ClerkInstance {
	var out []ClerkInstance
	seen := map[string]bool{}
	for _, s := range srcs {
		out = clerkSource(out, seen, s)
	}
	return out
}

// clerkSource adds the instances one source names to out, up to maxClerk.
func clerkSource(out []ClerkInstance, seen map[string]bool, s Source) []ClerkInstance {
	if len(out) >= maxClerk {
		return out
	}
	for _, m := range clerkKey.FindAllStringSubmatch(bounded(s.Body), -1) {
		host, ok := clerkHost(m[2])
		if !ok || seen[m[0]] {
			continue
		}
		seen[m[0]] = true
		out = append(out, ClerkInstance{PublishableKey: m[0], FrontendAPI: host, Live: m[1] == "live", Where: s.Label})
		if len(out) >= maxClerk {
			return out
		}
	}
	return out
}

// clerkHost decodes a publishable key's payload to its Frontend API host.
func clerkHost(payload string) (string, bool) {
	payload = strings.TrimRight(payload, "=")
	raw, err := base64.RawStdEncoding.DecodeString(payload)
	if err != nil {
		raw, err = base64.RawURLEncoding.DecodeString(payload)
	}
	if err != nil || !strings.HasSuffix(string(raw), "$") {
		return "", false
	}
	host := strings.TrimSuffix(string(raw), "$")
	if len(host) < 4 || len(host) > 253 || !strings.Contains(host, ".") {
		return "", false
	}
	for _, r := range host {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			return "", false
		}
	}
	return strings.ToLower(host), true
}

// maxScan caps the bytes of one source searched: bundles are large, and
// configuration sits near the top or in small chunks.
const maxScan = 8 << 20

// bounded is the part of a body searched.
func bounded(s string) string {
	return safetext.Prefix(s, maxScan)
}
