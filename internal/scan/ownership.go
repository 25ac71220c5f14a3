package scan

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/baas"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/owner"
)

// consent records the operator's --intrusive on the client and decides
// whether the target itself may receive intrusive checks: when every
// address it is pinned to is loopback, or when it publishes the operator's
// ownership proof. Every other host is decided per request, by the client.
// The note says what is missing when consent is withheld.
func consent(ctx context.Context, env *check.Env, v *owner.Verifier, keyErr error) (bool, string) {
	cl := env.Client
	var prove client.Prover
	switch {
	case v != nil:
		prove = v.Prove
	case keyErr != nil:
		prove = func(_ context.Context, u *url.URL) (bool, string) {
			return false, fmt.Sprintf("%s is not on loopback and cannot be proven: %v", u.Hostname(), keyErr)
		}
	}
	cl.EnableConsent(prove)
	u, err := url.Parse(env.Config.Target.URL)
	if err != nil {
		return false, "target.url does not parse"
	}
	ok, how := cl.Consent(ctx, u)
	if !ok {
		return false, "--intrusive was given, but " + how
	}
	if how == "proof" {
		grantPlatforms(ctx, env)
	}
	return true, ""
}

// grantPlatforms gives consent to the configured platform projects the
// proven portal's frontend uses. A platform host cannot publish an
// operator's proof (it is shared by every project), so a project gets
// writes only when the portal is proven by its owner's proof, the config
// names the project and the portal's own frontend uses that same project.
// A portal proven only by being on loopback extends nothing: the project
// then has consent only if it is on loopback itself.
func grantPlatforms(ctx context.Context, env *check.Env) {
	a := env.Config.Auth
	if a.Supabase == nil && a.Firebase == nil {
		return
	}
	sb, fb, err := baas.FrontendProjects(ctx, env)
	if err != nil {
		return
	}
	if s := a.Supabase; s != nil && slices.ContainsFunc(sb, func(u string) bool { return sameProject(u, s.URL) }) {
		env.Client.GrantPlatform(strings.TrimSuffix(s.URL, "/") + "/")
	}
	if f := a.Firebase; f != nil {
		for _, c := range fb {
			if c.ProjectID != f.ProjectID {
				continue
			}
			e := f.Endpoints
			// The project's own paths on the shared hosts; the sign-in
			// APIs name the project only by its key.
			bases := []string{e.Firestore + "/v1/projects/" + f.ProjectID + "/"}
			if f.StorageBucket != "" {
				bases = append(bases, e.Storage+"/v0/b/"+f.StorageBucket+"/")
			}
			if f.DatabaseURL != "" {
				bases = append(bases, strings.TrimSuffix(f.DatabaseURL, "/")+"/")
			}
			if c.APIKey == f.APIKey.Value {
				bases = append(bases, e.Identity+"/v1/", e.SecureToken+"/v1/")
			}
			for _, b := range bases {
				env.Client.GrantPlatform(b)
			}
			break
		}
	}
}

// sameProject compares two Supabase project URLs by origin.
func sameProject(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}
