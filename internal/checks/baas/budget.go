package baas

import (
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
)

// BudgetFor counts the canaries only when the config names a Supabase
// project: the check writes nowhere else.
func (c SupabaseData) BudgetFor(cfg *config.Config) check.Budget {
	if cfg.Auth.Supabase == nil {
		return check.Budget{}
	}
	return c.Meta().Budget
}

// BudgetFor counts the canaries only when the config names a Firebase
// project.
func (c FirebaseData) BudgetFor(cfg *config.Config) check.Budget {
	if cfg.Auth.Firebase == nil {
		return check.Budget{}
	}
	return c.Meta().Budget
}

// BudgetFor counts the metadata change only when the config names a
// Supabase or Firebase project.
func (c SelfEscalation) BudgetFor(cfg *config.Config) check.Budget {
	if cfg.Auth.Supabase == nil && cfg.Auth.Firebase == nil {
		return check.Budget{}
	}
	return c.Meta().Budget
}
