package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// world is what every portal shares: a CA, a DNS server naming each portal
// and a Mailpit receiving their mail.
type world struct {
	out        string
	caFile     string
	rootPEM    []byte
	root       *x509.Certificate
	rootKey    *ecdsa.PrivateKey
	resolver   string
	dnsServers []*dns.Server
	smtpAddr   string
	mailpitURL string
	mailpit    *exec.Cmd
}

func newWorld(ctx context.Context, out, mailpitBin string, portals []*portal) (*world, error) {
	w := &world{out: out}
	if err := w.newCA(); err != nil {
		return nil, err
	}
	if err := w.startDNS(portals); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.startMailpit(ctx, mailpitBin); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (w *world) Close() {
	for _, s := range w.dnsServers {
		_ = s.Shutdown()
	}
	if w.mailpit != nil && w.mailpit.Process != nil {
		_ = w.mailpit.Process.Kill()
		_ = w.mailpit.Wait()
	}
}

func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

// newCA mints the run's root and writes it to ca.pem in the output folder
// (the configs' ${CA_FILE} and the repros' --cacert).
func (w *world) newCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	sn, err := serial()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "launchready realworld root CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	if w.root, err = x509.ParseCertificate(der); err != nil {
		return err
	}
	w.rootKey = key
	w.rootPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	w.caFile = filepath.Join(w.out, "ca.pem")
	return os.WriteFile(w.caFile, w.rootPEM, 0o644)
}

// leaf issues a 90-day certificate for a portal's host names.
func (w *world) leaf(names ...string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(90 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, w.root, &key.PublicKey, w.rootKey)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// startDNS answers A queries for every portal's names (and www.) with the
// portal's address; every other name is NXDOMAIN.
func (w *world) startDNS(portals []*portal) error {
	records := map[string]string{}
	for _, p := range portals {
		records[p.Host()+"."] = p.Addr.String()
		records["www."+p.Host()+"."] = p.Addr.String()
	}
	handler := dns.HandlerFunc(func(rw dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		if len(req.Question) == 1 {
			q := req.Question[0]
			ip, ok := records[strings.ToLower(q.Name)]
			switch {
			case !ok:
				m.Rcode = dns.RcodeNameError
			case q.Qtype == dns.TypeA:
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.ParseIP(ip),
				})
			}
		}
		_ = rw.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		return err
	}
	udp := &dns.Server{PacketConn: pc, Handler: handler}
	tcp := &dns.Server{Listener: ln, Handler: handler}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	w.dnsServers = []*dns.Server{udp, tcp}
	w.resolver = pc.LocalAddr().String()
	return nil
}

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startMailpit runs Mailpit on two free loopback ports and waits for its API.
func (w *world) startMailpit(ctx context.Context, bin string) error {
	smtpPort, err := freePort()
	if err != nil {
		return err
	}
	httpPort, err := freePort()
	if err != nil {
		return err
	}
	w.smtpAddr = fmt.Sprintf("127.0.0.1:%d", smtpPort)
	w.mailpitURL = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	log, err := os.Create(filepath.Join(w.out, "mailpit.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "--smtp", w.smtpAddr, "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(w.out, "mailpit.db"), "--disable-version-check", "--max", "5000")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting Mailpit (%s): %w", bin, err)
	}
	w.mailpit = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resp, err := http.Get(w.mailpitURL + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("Mailpit did not answer on %s within 30 s (see %s)", w.mailpitURL, log.Name())
}

// edge is a portal's managed edge: HTTPS on 443 forwarding the canonical
// host to the portal, every other request (plain HTTP on 80, the www name)
// answered with one 301 to the canonical origin.
type edge struct {
	servers []*http.Server
}

func (w *world) startEdge(p *portal, upstream string) (*edge, error) {
	cert, err := w.leaf(p.Host(), "www."+p.Host())
	if err != nil {
		return nil, err
	}
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	canonical := "https://" + p.Host()
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
			r.SetXForwarded()
			r.Out.Header.Set("X-Forwarded-Proto", "https")
		},
		FlushInterval: -1,
	}
	redirect := func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, canonical+r.URL.RequestURI(), http.StatusMovedPermanently)
	}
	secure := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host != p.Host() {
			redirect(rw, r)
			return
		}
		proxy.ServeHTTP(rw, r)
	})
	e := &edge{}
	for _, s := range []struct {
		port    int
		handler http.Handler
		tls     bool
	}{{443, secure, true}, {80, http.HandlerFunc(redirect), false}} {
		ln, err := net.Listen("tcp", net.JoinHostPort(p.Addr.String(), fmt.Sprint(s.port)))
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("edge of %s: %w", p.Name, err)
		}
		srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
		e.servers = append(e.servers, srv)
		if s.tls {
			srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*cert}}
			go func() { _ = srv.ServeTLS(ln, "", "") }()
			continue
		}
		go func() { _ = srv.Serve(ln) }()
	}
	return e, nil
}

func (e *edge) Close() {
	for _, s := range e.servers {
		_ = s.Close()
	}
}
