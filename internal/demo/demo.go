// Package demo is the built-in demo portal: a small membership community
// ("Portal — members community") served on loopback with its own
// authoritative DNS server for the zone portal.test, a local CA and TLS,
// two pre-verified member accounts and an admin, signup with email
// verification, password reset, JWT session cookies, and a real SMTP server
// whose mail lands in a built-in inbox with a Mailpit-shaped REST API.
// `launchready demo` scans it offline and the end-to-end tests use it. Each
// member owns invoices, messages, files and payment cards; the admin has an
// admin console and an admin API. The portal's source is a generated git
// repository with its build output, and its bundle carries third-party
// keys (fake ones, drawn anew on every start). Each flaw the implemented
// checks look for sits behind a switch in Flaws: Flawed() plants them all,
// Hardened() none.
package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Flaws plants mistakes in the portal, one switch each, named with the check
// that finds it.
type Flaws struct {
	// CookieNotSecure: the session cookie lacks Secure (SESS-001).
	CookieNotSecure bool
	// CookieScriptable: the session cookie lacks HttpOnly (SESS-002).
	CookieScriptable bool
	// CookieNoSameSite: the session cookie has no SameSite attribute (SESS-003).
	CookieNoSameSite bool
	// AnonBilling: /billing renders the billing page of the most recently
	// logged-in member to anonymous visitors (AUTH-007).
	AnonBilling bool
	// PlainHTTPContent: http://portal.test serves the app over plain HTTP
	// instead of redirecting to HTTPS (TLS-003).
	PlainHTTPContent bool
	// RedirectChains: variants reach the canonical origin through several
	// hops (TLS-004).
	RedirectChains bool
	// NoSecurityHeaders: no CSP, nosniff, frame-ancestors, Referrer-Policy
	// or HSTS (EDGE-004).
	NoSecurityHeaders bool

	// LoginLoopUnverified: a member who has not verified their email is
	// bounced /dashboard → /verify-pending → /dashboard … forever after
	// login (AUTH-002).
	LoginLoopUnverified bool
	// NoSessionRotation: anonymous page visits get a session cookie and
	// login attaches the member to it, keeping its value (AUTH-004).
	NoSessionRotation bool
	// LogoutClientOnly: logout expires the cookie but the server-side
	// session stays valid (AUTH-003).
	LogoutClientOnly bool
	// ReusableResetLink: a password-reset link works more than once and
	// lives for days (AUTH-005).
	ReusableResetLink bool
	// TokenInLocalStorage: the dashboard's script copies the session JWT
	// into localStorage and sessionStorage (SESS-005).
	TokenInLocalStorage bool
	// JWTAlgNone: session JWTs with alg "none" (any case) and no signature
	// are accepted (SESS-006).
	JWTAlgNone bool
	// WeakJWTSecret: session JWTs are signed with the HMAC key "secret"
	// (SESS-006).
	WeakJWTSecret bool
	// LongSessions: sessions last 30 days (cookie Max-Age and JWT exp)
	// instead of 8 hours (SESS-004).
	LongSessions bool
	// SensitiveClaims: the JWT carries email, role and is_admin, and /admin
	// trusts role and is_admin from it (SESS-006).
	SensitiveClaims bool
	// EnumerationMessages: login, signup and reset tell known emails from
	// unknown ones (AUTH-006).
	EnumerationMessages bool
	// LoginTiming: login spends about 40 ms on a password hash only when
	// the account exists, so timing tells members from unknown emails
	// (AUTH-006 WARN). It is not in Flawed(): EnumerationMessages already
	// fails AUTH-006 there, and it would slow every login.
	LoginTiming bool
	// WeakPasswordPolicy: signup and reset accept any password of 6 or more
	// characters, breached ones included (AUTH-009).
	WeakPasswordPolicy bool
	// OpenRedirect: login follows next, redirect_to or returnTo to any URL
	// (AUTH-010).
	OpenRedirect bool
	// OpenCallback: the auth callback /auth/callback (where a magic link or
	// an OAuth provider returns) sends a logged-in member to whatever next
	// holds (AUTH-010).
	OpenCallback bool
	// LocalhostLinks: links in verification and reset mail point at
	// http://localhost:<HTTPPort> (AUTH-011).
	LocalhostLinks bool
	// MixedAuth: login also sets next-auth.session-token, a separately
	// signed JWT that grants access on its own (AUTH-008).
	MixedAuth bool

	// InvoiceIDOR: /api/invoices/{id} checks only that someone is logged
	// in, so member B reads member A's invoices (AUTHZ-001).
	InvoiceIDOR bool
	// MessageIDOR: the message page /messages/{id} renders any member's
	// message to any logged-in member: B reads A's messages (AUTHZ-001).
	MessageIDOR bool
	// MessageWriteIDOR: PATCH and DELETE /api/messages/{id} check only the
	// login, so B changes and deletes A's messages (AUTHZ-002).
	MessageWriteIDOR bool
	// PublicFiles: file IDs are sequential integers shared by every member
	// (1001, 1002, … in creation order) and /files/{id}/download needs no
	// login at all: anonymous visitors read members' files (AUTHZ-003), B
	// reads A's (AUTHZ-001), and the IDs can be counted (AUTHZ-005).
	PublicFiles bool
	// AdminAPIUnguarded: /api/admin/users and /api/admin/stats check only
	// the login, as if hiding the admin link in the frontend were enough:
	// any member reads the member list (AUTHZ-004).
	AdminAPIUnguarded bool
	// ProfileMassAssignment: PATCH /api/me also stores role (and is_admin:
	// true as role admin) from the request, so a member makes itself an
	// admin whom /admin and /api/admin/* then admit (AUTHZ-006).
	ProfileMassAssignment bool

	// SecretInBundle: /static/app.js carries a live Stripe secret key in
	// its config object, next to the publishable one every mode has
	// (SEC-003; SEC-002 in the repository's build output).
	SecretInBundle bool
	// PublicSourceMap: /static/app.js names its source map and
	// /static/app.js.map serves it, embedding src/config.js with a
	// Supabase service_role key (SEC-004, SEC-003; SEC-002 in the
	// repository's build output).
	PublicSourceMap bool
	// ExposedEnvFile: /.env serves the production dotenv file (database
	// URL with its password, SMTP password), as a misconfigured static
	// file server does (SEC-005).
	ExposedEnvFile bool
	// EnvCommitted: a commit of the demo repository adds .env (a live
	// Stripe secret key and the session secret) and a later one deletes it
	// and only then ignores it (SEC-001, SEC-006).
	EnvCommitted bool
	// SecretInCILog: the deploy job's log (ci/build.log beside the config,
	// as downloaded from the CI run) has a debugging step that printed the
	// environment, GitHub token included; hardened, the CI masked it as
	// *** (SEC-007).
	SecretInCILog bool
	// TestModeKey: the bundle's checkout widget still uses a Stripe
	// test-mode publishable key, left over from a preview build: members
	// would pay and nothing would be charged (SEC-008).
	TestModeKey bool

	// SupabaseNoRLS: the data API's orders table (db.portal.test) has
	// row-level security off, so member b and anonymous visitors holding
	// the bundle's publishable key count and read every member's orders
	// (AUTHZ-007).
	SupabaseNoRLS bool
	// SupabaseListableBucket: the data API's avatars bucket is public with
	// no policies on storage.objects, so anyone lists every member's files
	// (AUTHZ-007).
	SupabaseListableBucket bool
	// SupabaseMetadataRole: the data API's row-level security policies
	// let a token whose user_metadata.role is "admin" read every row, and
	// members write their own user_metadata, so any member makes itself
	// an admin (AUTHZ-009).
	SupabaseMetadataRole bool

	// SPFTooManyLookups: portal.test's SPF reaches 12 DNS-querying terms
	// through nested includes, past RFC 7208's limit of 10, so it
	// evaluates to permerror (MAIL-001).
	SPFTooManyLookups bool
	// SPFPassAll: news.portal.test, the newsletter's sending domain,
	// publishes "v=spf1 +all": anyone passes SPF as it (MAIL-001).
	SPFPassAll bool
	// NoDMARC: _dmarc.portal.test has no record (MAIL-003).
	NoDMARC bool
	// WeakDKIMKey: selector legacy2019 publishes a 512-bit RSA key
	// (MAIL-002).
	WeakDKIMKey bool
	// DKIMKeyUnpublished: the mail is signed with selector mail2026, whose
	// key the zone does not publish, so no signature verifies (MAIL-002,
	// MAIL-005).
	DKIMKeyUnpublished bool
	// BrokenMX: portal.test has no MX (only its A record, where nothing
	// listens on port 25) and news.portal.test, which sends, has a null MX
	// (MAIL-004).
	BrokenMX bool
	// DefaultReturnPath: the envelope sender (Return-Path) is the From
	// address on portal.test instead of bounces@bounce.portal.test, so SPF
	// is judged on portal.test's record (MAIL-006).
	DefaultReturnPath bool
	// NoSPFOnWebHosts: www, app and db.portal.test, which send no mail,
	// publish neither "v=spf1 -all" nor a null MX (MAIL-006).
	NoSPFOnWebHosts bool
}

