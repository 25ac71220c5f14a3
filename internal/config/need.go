package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/recorded"
)

// NeedState says whether the config gives what a check needs.
type NeedState int

const (
	// NeedPresent means the config has it: the check can run.
	NeedPresent NeedState = iota
	// NeedMissing means the config leaves it out: the check SKIPs and its
	// reason says what to add.
	NeedMissing
	// NeedAbsent means the config declares the portal has no such thing
	// (logout: none): the check is N/A.
	NeedAbsent
)

// String names the state for messages and tests.
func (s NeedState) String() string {
	switch s {
	case NeedPresent:
		return "present"
	case NeedMissing:
		return "missing"
	case NeedAbsent:
		return "absent"
	}
	return fmt.Sprintf("NeedState(%d)", int(s))
}

// NeedKeys lists the keys Need understands, for `launchready checks` and
// for tests that every check's needs are known.
func NeedKeys() []string {
	return []string{
		"auth.login", "auth.form", "auth.protected", "auth.logout", "auth.signup", "auth.reset", "auth.inbox",
		"accounts.a", "accounts.b", "accounts.admin", "session.cookie", "target.variants", "objects", "objects.create", "admin", "profile",
		"source.repo", "source.ci_logs",
	}
}

// Need reports whether the config gives key (one of NeedKeys) and, when it
// does not, the reason a check shows: what to add, or why the portal has
// none. An unknown key is NeedMissing with a message naming it as a
// launchready bug rather than a panic.
func (c *Config) Need(key string) (NeedState, string) {
	file := fileName(c.Path)
	switch key {
	case "auth.login":
		// Members can be logged in: a login form, a passwordless or
		// platform login with its section, or recorded sessions.
		return needIf(c.Auth.Login != nil || c.passwordlessLogin() || c.platformLogin() || c.Auth.Kind == "recorded", file, key,
			"add auth.login with the login form's path and fields")
	case "auth.form":
		// The portal's own login, which checks of the login itself drive.
		switch c.Auth.Kind {
		case "supabase", "firebase", "clerk":
			return NeedAbsent, fmt.Sprintf("members sign in through %s (auth.kind %s), not a login of the portal's own: the sign-in itself is the provider's",
				platformName(c.Auth.Kind), c.Auth.Kind)
		case "recorded":
			return NeedMissing, fmt.Sprintf("%s's members sign in by hand (auth.kind recorded), so the scanner cannot drive the login itself", file)
		}
		return needIf(c.Auth.Login != nil || c.passwordlessLogin(), file, "auth.login", "add auth.login with the login form's path and fields")
	case "auth.protected":
		return needIf(len(c.Auth.Protected) > 0, file, key, "add auth.protected with the pages that need a login, e.g. [/dashboard]")
	case "auth.logout":
		if c.Auth.Logout != nil && c.Auth.Logout.None {
			return NeedAbsent, file + " declares auth.logout: none (the portal has no logout)"
		}
		return needIf(c.Auth.Logout != nil, file, key, "add auth.logout with the logout path, or logout: none when the portal has none")
	case "auth.signup":
		if c.Auth.Signup != nil && c.Auth.Signup.None {
			return NeedAbsent, file + " declares auth.signup: none (the portal has no self-service signup)"
		}
		return needIf(c.Auth.Signup != nil, file, key, "add auth.signup with the signup form's path and fields, or signup: none")
	case "auth.reset":
		if c.Auth.Reset != nil && c.Auth.Reset.None {
			return NeedAbsent, file + " declares auth.reset: none (the portal has no password reset)"
		}
		return needIf(c.Auth.Reset != nil, file, key, "add auth.reset with the forgot-password form's path and fields, or reset: none")
	case "auth.inbox":
		return needIf(c.Auth.Inbox != nil, file, key, "add auth.inbox (builtin, mailpit or imap) where the scanner's verification and reset mail arrives")
	case "objects":
		return needIf(len(c.Objects) > 0, file, key, "list what a member owns under objects (name, list and item paths, e.g. "+
			"{name: invoices, list: /api/invoices, item: /api/invoices/{id}}) so member a's data can be replayed as member b")
	case "objects.create":
		for _, o := range c.Objects {
			if o.Create != nil {
				return NeedPresent, ""
			}
		}
		return NeedMissing, fmt.Sprintf("%s has no objects[].create: give an object kind a create request with a {{canary}} field "+
			"so the scanner can make objects of its own to test writes on", file)
	case "admin":
		return needIf(len(c.Admin) > 0, file, key, "list the admin pages and API paths under admin, e.g. [/admin, /api/admin/users]")
	case "profile":
		return needIf(c.Profile != nil, file, key, "add profile with the member's own profile update, e.g. "+
			`{path: /api/me, method: PATCH, json: {display_name: "{{canary}}"}}`)
	case "accounts.a", "accounts.b", "accounts.admin":
		_, ok := c.Accounts[strings.TrimPrefix(key, "accounts.")]
		name := strings.TrimPrefix(key, "accounts.")
		ok = ok || c.RecordedFile(name) != ""
		if c.Auth.Kind == "recorded" {
			return needIf(ok, file, "auth.recorded."+name, fmt.Sprintf("add auth.recorded.%s with member %s's session file, recorded by hand with `%s`",
				name, name, recorded.Command(name, "launchready-session-"+name+".json")))
		}
		return needIf(ok, file, key, "add "+key+" with a test member's email and password (password as env:NAME or file:PATH)")
	case "session.cookie":
		if c.Session.Kind == "token" {
			return NeedAbsent, "the portal keeps sessions in a token, not a cookie"
		}
		return NeedPresent, ""
	case "source.repo", "source.ci_logs":
		return c.needSource(file, key)
	case "target.variants":
		return needIf(c.hasVariants(), file, key, "list the other addresses of the portal (http://, www.) to check each lands on target.url")
	}
	return NeedMissing, fmt.Sprintf("config key %q is unknown to launchready's config package (a launchready bug); known keys: %s",
		key, strings.Join(NeedKeys(), ", "))
}

