// Package config loads and validates launchready.yaml strictly: unknown keys,
// wrong types, missing required fields and literal secrets are errors that
// name the key and the line.
package config

import "time"

// Config is a parsed launchready.yaml. Field tags give the YAML key; the
// `required` option marks keys that must be present.
type Config struct {
	// Target says where the portal is and which hosts may ever be contacted.
	Target Target `yaml:"target,required"`
	// Auth describes how members log in and which pages need a login.
	Auth Auth `yaml:"auth"`
	// Session says how the portal keeps a member logged in.
	Session Session `yaml:"session"`
	// Accounts are the test members, keyed "a", "b" and optionally "admin".
	Accounts map[string]Account `yaml:"accounts"`
	// Me is accounts.me, how a member reads its own record (where
	// {{self.id}} comes from). It is written under accounts, where me is a
	// reserved key rather than an account, and decoded apart.
	Me *Me `yaml:"-"`
	// Objects are what a member owns: read as member a, replayed as member
	// b and anonymously (AUTHZ-001..003, 005).
	Objects []Object `yaml:"objects"`
	// Admin lists admin functions, each "/path" (GET) or "METHOD /path";
	// they must refuse members and anonymous visitors (AUTHZ-004).
	Admin []string `yaml:"admin"`
	// Profile is how a member updates its own profile (AUTHZ-006).
	Profile *Profile `yaml:"profile"`
	// Crawl bounds the discovery crawl as member a.
	Crawl Crawl `yaml:"crawl"`
	// Source is the portal's repository, build output and CI logs, for
	// the Secrets handling checks; without it they are not applicable.
	Source *Source `yaml:"source"`
	// Email names the sending domains, DKIM selectors and sender for the
	// Email deliverability checks (MAIL-*).
	Mail *Email `yaml:"email"`

	// Path is the file the config was read from ("" when parsed from bytes).
	Path string `yaml:"-"`

	// src remembers where each key was written and how to read referenced
	// files, so defaults and validation can name lines; nil for a Config
	// built in code.
	src *source
}

// Target is the portal's canonical origin, its variants and the scan's scope.
type Target struct {
	// URL is the canonical origin, e.g. https://app.example.com.
	URL string `yaml:"url,required"`
	// Variants are the other ways people reach the portal (http/https ×
	// root/www/app); each must land on URL in one hop.
	Variants []string `yaml:"variants"`
	// Scope lists the only hosts ever contacted: "host" (any port),
	// "host:port", or a URL prefix for a shared provider host. When empty it
	// is the hosts of URL and Variants.
	Scope []string `yaml:"scope"`
	// Resolver is host:port of a DNS server used for every lookup; empty
	// means the system resolver.
	Resolver string `yaml:"resolver"`
	// CAFile adds trusted root certificates (PEM), e.g. a staging CA.
	CAFile string `yaml:"ca_file"`
	// Rate caps non-load requests per second across the whole scan.
	Rate float64 `yaml:"rate"`
	// Timeouts bound every connection and request.
	Timeouts Timeouts `yaml:"timeouts"`
	// MaxBodyBytes caps a response body after decoding, and the bodies of
	// a redirect chain together; hitting it is an ERROR for the check that
	// asked.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// BodyBudgetBytes caps the bytes of response bodies the whole scan
	// holds at once, across every check and crawl (at least
	// max_body_bytes); a body that does not fit is not read, and the check
	// that asked for it is an ERROR, never a PASS.
	BodyBudgetBytes int64 `yaml:"body_budget"`
	// MaxHeaderBytes caps response headers.
	MaxHeaderBytes int64 `yaml:"max_header_bytes"`
	// MaxRedirects caps the hops followed for one request.
	MaxRedirects int `yaml:"max_redirects"`
	// RetryAfterMax caps how long a Retry-After answer is waited for.
	RetryAfterMax time.Duration `yaml:"retry_after_max"`
	// Pages are the portal's HTML pages (paths) that EDGE-004 scores and
	// the frontend crawl (SEC-003, SEC-004, SEC-008) starts from; empty
	// means the home page and the login, signup and reset pages.
	Pages []string `yaml:"pages"`
	// Headers are sent on every request to the target's own origins
	// (target.url and target.variants), never elsewhere (the inbox, a
	// platform's API): a gateway's key, a staging password. Values are
	// literal or env:NAME / file:PATH; a referenced value is a secret,
	// redacted everywhere and never sent over plain http unless target.url
	// is http.
	Headers map[string]Value `yaml:"headers"`
}

