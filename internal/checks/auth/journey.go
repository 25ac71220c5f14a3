package auth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/inbox"
)

// Signup is AUTH-001: a brand-new member can register, verify and log in.
type Signup struct{}

var _ check.Check = Signup{}

// Meta returns the static description.
func (Signup) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-001", Area: check.AreaAuth, Severity: check.Blocker,
		Impact: check.ImpactSession,
		Title:  "A new member can sign up, verify the email and log in",
		Pass: "A fresh account (launchready+<tag>@…, deleted at the end) signs up through auth.signup; when verification is required " +
			"the mail arrives in auth.inbox within auth.inbox.wait and its link works from a new browser; the account then logs in " +
			"and every page in auth.protected opens, showing the new member.",
		Why: "This is the first thing each of the first 100 members does. A broken mailer, a link to localhost or a login that " +
			"bounces new accounts loses every signup silently: nobody writes to support, they just leave.",
		Breaks: "No new members; support mail from the few who persist; a launch that looks quiet instead of broken.",
		Fix: "Follow the journey in a private window with a real inbox. Typical causes: the mail provider's domain not verified (mail " +
			"never sent), the site URL / redirect URL setting left at localhost, verification tokens that expire instantly, or a " +
			"login that requires a flag the verification step never sets.",
		Refs:      []string{"ASVS v5.0.0-6.2.1", "ASVS v5.0.0-6.4.1", "API2:2023", "CWE-287"},
		Intrusive: true,
		Budget:    check.Budget{Accounts: 1, Mails: 1},
		Needs:     []string{"auth.signup", "auth.inbox", "auth.login", "auth.protected"},
	}
}

// Run walks the fresh member's journey and judges each step.
func (Signup) Run(ctx context.Context, env *check.Env) check.Result {
	f, err := journey.FreshAccount(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if f.Err != nil {
		return journeyBroken(env, f)
	}
	var ev []check.Evidence
	if f.LinkOutOfScope {
		ev = append(ev, check.HTTPEvidence(env, f.Signup, fmt.Sprintf("Signup submitted; the verification mail %q arrived, but its link %s points outside the portal: a member's click fails. (The scanner followed the same path on the canonical origin to finish the journey.)",
			f.Mail.Subject, f.Link)))
		return check.Failf(ev, "the verification mail's link does not lead to the portal (%s)", hostOf(f.Link))
	}
	var dead []string
	named := false
	for _, p := range env.Config.Auth.Protected {
		resp := f.Protected[p] // seen right after the login, before any reset could end the session
		if journey.LooksLoggedOut(env, resp) {
			dead = append(dead, p)
			ev = append(ev, check.HTTPEvidence(env, resp, fmt.Sprintf("The new, verified member is refused at %s (status %d at %s).", p, resp.StatusCode, resp.URL)))
			continue
		}
		// Templates escape "+" and "@" in addresses: compare the text.
		named = named || strings.Contains(strings.ToLower(html.UnescapeString(string(resp.Body))), strings.ToLower(f.Email))
	}
	if len(dead) > 0 {
		return check.Failf(ev, "a new member who signed up and verified cannot open %s", strings.Join(dead, ", "))
	}
	steps := "signup"
	if f.Request != nil {
		steps += " → verification request"
	}
	switch {
	case f.Mail != nil && env.Config.Auth.Signup.Confirm != nil:
		steps += " → verification mail → token confirmed"
	case f.Mail != nil:
		steps += " → verification mail → link"
	}
	steps += " → login → " + fmt.Sprint(len(env.Config.Auth.Protected)) + " protected pages"
	if !named {
		return check.Warnf([]check.Evidence{check.HTTPEvidence(env, f.Session.Login.Verified, "No protected page mentions the new member's email.")},
			"%s work, but no page shows the new member's email, so the right account state is not confirmed", steps)
	}
	return check.Passf("%s work for a brand-new member", steps)
}

// journeyBroken turns the failed step into FAIL (the portal broke the
// journey) or ERROR (the scanner could not reach something).
func journeyBroken(env *check.Env, f *journey.Fresh) check.Result {
	var te *inbox.TimeoutError
	var ev []check.Evidence
	switch {
	case errors.As(f.Err, &te):
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, f.Signup, "Signup submitted; "+f.Err.Error())},
			"no verification mail reached %s (if the mail arrives elsewhere, check auth.inbox)", f.Email)
	case f.Step == "signup" && f.Signup != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Signup, f.Err.Error()))
	case f.Step == "verification request" && f.Request != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Request, "Signup accepted; then "+f.Err.Error()))
	case f.Step == "verification link" && f.Confirm != nil && env.Config.Auth.Signup.Confirm != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Confirm, "auth.signup.confirm, sent with the mail link's token: "+f.Err.Error()))
	case f.Step == "login" && f.Confirm != nil && env.Config.Auth.Signup.Confirm != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Confirm, "auth.signup.confirm was sent with the mail link's token (this answer); then at the login step: "+f.Err.Error()))
	case f.Step == "verification link" && f.Confirm != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Confirm, "The verification page's confirm form, submitted: "+f.Err.Error()))
	case f.Step == "verification link" && f.Verify != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Verify, f.Err.Error()))
	case f.Step == "login" && f.Confirm != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Confirm, "The verification link's page asked for a confirmation and its form was submitted (this answer); then at the login step: "+f.Err.Error()))
	case f.Step == "login" && f.Verify != nil:
		ev = append(ev, check.HTTPEvidence(env, f.Verify, "The verification link opened this page, which holds no form that confirms the address; then at the login step: "+f.Err.Error()))
	case f.Step == "verification link" || f.Step == "login":
		ev = append(ev, check.HTTPEvidence(env, f.Signup, "Signup submitted; then at the "+f.Step+" step: "+f.Err.Error()))
	default:
		return check.Errorf("%s: %v", f.Step, f.Err)
	}
	return check.Failf(ev, "the new-member journey breaks at the %s step: %s", f.Step, env.Client.Redactor().Redact(f.Err.Error()))
}

