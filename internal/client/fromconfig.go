package client

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/config"
)

// FromConfig builds the scoped client and the shared sessions a scan uses,
// and the inbox's own client when auth.inbox is configured (Sessions'
// Mailbox); tune adjusts the client's options before either is built
// (tests).
func FromConfig(cfg *config.Config, version string, tune ...func(*Options)) (*Client, *Sessions, error) {
	t := cfg.Target
	opts := Options{
		Scope:             t.Scope,
		Resolver:          t.Resolver,
		CAFile:            t.CAFile,
		UserAgent:         "launchready/" + version,
		Rate:              t.Rate,
		ConnectTimeout:    t.Timeouts.Connect,
		TLSTimeout:        t.Timeouts.TLS,
		HeaderTimeout:     t.Timeouts.Header,
		RequestTimeout:    t.Timeouts.Request,
		MaxBodyBytes:      t.MaxBodyBytes,
		MaxHeaderBytes:    t.MaxHeaderBytes,
		MaxRedirects:      t.MaxRedirects,
		RetryAfterMax:     t.RetryAfterMax,
		Home:              homeBases(cfg),
		CredentialHeaders: credentialHeadersOf(cfg),
		TargetHeaders:     targetHeaders(cfg),
		TargetOrigins:     append([]string{t.URL}, t.Variants...),
	}
	if t.BodyBudgetBytes > 0 {
		// One budget for the scan's client and its inbox's.
		opts.Budget = NewBodyBudget(t.BodyBudgetBytes)
	}
	for _, f := range tune {
		f(&opts)
	}
	c, err := New(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("target: %w", err)
	}
	for _, h := range t.Headers {
		if h.Ref != "" {
			c.Redactor().AddSecret(h.Value)
		}
	}
	origin, err := url.Parse(t.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("target.url: %w", err)
	}
	lc := LoginConfig{
		Origin:      origin,
		Kind:        cfg.Auth.Kind,
		Protected:   cfg.Auth.Protected,
		SessionKind: cfg.Session.Kind,
		TokenFrom:   cfg.Session.From,
		TokenHeader: cfg.Session.Header,
		TokenPrefix: cfg.Session.Prefix,
	}
	lc.Platforms = map[string]*PlatformConfig{}
	if sb := cfg.Auth.Supabase; sb != nil {
		lc.Platforms["supabase"] = &PlatformConfig{Kind: "supabase", SupabaseURL: sb.URL, AnonKey: sb.AnonKey.Value}
	}
	if fb := cfg.Auth.Firebase; fb != nil {
		lc.Platforms["firebase"] = &PlatformConfig{Kind: "firebase", APIKey: fb.APIKey.Value, Identity: fb.Endpoints.Identity, SecureToken: fb.Endpoints.SecureToken}
	}
	lc.Platform = lc.Platforms[cfg.Auth.Kind]
	if l := cfg.Auth.Login; l != nil {
		lc.Path, lc.Action, lc.Form, lc.Success = l.Path, l.Action, l.Fields(), l.Success
	}
	if m := cfg.Me; m != nil {
		lc.Me = &MeConfig{Path: m.Path, Method: m.Method, IDField: m.IDField}
	}
	if l := cfg.Accounts["admin"].Login; l != nil {
		lc.Admin = &AdminLogin{Path: l.Path, JSON: l.JSON, Form: l.Form}
	}
	var mb *Mailbox
	if cfg.Auth.Inbox != nil {
		if mb, err = newMailbox(cfg.Auth.Inbox, opts, c.Redactor()); err != nil {
			return nil, nil, err
		}
	}
	if err := loginKindsFromConfig(cfg, c, mb, &lc); err != nil {
		return nil, nil, err
	}
	accounts := map[string]Credentials{}
	for name, a := range cfg.Accounts {
		accounts[name] = Credentials{Email: a.Email.Value, Password: a.Password.Value}
	}
	addRecorded(cfg, &lc, accounts)
	ss := NewSessions(c, lc, accounts)
	ss.mailbox = mb
	return c, ss, nil
}

// targetHeaders are target.headers as the client sends them: a referenced
// value is a secret, sent over https only unless the portal itself is
// served over plain http.
func targetHeaders(cfg *config.Config) []TargetHeader {
	plain := strings.HasPrefix(strings.ToLower(cfg.Target.URL), "http:")
	var out []TargetHeader
	for name, v := range cfg.Target.Headers {
		out = append(out, TargetHeader{Name: name, Value: v.Value, Secure: v.Ref != "" && !plain})
	}
	return out
}

// homeBases lists where a member's own sign-in, sign-out and token
// exchanges go: the portal's origin, a login action on another origin the
// config names, and the configured platforms' APIs.
func homeBases(cfg *config.Config) []string {
	out := []string{cfg.Target.URL}
	a := cfg.Auth
	for _, p := range []*config.Login{a.Login} {
		if p != nil && strings.Contains(p.Action, "://") {
			out = append(out, p.Action)
		}
	}
	if sb := a.Supabase; sb != nil {
		out = append(out, sb.URL)
	}
	if fb := a.Firebase; fb != nil {
		out = append(out, fb.Endpoints.Identity, fb.Endpoints.SecureToken)
	}
	if k := a.Clerk; k != nil {
		out = append(out, k.APIURL)
	}
	return out
}

// credentialHeadersOf names the config's session header when it is not
// one the client always treats as a credential.
func credentialHeadersOf(cfg *config.Config) []string {
	if h := cfg.Session.Header; h != "" {
		return []string{h}
	}
	return nil
}
