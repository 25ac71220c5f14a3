package secrets

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/check"
)

// meaning is what classification decides for one value.
type meaning struct {
	kind     string
	class    Class
	severity check.Severity
	rotate   string
}

// candidate is a raw match to classify: the rule, the value, the line it
// is on, and (lazily, since it is rarely needed) the text around it.
type candidate struct {
	rule, value, line string
	around            func() string
	now               time.Time
}

// Rotation steps shared by several kinds.
const (
	rotateStripe = "roll the key in the Stripe Dashboard (Developers → API keys → Roll key), " +
		"then update every server that uses it"
	rotateStripeTest = "roll the key in the Stripe Dashboard in test mode (Developers → API keys → Roll key)"
	rotateSupabase   = "rotate the project's JWT secret in the Supabase Dashboard (Project Settings → JWT Keys; " +
		"it also replaces the anon key and ends every session), or move to the new API keys and disable the legacy ones"
	rotateSupabaseSecret = "delete the key and create a new secret key in the Supabase Dashboard (Project Settings → API Keys)"
	rotateDatabase       = "change the database user's password (ALTER ROLE … PASSWORD …, or the provider's dashboard: " +
		"Supabase, Neon, RDS…) and update DATABASE_URL wherever the app runs"
	rotateSMTP = "change the SMTP password or API key at the mail provider (SendGrid, Postmark, Mailgun, SES SMTP credentials) " +
		"and update the app's mail settings"
	rotatePrivateKey = "replace the key pair everywhere it is trusted (deploy key, TLS certificate, JWT signing, SSH) " +
		"with a newly generated one, and revoke the old public key"
	rotateGeneric = "find the service that issued it (the variable name is the hint), revoke it there and create a new one"
)

// prefixKinds classify a value by how it starts, before its rule is looked
// at: the prefix says more than which rule happened to match.
var prefixKinds = []struct {
	prefix string
	m      meaning
}{
	{"sk_live_", meaning{"Stripe live secret key", Secret, check.Blocker, rotateStripe}},
	{"sk_prod_", meaning{"Stripe live secret key", Secret, check.Blocker, rotateStripe}},
	{"rk_live_", meaning{"Stripe live restricted key", Secret, check.Blocker, rotateStripe}},
	{"rk_prod_", meaning{"Stripe live restricted key", Secret, check.Blocker, rotateStripe}},
	{"sk_test_", meaning{"Stripe test-mode secret key", Secret, check.Major, rotateStripeTest}},
	{"rk_test_", meaning{"Stripe test-mode restricted key", Secret, check.Major, rotateStripeTest}},
	{"whsec_", meaning{"Stripe webhook signing secret", Secret, check.Blocker,
		"roll the endpoint's signing secret in the Stripe Dashboard (Developers → Webhooks) and update the webhook handler"}},
	{"pk_live_", meaning{"Stripe live publishable key", Publishable, check.Info, ""}},
	{"pk_test_", meaning{"Stripe test-mode publishable key", Publishable, check.Info, ""}},
	{"sb_secret_", meaning{"Supabase secret key", Secret, check.Blocker, rotateSupabaseSecret}},
	{"sb_publishable_", meaning{"Supabase publishable key", Publishable, check.Info, ""}},
}

// classify decides what a matched value is.
func classify(c candidate) meaning {
	for _, p := range prefixKinds {
		if strings.HasPrefix(c.value, p.prefix) {
			return p.m
		}
	}
	if claims, ok := ReadJWT(c.value); ok {
		return classifyJWT(claims, c.now)
	}
	switch c.rule {
	case RuleDatabaseURL:
		return classifyURL(c.value, "connection URL with a password", rotateDatabase)
	case RuleSMTPURL:
		return classifyURL(c.value, "URL with a password", rotateSMTP)
	case RuleSMTPPassword:
		return placeholderOr(c.value, meaning{"SMTP password", Secret, check.Blocker, rotateSMTP})
	case "gcp-api-key":
		return classifyGoogleKey(c)
	case "private-key":
		return meaning{"private key", Secret, check.Blocker, rotatePrivateKey}
	case "generic-api-key":
		if isMailLine(c.line) {
			return placeholderOr(c.value, meaning{"SMTP password", Secret, check.Blocker, rotateSMTP})
		}
		return placeholderOr(c.value, meaning{"API key or password (generic rule)", Secret, check.Blocker, rotateGeneric})
	}
	return byRule(c.rule)
}

// classifyJWT tells a Supabase anon key (public by design) from a
// service_role key (bypasses row-level security) and other tokens.
func classifyJWT(c JWTClaims, now time.Time) meaning {
	switch c.Role {
	case "anon":
		return meaning{"Supabase anon key", Publishable, check.Info, ""}
	case "service_role":
		return meaning{"Supabase service_role key", Secret, check.Blocker, rotateSupabase}
	}
	rotate := "revoke it at its issuer (" + orUnknown(c.Issuer) + ") and, if it is signed with a shared secret, rotate that secret"
	switch {
	case c.Expires.IsZero():
		return meaning{"JSON Web Token without expiry", Secret, check.Blocker, rotate}
	case c.Expires.Before(now):
		return meaning{"expired JSON Web Token (expired " + c.Expires.Format("2006-01-02") + ")", Secret, check.Minor, rotate}
	}
	return meaning{"JSON Web Token (expires " + c.Expires.Format("2006-01-02") + ")", Secret, check.Major, rotate}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown issuer"
	}
	return s
}

