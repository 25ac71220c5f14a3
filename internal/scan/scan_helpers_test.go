package scan

import (
	"context"
	"testing"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

// startDemo starts the demo portal under ctx for the test and loads the
// config it wrote.
func startDemo(t *testing.T, ctx context.Context, opts demo.Options) (*demo.Portal, *config.Config) {
	t.Helper()
	p, err := demo.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	return p, cfg
}
