package secrets

import (
	"fmt"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/regexp"
)

// Rule IDs launchready adds to gitleaks' defaults, for what portals leak
// that the defaults do not see (or see only as a generic key).
const (
	RuleDatabaseURL         = "launchready-database-url"
	RuleSMTPURL             = "launchready-smtp-url"
	RuleSMTPPassword        = "launchready-smtp-password"
	RuleStripePublishable   = "launchready-stripe-publishable-key"
	RuleStripeWebhookSecret = "launchready-stripe-webhook-secret"
	RuleSupabaseKey         = "launchready-supabase-key"
)

// ourRule is one added rule, written as data. Patterns are constants
// (never user input), compiled once with gitleaks' regexp package so they
// follow its build tag (stdlib or RE2).
type ourRule struct {
	id, description, pattern string
	secretGroup              int
	entropy                  float64
	keywords                 []string
}

// userPass matches "user:password@host…" after a scheme: the whole URL is
// the secret, so its redacted form shows the scheme, not the password.
const userPass = `://[^\s:/@'"\x60]{1,100}:[^\s@'"\x60/]{1,200}@[^\s'"\x60<>]{1,300}`

var ourRules = []ourRule{
	{
		id:          RuleDatabaseURL,
		description: "Database connection URL with a password",
		pattern:     `(?i)\b((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb)` + userPass + `)`,
		keywords:    []string{"postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb"},
	},
	{
		id:          RuleSMTPURL,
		description: "SMTP URL with a password",
		pattern:     `(?i)\b(smtps?` + userPass + `)`,
		keywords:    []string{"smtp"},
	},
	{
		id:          RuleSMTPPassword,
		description: "SMTP or mail password",
		pattern:     `(?i)[\w.-]{0,30}?(?:smtp|mail)[\w.-]{0,20}?pass(?:word|wd)?["']?\s{0,5}(?:=|:=|=>|:)\s{0,5}["']?([^\s"'\x60;,]{8,200})`,
		secretGroup: 1,
		entropy:     3,
		keywords:    []string{"smtp", "mail"},
	},
	{
		id:          RuleStripePublishable,
		description: "Stripe publishable key",
		pattern:     `\b(pk_(?:live|test)_[A-Za-z0-9]{10,99})\b`,
		keywords:    []string{"pk_live_", "pk_test_"},
	},
	{
		id:          RuleStripeWebhookSecret,
		description: "Stripe webhook signing secret",
		pattern:     `\b(whsec_[A-Za-z0-9+/=]{20,100})`,
		entropy:     3,
		keywords:    []string{"whsec_"},
	},
	{
		id:          RuleSupabaseKey,
		description: "Supabase API key",
		pattern:     `\b(sb_(?:secret|publishable)_[A-Za-z0-9_-]{20,100})`,
		entropy:     3,
		keywords:    []string{"sb_secret_", "sb_publishable_"},
	},
}

// addRules adds ours to a loaded gitleaks config.
func addRules(cfg *config.Config) error {
	for _, r := range ourRules {
		if _, dup := cfg.Rules[r.id]; dup {
			return fmt.Errorf("gitleaks already has a rule %q (a launchready bug after an upgrade)", r.id)
		}
		rule := config.Rule{
			RuleID:      r.id,
			Description: r.description,
			Regex:       regexp.MustCompile(r.pattern),
			SecretGroup: r.secretGroup,
			Entropy:     r.entropy,
			Keywords:    r.keywords,
			Tags:        []string{"launchready"},
		}
		if err := rule.Validate(); err != nil {
			return fmt.Errorf("launchready rule %s: %w", r.id, err)
		}
		cfg.Rules[r.id] = rule
		cfg.OrderedRules = append(cfg.OrderedRules, r.id)
		for _, k := range r.keywords {
			cfg.Keywords[strings.ToLower(k)] = struct{}{}
		}
	}
	return nil
}
