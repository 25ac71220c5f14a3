package demo

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// The portal's mail identity: portal.test sends its verification and reset
// mail as no-reply@portal.test, signed with DKIM. The zone publishes SPF,
// DKIM, DMARC and MX for it, each flaw a mistake real senders make.
const (
	// senderDomain is the From domain and the DKIM signing domain (d=).
	senderDomain = "portal.test"
	// mailFromAddr is the address in the From header.
	mailFromAddr = "no-reply@" + senderDomain
	// bounceDomain is the envelope (Return-Path) domain of hardened mail, as
	// mail providers set it up: SPF is judged there and aligns with the
	// From domain only under relaxed alignment.
	bounceDomain = "bounce." + senderDomain
	// bounceAddr is the envelope sender of hardened mail.
	bounceAddr = "bounces@" + bounceDomain
	// newsDomain sends the members' newsletter (through another provider).
	newsDomain = "news." + senderDomain
	// mxHost receives the portal's mail (the demo's SMTP server).
	mxHost = "mx." + senderDomain
	// signSelector is the selector every mail is signed with.
	signSelector = "mail2026"
	// weakSelector publishes the WeakDKIMKey flaw's 512-bit key, left over
	// from an old provider.
	weakSelector = "legacy2019"
	// dkimKeyBits is the signing key's size: what RFC 8301 recommends and
	// mail providers generate.
	dkimKeyBits = 2048
	// dmarcRecord is the hardened policy: reject what fails, aggregate
	// reports to the portal, strict DKIM alignment (d= is the From domain),
	// relaxed SPF alignment (the envelope is on bounce.portal.test).
	dmarcRecord = "v=DMARC1; p=reject; rua=mailto:dmarc@" + senderDomain + "; adkim=s; aspf=r"
	// txtChunk is the longest character-string a TXT record holds.
	txtChunk = 255
)

// legacyDKIMPEM is a 512-bit RSA public key, made once with `openssl
// genrsa 512` whose private half was never kept: Go refuses to generate
// RSA keys under 1024 bits, and the WeakDKIMKey flaw needs only the
// published half. PEM keeps secret scanners from mistaking it for a
// credential.
const legacyDKIMPEM = `-----BEGIN PUBLIC KEY-----
MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAK99xQjkr1HBoCZ31MX0/Ol7ETUhtBtX
DA5EZi9WkkAOolgHCZB64zEHNbcHEkyGLPHXkFgd7W8XLaYuL4EM1vcCAwEAAQ==
-----END PUBLIC KEY-----
`

// legacyDKIMRecordKey is legacyDKIMPEM as a DKIM record's p= value.
func legacyDKIMRecordKey() (string, error) {
	b, _ := pem.Decode([]byte(legacyDKIMPEM))
	if b == nil {
		return "", errors.New("the legacy DKIM key is not PEM")
	}
	return base64.StdEncoding.EncodeToString(b.Bytes), nil
}

// signedHeaders are the header fields the DKIM signature covers: RFC 6376
// §5.4.1's recommendation for what a reader sees and what makes the
// message unique.
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type"}

// mailIdentity is how the portal's mail presents itself: the From and
// envelope addresses and the DKIM key that signs it.
type mailIdentity struct {
	// from is the From header's address; envelope is the SMTP MAIL FROM.
	from, envelope string
	// selector names the signing key under senderDomain.
	selector string
	// key signs every mail; it is new on every start.
	key *rsa.PrivateKey
}

// newMailIdentity generates the signing key and picks the envelope sender
// for the flaws f.
func newMailIdentity(f Flaws) (*mailIdentity, error) {
	key, err := rsa.GenerateKey(rand.Reader, dkimKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generating the DKIM key: %w", err)
	}
	id := &mailIdentity{from: mailFromAddr, envelope: bounceAddr, selector: signSelector, key: key}
	if f.DefaultReturnPath {
		id.envelope = mailFromAddr
	}
	return id, nil
}

// sign returns raw with a DKIM-Signature header on top: d=portal.test,
// the identity's selector, relaxed canonicalization (what providers use;
// it survives header re-folding). raw must be exactly what is sent, CRLF
// line endings included.
func (id *mailIdentity) sign(raw []byte) ([]byte, error) {
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain: senderDomain, Selector: id.selector, Signer: id.key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: signedHeaders,
	})
	if err != nil {
		return nil, fmt.Errorf("DKIM signing: %w", err)
	}
	return out.Bytes(), nil
}

// publishedSelectors lists the selectors with a key in the zone, the
// signing one first.
func publishedSelectors(f Flaws) []string {
	var out []string
	if !f.DKIMKeyUnpublished {
		out = append(out, signSelector)
	}
	if f.WeakDKIMKey {
		out = append(out, weakSelector)
	}
	return out
}

// sendingDomains lists the domains the portal sends mail from: the From
// domain, the newsletter's, and the envelope domain when it differs.
func (id *mailIdentity) sendingDomains() []string {
	out := []string{senderDomain, newsDomain}
	if d := domainOf(id.envelope); d != senderDomain {
		out = append(out, d)
	}
	return out
}

