// Package dnstest serves a DNS zone on loopback for tests: authoritative
// answers over UDP and TCP on 127.0.0.1, NXDOMAIN with the SOA for unknown
// names, NODATA with the SOA for known names without the type asked,
// SERVFAIL for names marked broken, and silence for names marked mute (the
// timeout case). It follows RFC 1034 §4.3.2's answers for one zone and no
// delegations, which is all the mail checks' tests need.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server is a running test DNS server.
type Server struct {
	// Addr is host:port, the same for UDP and TCP.
	Addr string

	mu      sync.Mutex
	records map[string][]dns.RR // by lower-case FQDN
	broken  map[string]bool
	mute    map[string]bool
	soa     dns.RR
	queries []string
}

// Zone is what Start serves.
type Zone struct {
	// Origin is the zone apex, e.g. "test."; names below it that are not in
	// Records answer NXDOMAIN with its SOA.
	Origin string
	// Records are presentation-format lines ("name TTL IN TYPE data"),
	// names relative to Origin unless they end in a dot.
	Records []string
	// Broken names answer SERVFAIL whatever the type.
	Broken []string
	// Mute names are never answered, so clients time out.
	Mute []string
}

// Start serves z on 127.0.0.1 (UDP and TCP on the same port) until the
// test ends.
func Start(t testing.TB, z Zone) *Server {
	t.Helper()
	origin := dns.Fqdn(strings.ToLower(z.Origin))
	s := &Server{records: map[string][]dns.RR{}, broken: map[string]bool{}, mute: map[string]bool{}}
	soa, err := dns.NewRR(origin + " 300 IN SOA ns." + origin + " hostmaster." + origin + " 1 3600 600 86400 300")
	if err != nil {
		t.Fatalf("dnstest: SOA: %v", err)
	}
	s.soa = soa
	s.add(soa)
	for _, line := range z.Records {
		p := dns.NewZoneParser(strings.NewReader(line+"\n"), origin, "")
		p.SetDefaultTTL(300)
		for rr, ok := p.Next(); ok; rr, ok = p.Next() {
			s.add(rr)
		}
		if err := p.Err(); err != nil {
			t.Fatalf("dnstest: record %q: %v", line, err)
		}
	}
	for _, n := range z.Broken {
		s.broken[fqdn(n, origin)] = true
	}
	for _, n := range z.Mute {
		s.mute[fqdn(n, origin)] = true
	}

	pc, ln, err := listen()
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: ln, Handler: s}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() {
		udp.Shutdown()
		tcp.Shutdown()
	})
	return s
}

// listen opens UDP and TCP on the same loopback port. The UDP port is
// chosen by the system; another process may hold its TCP twin, so a few
// ports are tried.
func listen() (net.PacketConn, net.Listener, error) {
	var err error
	for range 20 {
		var pc net.PacketConn
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		var ln net.Listener
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
	}
	return nil, nil, fmt.Errorf("no loopback port free for both UDP and TCP: %w", err)
}

func fqdn(n, origin string) string {
	n = strings.ToLower(n)
	if strings.HasSuffix(n, ".") {
		return n
	}
	if n == "@" {
		return origin
	}
	return n + "." + origin
}

func (s *Server) add(rr dns.RR) {
	n := strings.ToLower(rr.Header().Name)
	s.records[n] = append(s.records[n], rr)
}

// Queries lists the "TYPE name" questions received, in order.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// ServeDNS answers one query from the zone.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	s.queries = append(s.queries, dns.TypeToString[q.Qtype]+" "+strings.TrimSuffix(name, "."))
	s.mu.Unlock()
	if s.mute[name] {
		return
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	switch {
	case s.broken[name]:
		m.Rcode = dns.RcodeServerFailure
	case s.records[name] == nil && !s.hasBelow(name):
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{s.soa}
	default:
		for _, rr := range s.records[name] {
			if rr.Header().Rrtype == q.Qtype || q.Qtype == dns.TypeANY {
				m.Answer = append(m.Answer, rr)
			}
		}
		if len(m.Answer) == 0 {
			m.Ns = []dns.RR{s.soa}
		}
	}
	// UDP answers over the client's size are truncated, so the client's
	// TCP retry is exercised with long TXT records.
	if w.LocalAddr().Network() == "udp" {
		size := 512
		if o := req.IsEdns0(); o != nil {
			size = int(o.UDPSize())
		}
		m.Truncate(size)
	}
	w.WriteMsg(m)
}

// hasBelow reports whether name is an empty non-terminal (a name with
// records below it), which answers NODATA rather than NXDOMAIN (RFC 8020).
func (s *Server) hasBelow(name string) bool {
	for n := range s.records {
		if strings.HasSuffix(n, "."+name) {
			return true
		}
	}
	return false
}
