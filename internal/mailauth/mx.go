package mailauth

import (
	"context"
	"net"
)

// MailHosts is how a domain receives mail.
type MailHosts struct {
	Domain string
	// MX are its MX records (nil when it has none).
	MX []MX
	// NullMX is true for a single "MX 0 ." (RFC 7505): the domain
	// declares it accepts no mail.
	NullMX bool
	// Fallback lists the A/AAAA addresses mail goes to when there is no
	// MX (RFC 5321 §5.1 implicit MX).
	Fallback []net.IP
}

// Accepts reports whether mail to the domain has somewhere to go.
func (m *MailHosts) Accepts() bool {
	return !m.NullMX && (len(m.MX) > 0 || len(m.Fallback) > 0)
}

// LookupMail finds domain's MX, or its A/AAAA fallback when it has none.
// NXDOMAIN and NODATA are answers (nothing found), SERVFAIL and timeouts
// errors.
func LookupMail(ctx context.Context, r *Resolver, domain string) (*MailHosts, error) {
	m := &MailHosts{Domain: domain}
	mx, err := r.MX(ctx, domain)
	switch {
	case err == nil:
		m.MX = mx
		m.NullMX = len(mx) == 1 && mx[0].Host == "" && mx[0].Pref == 0
		return m, nil
	case !IsVoid(err):
		return nil, err
	}
	ips, err := r.Addrs(ctx, domain)
	if err != nil && !IsVoid(err) {
		return nil, err
	}
	m.Fallback = ips
	return m, nil
}
