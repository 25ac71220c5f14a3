package secrets

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
)

// notFound is how the portal answers paths that do not exist: two random
// ones, asked once per scan. A portal that answers 200 with the same page
// for every path (a single-page app's fallback, a catch-all route) would
// otherwise seem to serve every file probed for.
type notFound struct {
	answers []notFoundAnswer
}

// notFoundAnswer is one random path's answer.
type notFoundAnswer struct {
	path   string
	status int
	// sum is the body's SHA-256 with the random path taken out: the
	// answer lasts the whole scan, the page need not.
	sum [sha256.Size]byte
}

// notFoundBaseline asks the portal for two paths that cannot exist, once
// per scan.
func notFoundBaseline(ctx context.Context, env *check.Env) (*notFound, error) {
	return check.Shared(ctx, env, "secrets.not-found", func(ctx context.Context) (*notFound, error) {
		nf := &notFound{}
		for _, shape := range []string{"/.launchready-%s", "/launchready-%s.json"} {
			var b [8]byte
			_, _ = rand.Read(b[:])
			p := fmt.Sprintf(shape, hex.EncodeToString(b[:]))
			resp, err := env.Client.Do(ctx, &client.Request{URL: journey.URL(env, p), Follow: true})
			if err != nil {
				return nil, fmt.Errorf("asking for a path that does not exist (%s) to learn the portal's not-found page: %w", p, err)
			}
			nf.answers = append(nf.answers, notFoundAnswer{path: p, status: resp.StatusCode, sum: sha256.Sum256(withoutPath(resp.Body, p))})
		}
		return nf, nil
	})
}

// catchAll reports whether the portal answers 200 for a path that does not
// exist.
func (nf *notFound) catchAll() bool {
	for _, a := range nf.answers {
		if a.status == 200 {
			return true
		}
	}
	return false
}

// tells reports whether a status says something about the path it
// answers: a 200 (judged by its content), a 404 or 410, or any other
// status a path that cannot exist does not get (the portal decided about
// this path: blocked it, moved it, put it behind a login). The status
// every path gets (a redirect away, a WAF block), a 429 and a 5xx tell
// nothing.
func (nf *notFound) tells(status int) bool {
	switch {
	case status == http.StatusOK || status == http.StatusNotFound || status == http.StatusGone:
		return true
	case status == http.StatusTooManyRequests || status >= 500:
		return false
	}
	for _, a := range nf.answers {
		if a.status == status {
			return false
		}
	}
	return true
}

// matches reports whether a response is the portal's not-found answer:
// the status of a random path and the same body once the requested path
// is taken out of both.
func (nf *notFound) matches(resp *client.Response) bool {
	sum := sha256.Sum256(withoutPath(resp.Body, resp.URL.Path))
	for _, a := range nf.answers {
		if resp.StatusCode == a.status && sum == a.sum {
			return true
		}
	}
	return false
}

// withoutPath removes every mention of the path from a body, so pages
// that echo the requested URL compare equal.
func withoutPath(body []byte, path string) []byte {
	if path == "" || path == "/" {
		return body
	}
	return bytes.ReplaceAll(body, []byte(path), nil)
}
