package mailauth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/mailauth/dnstest"
)

// testResolver serves zone lines under "test." and returns a resolver
// pointed at them. Mute names get a short per-query timeout so the
// timeout case ends quickly; no test asserts on how long anything took.
func testResolver(t *testing.T, z dnstest.Zone) (*Resolver, *dnstest.Server) {
	t.Helper()
	if z.Origin == "" {
		z.Origin = "test."
	}
	srv := dnstest.Start(t, z)
	timeout := 2 * time.Second
	if len(z.Mute) > 0 {
		timeout = 300 * time.Millisecond
	}
	r, err := NewResolver(srv.Addr, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return r, srv
}

func TestResolverErrors(t *testing.T) {
	long := strings.Repeat("k", 250)
	r, srv := testResolver(t, dnstest.Zone{
		Records: []string{
			`a.test. IN TXT "v=spf1 " "-all"`,
			`a.test. IN A 192.0.2.1`,
			`long.test. IN TXT "` + strings.Join([]string{long, long, long, long, long, long}, `" "`) + `"`,
			`x.y.test. IN A 192.0.2.2`,
		},
		Broken: []string{"broken.test."},
		Mute:   []string{"mute.test."},
	})
	ctx := context.Background()

	txt, err := r.TXT(ctx, "a.test")
	if err != nil || len(txt) != 1 || txt[0] != "v=spf1 -all" {
		t.Errorf("TXT a.test = %q, %v; want the strings joined", txt, err)
	}
	txt, err = r.TXT(ctx, "long.test")
	if err != nil || len(txt) != 1 || len(txt[0]) != 1500 {
		t.Errorf("TXT long.test: %d records, %v; want one of 1500 bytes over TCP", len(txt), err)
	}
	if n := count(srv.Queries(), "TXT long.test"); n != 2 {
		t.Errorf("long.test asked %d times, want 2 (UDP, truncated, then TCP)", n)
	}
	for _, tc := range []struct {
		name string
		kind error
		msg  string
	}{
		{"nope.test", ErrNXDomain, "TXT nope.test: NXDOMAIN from " + srv.Addr},
		{"y.test", ErrNoData, "TXT y.test: NODATA (no TXT record) from " + srv.Addr},
		{"x.y.test", ErrNoData, "TXT x.y.test: NODATA (no TXT record) from " + srv.Addr},
		{"broken.test", ErrServFail, "TXT broken.test: SERVFAIL from " + srv.Addr},
		{"mute.test", ErrTimeout, "TXT mute.test: timeout (no answer within 300ms) from " + srv.Addr},
	} {
		_, err := r.TXT(ctx, tc.name)
		if !errors.Is(err, tc.kind) || err.Error() != tc.msg {
			t.Errorf("TXT %s: %v; want %s", tc.name, err, tc.msg)
		}
	}
	if ips, err := r.Addrs(ctx, "a.test"); err != nil || len(ips) != 1 {
		t.Errorf("Addrs a.test = %v, %v", ips, err)
	}
	if _, err := r.Addrs(ctx, "broken.test"); !errors.Is(err, ErrServFail) {
		t.Errorf("Addrs broken.test: %v, want SERVFAIL", err)
	}
}

func TestNewResolverRejectsBadAddress(t *testing.T) {
	if _, err := NewResolver("127.0.0.1", 0); err == nil {
		t.Error("NewResolver accepted an address without a port")
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
