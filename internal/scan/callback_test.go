package scan

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

// TestDemoOpenCallbackAlone plants only the demo's open auth callback: the
// login itself is safe, so AUTH-010 must find the callback and name it, and
// nothing else.
func TestDemoOpenCallbackAlone(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flaws demo.Flaws
		want  check.Status
	}{
		{"open callback", demo.Flaws{OpenCallback: true}, check.Fail},
		{"safe callback", demo.Flaws{}, check.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, err := demo.Start(ctx, demo.Options{Flaws: tc.flaws, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			cfg, err := config.Load(p.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Only: []string{"AUTH-010"}})
			if err != nil {
				t.Fatal(err)
			}
			r := run.Outcomes[0].Result
			if r.Status != tc.want {
				t.Fatalf("AUTH-010 = %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			if !strings.Contains(r.Summary, "auth callback /auth/callback") {
				t.Errorf("summary does not name the callback: %s", r.Summary)
			}
			if tc.want == check.Fail && (strings.Contains(r.Summary, "login redirects") || len(r.Evidence) != 1) {
				t.Errorf("want the callback alone, through next only: %s %+v", r.Summary, r.Evidence)
			}
		})
	}
}
