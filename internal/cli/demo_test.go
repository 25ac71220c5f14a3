package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/demo"
)

// TestServeHintIsIntrusive: the scan command demo --serve prints runs the
// intrusive checks, as the demo's own scan does, so it reproduces its
// verdict.
func TestServeHintIsIntrusive(t *testing.T) {
	var out bytes.Buffer
	p := &demo.Portal{URL: "https://portal.test:8443", ConfigPath: "/tmp/launchready-demo-1/launchready.yaml"}
	printServe(&streams{stdout: &out}, p)
	want := "  launchready scan --config /tmp/launchready-demo-1/launchready.yaml --intrusive\n"
	if !strings.HasSuffix(out.String(), want) {
		t.Errorf("serve hint ends %q, want %q", out.String()[strings.LastIndex(strings.TrimSuffix(out.String(), "\n"), "\n")+1:], want)
	}
}
