package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/jwtx"
)

// JWT is SESS-006: session JWTs are signed, strong and minimal.
type JWT struct{}

var _ check.Check = JWT{}

// Meta returns the static description.
func (JWT) Meta() check.Meta {
	return check.Meta{
		ID: "SESS-006", Area: check.AreaSession, Severity: check.Blocker,
		Impact: check.ImpactAccountTakeover,
		Title:  "Session JWTs: alg none refused, strong key, exp present, no sensitive or client-editable claims",
		Pass: "When the session is a JWT (in the session cookie or the bearer token): the protected page refuses the token re-encoded " +
			"with alg \"none\"; its HMAC key is not in launchready's list of weak secrets (tested offline against the captured token; a " +
			"forged token is sent only when a secret matched, to prove it); it has exp; and it carries no sensitive data and no " +
			"authorization claims (role, admin, plan) a client could edit. An encrypted JWT (JWE) cannot be read: a copy with one " +
			"byte of its ciphertext changed and an unsigned alg-none token must both be refused. Without a JWT the check is N/A.",
		Why: "A JWT is only as good as its signature check. Servers that accept alg none, or sign with 'secret' or a tutorial key, let " +
			"anyone mint a session for any member or an admin; claims are readable by anyone holding the token.",
		Breaks: "Account takeover of every member, admin access by editing a claim, personal data readable from cookies and logs.",
		Fix: "Verify with an explicit algorithm allowlist (jwt.verify(token, key, {algorithms: ['HS256']}); golang-jwt: " +
			"jwt.WithValidMethods([]string{\"HS256\"})); use a random key of at least 32 bytes from the secret store (openssl rand " +
			"-base64 48) and rotate the leaked one (it invalidates all sessions); set exp; keep claims to sub, sid, iat, exp and look " +
			"roles up on the server.",
		Refs:  []string{"ASVS v5.0.0-9.1.1", "ASVS v5.0.0-9.1.2", "ASVS v5.0.0-9.1.3", "ASVS v5.0.0-9.2.1", "ASVS v5.0.0-11.2.3", "API2:2023", "CWE-347", "CWE-345", "CWE-1391"},
		Needs: []string{"auth.login", "accounts.a", "auth.protected"},
	}
}

// carrier is where the session JWT travels and how to replay another.
type carrier struct {
	what   string
	token  *jwtx.Token
	replay func(value string) ([]*http.Cookie, http.Header)
	ev     check.Evidence
}

// Run finds the session JWT and attacks it offline first, online only
// with proof in hand.
func (JWT) Run(ctx context.Context, env *check.Env) check.Result {
	view, err := journey.ProtectedView(ctx, env, env.Config.Auth.Protected[0])
	if err != nil {
		return check.Errorf("%v", err)
	}
	carriers, err := sessionJWTs(ctx, env, view)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if len(carriers) == 0 {
		enc, err := sessionJWEs(ctx, env, view)
		if err != nil {
			return check.Errorf("%v", err)
		}
		if len(enc) > 0 {
			return attackJWEs(ctx, env, view, enc)
		}
		return check.NotApplicable("the session is not a JWT (no session cookie or token parses as one)")
	}
	var fails, warns []check.Evidence
	var problems []string
	for _, c := range carriers {
		f, w, p, err := attack(ctx, env, view, c)
		if err != nil {
			return check.Errorf("%v", err)
		}
		fails, warns, problems = append(fails, f...), append(warns, w...), append(problems, p...)
	}
	if len(fails) > 0 {
		return check.Failf(append(fails, warns...), "session JWT: %s", strings.Join(dedupe(problems), "; "))
	}
	if len(warns) > 0 {
		return check.Warnf(warns, "session JWT is signed and checked, but carries claims clients could edit if the key leaked")
	}
	return check.Passf("session JWT (%s): alg none refused, key not in the weak-secret list, exp present, minimal claims", carriers[0].token.Alg)
}

