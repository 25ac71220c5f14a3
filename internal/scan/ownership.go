package scan

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/client"
)

// OwnershipToken is the value that proves control of a domain: published
// as a TXT record at _launchready.<domain> or served at
// /.well-known/launchready.txt. It is derived from the domain, so anyone can
// compute it, but only whoever controls the domain can publish it.
func OwnershipToken(domain string) string {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	sum := sha256.Sum256([]byte("launchready ownership v1:" + d))
	return "launchready-verify=" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:26])
}

// consent decides whether intrusive checks may run against the target:
// a loopback target (judged by the address actually dialed) or a proven
// owner. The note says what is missing otherwise.
func consent(ctx context.Context, cl *client.Client, raw string, loopback func(addr string) bool) (bool, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return false, "target.url does not parse"
	}
	resp, err := cl.Do(ctx, &client.Request{URL: raw})
	if err != nil {
		return false, fmt.Sprintf("--intrusive was given, but %s could not be reached to check where it runs: %v", raw, err)
	}
	if loopback(resp.RemoteAddr) {
		return true, ""
	}
	host := u.Hostname()
	want := OwnershipToken(host)
	if txts, err := cl.LookupTXT(ctx, "_launchready."+host); err == nil {
		for _, t := range txts {
			if strings.TrimSpace(t) == want {
				return true, ""
			}
		}
	}
	wk := u.Scheme + "://" + u.Host + "/.well-known/launchready.txt"
	if resp, err := cl.Do(ctx, &client.Request{URL: wk}); err == nil && resp.StatusCode == 200 &&
		strings.Contains(string(resp.Body), want) {
		return true, ""
	}
	return false, fmt.Sprintf("--intrusive was given, but %s is not on loopback and shows no ownership proof: publish TXT _launchready.%s \"%s\" or serve it at %s (see `launchready token %s`)",
		host, host, want, wk, host)
}