func hostOf(link string) string {
	if u, err := url.Parse(link); err == nil {
		return u.Scheme + "://" + u.Host
	}
	return link
}

// ReturningLogin is AUTH-002: a returning login lands on the right page.
type ReturningLogin struct{}

var _ check.Check = ReturningLogin{}

// Meta returns the static description.
func (ReturningLogin) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-002", Area: check.AreaAuth, Severity: check.Blocker,
		Impact: check.ImpactSession,
		Title:  "Login lands on the right page, without loops or dead ends",
		Pass: "A fresh login as member a ends, hop by hop, on auth.login.success (when set) without a redirect loop or more than " +
			"target.max_redirects hops, and the page it lands on is not the login form again (a dead end). With --intrusive and a " +
			"signup that needs verification, an unverified new account's login ends on a page too (no loop).",
		Why: "Redirect loops and dead ends after login are the most common launch-day auth bug: middleware that sends unverified or " +
			"onboarding-incomplete users back and forth, or a session cookie the next request does not carry.",
		Breaks: "Members who log in see 'too many redirects' or the login form again, and cannot use the portal.",
		Fix: "Read the hop list in the evidence: each redirect names the rule that fired. Give every state (unverified, onboarding, " +
			"no plan) one page that does not redirect again, and make sure the session cookie is set on the response that redirects " +
			"(Path=/, the right Domain, SameSite=Lax so the redirect carries it).",
		Refs:  []string{"ASVS v5.0.0-6.3.1", "API2:2023", "CWE-674"},
		Needs: []string{"auth.form", "accounts.a", "auth.protected"},
	}
}

// Run logs member a in afresh and, with consent, an unverified new member.
func (ReturningLogin) Run(ctx context.Context, env *check.Env) check.Result {
	sess, err := env.Sessions.Login(ctx, "a")
	if bad := loginProblem(env, sess, err); bad != nil {
		return *bad
	}
	// Landing on the right page proves nothing if the login gave no
	// session: the same proof every other check relies on.
	if err := journey.ProveSession(ctx, env, sess); err != nil {
		return check.Errorf("the login gave no session the other checks accept: %v", err)
	}
	landed := sess.Login.Submit.URL
	want := ""
	if l := env.Config.Auth.Login; l != nil {
		want = l.Success
	}
	if want != "" && strings.TrimSuffix(landed.Path, "/") != strings.TrimSuffix(want, "/") {
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, sess.Login.Submit, "Hops:\n"+hops(sess.Login.Submit.Hops))},
			"login lands on %s, not on auth.login.success %s", landed.Path, want)
	}
	note := ""
	if ok, _ := env.MayWrite(ctx, env.Config.Target.URL); ok && env.Config.Auth.Signup != nil && !env.Config.Auth.Signup.None && env.Config.Auth.Signup.Verify && env.Config.Auth.Inbox != nil {
		f, err := journey.FreshAccount(ctx, env)
		if err != nil {
			return check.Errorf("%v", err)
		}
		if f.EarlyErr != nil && f.Early != nil && f.Early.Login.Submit != nil {
			var re *client.RedirectError
			if errors.As(f.EarlyErr, &re) {
				return check.Failf([]check.Evidence{check.HTTPEvidence(env, f.Early.Login.Submit, "Unverified new member logging in. Hops:\n"+hops(re.Hops))},
					"an unverified member's login loops: %s", strings.TrimPrefix(re.Reason, "loop: "))
			}
		}
		note = "; an unverified new member's login ends on a page too"
	} else {
		note = "; the unverified-member login was not tried (needs --intrusive, auth.signup with verify: true and auth.inbox)"
	}
	if env.Config.Auth.Kind == "json" {
		// A JSON login lands nowhere: what it proves is the token.
		return check.Passf("the JSON login at %s answers %d with a session that opens %s with member content (refused without it)%s",
			landed.Path, sess.Login.Submit.StatusCode, env.Config.Auth.Protected[0], note)
	}
	return check.Passf("login lands on %s in %d hops%s", landed.Path, len(sess.Login.Submit.Hops), note)
}

