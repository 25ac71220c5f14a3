package config

import (
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"
)

// Email names the domains the portal sends mail from, for the Email
// deliverability checks (MAIL-*). Every key is optional: without the
// section the checks use the domain of mail the auth journey received.
type Email struct {
	// Domains are the domains whose SPF, DKIM keys, DMARC and MX are
	// judged, e.g. [example.com, mail.example.com]; punycode or Unicode
	// (IDNA), no scheme, no port.
	Domains []string `yaml:"domains"`
	// Selectors are DKIM selectors to look up at
	// <selector>._domainkey.<domain> for each domain (selectors seen in
	// received mail are added).
	Selectors []string `yaml:"selectors"`
	// Sender is the portal's outgoing mail identity.
	Sender *EmailSender `yaml:"sender"`
	// ProviderInclude is the SPF include the sending provider asks for
	// (e.g. _spf.mailprovider.example); MAIL-001 requires it when set.
	ProviderInclude string `yaml:"provider_include"`
}

// EmailSender is the identity of the portal's outgoing mail.
type EmailSender struct {
	// From is the From: address, e.g. no-reply@example.com; its domain is
	// the sending domain when email.domains is empty.
	From string `yaml:"from"`
	// ReturnPath is the envelope sender (bounce) address, whose domain SPF
	// is judged on when it differs from From's.
	ReturnPath string `yaml:"return_path"`
}

// domainIDNA maps Unicode names to punycode as lookups do, but lets
// underscores through: SPF includes and DKIM names hold them (_spf,
// _domainkey), which strict host-name rules refuse.
var domainIDNA = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false), idna.BidiRule())

// MailDomains lists the domains the MAIL checks judge: email.domains, else
// the domain of email.sender.from; nil when the config names neither.
func (c *Config) MailDomains() []string {
	if c.Mail == nil {
		return nil
	}
	if len(c.Mail.Domains) > 0 {
		out := make([]string, 0, len(c.Mail.Domains))
		for _, d := range c.Mail.Domains {
			out = append(out, CanonicalDomain(d))
		}
		return out
	}
	if c.Mail.Sender != nil && c.Mail.Sender.From != "" {
		if a, err := mail.ParseAddress(c.Mail.Sender.From); err == nil {
			if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
				return []string{CanonicalDomain(a.Address[i+1:])}
			}
		}
	}
	return nil
}

// CanonicalDomain is d in lower-case ASCII (punycode), without a trailing
// dot; d unchanged but lower-cased when it is not a valid IDNA name.
func CanonicalDomain(d string) string {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	if a, err := domainIDNA.ToASCII(d); err == nil {
		return strings.ToLower(a)
	}
	return strings.ToLower(d)
}

// DomainProblem says what is wrong with a mail domain name, or "".
func DomainProblem(d string) string {
	switch {
	case strings.TrimSpace(d) == "":
		return "needs a domain name like example.com"
	case strings.Contains(d, "://"):
		return fmt.Sprintf("want a domain name without a scheme, got %q", d)
	case strings.ContainsAny(d, ":/@ "):
		return fmt.Sprintf("want a bare domain name (no port, path, address or spaces), got %q", d)
	}
	a, err := domainIDNA.ToASCII(strings.TrimSuffix(d, "."))
	if err != nil {
		return fmt.Sprintf("%q is not a valid domain name (%v)", d, err)
	}
	if len(a) > 253 {
		return fmt.Sprintf("%q is longer than 253 characters", d)
	}
	labels := strings.Split(a, ".")
	if len(labels) < 2 {
		return fmt.Sprintf("want a fully qualified domain name like example.com, got %q", d)
	}
	for _, l := range labels {
		if p := labelProblem(l); p != "" {
			return fmt.Sprintf("%q: %s", d, p)
		}
	}
	return ""
}

// labelProblem says what keeps l from being a DNS host label (RFC 1123:
// letters, digits and inner hyphens, 1 to 63 characters), or "".
func labelProblem(l string) string {
	switch {
	case l == "":
		return "has an empty label"
	case len(l) > 63:
		return fmt.Sprintf("label %q is longer than 63 characters", l)
	case l[0] == '-' || l[len(l)-1] == '-':
		return fmt.Sprintf("label %q starts or ends with a hyphen", l)
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Sprintf("label %q holds %q; want letters, digits and hyphens", l, r)
		}
	}
	return ""
}

// validateEmail checks the email section: domains are bare domain names,
// selectors DNS labels (dotted sub-selectors allowed, RFC 6376 §3.1),
// addresses parse.
func (c *Config) validateEmail() error {
	e := c.Mail
	if e == nil {
		return nil
	}
	seen := map[string]int{}
	for i, d := range e.Domains {
		key := fmt.Sprintf("email.domains[%d]", i)
		if p := DomainProblem(d); p != "" {
			return c.src.errKey(key, "%s", p)
		}
		cd := CanonicalDomain(d)
		if first, dup := seen[cd]; dup {
			return c.src.errKey(key, "%s is listed twice (first at email.domains[%d])", d, first)
		}
		seen[cd] = i
	}
	for i, s := range e.Selectors {
		key := fmt.Sprintf("email.selectors[%d]", i)
		if s == "" {
			return c.src.errKey(key, "needs a DKIM selector like s1")
		}
		for _, l := range strings.Split(s, ".") {
			if p := labelProblem(l); p != "" {
				return c.src.errKey(key, "%q is not a DKIM selector (a DNS label): %s", s, p)
			}
		}
	}
	if s := e.Sender; s != nil {
		for _, a := range []struct{ key, v string }{{"email.sender.from", s.From}, {"email.sender.return_path", s.ReturnPath}} {
			if a.v == "" {
				continue
			}
			if p := addressProblem(a.v); p != "" {
				return c.src.errKey(a.key, "%s", p)
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(e.ProviderInclude), "include:") {
		return c.src.errKey("email.provider_include", "write the domain alone, without \"include:\" (got %q)", e.ProviderInclude)
	}
	if e.ProviderInclude != "" {
		if p := DomainProblem(e.ProviderInclude); p != "" {
			return c.src.errKey("email.provider_include", "%s", p)
		}
	}
	return nil
}

// addressProblem says what keeps v from being a mail address whose domain
// is a valid domain name, or "".
func addressProblem(v string) string {
	a, err := mail.ParseAddress(v)
	if err != nil {
		return fmt.Sprintf("want a mail address like no-reply@example.com, got %q", v)
	}
	i := strings.LastIndexByte(a.Address, '@')
	if p := DomainProblem(a.Address[i+1:]); p != "" {
		return "the address's domain: " + p
	}
	return ""
}