// domainOf is the part of addr after its last @.
func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// mailRecords are the zone's mail records (SPF, DKIM, DMARC, MX) for the
// flaws f, in presentation format.
func mailRecords(f Flaws, id *mailIdentity) ([]string, error) {
	var rr []string
	rr = append(rr, aRecord(mxHost, "127.0.0.1"))
	rr = append(rr, spfRecords(f)...)
	rr = append(rr, mxRecords(f)...)
	if !f.NoDMARC {
		rr = append(rr, txtRecord("_dmarc."+senderDomain, dmarcRecord))
	}
	if !f.DKIMKeyUnpublished {
		der, err := x509.MarshalPKIXPublicKey(&id.key.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("encoding the DKIM key: %w", err)
		}
		rr = append(rr, dkimRecord(signSelector, base64.StdEncoding.EncodeToString(der)))
	}
	if f.WeakDKIMKey {
		legacy, err := legacyDKIMRecordKey()
		if err != nil {
			return nil, err
		}
		rr = append(rr, dkimRecord(weakSelector, legacy))
	}
	if !f.NoSPFOnWebHosts {
		// Hosts that never send mail say so, so that nobody can send as them
		// (M3AAWG's parked-domain advice): no sender passes SPF, no MX.
		for _, h := range []string{"www." + senderDomain, "app." + senderDomain, dataHost} {
			rr = append(rr, txtRecord(h, "v=spf1 -all"), h+". 60 IN MX 0 .")
		}
	}
	return rr, nil
}

// spfRecords publishes SPF for portal.test, the newsletter and the bounce
// domain.
func spfRecords(f Flaws) []string {
	const strict = "v=spf1 ip4:127.0.0.1 -all"
	var rr []string
	if f.SPFTooManyLookups {
		rr = append(rr, spfLookupTree()...)
	} else {
		rr = append(rr, txtRecord(senderDomain, strict))
	}
	if f.SPFPassAll {
		rr = append(rr, txtRecord(newsDomain, "v=spf1 +all"))
	} else {
		rr = append(rr, txtRecord(newsDomain, strict))
	}
	if !f.DefaultReturnPath {
		rr = append(rr, txtRecord(bounceDomain, strict))
	}
	return rr
}

// spfLookupTree is the SPFTooManyLookups flaw: portal.test's SPF grew one
// include per tool (a CRM, a mail provider's nested includes), 12
// DNS-querying terms in all where RFC 7208 §4.6.4 allows 10. The only term
// that matches the portal's address (ip4:127.0.0.1, in _spf4) sits past
// the tenth lookup, so an evaluator reaches the limit (permerror) before
// it, whatever order it counts in. Every a: and mx: name exists, so no
// lookup is void; the addresses are TEST-NET-1.
func spfLookupTree() []string {
	return []string{
		txtRecord(senderDomain, "v=spf1 include:_spf.crm.portal.test include:_spf1.portal.test ~all"), // 2
		txtRecord("_spf.crm.portal.test", "v=spf1 a:crm.portal.test mx:crm.portal.test ~all"),         // 2
		aRecord("crm.portal.test", "192.0.2.20"),
		"crm.portal.test. 60 IN MX 10 in.crm.portal.test.",
		aRecord("in.crm.portal.test", "192.0.2.21"),
		txtRecord("_spf1.portal.test", "v=spf1 include:_spf2.portal.test include:_spf3.portal.test ~all"),                             // 2
		txtRecord("_spf2.portal.test", "v=spf1 a:mail1.portal.test a:mail2.portal.test a:mail3.portal.test a:mail4.portal.test ~all"), // 4
		aRecord("mail1.portal.test", "192.0.2.11"),
		aRecord("mail2.portal.test", "192.0.2.12"),
		aRecord("mail3.portal.test", "192.0.2.13"),
		aRecord("mail4.portal.test", "192.0.2.14"),
		txtRecord("_spf3.portal.test", "v=spf1 a:relay.portal.test include:_spf4.portal.test ~all"), // 2
		aRecord("relay.portal.test", "192.0.2.30"),
		txtRecord("_spf4.portal.test", "v=spf1 ip4:127.0.0.1 ~all"), // 0
	}
}

// mxRecords: with BrokenMX portal.test has no MX (mail falls back to its A
// record, where nothing listens on port 25) and the newsletter's domain,
// which sends, a null MX (RFC 7505: it receives no mail, bounces
// included). Hardened, both and the bounce domain point at mx.portal.test.
func mxRecords(f Flaws) []string {
	mx := func(name string) string { return name + ". 60 IN MX 10 " + mxHost + "." }
	if f.BrokenMX {
		return []string{newsDomain + ". 60 IN MX 0 ."}
	}
	rr := []string{mx(senderDomain), mx(newsDomain)}
	if !f.DefaultReturnPath {
		rr = append(rr, mx(bounceDomain))
	}
	return rr
}

// dkimRecord publishes an RSA public key (base64 SubjectPublicKeyInfo)
// under selector.
func dkimRecord(selector, key string) string {
	return txtRecord(selector+"._domainkey."+senderDomain, "v=DKIM1; k=rsa; p="+key)
}

// aRecord is name's A record.
func aRecord(name, ip string) string { return name + ". 60 IN A " + ip }

// txtRecord is one TXT record for value, split into character-strings of
// at most 255 bytes (a 2048-bit key's record is about 410); resolvers join
// them back. Values hold no quote or backslash.
func txtRecord(name, value string) string {
	var b strings.Builder
	b.WriteString(name + ". 60 IN TXT")
	for len(value) > txtChunk {
		b.WriteString(` "` + value[:txtChunk] + `"`)
		value = value[txtChunk:]
	}
	b.WriteString(` "` + value + `"`)
	return b.String()
}