// Timeouts bound each phase of a request.
type Timeouts struct {
	// Connect bounds the TCP connect.
	Connect time.Duration `yaml:"connect"`
	// TLS bounds the TLS handshake.
	TLS time.Duration `yaml:"tls"`
	// Header bounds the wait for response headers after the request is sent.
	Header time.Duration `yaml:"header"`
	// Request bounds a whole request including reading the body.
	Request time.Duration `yaml:"request"`
	// Check bounds one check's whole run.
	Check time.Duration `yaml:"check"`
	// Cleanup bounds the clean-up at the end of a scan (and after Ctrl-C,
	// on its own deadline): deleting the accounts and objects it created.
	Cleanup time.Duration `yaml:"cleanup"`
	// Scan bounds the whole scan: past it the checks still running are
	// stopped, they and those not started are ERROR, the report is written
	// with what finished, and the clean-up still runs. The --deadline flag
	// of scan and demo takes its place.
	Scan time.Duration `yaml:"scan"`
}

// Auth describes the login journey.
type Auth struct {
	// Kind is how members log in: form (HTML form POST), json, supabase
	// (password grant on the project's Auth API), firebase (Identity
	// Toolkit signInWithPassword), clerk (a session minted through Clerk's
	// Backend API), magic_link (a sign-in link mailed to the member) or
	// email_otp (a one-time code mailed to the member).
	Kind string `yaml:"kind"`
	// Login is the login flow.
	Login *Login `yaml:"login"`
	// Logout is the logout flow; "none" declares the portal has none.
	Logout *Flow `yaml:"logout"`
	// Protected lists pages (paths on the target URL) that need a login.
	Protected []string `yaml:"protected"`
	// Callbacks lists the portal's auth callback paths (OAuth, magic link,
	// SSO return) that AUTH-010 probes for an open redirect; empty means
	// the common /auth/callback and /api/auth/callback, where they exist.
	Callbacks []string `yaml:"callbacks"`
	// Signup is the registration flow; "none" declares the portal has none
	// (invitation-only, single sign-on).
	Signup *Signup `yaml:"signup"`
	// Reset is the password-reset request flow; "none" declares none.
	Reset *Reset `yaml:"reset"`
	// Inbox is where verification and reset mail for the scanner's own
	// accounts arrives.
	Inbox *Inbox `yaml:"inbox"`
	// Supabase and Firebase name the platform project members log in to
	// with auth.kind supabase or firebase.
	Supabase *Supabase `yaml:"supabase"`
	Firebase *Firebase `yaml:"firebase"`
	// Recorded names each member's session file, saved by `launchready
	// login --record`, for auth.kind recorded.
	Recorded *Recorded `yaml:"recorded"`
	// Clerk is the Clerk instance members log in to with auth.kind clerk.
	Clerk *Clerk `yaml:"clerk"`
	// MagicLink and EmailOTP are the passwordless logins of auth.kind
	// magic_link and email_otp; both read the mail from auth.inbox.
	MagicLink *MagicLink `yaml:"magic_link"`
	EmailOTP  *EmailOTP  `yaml:"email_otp"`
	// Recheck is the wait before AUTH-006 compares again the answers that
	// differed for an existing account and an unknown address: a
	// difference counts when it recurs in 2 of 3 rounds.
	Recheck time.Duration `yaml:"recheck"`
}