// Flawed returns every flaw switched on: the default demo, verdict NO-GO.
func Flawed() Flaws {
	return Flaws{
		CookieNotSecure: true, CookieScriptable: true, CookieNoSameSite: true,
		AnonBilling: true, PlainHTTPContent: true, RedirectChains: true, NoSecurityHeaders: true,
		LoginLoopUnverified: true, NoSessionRotation: true, LogoutClientOnly: true, ReusableResetLink: true,
		TokenInLocalStorage: true, JWTAlgNone: true, WeakJWTSecret: true, LongSessions: true, SensitiveClaims: true,
		EnumerationMessages: true, WeakPasswordPolicy: true, OpenRedirect: true, OpenCallback: true, LocalhostLinks: true, MixedAuth: true,
		InvoiceIDOR: true, MessageIDOR: true, MessageWriteIDOR: true, PublicFiles: true, AdminAPIUnguarded: true,
		ProfileMassAssignment: true, SecretInBundle: true, PublicSourceMap: true, ExposedEnvFile: true, EnvCommitted: true,
		SecretInCILog: true, TestModeKey: true, SupabaseNoRLS: true, SupabaseListableBucket: true,
		SupabaseMetadataRole: true, SPFTooManyLookups: true, SPFPassAll: true, NoDMARC: true, WeakDKIMKey: true,
		DKIMKeyUnpublished: true, BrokenMX: true, DefaultReturnPath: true, NoSPFOnWebHosts: true,
	}
}

