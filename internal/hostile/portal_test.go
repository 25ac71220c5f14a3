package hostile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// portal is a working member portal whose pages point at the traps: links,
// a script, a source map, a WebRTC probe. Scenarios wrap it or replace it.
type portal struct {
	s *suite
}

func (p *portal) trapURL(path string) string { return "http://" + p.s.traps.other + path }

// session values per member; the cookie proves the login.
func (p *portal) session(r *http.Request) string {
	c, err := r.Cookie("sid")
	if err != nil {
		return ""
	}
	for _, acct := range []string{"a", "b"} {
		if c.Value == "sess-"+acct+"-"+p.s.pw[acct][3:11] {
			return acct
		}
	}
	return ""
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	who := p.session(r)
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodPost:
		_ = r.ParseForm()
		for _, acct := range []string{"a", "b"} {
			if r.PostForm.Get("email") == acct+"@hostile.test" && r.PostForm.Get("password") == p.s.pw[acct] {
				http.SetCookie(w, &http.Cookie{Name: "sid", Value: "sess-" + acct + "-" + p.s.pw[acct][3:11], Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
				http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
				return
			}
		}
		fmt.Fprint(w, loginPage)
	case r.URL.Path == "/login":
		fmt.Fprint(w, loginPage)
	case r.URL.Path == "/logout":
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case r.URL.Path == "/dashboard" || r.URL.Path == "/account":
		if who == "" {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		fmt.Fprintf(w, `<html><body><h1>Dashboard of member %s</h1><p>Plan: Gold, card ending 42%s2</p>`+
			`<a href="/invoices">Invoices</a> <a href="%s">Partner</a><script src="/app.js"></script></body></html>`, who, who, p.trapURL("/partner"))
	case r.URL.Path == "/invoices" && who != "":
		fmt.Fprintf(w, `<html><body><a href="/api/invoices/inv-%s-7f3a91c2">Invoice</a></body></html>`, who)
	case r.URL.Path == "/api/invoices" && who != "":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]map[string]string{{"id": "inv-" + who + "-7f3a91c2", "total": "42.00"}})
	case strings.HasPrefix(r.URL.Path, "/api/invoices/inv-"):
		owner := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/invoices/inv-"), "-")[0]
		if who == "" || owner != who {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"inv-%s-7f3a91c2","total":"42.00","owner":"%s@hostile.test"}`, who, who)
	case r.URL.Path == "/app.js":
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, escapes, p.s.traps.other, p.s.traps.sameHost, p.s.traps.udp[0], p.s.traps.udp[1])
	case r.URL.Path == "/":
		fmt.Fprintf(w, `<html><body><h1>Welcome</h1><a href="/login">Sign in</a> <a href="%s">Blog</a></body></html>`, p.trapURL("/blog"))
	default:
		http.NotFound(w, r)
	}
}

const loginPage = `<html><body><h1>Sign in</h1><form method="post" action="/login"><input name="email"><input type="password" name="password"><button>Sign in</button></form></body></html>`

// escapes is the portal's script: it names a source map and a module on
// the trap, and in a browser tries to reach the traps (fetch, beacon,
// WebSocket, WebRTC over UDP).
const escapes = `import('http://%[1]s/module.js').catch(() => {});
fetch('http://%[1]s/fetch', {mode: 'no-cors', credentials: 'include'}).catch(() => {});
fetch('http://%[2]s/same-host', {mode: 'no-cors', credentials: 'include'}).catch(() => {});
navigator.sendBeacon('http://%[1]s/beacon', 'x');
try { new WebSocket('ws://%[1]s/ws'); } catch (e) {}
try {
  const pc = new RTCPeerConnection({iceServers: [{urls: 'stun:%[3]s'}, {urls: 'stun:%[4]s'}]});
  pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o));
} catch (e) {}
//# sourceMappingURL=http://%[1]s/app.js.map
`

// serveHTTP starts h on 127.0.0.1 and returns the target for it.
func serveHTTP(t *testing.T, h http.Handler) target {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return target{url: srv.URL, scope: []string{strings.TrimPrefix(srv.URL, "http://")}}
}

// certs is a local CA and the leaves the TLS scenarios serve.
type certs struct {
	caFile   string
	ca       *x509.Certificate
	caKey    *ecdsa.PrivateKey
	selfSign tls.Certificate
}

func newCerts(t *testing.T, dir string) *certs {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hostile test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	c := &certs{caFile: filepath.Join(dir, "ca.pem"), ca: ca, caKey: key}
	if err := os.WriteFile(c.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c.selfSign = c.leaf(t, "127.0.0.1", time.Now().Add(-time.Hour), time.Now().Add(time.Hour), true)
	return c
}

// leaf makes a certificate for host, signed by the CA (or by itself).
func (c *certs) leaf(t *testing.T, host string, from, until time.Time, self bool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		NotBefore: from, NotAfter: until, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	parent, signer := c.ca, c.caKey
	if self {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serveTLS starts h over TLS with cert (and the protocols offered).
func (s *suite) serveTLS(t *testing.T, h http.Handler, cert tls.Certificate, protos ...string) target {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: protos}
	if len(protos) > 0 && protos[0] == "h2" {
		srv.EnableHTTP2 = true
	}
	srv.Config.ErrorLog = quietLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return target{url: srv.URL, scope: []string{strings.TrimPrefix(srv.URL, "https://")}, caFile: s.mustCert.caFile}
}