// loginProblem turns a failed login into FAIL for loops and dead ends (the
// portal's fault) or ERROR (anything else).
func loginProblem(env *check.Env, sess *client.Session, err error) *check.Result {
	if err == nil {
		return nil
	}
	var re *client.RedirectError
	if errors.As(err, &re) && sess != nil && sess.Login.Submit != nil {
		r := check.Failf([]check.Evidence{check.HTTPEvidence(env, sess.Login.Submit, "Hops:\n"+hops(re.Hops))}, "login never lands: %s", re.Reason)
		return &r
	}
	if sess != nil && sess.Login.Verified != nil && strings.Contains(err.Error(), "still refused access") {
		r := check.Failf([]check.Evidence{check.HTTPEvidence(env, sess.Login.Verified, "Login succeeded, then: "+err.Error())},
			"dead end: the login succeeds but the next page refuses the member")
		return &r
	}
	r := check.Errorf("%v", err)
	return &r
}

// hops renders a chain for evidence.
func hops(hs []client.Hop) string {
	var b strings.Builder
	for i, h := range hs {
		fmt.Fprintf(&b, "%d. %s %s -> %d", i+1, h.Method, h.URL, h.Status)
		if h.Location != "" {
			fmt.Fprintf(&b, " Location: %s", h.Location)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// MailLinks is AUTH-011: links in auth mail point at the canonical origin.
type MailLinks struct{}

var _ check.Check = MailLinks{}

// Meta returns the static description.
func (MailLinks) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-011", Area: check.AreaAuth, Severity: check.Major,
		Impact: check.ImpactSession,
		Title:  "Links in auth mail point at the canonical HTTPS origin",
		Pass: "The action link of the verification mail the scanner's new account receives is on the origin of target.url (https, same " +
			"host and port), and no link in it points at localhost, a loopback or private address, or plain http://.",
		Why: "The classic launch mistake: the auth provider's 'site URL' is still http://localhost:3000, so every verification and " +
			"reset link works on the developer's laptop and nowhere else. Plain-http links leak the one-time token on the network.",
		Breaks: "No new member can verify, nobody can reset a password; tokens travel in clear text.",
		Fix: "Set the public URL in every place that builds links: the auth provider's Site URL and redirect allowlist (Supabase: " +
			"Authentication → URL Configuration; Firebase: authorized domains / action URL; NextAuth: NEXTAUTH_URL; Rails: " +
			"default_url_options; Django: the Site domain) to the canonical https:// origin, per environment.",
		Refs:      []string{"ASVS v5.0.0-6.4.1", "ASVS v5.0.0-12.2.1", "API8:2023", "CWE-601", "CWE-319"},
		Intrusive: true,
		Needs:     []string{"auth.signup", "auth.inbox"},
	}
}

// Run reads the links of the auth mail the scanner received.
func (MailLinks) Run(ctx context.Context, env *check.Env) check.Result {
	if !env.Config.Auth.Signup.Verify {
		return check.NotApplicable("auth.signup.verify is false: the signup sends no verification mail to read")
	}
	f, err := journey.FreshAccount(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if f.Mail == nil {
		return check.Errorf("no verification mail to read (%s step: %v)", f.Step, f.Err)
	}
	canon := env.Sessions.Config().Origin
	var bad []string
	for _, l := range inbox.Links(f.Mail) {
		if problem := linkProblem(l, canon, l == f.Link); problem != "" {
			bad = append(bad, fmt.Sprintf("%s: %s", env.Client.Redactor().Redact(l), problem))
		}
	}
	if len(bad) > 0 {
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, f.Signup, fmt.Sprintf("Signup submitted; mail %q to %s, received %s, links:\n%s",
			f.Mail.Subject, f.Email, f.Mail.Date.Format("2006-01-02 15:04:05"), strings.Join(bad, "\n")))},
			"the verification mail links to %s", strings.Join(bad, "; "))
	}
	return check.Passf("the verification link is on %s://%s and no link points at localhost or plain http", canon.Scheme, canon.Host)
}

// linkProblem judges one mail link; the action link must be canonical.
func linkProblem(raw string, canon *url.URL, action bool) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "does not parse"
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "0.0.0.0" {
		return "points at localhost"
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
		return "points at a loopback or private address"
	}
	if u.Scheme == "http" {
		return "uses plain http://"
	}
	if action && (u.Scheme != canon.Scheme || !strings.EqualFold(u.Host, canon.Host)) {
		return "is not on the canonical origin " + canon.Scheme + "://" + canon.Host
	}
	return ""
}
