package mailauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// The kinds of lookup failure a check tells apart; a *LookupError
// unwraps to one of them.
var (
	// ErrNXDomain: the name does not exist (rcode NXDOMAIN).
	ErrNXDomain = errors.New("NXDOMAIN")
	// ErrNoData: the name exists but has no record of that type.
	ErrNoData = errors.New("NODATA")
	// ErrServFail: the server could not answer (rcode SERVFAIL).
	ErrServFail = errors.New("SERVFAIL")
	// ErrTimeout: no answer within the per-query timeout.
	ErrTimeout = errors.New("timeout")
	// ErrRcode: any other failing rcode (REFUSED, FORMERR, ...).
	ErrRcode = errors.New("DNS error")
)

// LookupError is a failed lookup of one name and type.
type LookupError struct {
	Name   string // the name queried, without the trailing dot
	Type   string // TXT, MX, A, ...
	Server string // the server asked
	Kind   error  // one of ErrNXDomain, ErrNoData, ErrServFail, ErrTimeout, ErrRcode
	Detail string // e.g. the rcode's name or the network error
}

func (e *LookupError) Error() string {
	s := fmt.Sprintf("%s %s: %v", e.Type, e.Name, e.Kind)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s + " from " + e.Server
}

// Unwrap gives the kind, for errors.Is.
func (e *LookupError) Unwrap() error { return e.Kind }

// IsVoid reports whether err is a void lookup in the sense of RFC 7208
// §4.6.4: NXDOMAIN or no answer of the type asked.
func IsVoid(err error) bool {
	return errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoData)
}

// Resolver sends queries to one DNS server and nothing else.
type Resolver struct {
	server  string
	timeout time.Duration
}

// DefaultTimeout bounds one query (each of UDP and its TCP retry).
const DefaultTimeout = 5 * time.Second

// NewResolver queries addr (host:port, e.g. target.resolver), or, when
// addr is "", the first nameserver of /etc/resolv.conf. timeout bounds each
// query; 0 means DefaultTimeout.
func NewResolver(addr string, timeout time.Duration) (*Resolver, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if addr == "" {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil {
			return nil, fmt.Errorf("reading the system resolver: %w", err)
		}
		if len(conf.Servers) == 0 {
			return nil, errors.New("the system has no resolver in /etc/resolv.conf")
		}
		addr = net.JoinHostPort(conf.Servers[0], conf.Port)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("resolver %q: want host:port: %w", addr, err)
	}
	return &Resolver{server: addr, timeout: timeout}, nil
}

// Server is the host:port every query goes to.
func (r *Resolver) Server() string { return r.server }

// Query asks for name's records of type qtype and returns the answers of
// that type (CNAMEs followed by the server are skipped). A truncated UDP
// answer is asked again over TCP.
func (r *Resolver) Query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	name = strings.TrimSuffix(name, ".")
	lerr := func(kind error, detail string) *LookupError {
		return &LookupError{Name: name, Type: dns.TypeToString[qtype], Server: r.server, Kind: kind, Detail: detail}
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	resp, err := r.exchange(ctx, m, "udp")
	if err == nil && resp.Truncated {
		resp, err = r.exchange(ctx, m, "tcp")
	}
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return nil, lerr(ErrTimeout, fmt.Sprintf("no answer within %s", r.timeout))
		}
		return nil, lerr(ErrRcode, err.Error())
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, lerr(ErrNXDomain, "")
	case dns.RcodeServerFailure:
		return nil, lerr(ErrServFail, "")
	default:
		return nil, lerr(ErrRcode, dns.RcodeToString[resp.Rcode])
	}
	var out []dns.RR
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	if len(out) == 0 {
		return nil, lerr(ErrNoData, "no "+dns.TypeToString[qtype]+" record")
	}
	return out, nil
}

func (r *Resolver) exchange(ctx context.Context, m *dns.Msg, network string) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	c := &dns.Client{Net: network, Timeout: r.timeout}
	resp, _, err := c.ExchangeContext(ctx, m, r.server)
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	}
	return resp, err
}

// TXT returns name's TXT records, each record's strings joined (RFC 7208
// §3.3, RFC 6376 §3.6.2.2).
func (r *Resolver) TXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.Query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	return out, nil
}

// MX is one mail exchanger.
type MX struct {
	Pref uint16
	Host string // without the trailing dot; "" for a null MX's "."
}

// MX returns name's MX records.
func (r *Resolver) MX(ctx context.Context, name string) ([]MX, error) {
	rrs, err := r.Query(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]MX, 0, len(rrs))
	for _, rr := range rrs {
		mx := rr.(*dns.MX)
		out = append(out, MX{Pref: mx.Preference, Host: strings.TrimSuffix(mx.Mx, ".")})
	}
	return out, nil
}

// Addrs returns name's A and AAAA addresses. The error is nil when either
// type answered; otherwise it is the A lookup's, unless AAAA failed harder
// (a SERVFAIL or timeout is worth more than NODATA).
func (r *Resolver) Addrs(ctx context.Context, name string) ([]net.IP, error) {
	var ips []net.IP
	a, errA := r.Query(ctx, name, dns.TypeA)
	for _, rr := range a {
		ips = append(ips, rr.(*dns.A).A)
	}
	aaaa, errAAAA := r.Query(ctx, name, dns.TypeAAAA)
	for _, rr := range aaaa {
		ips = append(ips, rr.(*dns.AAAA).AAAA)
	}
	switch {
	case len(ips) > 0:
		return ips, nil
	case errAAAA != nil && !IsVoid(errAAAA) && IsVoid(errA):
		return nil, errAAAA
	}
	return nil, errA
}

// NetResolver is a *net.Resolver whose every query goes to the same
// server, for libraries that take one (blitiri.com.ar/go/spf).
func (r *Resolver) NetResolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			// network is passed through so Go retries a truncated UDP
			// answer over TCP; the address asked for is ignored.
			d := net.Dialer{Timeout: r.timeout}
			return d.DialContext(ctx, network, r.server)
		},
	}
}
