package browser

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// resolverRules builds Chromium's --host-resolver-rules: each mapped name to
// its address, every other name to nothing (~NOTFOUND), and the loopback
// literals and an IP-literal origin left alone, since an address is not
// looked up. Names and addresses are validated: the rules are one
// comma-separated string, and a stray comma or space would change them.
func resolverRules(origin *url.URL, resolve map[string]string) (string, error) {
	var rules []string
	for _, name := range slices.Sorted(maps.Keys(resolve)) {
		if !validName(name) {
			return "", fmt.Errorf("resolve: %q is not a host name", name)
		}
		ip, err := netip.ParseAddr(resolve[name])
		if err != nil {
			return "", fmt.Errorf("resolve %s: %q is not an IP address", name, resolve[name])
		}
		ip = ip.Unmap()
		to := ip.String()
		if ip.Is6() {
			to = "[" + to + "]"
		}
		rules = append(rules, "MAP "+strings.ToLower(name)+" "+to)
	}
	rules = append(rules, "MAP * ~NOTFOUND")
	exclude := []string{"127.0.0.1", "::1", "[::1]"}
	if origin != nil {
		if ip, err := netip.ParseAddr(origin.Hostname()); err == nil && !ip.IsLoopback() {
			exclude = append(exclude, ip.String())
		}
	}
	for _, e := range exclude {
		rules = append(rules, "EXCLUDE "+e)
	}
	return strings.Join(rules, ", "), nil
}

// validName accepts a DNS name, optionally with a leading "*." wildcard.
func validName(name string) bool {
	name = strings.TrimPrefix(name, "*.")
	if name == "" || len(name) > 253 {
		return false
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// ResolveOrigin looks the origin's host up the way the scanner does,
// through the DNS server at server (host:port) or the system's when it is
// "", so the browser reaches the same address, and returns it as a
// Resolve map; an IP-literal origin needs none.
func ResolveOrigin(ctx context.Context, server string, origin *url.URL) (map[string]string, error) {
	host := origin.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return nil, nil
	}
	r := net.DefaultResolver
	if server != "" {
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server) // network passed through: TCP retries of truncated answers
		}}
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolving %s for the browser: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolving %s for the browser: no address", host)
	}
	best := addrs[0].Unmap()
	for _, a := range addrs {
		if a.Unmap().Is4() {
			best = a.Unmap()
			break
		}
	}
	return map[string]string{host: best.String()}, nil
}