// Hardened returns no flaw at all: every implemented check passes.
func Hardened() Flaws { return Flaws{} }

// mode names the flaw set for the generated config's header.
func (f Flaws) mode() string {
	switch f {
	case Flawed():
		return "flawed"
	case Hardened():
		return "hardened"
	}
	return "custom (partly flawed)"
}

// Options configure Start.
type Options struct {
	// Flaws are the mistakes to plant.
	Flaws Flaws
	// Dir receives ca.pem, the password files, launchready.yaml and the
	// repository (repo, which must not exist yet); it must exist.
	Dir string
	// AuthJourney writes auth.signup, auth.reset and auth.inbox into the
	// generated config. The routes, flaws and mail work either way.
	AuthJourney bool
	// MailRelay, when set (host:port), makes the app send its mail to that
	// SMTP server instead of the built-in one: tests deliver the demo's
	// mail into a real IMAP mailbox this way.
	MailRelay string
	// TokenSessions adds POST /api/login (JSON credentials in, the session
	// JWT out as {"token": …}) and accepts "Authorization: Bearer <token>"
	// as the session on /api/* and /files/{id}/download; the generated
	// config then logs in that way (auth.kind json, session.kind token).
	// Off, neither the route nor the header is honoured.
	TokenSessions bool
	// LockoutAfter, when above zero, locks an account after that many
	// wrong passwords in a row: every later login to it, with the right
	// password too, gets the ordinary refusal (a silent lockout); sessions
	// already open keep working. Tests use it to show that a scan's
	// wrong passwords cannot stop its clean-up.
	LockoutAfter int
	// MailThrottle makes a reset request for an address the portal mailed
	// in the last minute (a verification or a reset) answer "We already
	// sent you a link…" instead of the usual text, whether or not the
	// address has an account: a common anti-spam rule that tells nothing
	// about membership, yet answers a just-mailed address differently.
	MailThrottle bool
	// Observe, when set, is called with each request the web listeners
	// (the data API included) received, once it has been served: a test
	// interrupts a scan at the moment something was created this way.
	Observe func(RequestRecord)
}

