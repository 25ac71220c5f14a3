// Package mailauth reads and judges the DNS side of mail authentication:
// SPF (RFC 7208), DMARC (RFC 7489 and DMARCbis's np, psd and t tags), DKIM
// key records (RFC 6376, 8301, 8463) and MX with null MX (RFC 7505).
//
// Every lookup goes through a Resolver, which queries one server only: the
// configured target.resolver or the system's. The parsers are pure and
// fuzz-tested; the evaluators take the Resolver.
package mailauth
