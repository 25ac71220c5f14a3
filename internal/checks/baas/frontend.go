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
	fe, _ := check.Shared(ctx, env, "baas.frontend", func(ctx context.Context) (*frontend, error) {
		texts, notes, err := secrets.FrontendTexts(ctx, env)
		srcs := make([]platform.Source, 0, len(texts))
		for _, t := range texts {
			srcs = append(srcs, platform.Source{Label: t.Label, Body: t.Body})
		}
		return &frontend{supabase: platform.Supabase(srcs), firebase: platform.Firebase(srcs), texts: len(texts), notes: notes, err: err}, nil
	})
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
