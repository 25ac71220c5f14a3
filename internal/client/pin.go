package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// pins holds the addresses each host resolved to the first time it was
// looked up, and the dialer uses only those for the rest of the scan. A
// name that answers 127.0.0.1 while consent is judged and something else
// later (DNS rebinding) never reaches the later address: the scanner does
// not ask again. Only an answer with addresses is pinned; a failed lookup
// is retried on the next dial (nothing was vetted yet).
type pins struct {
	resolver *net.Resolver // nil: the system's
	timeout  time.Duration
	// dial opens one TCP connection to an address; tests replace it to see
	// what would have been dialed.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu    sync.Mutex
	hosts map[string]*pin
}

type pin struct {
	mu    sync.Mutex // held while the first lookup runs
	addrs []netip.Addr
}

func newPins(resolver *net.Resolver, timeout time.Duration, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *pins {
	return &pins{resolver: resolver, timeout: timeout, dial: dial, hosts: map[string]*pin{}}
}

// lookup returns host's pinned addresses, resolving and pinning them on
// first use. An IP literal is its own address.
func (p *pins) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	host = canonicalHost(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	p.mu.Lock()
	e, ok := p.hosts[host]
	if !ok {
		e = &pin{}
		p.hosts[host] = e
	}
	p.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.addrs != nil {
		return e.addrs, nil
	}
	r := p.resolver
	if r == nil {
		r = net.DefaultResolver
	}
	// The answer serves the whole scan, so one caller's cancellation must
	// not decide it; the lookup has its own bound.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.timeout)
	defer cancel()
	found, err := r.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: host, IsNotFound: isNotFound(err)}
	}
	addrs := make([]netip.Addr, 0, len(found))
	for _, a := range found {
		if a = a.Unmap(); !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no address", Name: host, IsNotFound: true}
	}
	e.addrs = addrs
	return addrs, nil
}

// pinned returns what host is pinned to, without resolving it (nil when it
// was never resolved).
func (p *pins) pinned(host string) []netip.Addr {
	host = canonicalHost(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}
	}
	p.mu.Lock()
	e := p.hosts[host]
	p.mu.Unlock()
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addrs
}

// dialContext dials host:port on the host's pinned addresses only, in the
// order the resolver gave them.
func (p *pins) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		c, err := p.dial(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("dialing %s (pinned to %v): %w", host, addrs, errors.Join(errs...))
}

// allLoopback reports whether every address is a loopback address (and
// there is at least one).
func allLoopback(addrs []netip.Addr) bool {
	if len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !a.IsLoopback() {
			return false
		}
	}
	return true
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