// Signup describes registration.
type Signup struct {
	// Path shows the signup form (and receives the POST); with JSON, the
	// API path the page's script sends the new account to.
	Path string `yaml:"path,required"`
	// Method is the JSON request's method (default POST); a form goes the
	// way its page says.
	Method string `yaml:"method"`
	// Form maps fields to values; {{email}}, {{password}} and {{tag}} are
	// filled with the scanner's new account.
	Form map[string]string `yaml:"form"`
	// JSON is the body of a signup sent as JSON straight to Path (no page
	// fetched), with the same placeholders. At most one of Form and JSON.
	JSON map[string]string `yaml:"json"`
	// Verify says a verification mail must be followed before login.
	Verify bool `yaml:"verify"`
	// Request, when set, is sent right after the signup to ask for the
	// verification mail (a portal that mails nothing on create).
	Request *Call `yaml:"request"`
	// Confirm, when set, confirms the address with the token of the
	// mail's link instead of opening the link (a page that confirms in
	// JavaScript).
	Confirm *Confirm `yaml:"confirm"`
	// Delete is how a member deletes its own account, used to clean up the
	// accounts the scanner creates; "none" leaves them (they are listed).
	Delete *Delete `yaml:"delete"`
	// None is true when the config says the portal has no signup.
	None bool `yaml:"-"`
}

// Reset describes the password-reset request.
type Reset struct {
	// Path shows the "forgot password" form (and receives the POST); with
	// JSON, the API path the page's script sends the request to.
	Path string `yaml:"path,required"`
	// Method is the JSON request's method (default POST).
	Method string `yaml:"method"`
	// Form maps fields to values; {{email}} and {{tag}} are the account's.
	Form map[string]string `yaml:"form"`
	// JSON is the body of a request sent as JSON straight to Path. At most
	// one of Form and JSON.
	JSON map[string]string `yaml:"json"`
	// Confirm, when set, sets the new password with the token of the
	// mail's link instead of opening the link.
	Confirm *Confirm `yaml:"confirm"`
	// None is true when the config says the portal has no reset.
	None bool `yaml:"-"`
}

// Call is a request sent straight to an API path, as the portal's page
// script sends it: a JSON body (with the headers of a script's fetch) or
// form fields (form-encoded), no page fetched first.
type Call struct {
	// Path is where it is sent.
	Path string `yaml:"path,required"`
	// Method defaults to POST.
	Method string `yaml:"method"`
	// JSON or Form holds the fields (at most one of them).
	JSON map[string]string `yaml:"json"`
	Form map[string]string `yaml:"form"`
}

// Confirm is a Call that carries the token of a mailed link: {{token}} is
// the link's token query parameter, else the last path segment of its
// fragment or path, unless Token says how to read it.
type Confirm struct {
	// Path is where it is sent.
	Path string `yaml:"path,required"`
	// Method defaults to POST.
	Method string `yaml:"method"`
	// JSON or Form holds the fields (at most one of them); one of them
	// holds {{token}}.
	JSON map[string]string `yaml:"json"`
	Form map[string]string `yaml:"form"`
	// Token is a regular expression with one group, matched against the
	// link, that captures the token.
	Token string `yaml:"token"`
}

// Call returns the request part of a Confirm.
func (c *Confirm) Call() *Call {
	return &Call{Path: c.Path, Method: c.Method, JSON: c.JSON, Form: c.Form}
}

// Delete is how a member deletes its own account: a request sent in the
// member's session, with a JSON body, form fields, or (neither) the hidden
// fields of the delete form the member's landing page holds.
type Delete struct {
	// Path is where it is sent; {{self.id}}, {{email}} and {{tag}} are the
	// member's.
	Path string `yaml:"path"`
	// Method is the HTTP method (default POST).
	Method string `yaml:"method"`
	// JSON or Form holds the fields (at most one of them).
	JSON map[string]string `yaml:"json"`
	Form map[string]string `yaml:"form"`
	// None is true when the config says members cannot delete their account.
	None bool `yaml:"-"`
}

