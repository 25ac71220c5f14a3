package mailauth

import (
	"context"
	"net"

	"blitiri.com.ar/go/spf"
)

// ProbeIP is the address SPFResultFor evaluates by default: in 100.64.0.0/10
// (shared address space, RFC 6598), which no public SPF record lists, so
// the evaluation walks every term as a receiver does for a forged sender.
var ProbeIP = net.IPv4(100, 64, 0, 1)

// SPFResultFor evaluates ip sending as postmaster@domain with
// blitiri.com.ar/go/spf, an independent RFC 7208 implementation, through
// r's server only. It gives the receiver's result (pass, fail, softfail,
// neutral, none, temperror, permerror), which our own walk does not: the
// walk counts and explains, this one decides.
func SPFResultFor(ctx context.Context, r *Resolver, ip net.IP, domain string) (string, error) {
	res, err := spf.CheckHostWithSender(ip, domain, "postmaster@"+domain,
		spf.WithResolver(r.NetResolver()), spf.WithContext(ctx))
	return string(res), err
}
