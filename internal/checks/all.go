// Package checks is the single list of every implemented check. There is no
// self-registration: a check exists when it is listed here.
package checks

import (
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/auth"
	"github.com/launchready/launchready/internal/checks/authz"
	"github.com/launchready/launchready/internal/checks/baas"
	"github.com/launchready/launchready/internal/checks/edge"
	"github.com/launchready/launchready/internal/checks/mail"
	"github.com/launchready/launchready/internal/checks/secrets"
	"github.com/launchready/launchready/internal/checks/session"
	"github.com/launchready/launchready/internal/checks/tls"
)

// All returns every implemented check, in catalog order.
func All() []check.Check {
	return []check.Check{
		auth.Signup{},
		auth.ReturningLogin{},
		auth.Logout{},
		auth.PasswordReset{},
		auth.Enumeration{},
		auth.Rotation{},
		auth.ProtectedPages{},
		auth.MixedAuth{},
		auth.PasswordPolicy{},
		auth.OpenRedirect{},
		auth.MailLinks{},
		session.Secure(),
		session.HTTPOnly(),
		session.SameSite(),
		session.Lifetime{},
		session.Storage{},
		session.JWT{},
		authz.ByOtherMember(),
		authz.Writes{},
		authz.ByAnonymous(),
		authz.Admin{},
		authz.GuessableIDs{},
		authz.MassAssignment{},
		baas.SupabaseData{},
		baas.FirebaseData{},
		baas.SelfEscalation{},
		tls.HTTPSRedirect{},
		tls.Canonical{},
		edge.Headers{},
		secrets.Frontend{},
		secrets.SourceMaps{},
		secrets.Exposed{},
		secrets.Keys{},
		secrets.History{},
		secrets.Tree{},
		secrets.EnvFiles{},
		secrets.CILogs{},
		mail.SPF{},
		mail.DKIM{},
		mail.DMARC{},
		mail.MX{},
	}
}

// Find returns the check with the given ID (case-insensitive).
func Find(id string) (check.Check, bool) {
	for _, c := range All() {
		if strings.EqualFold(c.Meta().ID, id) {
			return c, true
		}
	}
	return nil, false
}