// Me is accounts.me: the request a logged-in member reads its own record
// with, and where the record's id is.
type Me struct {
	// Path is where the record is read.
	Path string `yaml:"path,required"`
	// Method is GET (default) or POST.
	Method string `yaml:"method"`
	// IDField is the dotted JSON path of the id (default id), like
	// record.id.
	IDField string `yaml:"id_field"`
}

// AccountLogin is an account's own login (accounts.admin.login): an
// administrator who logs in elsewhere than the members.
type AccountLogin struct {
	// Path is the login page (form) or API path (json).
	Path string `yaml:"path,required"`
	// JSON is sent as JSON straight to Path; Form is filled in on the
	// page's login form. Exactly one of them.
	JSON map[string]string `yaml:"json"`
	Form map[string]string `yaml:"form"`
}

// Inbox is a mailbox the scanner can read.
type Inbox struct {
	// Kind is builtin (the demo's), mailpit (its REST API) or imap.
	Kind string `yaml:"kind,required"`
	// URL is the REST API base for builtin and mailpit, without user
	// info (credentials go in Username and Password). The inbox's own
	// scoped client may reach this origin and path only.
	URL string `yaml:"url"`
	// Address makes addresses for the accounts the scanner creates; it
	// must contain {{tag}} (plus-addressing: qa+{{tag}}@example.com).
	Address string `yaml:"address,required"`
	// Host is host:port of an IMAP server (implicit TLS).
	Host string `yaml:"host"`
	// Username and Password log in to IMAP (both required), or to a
	// Mailpit behind basic auth (both or neither), sent to the inbox's
	// origin only. The password is env:/file: only, and redacted.
	Username Value  `yaml:"username"`
	Password Secret `yaml:"password"`
	// Mailbox is the IMAP folder (default INBOX).
	Mailbox string `yaml:"mailbox"`
	// CAFile adds trusted roots for the inbox's server (IMAP, or an https
	// Mailpit), on top of the system's and target.ca_file.
	CAFile string `yaml:"ca_file"`
	// Wait bounds how long a mail is waited for (default 60s).
	Wait time.Duration `yaml:"wait"`
}

// Login describes the login request.
type Login struct {
	// Path is where the login form is shown and posted (unless Action says
	// otherwise).
	Path string `yaml:"path,required"`
	// Action is where the form posts when it differs from Path.
	Action string `yaml:"action"`
	// Form maps field names to values; {{email}} and {{password}} are
	// replaced with the account's. With auth.kind json (when JSON is not
	// given) it is taken as the JSON body, as before json existed.
	Form map[string]string `yaml:"form"`
	// JSON is the body of an auth.kind json login, sent to Action (else
	// Path), with the same placeholders. Exactly one of Form and JSON for
	// auth.kind json; form only for auth.kind form.
	JSON map[string]string `yaml:"json"`
	// Success is the page a member lands on after logging in.
	Success string `yaml:"success"`
}

// Fields are the login's body fields: JSON when given, else Form (which
// an auth.kind json login also takes as its JSON body).
func (l *Login) Fields() map[string]string {
	if l.JSON != nil {
		return l.JSON
	}
	return l.Form
}

// Flow is an optional flow at a path, or declared absent with "none".
type Flow struct {
	// Kind, for auth.logout: server (default: a request ends the session)
	// or client (the portal's sign-out only forgets the token in the
	// browser and sends nothing, as stateless-token SPAs do).
	Kind string `yaml:"kind"`
	// Path is where the flow starts.
	Path string `yaml:"path"`
	// Method is the HTTP method (default POST for logout).
	Method string `yaml:"method"`
	// None is true when the config says the portal has no such flow.
	None bool `yaml:"-"`
}