// sessionJWTs returns the JWTs that carry the session.
func sessionJWTs(ctx context.Context, env *check.Env, view *View) ([]carrier, error) {
	if env.Config.Session.Kind == "token" {
		sess, err := env.Sessions.Get(ctx, "a")
		if err != nil {
			return nil, err
		}
		tok, err := jwtx.Parse(sess.Token())
		if err != nil {
			return nil, nil
		}
		header := env.Config.Session.Header
		prefix := env.Config.Session.Prefix
		return []carrier{{
			what: "bearer token", token: tok,
			replay: func(v string) ([]*http.Cookie, http.Header) { return nil, http.Header{header: {prefix + v}} },
			ev:     check.HTTPEvidence(env, sess.Login.Submit, "The login response's token (a JWT)."),
		}}, nil
	}
	sc, err := journey.IdentifySessionCookies(ctx, env)
	if err != nil {
		return nil, err
	}
	sess, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return nil, err
	}
	all := sess.Cookies(view.Member.URL)
	var out []carrier
	for _, c := range sc.Cookies {
		tok, err := jwtx.Parse(c.Value)
		if err != nil {
			continue
		}
		name := c.Name
		out = append(out, carrier{
			what: "cookie " + name, token: tok,
			replay: func(v string) ([]*http.Cookie, http.Header) { return journey.Replace(all, name, v), nil },
			ev:     check.HopEvidence(env, c.Resp, c.Hop, c.Line()),
		})
	}
	return out, nil
}

// View is the journey view, aliased for brevity.
type View = journey.View

// attack runs the four tests on one session JWT.
func attack(ctx context.Context, env *check.Env, view *View, c carrier) (fails, warns []check.Evidence, problems []string, err error) {
	red := env.Client.Redactor()
	red.Add(c.token.Raw)
	for _, variant := range jwtx.NoneVariants(c.token) {
		red.Add(variant)
		cookies, header := c.replay(variant)
		resp, ok, err := journey.Accepts(ctx, env, view, cookies, header)
		if err != nil {
			return nil, nil, nil, err
		}
		if ok {
			problems = append(problems, "alg none accepted")
			fails = append(fails, check.HTTPEvidence(env, resp, fmt.Sprintf(
				"The %s re-encoded with header alg %q and no signature was accepted: %s showed member content (status %d).",
				c.what, headerAlg(variant), view.Path, resp.StatusCode)))
			break
		}
	}
	if strings.HasPrefix(c.token.Alg, "HS") {
		f, p, err := crack(ctx, env, view, c)
		if err != nil {
			return nil, nil, nil, err
		}
		fails, problems = append(fails, f...), append(problems, p...)
	}
	for _, is := range jwtx.Audit(c.token, lifetimeWarn) {
		ev := c.ev
		ev.Detail = red.Redact(fmt.Sprintf("%s\n%s: %s", ev.Detail, is.Kind, is.Detail))
		switch is.Kind {
		case "missing-exp", "sensitive-claim", "alg-none-header":
			problems = append(problems, is.Kind+" "+is.Claim)
			fails = append(fails, ev)
		case "client-editable-claim":
			warns = append(warns, ev)
		}
	}
	return fails, warns, problems, nil
}

// crack tests the HMAC key offline and, only when it matched, proves it by
// sending a forged token with the same claims.
func crack(ctx context.Context, env *check.Env, view *View, c carrier) ([]check.Evidence, []string, error) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	secret, ok, err := jwtx.CrackHMAC(cctx, c.token, jwtx.WeakSecrets())
	if err != nil || !ok {
		return nil, nil, err
	}
	// The key itself is never printed (only its first 4 characters), and it
	// is not registered for redaction: weak keys are common words.
	red := env.Client.Redactor()
	claims := map[string]any{}
	for k, v := range c.token.Claims {
		claims[k] = v
	}
	claims["launchready"] = "forged"
	forged, err := jwtx.Forge(c.token, claims, secret)
	if err != nil {
		return nil, nil, fmt.Errorf("forging a token with the matched key: %w", err)
	}
	red.Add(forged)
	cookies, header := c.replay(forged)
	resp, accepted, err := journey.Accepts(ctx, env, view, cookies, header)
	if err != nil {
		return nil, nil, err
	}
	hint := fmt.Sprintf("%.4s… (%d characters)", secret, len(secret))
	if accepted {
		return []check.Evidence{check.HTTPEvidence(env, resp, fmt.Sprintf(
			"The %s is signed with a key from the weak-secret list (%s). A token forged with it (extra claim launchready=forged) was accepted at %s (status %d).",
			c.what, hint, view.Path, resp.StatusCode))}, []string{"weak HMAC key, forged token accepted"}, nil
	}
	ev := c.ev
	ev.Detail = red.Redact(ev.Detail + "\nSigned with a key from the weak-secret list (" + hint + "); a forged token was refused, perhaps by a server-side session check, but anyone can mint valid signatures.")
	return []check.Evidence{ev}, []string{"weak HMAC key"}, nil
}

