package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"
)

// mitm mints the certificates the browser proxy shows Chromium for each
// host it tunnels to. The proxy ends Chromium's TLS itself so that it can
// see, scope and forward each request (a tunnel would only show host and
// port); the connection onwards is the scan client's own, verified with
// the scan's roots. Chromium is told to accept this one key
// (--ignore-certificate-errors-spki-list), so no CA is installed anywhere
// and the key dies with the scan.
type mitm struct {
	key  *ecdsa.PrivateKey
	spki string // base64 SHA-256 of the key's SubjectPublicKeyInfo

	mu    sync.Mutex
	certs map[string]*tls.Certificate
}

func newMITM() (*mitm, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("browser proxy key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("browser proxy key: %w", err)
	}
	sum := sha256.Sum256(der)
	return &mitm{key: key, spki: base64.StdEncoding.EncodeToString(sum[:]), certs: map[string]*tls.Certificate{}}, nil
}

// cert returns a self-signed certificate for host (a name or an IP
// literal), made once per host.
func (m *mitm) cert(host string) (*tls.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.certs[host]; ok {
		return c, nil
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &m.key.PublicKey, m.key)
	if err != nil {
		return nil, fmt.Errorf("browser proxy certificate for %s: %w", host, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: m.key}
	m.certs[host] = c
	return c, nil
}
