package client

import (
	"fmt"
	"net/url"

	"github.com/launchready/launchready/internal/config"
)

// FromConfig builds the scoped client and the shared sessions a scan uses.
func FromConfig(cfg *config.Config, version string) (*Client, *Sessions, error) {
	t := cfg.Target
	c, err := New(Options{
		Scope:          t.Scope,
		Resolver:       t.Resolver,
		CAFile:         t.CAFile,
		UserAgent:      "launchready/" + version,
		Rate:           t.Rate,
		ConnectTimeout: t.Timeouts.Connect,
		TLSTimeout:     t.Timeouts.TLS,
		HeaderTimeout:  t.Timeouts.Header,
		RequestTimeout: t.Timeouts.Request,
		MaxBodyBytes:   t.MaxBodyBytes,
		MaxHeaderBytes: t.MaxHeaderBytes,
		MaxRedirects:   t.MaxRedirects,
		RetryAfterMax:  t.RetryAfterMax,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("target: %w", err)
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
		lc.Path, lc.Action, lc.Form, lc.Success = l.Path, l.Action, l.Form, l.Success
	}
	if err := loginKindsFromConfig(cfg, c, &lc); err != nil {
		return nil, nil, err
	}
	accounts := map[string]Credentials{}
	for name, a := range cfg.Accounts {
		accounts[name] = Credentials{Email: a.Email.Value, Password: a.Password.Value}
	}
	addRecorded(cfg, &lc, accounts)
	return c, NewSessions(c, lc, accounts), nil
}
