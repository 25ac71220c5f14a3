package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// hostNames returns the portal's host names: one certificate and one A
// record each.
func hostNames() []string {
	return []string{"portal.test", "www.portal.test", "app.portal.test", dataHost}
}

const (
	// leafLifetime is a typical ACME certificate's validity.
	leafLifetime = 90 * 24 * time.Hour
	// caLifetime outlives every leaf.
	caLifetime = 365 * 24 * time.Hour
	// backdate absorbs small clock differences between processes.
	backdate = time.Hour
)

// authority is the demo's local CA and the leaf certificate of each host.
type authority struct {
	rootPEM []byte
	leaves  map[string]*tls.Certificate
}

// newAuthority mints an ECDSA P-256 root and one leaf per host name.
func newAuthority(hosts []string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "launchready demo root CA", Organization: []string{"launchready demo"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if tmpl.SerialNumber, err = serial(); err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	root, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	a := &authority{
		rootPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		leaves:  map[string]*tls.Certificate{},
	}
	for _, h := range hosts {
		leaf, err := mintLeaf(h, root, key, now)
		if err != nil {
			return nil, fmt.Errorf("certificate for %s: %w", h, err)
		}
		a.leaves[h] = leaf
	}
	return a, nil
}

// mintLeaf issues a 90-day server certificate for one host name.
func mintLeaf(host string, root *x509.Certificate, rootKey *ecdsa.PrivateKey, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: host},
		DNSNames:    []string{host},
		NotBefore:   now.Add(-backdate),
		NotAfter:    now.Add(-backdate + leafLifetime),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.SerialNumber, err = serial(); err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, &key.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// tlsConfig serves each host's certificate by SNI and refuses unknown names.
func (a *authority) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := strings.TrimSuffix(strings.ToLower(hello.ServerName), ".")
			if c, ok := a.leaves[name]; ok {
				return c, nil
			}
			return nil, fmt.Errorf("demo: no certificate for server name %q", hello.ServerName)
		},
	}
}