// LoginOutcome is how the portal answered one login attempt.
type LoginOutcome string

// Login outcomes.
const (
	LoginOK            LoginOutcome = "ok"
	LoginWrongPassword LoginOutcome = "wrong password"
	LoginUnknown       LoginOutcome = "unknown email"
	LoginLocked        LoginOutcome = "locked out"
)

// LoginAttempt is one login the portal received (form or JSON).
type LoginAttempt struct {
	// Email is the address as submitted, trimmed.
	Email   string
	Outcome LoginOutcome
	// PasswordOK is true when the password was the account's, also when
	// the lockout refused it.
	PasswordOK bool
}

// Account is one pre-verified account.
type Account struct {
	// Name is the config's account key: "a", "b" or "admin".
	Name string
	// Email is the login email.
	Email string
	// PasswordFile holds the password followed by a newline (mode 0600).
	PasswordFile string
}

// RequestRecord is one HTTP request the portal received.
type RequestRecord struct {
	// Host is the Host header, port included.
	Host string
	// Method is the HTTP method.
	Method string
	// Path is the URL path, without the query.
	Path string
	// Scheme is "http" or "https": the listener that received it.
	Scheme string
}

// maxRecords bounds the request log; requests past it are not recorded.
const maxRecords = 100_000

// Portal is a running demo portal. Close stops it.
type Portal struct {
	// Dir is where the portal's files were written.
	Dir string
	// CAFile is the PEM root certificate that signs every host's certificate.
	CAFile string
	// ConfigPath is the launchready.yaml written for this portal.
	ConfigPath string
	// DNSAddr is the authoritative DNS server, 127.0.0.1:port, UDP and TCP.
	DNSAddr string
	// HTTPPort and HTTPSPort are the loopback ports of the two web listeners.
	HTTPPort, HTTPSPort int
	// URL is the canonical origin, https://portal.test:<HTTPSPort>.
	URL string
	// Variants are the non-canonical origins, http/https × root/www/app.
	Variants []string
	// Accounts are the two members, a and b, then the administrator,
	// admin.
	Accounts []Account
	// SMTPAddr is the portal's mail server, 127.0.0.1:port (plain SMTP,
	// no auth): it accepts mail for any @portal.test address, plus
	// addressing included, and files it in the built-in inbox.
	SMTPAddr string
	// InboxURL is the built-in inbox's REST API, http://127.0.0.1:port: a
	// subset of Mailpit's API v1 (messages, search, message, raw).
	InboxURL string
	// MailFrom is the From address of the portal's mail,
	// no-reply@portal.test; portal.test signs it (DKIM d=).
	MailFrom string
	// ReturnPath is the mail's envelope sender (SMTP MAIL FROM), which the
	// portal's mail server records as Return-Path:
	// bounces@bounce.portal.test, or with DefaultReturnPath the From
	// address.
	ReturnPath string
	// MailDomains are the domains the portal sends mail from: portal.test,
	// news.portal.test (the newsletter) and, when it differs, the
	// envelope's.
	MailDomains []string
	// DKIMSelector is the selector the portal's mail is signed with.
	DKIMSelector string
	// DKIMSelectors are the selectors with a key under portal.test: with
	// DKIMKeyUnpublished they lack DKIMSelector.
	DKIMSelectors []string
	// RepoDir is the portal's git repository, Dir/repo: a small Node
	// portal's history on branch main, and in dist/static (ignored by git)
	// the bundle the portal serves, as build output.
	RepoDir string

	// secrets are the planted secret values (see PlantedSecrets), set
	// once by start.
	secrets []string

	https, http *http.Server
	inboxServer *http.Server
	mail        *mailServer
	app         *app
	data        *dataAPI
	dnsServers  []*dns.Server
	wg          sync.WaitGroup
	stopCtx     func() bool
	closeOnce   sync.Once
	closeErr    error

	mu       sync.Mutex
	requests []RequestRecord
}

