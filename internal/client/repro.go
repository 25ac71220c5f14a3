package client

import (
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Repro returns a redacted curl command that reproduces the response's
// request: same method, headers, cookies and body, following redirects when
// the original did, pinned to the addresses actually dialed when a custom
// resolver was used, and trusting the configured CA file.
func (c *Client) Repro(resp *Response) string {
	if resp == nil || resp.Request == nil {
		return ""
	}
	req := resp.Request
	parts := []string{"curl", "-sS", "-i"}
	if req.Follow {
		parts = append(parts, "-L", "--max-redirs", strconv.Itoa(c.opts.MaxRedirects))
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	if method == http.MethodHead {
		parts = append(parts, "-I")
	} else if method != http.MethodGet {
		parts = append(parts, "-X", method)
	}
	names := make([]string, 0, len(resp.Sent))
	for k := range resp.Sent {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if k == "User-Agent" || k == "Content-Length" {
			continue
		}
		for _, v := range resp.Sent[k] {
			parts = append(parts, "-H", shellQuote(k+": "+v))
		}
	}
	if len(req.Body) > 0 {
		parts = append(parts, "--data-binary", shellQuote(string(req.Body)))
	}
	if c.opts.Resolver != "" {
		parts = append(parts, resolvePins(resp.Hops)...)
	}
	if c.opts.CAFile != "" {
		parts = append(parts, "--cacert", shellQuote(c.opts.CAFile))
	}
	parts = append(parts, shellQuote(req.URL))
	return c.redactor.Redact(strings.Join(parts, " "))
}

// resolvePins maps each host:port of the chain to the IP dialed, so curl
// reaches the same servers without our DNS server.
func resolvePins(hops []Hop) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range hops {
		u, err := url.Parse(h.URL)
		if err != nil || h.RemoteAddr == "" {
			continue
		}
		ip, _, err := net.SplitHostPort(h.RemoteAddr)
		if err != nil {
			continue
		}
		pin := u.Hostname() + ":" + effectivePort(u) + ":" + ip
		if strings.Contains(ip, ":") {
			pin = u.Hostname() + ":" + effectivePort(u) + ":[" + ip + "]"
		}
		if !seen[pin] {
			seen[pin] = true
			out = append(out, "--resolve", pin)
		}
	}
	return out
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
