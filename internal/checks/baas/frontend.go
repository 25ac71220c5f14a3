package baas

import (
	"context"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/secrets"
	"github.com/launchready/launchready/internal/platform"
)

// frontend is what the shared frontend crawl shows of the platforms the
// browser talks to, recognised once per scan for every check here.
type frontend struct {
	supabase platform.SupabaseUse
	firebase platform.FirebaseUse
	// texts counts the bodies read; notes say what was not read; err is
	// the crawl's own failure (nil when it ran).
	texts int
	notes []string
	err   error
}

// readFrontend recognises the platforms in the frontend crawl's texts.
func readFrontend(ctx context.Context, env *check.Env) *frontend {
	fe, err := check.Shared(ctx, env, "baas.frontend", func(ctx context.Context) (*frontend, error) {
		p, notes, err := secrets.FrontendPlatforms(ctx, env)
		if err != nil {
			return &frontend{notes: notes, err: err}, nil
		}
		return &frontend{supabase: p.Supabase, firebase: p.Firebase, texts: p.Texts, notes: notes}, nil
	})
	if err != nil {
		// The caller stopped waiting (its deadline, the scan's end).
		return &frontend{err: err}
	}
	return fe
}

// FrontendProjects lists the platform projects the portal's frontend talks
// to: Supabase project URLs and Firebase web configs. The scan ties a
// configured project to a proven portal only when its frontend uses it.
// An error says the frontend could not be read.
func FrontendProjects(ctx context.Context, env *check.Env) (supabase []string, firebase []platform.FirebaseConfig, err error) {
	fe := readFrontend(ctx, env)
	if fe.err != nil {
		return nil, nil, fe.err
	}
	for _, u := range fe.supabase.URLs {
		supabase = append(supabase, u.Name)
	}
	return supabase, fe.firebase.Configs, nil
}