// Start generates the CA, certificates and passwords, starts the DNS server
// and the HTTP and HTTPS listeners on loopback, builds the portal's git
// repository (git must be on PATH) and writes the config. ctx
// bounds the start and the portal's life: when ctx is done the portal
// closes itself (Close may still be called).
func Start(ctx context.Context, opts Options) (*Portal, error) {
	if opts.Dir == "" {
		return nil, errors.New("demo: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	p := &Portal{Dir: dir}
	if err := p.start(ctx, opts); err != nil {
		_ = p.Close() // the start error is the one that matters
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = p.Close() })
	p.mu.Lock()
	p.stopCtx = stop
	p.mu.Unlock()
	return p, nil
}

// start does the work of Start; on error the caller closes what was started.
func (p *Portal) start(ctx context.Context, opts Options) error {
	p.RepoDir = filepath.Join(p.Dir, "repo")
	git, err := newGitCmd(p.RepoDir) // before anything starts: without git there is no demo
	if err != nil {
		return err
	}
	ca, err := newAuthority(hostNames())
	if err != nil {
		return fmt.Errorf("demo: minting certificates: %w", err)
	}
	p.CAFile = filepath.Join(p.Dir, "ca.pem")
	if err := writeFile(p.CAFile, ca.rootPEM, 0o644); err != nil {
		return fmt.Errorf("demo: writing the CA: %w", err)
	}
	members, passwords, err := p.writeAccounts()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	id, err := newMailIdentity(opts.Flaws)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	p.MailFrom, p.ReturnPath, p.MailDomains = id.from, id.envelope, id.sendingDomains()
	p.DKIMSelector, p.DKIMSelectors = id.selector, publishedSelectors(opts.Flaws)
	if err := p.startDNS(ctx, opts.Flaws, id); err != nil {
		return err
	}
	if err := p.startMail(ctx); err != nil {
		return err
	}
	plant := newPlanted(time.Now())
	p.secrets = plant.secrets(opts.Flaws)
	if err := p.startWeb(ctx, opts, ca, members, passwords, plant, id); err != nil {
		return err
	}
	if err := buildRepo(ctx, git, opts.Flaws, plant, p.app.assets); err != nil {
		return err
	}
	if err := writeCILog(filepath.Join(p.Dir, ciLogPath), opts.Flaws, plant); err != nil {
		return err
	}
	p.ConfigPath = filepath.Join(p.Dir, "launchready.yaml")
	if err := writeFile(p.ConfigPath, []byte(p.config(opts)), 0o600); err != nil {
		return fmt.Errorf("demo: writing the config: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// startWeb binds both listeners, then serves them.
func (p *Portal) startWeb(ctx context.Context, opts Options, ca *authority, members []*member, passwords map[string]string, plant planted, id *mailIdentity) error {
	f, relay := opts.Flaws, opts.MailRelay
	var lc net.ListenConfig
	hl, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: HTTP listener: %w", err)
	}
	sl, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		hl.Close()
		return fmt.Errorf("demo: HTTPS listener: %w", err)
	}
	p.HTTPPort, p.HTTPSPort = port(hl.Addr()), port(sl.Addr())
	p.URL = "https://portal.test:" + strconv.Itoa(p.HTTPSPort)
	p.Variants = []string{p.origin("http", "portal.test"), p.origin("http", "www.portal.test"),
		p.origin("http", "app.portal.test"), p.origin("https", "www.portal.test"), p.origin("https", "app.portal.test")}
	linkBase := p.URL
	if f.LocalhostLinks {
		linkBase = "http://localhost:" + strconv.Itoa(p.HTTPPort)
	}
	data, err := newDataAPI(f, members, passwords, dataURL(p.HTTPSPort))
	if err != nil {
		hl.Close()
		sl.Close()
		return fmt.Errorf("demo: %w", err)
	}
	p.data = data
	plant.dataURL, plant.dataAnon = data.URL, data.srv.AnonKey()
	mailAddr := p.SMTPAddr
	if relay != "" {
		mailAddr = relay
	}
	a, err := newApp(appConfig{flaws: f, members: members, linkBase: linkBase,
		mailer: &mailer{addr: mailAddr, id: id}, tokenSessions: opts.TokenSessions, planted: plant, lockoutAfter: opts.LockoutAfter, mailThrottle: opts.MailThrottle})
	if err != nil {
		hl.Close()
		sl.Close()
		return fmt.Errorf("demo: %w", err)
	}
	p.app = a
	rt := &router{p: p, f: f, app: a, data: data, observe: opts.Observe}
	p.http = newServer(rt.handler("http"), nil)
	p.https = newServer(rt.handler("https"), ca.tlsConfig())
	p.serve(func() error { return p.http.Serve(hl) })
	p.serve(func() error { return p.https.ServeTLS(sl, "", "") })
	return nil
}

// serve runs one server loop, tracked for Close.
func (p *Portal) serve(run func() error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		_ = run() // returns ErrServerClosed (or a shutdown error) when closed
	}()
}

// origin builds scheme://host:port with the listener port for the scheme.
func (p *Portal) origin(scheme, host string) string {
	port := p.HTTPSPort
	if scheme == "http" {
		port = p.HTTPPort
	}
	return scheme + "://" + host + ":" + strconv.Itoa(port)
}

// Close stops every listener (web, inbox, SMTP) and the DNS server and
// waits for their server loops. It is safe to call more than once.
func (p *Portal) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		stop := p.stopCtx
		p.mu.Unlock()
		if stop != nil {
			stop()
		}
		var errs []error
		for _, s := range []*http.Server{p.http, p.https, p.inboxServer} {
			if s != nil {
				errs = append(errs, s.Close())
			}
		}
		if p.mail != nil {
			errs = append(errs, p.mail.close())
		}
		for _, s := range p.dnsServers {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			errs = append(errs, s.ShutdownContext(ctx))
			cancel()
		}
		p.wg.Wait()
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// Members returns the email of every existing member, the three
// pre-verified accounts first (a, b, admin), then signups in the order they
// were made.
func (p *Portal) Members() []string {
	if p.app == nil {
		return nil
	}
	return p.app.memberEmails()
}

// MessageBodies returns the body of every member's every message: a scan's
// canary messages show there until they are deleted.
func (p *Portal) MessageBodies() []string {
	if p.app == nil {
		return nil
	}
	return p.app.messageBodies()
}

// Logins returns every login attempt received so far (up to 100,000),
// oldest first.
func (p *Portal) Logins() []LoginAttempt {
	if p.app == nil {
		return nil
	}
	return p.app.loginLog()
}

// PlantedSecrets returns this run's planted secret values, raw: the
// bundle's Stripe secret key, the source map's Supabase service_role key,
// the served .env's database and SMTP passwords, and the committed .env's
// Stripe secret key and session secret, each only when its flaw is on
// (none when hardened). Tests look for them in every output.
func (p *Portal) PlantedSecrets() []string {
	return append([]string(nil), p.secrets...)
}

// Requests returns every request received so far (up to 100,000), oldest
// first.
func (p *Portal) Requests() []RequestRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]RequestRecord(nil), p.requests...)
}

func (p *Portal) record(r *http.Request, scheme string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.requests) < maxRecords {
		p.requests = append(p.requests, RequestRecord{Host: r.Host, Method: r.Method, Path: r.URL.Path, Scheme: scheme})
	}
}

func port(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	if u, ok := a.(*net.UDPAddr); ok {
		return u.Port
	}
	return 0
}