// Session says how the portal keeps members logged in.
type Session struct {
	// Kind is cookie (default) or token.
	Kind string `yaml:"kind"`
	// From is the JSON field of the login response holding the token.
	From string `yaml:"from"`
	// Header is the request header that carries the token.
	Header string `yaml:"header"`
	// Prefix is put before the token in Header (e.g. "Bearer ").
	Prefix string `yaml:"prefix"`
	// IdleTimeout is the portal's idle timeout, when it has one; SESS-004
	// waits it out and replays the session only when it is 60s or less.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// Lifetime declares how long the server keeps a session valid, when
	// nothing the portal sends shows it (a browser-session cookie, a token
	// without exp); 0 means not declared.
	Lifetime time.Duration `yaml:"lifetime"`
}

// Account is a test member's credentials.
type Account struct {
	// Email may be literal or a reference.
	Email Value `yaml:"email,required"`
	// Password must be a reference (env:NAME or file:PATH). Required
	// unless the login needs none (auth.kind clerk, magic_link, email_otp).
	Password Secret `yaml:"password"`
	// Login is the account's own login, for accounts.admin only: an
	// administrator who logs in elsewhere (PocketBase superusers).
	Login *AccountLogin `yaml:"login"`
}

// Value is a config value written literally or as env:NAME / file:PATH.
type Value struct {
	// Ref is the reference as written ("" for a literal).
	Ref string
	// Value is the resolved value.
	Value string
	// Line is where it was written.
	Line int
}

// Secret is a value that must never be written literally in the config.
type Secret struct {
	// Ref is the reference as written: env:NAME or file:PATH.
	Ref string
	// Value is the resolved secret. Never print it.
	Value string
	// Line is where it was written.
	Line int
}

// String hides the secret so it cannot leak through fmt.
func (s Secret) String() string { return s.Ref }

// GoString hides the secret from %#v as well.
func (s Secret) GoString() string { return "config.Secret{" + s.Ref + "}" }

// Object is one kind of thing a member owns (invoices, messages, files).
type Object struct {
	// Name names the kind in reports: lower-case letters, digits, - and _.
	Name string `yaml:"name,required"`
	// List is a page or JSON endpoint that lists the member's own objects.
	List string `yaml:"list"`
	// Item reads one object; it holds {id} where the object's ID goes.
	Item string `yaml:"item"`
	// Create makes a new object; {{canary}} in its fields is replaced with
	// a unique marker (intrusive; the object is deleted at the end).
	Create *Write `yaml:"create"`
	// Update changes an object ({id} in the path); {{canary}} as in Create.
	Update *Write `yaml:"update"`
	// Delete removes an object ({id} in the path).
	Delete *Write `yaml:"delete"`
	// IDField is the JSON field holding an object's ID (default id).
	IDField string `yaml:"id_field"`
}

// Write is one state-changing request.
type Write struct {
	// Path is where it is sent; {id} is an object's ID.
	Path string `yaml:"path,required"`
	// Method is the HTTP method (defaults: POST to create, PATCH to update,
	// DELETE to delete).
	Method string `yaml:"method"`
	// JSON is sent as a JSON object of strings; Form as a form. At most one.
	JSON map[string]string `yaml:"json"`
	Form map[string]string `yaml:"form"`
}

// Profile is the member's own profile: read at Read, updated with the
// write described by the other keys.
type Profile struct {
	// Path is where the update is sent.
	Path string `yaml:"path,required"`
	// Method defaults to PATCH.
	Method string `yaml:"method"`
	// JSON or Form holds a harmless field to update, with {{canary}}.
	JSON map[string]string `yaml:"json"`
	Form map[string]string `yaml:"form"`
	// Read is where the profile is read back (default Path).
	Read string `yaml:"read"`
}

// Crawl bounds the discovery crawl.
type Crawl struct {
	// Pages caps the pages and JSON responses fetched (default 40).
	Pages int `yaml:"pages"`
	// Depth caps the link depth from the starting pages (default 2).
	Depth int `yaml:"depth"`
}
