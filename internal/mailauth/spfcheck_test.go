package mailauth

import (
	"context"
	"net"
	"testing"

	"github.com/launchready/launchready/internal/mailauth/dnstest"
)

func TestSPFResultForGoesThroughOurServer(t *testing.T) {
	r, srv := testResolver(t, dnstest.Zone{Records: []string{
		`portal.test. IN TXT "v=spf1 include:_spf.provider.test -all"`,
		`_spf.provider.test. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
	}})
	ctx := context.Background()
	for _, tc := range []struct {
		ip   net.IP
		want string
	}{{net.IPv4(192, 0, 2, 5), "pass"}, {ProbeIP, "fail"}} {
		got, _ := SPFResultFor(ctx, r, tc.ip, "portal.test")
		if got != tc.want {
			t.Errorf("SPFResultFor(%s) = %s, want %s", tc.ip, got, tc.want)
		}
	}
	if count(srv.Queries(), "TXT _spf.provider.test") == 0 {
		t.Errorf("the evaluator did not ask our server: %q", srv.Queries())
	}
}
