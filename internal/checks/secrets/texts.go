package secrets

import (
	"context"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/platform"
)

// Platforms is what the frontend crawl recognised of the backend-as-a-
// service projects the browser talks to, read from every body it fetched
// (pages with their inline scripts blanked out, inline scripts, scripts,
// runtime configurations; not source maps, whose sources are the same
// code as the scripts). Other checks read it through FrontendPlatforms
// instead of fetching the frontend again; the crawl keeps what it
// recognised, not the bodies.
type Platforms struct {
	Supabase platform.SupabaseUse
	Firebase platform.FirebaseUse
	// Texts counts the bodies read.
	Texts int
}

// FrontendPlatforms returns what the shared frontend crawl recognised
// (crawling once per scan, on first use) and the crawl's notes on what it
// could not read.
func FrontendPlatforms(ctx context.Context, env *check.Env) (*Platforms, []string, error) {
	fe, err := crawl(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	p := &Platforms{Supabase: fe.platforms.Supabase(), Firebase: fe.platforms.Firebase(), Texts: fe.texts}
	return p, append([]string(nil), fe.notes...), nil
}
