package cli

import (
	"errors"
	"io/fs"

	"github.com/launchready/launchready/internal/config"
)

// loadConfig loads the config a command scans with: every problem is a
// usage error. A missing file says how to get one: given is whether the
// path came from --config rather than the default.
func loadConfig(path string, given bool) (*config.Config, error) {
	cfg, err := config.Load(path)
	switch {
	case err == nil:
		return cfg, nil
	case errors.Is(err, fs.ErrNotExist) && given:
		return nil, usageErr("--config %s: no such file (launchready init URL --out %s writes one for the portal at URL)", path, path)
	case errors.Is(err, fs.ErrNotExist):
		return nil, usageErr("no %s in this folder: write one with `launchready init URL` (the portal's address), "+
			"name another with --config FILE, or try launchready on its built-in demo portal with `launchready demo`", path)
	}
	return nil, usageErr("%v", err)
}
