package secrets

import (
	"strings"

	"github.com/launchready/launchready/internal/check"
)

// ruleKind names what a gitleaks rule finds and where to rotate it, for
// the rules a portal most often trips; other rules get a name made from
// their ID.
type ruleKind struct{ kind, rotate string }

var ruleKinds = map[string]ruleKind{
	"aws-access-token": {"AWS access key", "deactivate and delete the access key in AWS IAM (Users → Security credentials) " +
		"after creating a new one; check CloudTrail for its use"},
	"github-pat":                {"GitHub personal access token", "revoke it in GitHub (Settings → Developer settings → Personal access tokens)"},
	"github-fine-grained-pat":   {"GitHub fine-grained token", "revoke it in GitHub (Settings → Developer settings → Personal access tokens)"},
	"github-oauth":              {"GitHub OAuth token", "revoke it in GitHub (Settings → Applications) or reset the OAuth app's secret"},
	"github-app-token":          {"GitHub App token", "revoke the installation token and rotate the App's private key in its settings"},
	"gitlab-pat":                {"GitLab personal access token", "revoke it in GitLab (Preferences → Access tokens)"},
	"slack-bot-token":           {"Slack bot token", "regenerate it in the Slack app's settings (OAuth & Permissions)"},
	"slack-user-token":          {"Slack user token", "revoke it in the Slack app's settings (OAuth & Permissions)"},
	"slack-webhook-url":         {"Slack webhook URL", "delete the webhook in the Slack app's settings (Incoming Webhooks) and add a new one"},
	"openai-api-key":            {"OpenAI API key", "revoke it on the OpenAI platform (API keys) and create a new one"},
	"anthropic-api-key":         {"Anthropic API key", "revoke it in the Anthropic Console (API keys) and create a new one"},
	"sendgrid-api-token":        {"SendGrid API key", "delete it in SendGrid (Settings → API Keys) and create a new one"},
	"mailgun-private-api-token": {"Mailgun API key", "rotate it in Mailgun (API Security) and update the app"},
	"twilio-api-key":            {"Twilio API key", "delete it in the Twilio Console (API keys & tokens) and create a new one"},
	"npm-access-token":          {"npm access token", "revoke it on npmjs.com (Access Tokens)"},
	"heroku-api-key":            {"Heroku API key", "regenerate it in Heroku (Account settings → API Key)"},
	"digitalocean-pat":          {"DigitalOcean token", "delete it in DigitalOcean (API → Tokens) and create a new one"},
	"flyio-access-token":        {"Fly.io token", "revoke it with `fly tokens revoke` and create a new one"},
	"netlify-access-token":      {"Netlify access token", "revoke it in Netlify (User settings → Applications)"},
	"cloudflare-api-key":        {"Cloudflare API key", "roll it in the Cloudflare dashboard (My Profile → API Tokens)"},
	"jwt":                       {"JSON Web Token", "revoke it at its issuer and, if it is signed with a shared secret, rotate that secret"},
}

// byRule names a finding of any other rule: secret, blocker.
func byRule(rule string) meaning {
	if k, ok := ruleKinds[rule]; ok {
		return meaning{k.kind, Secret, check.Blocker, k.rotate}
	}
	return meaning{humanRule(rule), Secret, check.Blocker,
		"revoke it where it was issued and create a new one (gitleaks rule " + rule + ")"}
}

// humanRule turns a rule ID such as "linear-api-key" into "Linear API key".
func humanRule(rule string) string {
	if strings.Trim(rule, "- ") == "" {
		return "secret (unnamed rule)"
	}
	words := strings.Split(rule, "-")
	for i, w := range words {
		switch w {
		case "api", "pat", "jwt", "url", "id", "ci", "cd", "oauth", "aws", "gcp":
			words[i] = strings.ToUpper(w)
		default:
			if i == 0 && w != "" {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(words, " ")
}
