package demo

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// zoneOrigin is the demo's DNS zone.
const zoneOrigin = "portal.test."

// zoneRecords returns the zone's records in presentation format for the
// flaws f: the web hosts, then the mail records of the identity id (see
// mailRecords). CAA belongs here as lines too.
func zoneRecords(f Flaws, id *mailIdentity) ([]string, error) {
	rr := []string{
		"portal.test. 60 IN SOA ns.portal.test. hostmaster.portal.test. 2026112801 3600 600 86400 60",
		"portal.test. 60 IN A 127.0.0.1",
		"www.portal.test. 60 IN A 127.0.0.1",
		"app.portal.test. 60 IN A 127.0.0.1",
		dataHost + ". 60 IN A 127.0.0.1",
	}
	mail, err := mailRecords(f, id)
	if err != nil {
		return nil, err
	}
	return append(rr, mail...), nil
}

// samePortTries bounds the retries when TCP cannot take UDP's port.
const samePortTries = 5

// zone is an authoritative zone held as data: records by lower-case name.
type zone struct {
	origin string
	soa    dns.RR
	names  map[string][]dns.RR
}

var _ dns.Handler = (*zone)(nil)

// newZone parses presentation-format records; every name must be inside
// origin and the origin must have an SOA.
func newZone(origin string, lines []string) (*zone, error) {
	z := &zone{origin: strings.ToLower(dns.Fqdn(origin)), names: map[string][]dns.RR{}}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			return nil, fmt.Errorf("zone record %q: %w", l, err)
		}
		if err := z.add(rr); err != nil {
			return nil, err
		}
	}
	if z.soa == nil {
		return nil, fmt.Errorf("zone %s has no SOA record", z.origin)
	}
	return z, nil
}

// add puts one record in the zone.
func (z *zone) add(rr dns.RR) error {
	name := strings.ToLower(dns.Fqdn(rr.Header().Name))
	if !dns.IsSubDomain(z.origin, name) {
		return fmt.Errorf("record %s is outside the zone %s", rr.Header().Name, z.origin)
	}
	rr.Header().Name = name
	if rr.Header().Rrtype == dns.TypeSOA && name == z.origin {
		z.soa = rr
	}
	z.names[name] = append(z.names[name], rr)
	return nil
}

// exists reports whether name owns records or sits above a name that does
// (an empty non-terminal such as _domainkey.portal.test. is NOERROR, not
// NXDOMAIN).
func (z *zone) exists(name string) bool {
	if _, ok := z.names[name]; ok {
		return true
	}
	for n := range z.names {
		if dns.IsSubDomain(name, n) {
			return true
		}
	}
	return false
}

// answer builds the authoritative reply to one query.
func (z *zone) answer(r *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(r)
	if r.Opcode != dns.OpcodeQuery {
		m.Rcode = dns.RcodeNotImplemented
		return m
	}
	if len(r.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		return m
	}
	q := r.Question[0]
	name := strings.ToLower(dns.Fqdn(q.Name))
	if !dns.IsSubDomain(z.origin, name) || (q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY) {
		m.Rcode = dns.RcodeRefused
		return m
	}
	m.Authoritative = true
	if !z.exists(name) {
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{dns.Copy(z.soa)}
		return m
	}
	for _, rr := range z.names[name] {
		if q.Qtype == dns.TypeANY || rr.Header().Rrtype == q.Qtype {
			c := dns.Copy(rr)
			c.Header().Name = q.Name // echo the asker's spelling (0x20 case randomisation)
			m.Answer = append(m.Answer, c)
		}
	}
	if len(m.Answer) == 0 {
		m.Ns = []dns.RR{dns.Copy(z.soa)}
	}
	return m
}

// ServeDNS answers and fits the reply to the transport: 512 bytes over UDP
// unless EDNS0 offers more (then TC tells the client to retry over TCP).
func (z *zone) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := z.answer(r)
	size := dns.MinMsgSize
	_, tcp := w.RemoteAddr().(*net.TCPAddr)
	if tcp {
		size = dns.MaxMsgSize
	}
	if opt := r.IsEdns0(); opt != nil {
		if !tcp {
			size = max(int(opt.UDPSize()), dns.MinMsgSize)
		}
		m.SetEdns0(1232, false)
	}
	m.Truncate(size)
	_ = w.WriteMsg(m) // a client that went away needs no answer
}

// startDNS serves the zone over UDP and TCP on one loopback port.
func (p *Portal) startDNS(ctx context.Context, f Flaws, id *mailIdentity) error {
	lines, err := zoneRecords(f, id)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	z, err := newZone(zoneOrigin, lines)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	pc, ln, err := listenSamePort(ctx)
	if err != nil {
		return fmt.Errorf("demo: DNS listeners: %w", err)
	}
	p.DNSAddr = pc.LocalAddr().String()
	if err := p.runDNS(&dns.Server{PacketConn: pc, Handler: z}); err != nil {
		ln.Close()
		return fmt.Errorf("demo: DNS over UDP: %w", err)
	}
	if err := p.runDNS(&dns.Server{Listener: ln, Handler: z}); err != nil {
		return fmt.Errorf("demo: DNS over TCP: %w", err)
	}
	return nil
}

// listenSamePort binds UDP on a free port, then TCP on the same port,
// retrying with a new port when TCP's is taken.
func listenSamePort(ctx context.Context) (net.PacketConn, net.Listener, error) {
	var lc net.ListenConfig
	var last error
	for range samePortTries {
		pc, err := lc.ListenPacket(ctx, "udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := lc.Listen(ctx, "tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, nil, fmt.Errorf("no port free for both UDP and TCP after %d tries: %w", samePortTries, last)
}

// runDNS starts one server and returns once it is serving, so that Close
// can always shut it down.
func (p *Portal) runDNS(s *dns.Server) error {
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	errc := make(chan error, 1)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		errc <- s.ActivateAndServe()
	}()
	select {
	case <-started:
		p.dnsServers = append(p.dnsServers, s)
		return nil
	case err := <-errc:
		if s.PacketConn != nil {
			s.PacketConn.Close()
		}
		if s.Listener != nil {
			s.Listener.Close()
		}
		return err
	}
}