// needIf is NeedPresent when ok, else NeedMissing with "<file> has no
// <key>: <hint>".
func needIf(ok bool, file, key, hint string) (NeedState, string) {
	if ok {
		return NeedPresent, ""
	}
	return NeedMissing, fmt.Sprintf("%s has no %s: %s", file, key, hint)
}

// hasVariants reports a variant other than target.url itself.
func (c *Config) hasVariants() bool {
	origin := normalizeURL(c.Target.URL)
	for _, v := range c.Target.Variants {
		if normalizeURL(v) != origin {
			return true
		}
	}
	return false
}

func normalizeURL(raw string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(raw), "/"))
}

// Origin is target.url as scheme and host only (no path), or nil when it
// does not parse (never after a successful Parse).
func (c *Config) Origin() *url.URL {
	u, err := url.Parse(c.Target.URL)
	if err != nil || u.Host == "" {
		return nil
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}
}

// Email is the resolved email of account name ("a", "b", "admin"), or ""
// when there is no such account.
func (c *Config) Email(name string) string {
	return c.Accounts[name].Email.Value
}

// needSource says whether the config gives the repository (or CI logs) the
// Secrets handling checks read. Without a source: section the scan is of
// the live portal alone, so those checks are not applicable rather than
// unverified; `launchready secrets` runs them on a repository directly.
func (c *Config) needSource(file, key string) (NeedState, string) {
	if c.Source == nil {
		return NeedAbsent, file + " has no source: section, so this scan covers the live portal only; add " +
			"source: {repo: .} (and build: [dist]) to check the repository too, or run `launchready secrets`"
	}
	if key == "source.ci_logs" && len(c.Source.CILogs) == 0 {
		return NeedMissing, file + " has no source.ci_logs: download the CI run's logs and list the files, e.g. ci_logs: [ci/build.log]"
	}
	return NeedPresent, ""
}

// platformLogin reports a supabase or firebase login with its section.
func (c *Config) platformLogin() bool {
	switch c.Auth.Kind {
	case "supabase":
		return c.Auth.Supabase != nil
	case "firebase":
		return c.Auth.Firebase != nil
	}
	return false
}

// platformName names a sign-in platform for messages.
func platformName(kind string) string {
	return map[string]string{"supabase": "Supabase Auth", "firebase": "Firebase Authentication", "clerk": "Clerk"}[kind]
}