// schemeNames name the service behind a URL scheme.
var schemeNames = map[string]string{
	"postgres": "PostgreSQL", "postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB",
	"mongodb": "MongoDB", "mongodb+srv": "MongoDB", "redis": "Redis", "rediss": "Redis",
	"amqp": "RabbitMQ (AMQP)", "amqps": "RabbitMQ (AMQP)", "mssql": "SQL Server", "sqlserver": "SQL Server",
	"cockroachdb": "CockroachDB", "smtp": "SMTP", "smtps": "SMTP",
}

// classifyURL judges a URL with a password: one for a service on this
// machine, or with a placeholder password, grants nothing.
func classifyURL(raw, kind, rotate string) meaning {
	scheme, pw, host, ok := splitURL(raw)
	if !ok {
		return meaning{kind, Secret, check.Blocker, rotate}
	}
	if name, ok := schemeNames[strings.ToLower(scheme)]; ok && !strings.HasPrefix(kind, name) {
		kind = name + " " + kind
	}
	if isPlaceholder(pw) {
		return meaning{kind + " (placeholder password)", Harmless, check.Info, ""}
	}
	if isLocalHost(host) {
		return meaning{kind + " (local development host)", Harmless, check.Info, ""}
	}
	return meaning{kind, Secret, check.Blocker, rotate}
}

// splitURL reads scheme://user:password@host… by hand: url.Parse refuses
// the template syntax (${PASSWORD}) that marks a placeholder.
func splitURL(raw string) (scheme, password, host string, ok bool) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", "", "", false
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return "", "", "", false
	}
	_, password, ok = strings.Cut(rest[:at], ":")
	if !ok {
		return "", "", "", false
	}
	hostPort := rest[at+1:]
	if i := strings.IndexAny(hostPort, "/?#"); i >= 0 {
		hostPort = hostPort[:i]
	}
	if u, err := url.Parse("//" + hostPort); err == nil {
		host = u.Hostname()
	} else {
		host, _, _ = strings.Cut(hostPort, ":")
	}
	if p, err := url.PathUnescape(password); err == nil {
		password = p
	}
	return scheme, password, host, true
}

// classifyGoogleKey tells a Firebase web config's apiKey (public by design,
// protected by security rules) from another Google API key.
func classifyGoogleKey(c candidate) meaning {
	around := ""
	if c.around != nil {
		around = strings.ToLower(c.around())
	}
	line := strings.ToLower(c.line)
	if strings.Contains(around, "firebase") || (strings.Contains(line, "apikey") && strings.Contains(around, "authdomain")) {
		return meaning{"Firebase web API key", Publishable, check.Info, ""}
	}
	return meaning{"Google API key", Secret, check.Blocker,
		"delete or restrict the key in Google Cloud Console (APIs & Services → Credentials) and create a new, restricted one"}
}

// isMailLine reports a line that sets a mail or SMTP setting.
func isMailLine(line string) bool {
	l := strings.ToLower(line)
	return strings.Contains(l, "smtp") || strings.Contains(l, "mail_pass") || strings.Contains(l, "mail_host_pass") ||
		strings.Contains(l, "mailer_pass")
}

// placeholderOr is Harmless for a placeholder value, else m.
func placeholderOr(value string, m meaning) meaning {
	if isPlaceholder(value) {
		return meaning{m.kind + " (placeholder)", Harmless, check.Info, ""}
	}
	return m
}

// placeholderWords are values people write where the real one goes;
// placeholderPrefixes start one ("your-password-here").
var (
	placeholderWords = []string{
		"password", "passwd", "pass", "secret", "changeme", "postgres", "root", "admin", "test", "dummy",
		"redacted", "example", "placeholder",
	}
	placeholderPrefixes = []string{"your", "change", "example", "placeholder", "redacted", "dummy", "xxx", "fake"}
)

// isPlaceholder reports a value that is obviously not a real credential:
// empty, a template reference (${X}, {{x}}, <x>, $X, %X%), one repeated
// character, or a placeholder word.
func isPlaceholder(v string) bool {
	l := strings.ToLower(strings.TrimSpace(v))
	if l == "" || strings.ContainsAny(l[:1], "$<{%*[") || strings.HasPrefix(l, "process.env") {
		return true
	}
	if sameRune(l) || slices.Contains(placeholderWords, l) {
		return true
	}
	for _, p := range placeholderPrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// sameRune reports a string of one repeated character ("xxxxxxxx").
func sameRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return false
		}
	}
	return true
}

// isLocalHost reports a host on this machine or a bare container name
// ("db", "postgres") that only resolves inside a compose network.
func isLocalHost(h string) bool {
	h = strings.ToLower(h)
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "host.docker.internal" {
		return true
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback() || ip.IsUnspecified()
	}
	return !strings.Contains(h, ".")
}
