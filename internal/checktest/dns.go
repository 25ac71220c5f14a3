package checktest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Answer gives the records (zone-file lines such as "app.test. 60 IN A
// 127.0.0.1") for one question; n counts the questions for that name and
// type so far, from 1, so an answer can change after the first query (DNS
// rebinding). No records is an empty answer (NODATA).
type Answer func(q dns.Question, n int) []string

// DNS starts an authoritative DNS server on 127.0.0.1 (UDP and TCP on one
// port) answering with answer, and returns its host:port.
func DNS(t testing.TB, answer Answer) string {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		if len(req.Question) == 1 {
			q := req.Question[0]
			key := strings.ToLower(q.Name) + "/" + dns.TypeToString[q.Qtype]
			mu.Lock()
			seen[key]++
			n := seen[key]
			mu.Unlock()
			for _, line := range answer(q, n) {
				rr, err := dns.NewRR(line)
				if err != nil {
					t.Errorf("test DNS record %q: %v", line, err)
					continue
				}
				m.Answer = append(m.Answer, rr)
			}
		}
		_ = w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Skipf("DNS over TCP on the UDP port: %v", err)
	}
	udp := &dns.Server{PacketConn: pc, Handler: handler}
	tcp := &dns.Server{Listener: ln, Handler: handler}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return pc.LocalAddr().String()
}

// A answers A queries for the names in hosts (lower case, no trailing dot)
// with their address, and nothing else.
func A(hosts map[string]string) Answer {
	return func(q dns.Question, _ int) []string {
		ip, ok := hosts[strings.TrimSuffix(strings.ToLower(q.Name), ".")]
		if !ok || q.Qtype != dns.TypeA {
			return nil
		}
		return []string{q.Name + " 60 IN A " + ip}
	}
}
