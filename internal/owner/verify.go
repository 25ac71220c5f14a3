package owner

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Bounds of one proof look-up.
const (
	lookupTimeout = 10 * time.Second
	// maxWellKnown caps the well-known file read: a value is ~60 bytes.
	maxWellKnown = 4 << 10
)

// Verifier checks published proofs for the operator's key. Its look-ups
// are the system's: the zero LookupTXT, Roots and Dial mean the system
// resolver, the system's trusted roots and a plain dialer. Tests replace
// them in code; no config key or environment variable reaches them.
type Verifier struct {
	Key Key
	// LookupTXT resolves TXT records (nil: the system resolver).
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// Roots verifies the well-known file's server (nil: the system roots).
	Roots *x509.CertPool
	// Dial opens the connection for the well-known file (nil: a plain
	// dialer, through the system resolver).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Now is the day proofs are judged on (nil: time.Now).
	Now func() time.Time
}

// Prove reports whether u's host publishes this operator's proof, as a TXT
// record at _launchready.<host> or in /.well-known/launchready.txt over
// HTTPS (on u's port when u is https, else 443). note says what was found
// and how to publish a proof when it does not.
func (v *Verifier) Prove(ctx context.Context, u *url.URL) (bool, string) {
	host := Domain(u.Hostname())
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	var seen []string
	txts, err := v.lookupTXT(ctx, "_launchready."+host)
	switch {
	case err != nil:
		seen = append(seen, fmt.Sprintf("TXT _launchready.%s: %v", host, dnsReason(err)))
	case len(txts) == 0:
		seen = append(seen, fmt.Sprintf("TXT _launchready.%s: none", host))
	}
	for _, t := range txts {
		ok, why := v.Key.Check(host, t, now)
		if ok {
			return true, ""
		}
		seen = append(seen, fmt.Sprintf("TXT _launchready.%s: %s", host, why))
	}
	wk := wellKnown(u)
	lines, err := v.fetch(ctx, wk)
	if err != nil {
		seen = append(seen, fmt.Sprintf("%s: %v", wk, err))
	}
	for _, l := range lines {
		ok, why := v.Key.Check(host, l, now)
		if ok {
			return true, ""
		}
		if why != "not a launchready proof" {
			seen = append(seen, fmt.Sprintf("%s: %s", wk, why))
		}
	}
	if err == nil && len(lines) > 0 && len(seen) == 1 {
		seen = append(seen, wk+": no lr1: value")
	}
	return false, fmt.Sprintf("%s shows no ownership proof for this operator (%s); run `launchready token %s` and publish its value as TXT _launchready.%s or at %s",
		host, strings.Join(seen, "; "), host, host, wk)
}

// wellKnown is where the file proof is read for u's host.
func wellKnown(u *url.URL) string {
	host := u.Host
	if u.Scheme != "https" {
		host = u.Hostname()
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	return "https://" + host + "/.well-known/launchready.txt"
}

func (v *Verifier) lookupTXT(ctx context.Context, name string) ([]string, error) {
	if v.LookupTXT != nil {
		return v.LookupTXT(ctx, name)
	}
	return net.DefaultResolver.LookupTXT(ctx, name)
}

// fetch reads the well-known file's lines: https only, the system's roots,
// no proxy, no redirect followed, at most maxWellKnown bytes.
func (v *Verifier) fetch(ctx context.Context, raw string) ([]string, error) {
	dial := v.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: lookupTimeout}).DialContext
	}
	hc := &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            dial,
			TLSClientConfig:        &tls.Config{RootCAs: v.Roots, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:    lookupTimeout,
			ResponseHeaderTimeout:  lookupTimeout,
			MaxResponseHeaderBytes: 16 << 10,
			DisableKeepAlives:      true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "launchready-ownership-check")
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(resp.Body, maxWellKnown))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// dnsReason shortens a resolver error.
func dnsReason(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return "no such record"
		case de.IsTimeout:
			return "timed out"
		}
		return de.Err
	}
	return err.Error()
}
