package mailauth

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// DKIMKey is a parsed DKIM key record (RFC 6376 §3.6.1, RFC 8463).
type DKIMKey struct {
	Raw string
	// Tags holds every tag as written, lower-case names.
	Tags map[string]string
	// KeyType is "rsa" (the default) or "ed25519".
	KeyType string
	// Revoked is true when p= is empty (§3.6.1: the key was revoked).
	Revoked bool
	// Bits is the key size: the RSA modulus, 256 for Ed25519.
	Bits int
	// Testing is true when t= holds y (the domain is testing DKIM).
	Testing bool
	// Hashes is h= as written (nil when absent: any).
	Hashes []string
}

// DKIMError is a key record that does not parse.
type DKIMError struct {
	Tag string
	Msg string
}

func (e *DKIMError) Error() string {
	if e.Tag == "" {
		return "DKIM key record: " + e.Msg
	}
	return fmt.Sprintf("DKIM key record, tag %q: %s", e.Tag, e.Msg)
}

// ParseDKIMKey parses a key record and its public key. go-msgauth's dkim
// package parses key records only inside verification (unexported), so
// this uses the standard library.
func ParseDKIMKey(rec string) (*DKIMKey, error) {
	k := &DKIMKey{Raw: rec, Tags: map[string]string{}, KeyType: "rsa"}
	for i, part := range strings.Split(rec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, &DKIMError{Tag: part, Msg: "want tag=value"}
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if _, dup := k.Tags[name]; dup {
			return nil, &DKIMError{Tag: name, Msg: "tag given twice"}
		}
		if name == "v" && (i != 0 || value != "DKIM1") {
			return nil, &DKIMError{Tag: "v", Msg: "v=DKIM1 must come first when written"}
		}
		k.Tags[name] = value
	}
	p, ok := k.Tags["p"]
	if !ok {
		return nil, &DKIMError{Tag: "p", Msg: "p= (the public key) is required"}
	}
	if kt, ok := k.Tags["k"]; ok {
		k.KeyType = strings.ToLower(kt)
	}
	if k.KeyType != "rsa" && k.KeyType != "ed25519" {
		return nil, &DKIMError{Tag: "k", Msg: fmt.Sprintf("want rsa or ed25519, got %q", k.KeyType)}
	}
	for _, f := range strings.Split(k.Tags["t"], ":") {
		if strings.TrimSpace(f) == "y" {
			k.Testing = true
		}
	}
	if h, ok := k.Tags["h"]; ok {
		for _, a := range strings.Split(h, ":") {
			k.Hashes = append(k.Hashes, strings.ToLower(strings.TrimSpace(a)))
		}
	}
	if s, ok := k.Tags["s"]; ok && !strings.Contains(":"+strings.ReplaceAll(s, " ", "")+":", ":email:") && !strings.Contains(s, "*") {
		return nil, &DKIMError{Tag: "s", Msg: fmt.Sprintf("service types %q exclude email", s)}
	}
	p = strings.Join(strings.Fields(p), "")
	if p == "" {
		k.Revoked = true
		return k, nil
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, &DKIMError{Tag: "p", Msg: "not base64: " + err.Error()}
	}
	bits, err := keyBits(k.KeyType, der)
	if err != nil {
		return nil, &DKIMError{Tag: "p", Msg: err.Error()}
	}
	k.Bits = bits
	return k, nil
}

// keyBits parses the published key: RSA as SubjectPublicKeyInfo (what
// RFC 6376 §3.6.1 says) or bare PKCS#1 (which some publish and verifiers
// accept), Ed25519 as its raw 32 bytes (RFC 8463 §4.2).
func keyBits(kt string, der []byte) (int, error) {
	if kt == "ed25519" {
		if len(der) != ed25519.PublicKeySize {
			return 0, fmt.Errorf("an Ed25519 key is 32 bytes, got %d", len(der))
		}
		return 256, nil
	}
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return 0, fmt.Errorf("k=rsa but the key is %T", pub)
		}
		return rk.N.BitLen(), nil
	}
	rk, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return 0, fmt.Errorf("not an RSA public key (neither SubjectPublicKeyInfo nor PKCS#1): %v", err)
	}
	return rk.N.BitLen(), nil
}
