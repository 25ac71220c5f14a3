package secrets

import (
	"context"

	"github.com/launchready/launchready/internal/check"
)

// Text is one body the frontend crawl read: a page (its inline scripts
// blanked out), an inline script, a script, a runtime configuration. Other
// checks read the same crawl through FrontendTexts instead of fetching the
// frontend again: the names of the tables and collections a bundle uses,
// the platform it talks to.
type Text struct {
	// Label names it in findings: a path, or "/page <script> #2".
	Label string
	// What is "page", "script", "inline script", "runtime config", …
	What string
	// As is who fetched it: "anonymous" or "member a".
	As string
	// Body is the text read (possibly the first bytes only).
	Body string
}

// FrontendTexts returns what the shared frontend crawl read (crawling
// once per scan, on first use) and the crawl's notes on what it could not
// read. Source maps are left out: their embedded sources are the same code
// as the scripts.
func FrontendTexts(ctx context.Context, env *check.Env) ([]Text, []string, error) {
	fe, err := crawl(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	var out []Text
	for _, a := range fe.assets {
		if a.text == "" {
			continue
		}
		out = append(out, Text{Label: a.label, What: a.what, As: a.as, Body: a.text})
	}
	return out, append([]string(nil), fe.notes...), nil
}