// headerAlg reads the alg a none-variant announces, for evidence.
func headerAlg(token string) string {
	t, err := jwtx.Parse(token)
	if err != nil {
		return "none"
	}
	return t.Alg
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// jwe is a session credential that is an encrypted JWT (JWE compact
// serialisation): five base64url parts, the first a JSON header naming
// alg and enc. Its claims cannot be read or edited without the server's
// key, so the JWS tests do not apply; what can be tested is that the
// server authenticates it.
type jwe struct {
	what, value, alg, enc string
	replay                func(value string) ([]*http.Cookie, http.Header)
	ev                    check.Evidence
}

// parseJWE reads a compact JWE's protected header.
func parseJWE(v string) (alg, enc string, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 5 || parts[3] == "" {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", "", false
	}
	var h struct {
		Alg string `json:"alg"`
		Enc string `json:"enc"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Alg == "" || h.Enc == "" {
		return "", "", false
	}
	return h.Alg, h.Enc, true
}

// sessionJWEs returns the session cookies (or the bearer token) that are
// encrypted JWTs.
func sessionJWEs(ctx context.Context, env *check.Env, view *View) ([]jwe, error) {
	sess, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return nil, err
	}
	if env.Config.Session.Kind == "token" {
		alg, enc, ok := parseJWE(sess.Token())
		if !ok {
			return nil, nil
		}
		header, prefix := env.Config.Session.Header, env.Config.Session.Prefix
		return []jwe{{what: "bearer token", value: sess.Token(), alg: alg, enc: enc,
			replay: func(v string) ([]*http.Cookie, http.Header) { return nil, http.Header{header: {prefix + v}} },
			ev:     check.HTTPEvidence(env, sess.Login.Submit, "The login response's token (an encrypted JWT).")}}, nil
	}
	sc, err := journey.IdentifySessionCookies(ctx, env)
	if err != nil {
		return nil, err
	}
	all := sess.Cookies(view.Member.URL)
	var out []jwe
	for _, c := range sc.Cookies {
		alg, enc, ok := parseJWE(c.Value)
		if !ok {
			continue
		}
		name := c.Name
		out = append(out, jwe{what: "cookie " + name, value: c.Value, alg: alg, enc: enc,
			replay: func(v string) ([]*http.Cookie, http.Header) { return journey.Replace(all, name, v), nil },
			ev:     check.HopEvidence(env, c.Resp, c.Hop, c.Line())})
	}
	return out, nil
}

// attackJWEs replays each encrypted session token tampered (one byte of
// its ciphertext changed) and replaced by an unsigned alg-none JWT: both
// must be refused, which shows the server authenticates the token.
func attackJWEs(ctx context.Context, env *check.Env, view *View, toks []jwe) check.Result {
	red := env.Client.Redactor()
	var fails []check.Evidence
	var what []string
	for _, t := range toks {
		red.Add(t.value)
		parts := strings.Split(t.value, ".")
		ct := []byte(parts[3])
		ct[len(ct)/2] = flip(ct[len(ct)/2])
		parts[3] = string(ct)
		tampered := strings.Join(parts, ".")
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"launchready","exp":4102444800}`)) + "."
		for _, probe := range []struct{ name, value string }{{"with one byte of its ciphertext changed", tampered}, {"replaced by an unsigned alg-none JWT", none}} {
			red.Add(probe.value)
			cookies, header := t.replay(probe.value)
			resp, ok, err := journey.Accepts(ctx, env, view, cookies, header)
			if err != nil {
				return check.Errorf("%v", err)
			}
			if ok {
				fails = append(fails, check.HTTPEvidence(env, resp, fmt.Sprintf("The %s (an encrypted JWT, alg %s, enc %s) %s was accepted: %s showed member content (status %d).",
					t.what, t.alg, t.enc, probe.name, view.Path, resp.StatusCode)))
			}
		}
		what = append(what, fmt.Sprintf("%s (alg %s, enc %s)", t.what, t.alg, t.enc))
	}
	if len(fails) > 0 {
		return check.Failf(fails, "the encrypted session JWT is not authenticated: a tampered or unsigned token is accepted")
	}
	return check.Passf("session JWT is encrypted: %s; its claims cannot be read or edited without the server's key, and a tampered copy "+
		"and an unsigned alg-none token were both refused (its expiry is not readable: SESS-004 judges the cookie's)", strings.Join(what, ", "))
}

// flip changes a base64url character into another valid one.
func flip(c byte) byte {
	if c == 'A' {
		return 'B'
	}
	return 'A'
}
