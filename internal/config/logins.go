package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Clerk is auth.clerk: the Clerk instance members log in to (auth.kind
// clerk). The scanner mints each member's session through Clerk's Backend
// API with the instance's secret key, so no member password is needed.
type Clerk struct {
	// SecretKey is the instance's secret key (sk_test_… or sk_live_…),
	// always as env:NAME or file:PATH.
	SecretKey Secret `yaml:"secret_key,required"`
	// APIURL is the Backend API origin (default https://api.clerk.com;
	// override it for a test double).
	APIURL string `yaml:"api_url"`
	// PublishableKey is the instance's publishable key (pk_test_…,
	// pk_live_…), when known; it is public and may be written literally.
	PublishableKey string `yaml:"publishable_key"`
}

// MagicLink is auth.magic_link: the member asks for a sign-in link at Path
// and follows the link mailed to its address (read from auth.inbox).
type MagicLink struct {
	// Path shows the form asking for the link (and receives the POST
	// unless Action says otherwise).
	Path string `yaml:"path,required"`
	// Action is where the form posts when it differs from Path.
	Action string `yaml:"action"`
	// Form maps fields to values; {{email}} is the account's.
	Form map[string]string `yaml:"form"`
	// Link picks the sign-in link in the mail: a path prefix (/auth/magic)
	// or a regular expression; empty takes the first link on the portal.
	Link string `yaml:"link"`
}

// EmailOTP is auth.email_otp: the member asks for a one-time code at Path,
// reads it from the mail (auth.inbox) and submits it at Verify.
type EmailOTP struct {
	// Path shows the form asking for the code.
	Path string `yaml:"path,required"`
	// Action is where the form posts when it differs from Path.
	Action string `yaml:"action"`
	// Form maps fields to values; {{email}} is the account's.
	Form map[string]string `yaml:"form"`
	// Verify is where the code is submitted.
	Verify *OTPVerify `yaml:"verify,required"`
	// Code is a regular expression with one group around the code; empty
	// means 6 to 8 digits near a word like code, OTP or verification.
	Code string `yaml:"code"`
}

// OTPVerify is the form that takes the one-time code.
type OTPVerify struct {
	// Path shows the form (and receives the POST unless Action is set).
	Path string `yaml:"path,required"`
	// Action is where the form posts when it differs from Path.
	Action string `yaml:"action"`
	// Form maps fields to values; {{email}} and {{code}} are replaced.
	Form map[string]string `yaml:"form"`
}

// DefaultClerkAPI is Clerk's Backend API origin.
const DefaultClerkAPI = "https://api.clerk.com"

// PasswordlessKind reports an auth.kind whose login needs no member
// password.
func PasswordlessKind(kind string) bool {
	return kind == "clerk" || kind == "magic_link" || kind == "email_otp"
}

// passwordlessLogin reports a clerk, magic_link or email_otp login with
// its section: the login checks can log members in without auth.login.
func (c *Config) passwordlessLogin() bool {
	switch c.Auth.Kind {
	case "clerk":
		return c.Auth.Clerk != nil
	case "magic_link":
		return c.Auth.MagicLink != nil
	case "email_otp":
		return c.Auth.EmailOTP != nil
	}
	return false
}

// ClerkAPIPrefix is the URL prefix of the Backend API calls, admitted to
// the scope: <api_url>/v1/.
func (c *Clerk) ClerkAPIPrefix() string {
	return strings.TrimSuffix(c.APIURL, "/") + "/v1/"
}

// applyLoginKindDefaults fills in the Clerk API origin and session
// defaults; it runs before the session defaults.
func (c *Config) applyLoginKindDefaults() {
	if k := c.Auth.Clerk; k != nil && k.APIURL == "" && !c.src.written("auth.clerk.api_url") {
		k.APIURL = DefaultClerkAPI
	}
	if c.Auth.Kind == "clerk" && c.Session.Kind == "token" {
		// Clerk's cross-origin setup: the session token as a bearer token.
		s := &c.Session
		defaultTo(c, "session.from", &s.From, "jwt")
		defaultTo(c, "session.header", &s.Header, "Authorization")
		defaultTo(c, "session.prefix", &s.Prefix, "Bearer ")
	}
}

// validateLoginKinds checks auth.clerk, auth.magic_link and auth.email_otp
// and that auth.kind has the section (and inbox) it needs. It runs before
// the scope is checked: the scope holds the Clerk API prefix.
func (c *Config) validateLoginKinds() error {
	a := c.Auth
	switch {
	case a.Kind == "clerk" && a.Clerk == nil:
		return c.src.errKey("auth.kind", "clerk needs an auth.clerk section: {secret_key: env:CLERK_SECRET_KEY}")
	case a.Kind == "magic_link" && a.MagicLink == nil:
		return c.src.errKey("auth.kind", `magic_link needs an auth.magic_link section: {path: /login, form: {email: "{{email}}"}}`)
	case a.Kind == "email_otp" && a.EmailOTP == nil:
		return c.src.errKey("auth.kind", `email_otp needs an auth.email_otp section: {path: /login, form: {email: "{{email}}"}, verify: {path: /verify, form: {code: "{{code}}"}}}`)
	case (a.Kind == "magic_link" || a.Kind == "email_otp") && a.Inbox == nil:
		return c.src.errKey("auth.kind", "%s needs auth.inbox: the mailbox the accounts' sign-in mail arrives in", a.Kind)
	case (a.Kind == "magic_link" || a.Kind == "email_otp") && c.Session.Kind == "token":
		return c.src.errKey("session.kind", "%s logins keep the session the portal sets in cookies; want cookie", a.Kind)
	}
	if k := a.Clerk; k != nil {
		if err := c.validateClerk(k); err != nil {
			return err
		}
	}
	if m := a.MagicLink; m != nil {
		if err := c.checkMailForm("auth.magic_link", m.Path, m.Action, m.Form, false); err != nil {
			return err
		}
		if _, err := LinkMatcher(m.Link); err != nil {
			return c.src.errKey("auth.magic_link.link", "%v", err)
		}
	}
	if o := a.EmailOTP; o != nil {
		if err := c.checkMailForm("auth.email_otp", o.Path, o.Action, o.Form, false); err != nil {
			return err
		}
		if err := c.checkMailForm("auth.email_otp.verify", o.Verify.Path, o.Verify.Action, o.Verify.Form, true); err != nil {
			return err
		}
		if _, err := CodePattern(o.Code); err != nil {
			return c.src.errKey("auth.email_otp.code", "%v", err)
		}
	}
	return nil
}

func (c *Config) validateClerk(k *Clerk) error {
	if err := c.checkAPIURL("auth.clerk.api_url", k.APIURL); err != nil {
		return err
	}
	key := strings.TrimSpace(k.SecretKey.Value)
	switch {
	case strings.HasPrefix(key, "pk_"):
		return c.src.errKey("auth.clerk.secret_key", "%s holds a publishable key (pk_…); give the instance's secret key (sk_test_… or sk_live_…, Clerk Dashboard → API keys)", k.SecretKey.Ref)
	case !strings.HasPrefix(key, "sk_test_") && !strings.HasPrefix(key, "sk_live_"):
		return c.src.errKey("auth.clerk.secret_key", "%s does not hold a Clerk secret key (want sk_test_… or sk_live_…)", k.SecretKey.Ref)
	}
	if pk := k.PublishableKey; pk != "" && !strings.HasPrefix(pk, "pk_test_") && !strings.HasPrefix(pk, "pk_live_") {
		// Do not echo it: it may be a secret key pasted in the wrong place.
		return c.src.errKey("auth.clerk.publishable_key", "want the instance's publishable key (pk_test_… or pk_live_…)")
	}
	return nil
}

// checkMailForm checks a passwordless flow's path and form: only
// {{email}} (and {{code}} where withCode) are replaced, and no field
// asks for a password.
func (c *Config) checkMailForm(key, path, action string, form map[string]string, withCode bool) error {
	if err := c.checkPath(key+".path", path); err != nil {
		return err
	}
	if action != "" {
		if err := c.checkPath(key+".action", action); err != nil {
			return err
		}
	}
	allowed := "{{email}}"
	if withCode {
		allowed = "{{email}} and {{code}}"
	}
	for _, name := range keysByLine(c, key+".form", form) {
		v := form[name]
		for rest := v; ; {
			i := strings.Index(rest, "{{")
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], "}}")
			if j < 0 {
				return c.src.errKey(key+".form."+name, "unclosed {{ in %q (only %s are replaced)", v, allowed)
			}
			ph := rest[i : i+j+2]
			if ph != "{{email}}" && (!withCode || ph != "{{code}}") {
				return c.src.errKey(key+".form."+name, "unknown placeholder %s (only %s are replaced here)", ph, allowed)
			}
			rest = rest[i+j+2:]
		}
	}
	if withCode && !formHas(form, "{{code}}") {
		return c.src.errKey(key+".form", `needs a field holding "{{code}}", where the code from the mail goes`)
	}
	return nil
}

