package inbox

import (
	"fmt"
	netmail "net/mail"
	"strings"
)

// tagPlaceholder is what an address template must contain.
const tagPlaceholder = "{{tag}}"

// maxTagLen keeps the resulting local part well under RFC 5321's 64 octets.
const maxTagLen = 32

// PlusAddress fills the {{tag}} in an address template, so each account the
// scanner creates gets its own address: "qa+{{tag}}@example.com" with tag
// "a1" gives "qa+a1@example.com". The template must contain {{tag}} exactly
// once and give a bare address (no display name); the tag must be 1-32
// characters of [a-z0-9-].
func PlusAddress(template, tag string) (string, error) {
	if n := strings.Count(template, tagPlaceholder); n != 1 {
		return "", fmt.Errorf("inbox: address template %q must contain %s exactly once, like qa+%s@example.com", template, tagPlaceholder, tagPlaceholder)
	}
	if err := validTag(tag); err != nil {
		return "", err
	}
	addr := strings.Replace(template, tagPlaceholder, tag, 1)
	if err := validAddress(addr); err != nil {
		return "", fmt.Errorf("inbox: address template %q: %w", template, err)
	}
	return addr, nil
}

func validTag(tag string) error {
	if tag == "" || len(tag) > maxTagLen {
		return fmt.Errorf("inbox: address tag %q must be 1-%d characters", tag, maxTagLen)
	}
	for _, r := range tag {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("inbox: address tag %q may contain only a-z, 0-9 and '-'", tag)
		}
	}
	return nil
}

// validAddress accepts a bare addr-spec like qa+x@example.com: one '@', a
// local part of at most 64 bytes, a dotted domain, no display name, no
// quoting, no spaces.
func validAddress(addr string) error {
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return fmt.Errorf("%q is not a bare email address like qa+tag@example.com", addr)
	}
	local, domain, ok := strings.Cut(addr, "@")
	switch {
	case !ok || strings.Contains(domain, "@") || strings.ContainsAny(addr, "\" \t\\"):
		return fmt.Errorf("%q is not a bare email address like qa+tag@example.com", addr)
	case len(local) > 64:
		return fmt.Errorf("the local part of %q is over 64 bytes", addr)
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, "."):
		return fmt.Errorf("%q needs a domain name like example.com", addr)
	}
	return nil
}
