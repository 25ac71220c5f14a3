package authz

import (
	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
)

// BudgetFor counts one canary per object kind the config can create (at
// most authz.MaxCanaryKinds): discovery creates nothing without
// objects[].create.
func (c Reads) BudgetFor(cfg *config.Config) check.Budget {
	b := c.Meta().Budget
	b.Objects = creatable(cfg, false)
	return b
}

// BudgetFor counts one canary per object kind the config can create and
// then update or delete (at most authz.MaxCanaryKinds).
func (c Writes) BudgetFor(cfg *config.Config) check.Budget {
	b := c.Meta().Budget
	b.Objects = creatable(cfg, true)
	return b
}

// creatable counts the object kinds with a create request (and, when
// changed is set, an item path and an update or delete request too).
func creatable(cfg *config.Config, changed bool) int {
	n := 0
	for _, o := range cfg.Objects {
		if o.Create == nil || (changed && (o.Item == "" || (o.Update == nil && o.Delete == nil))) {
			continue
		}
		n++
	}
	return min(n, authz.MaxCanaryKinds)
}