func formHas(form map[string]string, placeholder string) bool {
	for _, v := range form {
		if strings.Contains(v, placeholder) {
			return true
		}
	}
	return false
}

// LinkMatcher compiles auth.magic_link.link: "" matches any link, a value
// starting with / is a path prefix, anything else a regular expression
// matched against the whole link.
func LinkMatcher(spec string) (func(link, path string) bool, error) {
	switch {
	case spec == "":
		return func(string, string) bool { return true }, nil
	case strings.HasPrefix(spec, "/"):
		return func(_, path string) bool { return strings.HasPrefix(path, spec) }, nil
	}
	re, err := regexp.Compile(spec)
	if err != nil {
		return nil, fmt.Errorf("want a path prefix starting with / or a regular expression: %v", err)
	}
	return func(link, _ string) bool { return re.MatchString(link) }, nil
}

// CodePattern compiles auth.email_otp.code, which must hold exactly one
// capturing group around the code; "" gives nil (the default search).
func CodePattern(spec string) (*regexp.Regexp, error) {
	if spec == "" {
		return nil, nil
	}
	re, err := regexp.Compile(spec)
	if err != nil {
		return nil, fmt.Errorf("want a regular expression with one group around the code: %v", err)
	}
	if n := re.NumSubexp(); n != 1 {
		return nil, fmt.Errorf("want exactly one capturing group (…) around the code, got %d in %q", n, spec)
	}
	return re, nil
}
