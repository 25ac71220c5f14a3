package authz

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// State is what one identity got when reading one of a's objects.
type State string

// Cell states.
const (
	// Allowed is a's own read: the reference.
	Allowed State = "allowed"
	// Denied means the response carried none of a's markers, whatever its
	// status.
	Denied State = "denied"
	// Leaked means the response (or a redirect's body on the way) carried
	// a's markers.
	Leaked State = "leaked"
	// Failed means the request itself failed: nothing was learnt.
	Failed State = "error"
	// NotJudged means the response proves nothing either way: b opened an
	// object both members' lists show, which may be b's own.
	NotJudged State = "not judged"
)

// Identities in replay order: the owner, the other member, no one.
const (
	Owner     = "member a"
	Other     = "member b"
	Anonymous = "anonymous"
)

// Cell is one identity's read of one object.
type Cell struct {
	Identity string
	State    State
	// Status is the final status; Hop the index of the hop whose body
	// carried the markers.
	Status, Hop int
	Matched     []string
	// Excerpt quotes the leaking body around the first matched marker.
	Excerpt string
	// Response is the identity's response without its bodies: the matrix
	// lasts the whole scan.
	Response *client.Response
	Err      string
}

// Row is one object read by every identity.
type Row struct {
	Read  *Read
	Cells []Cell
}

// Cell returns the row's cell for an identity.
func (r Row) Cell(identity string) Cell {
	for _, c := range r.Cells {
		if c.Identity == identity {
			return c
		}
	}
	return Cell{Identity: identity, State: Failed, Err: "not replayed"}
}

// Matrix is every read of a's objects replayed as b and anonymously.
type Matrix struct {
	Inventory *Inventory
	Rows      []Row
	// Lists are the configured lists replayed as b and anonymously.
	Lists []ListRow
	// Requests counts the replay requests (discovery's are in Inventory).
	Requests int
	// LostB says b's session was found dead after the replays, so b's
	// "denied" cells prove nothing.
	LostB string
}

// Replay reads each of a's objects as b and anonymously, once per scan.
func Replay(ctx context.Context, env *check.Env) (*Matrix, error) {
	return check.Shared(ctx, env, "authz-matrix", func(ctx context.Context) (*Matrix, error) {
		inv, err := Discover(ctx, env)
		if err != nil {
			return nil, err
		}
		b, err := env.Sessions.Get(ctx, "b")
		if err != nil {
			return nil, fmt.Errorf("logging in member b: %w", err)
		}
		m := &Matrix{Inventory: inv}
		who := []struct {
			name string
			sess *client.Session
		}{{Other, b}, {Anonymous, env.Sessions.Anonymous()}}
		isLogin := LoginHop(env)
		for _, r := range inv.Reads {
			row := Row{Read: r, Cells: []Cell{{Identity: Owner, State: Allowed, Status: r.Owner.StatusCode, Response: r.Owner}}}
			for _, w := range who {
				if ctx.Err() != nil {
					return nil, context.Cause(ctx)
				}
				resp, err := w.sess.Do(ctx, &client.Request{URL: r.URL, Follow: true})
				m.Requests++
				c := Judge(w.name, r.Markers, resp, err, isLogin)
				if w.name == Other && c.State == Leaked && r.Shared {
					// Both members' lists show it and b opens it: it may
					// be b's own (or shared), and nothing says it is a's.
					c.State, c.Err = NotJudged, "member b's own list shows it too and b opens it: it may be b's as much as a's; "+
						"a canary object (objects[].create with --intrusive) is a's beyond doubt"
				}
				row.Cells = append(row.Cells, c)
			}
			m.Rows = append(m.Rows, row)
		}
		for _, k := range inv.Kinds {
			if k.List == "" {
				continue
			}
			lr := ListRow{Kind: k}
			for _, w := range who {
				if ctx.Err() != nil {
					return nil, context.Cause(ctx)
				}
				reads, none := m.listed(k, w.name)
				var resp *client.Response
				var err error
				if len(reads) > 0 {
					resp, err = w.sess.Do(ctx, &client.Request{URL: k.List, Follow: true})
					m.Requests++
				}
				lr.Cells = append(lr.Cells, judgeList(w.name, k, reads, none, resp, err, isLogin))
			}
			m.Lists = append(m.Lists, lr)
		}
		m.LostB, err = sessionLost(ctx, env, b)
		m.Requests++
		if err != nil {
			return nil, err
		}
		return m, nil
	})
}

// Judge decides one cell from the markers found in every hop's body but
// those skip (when not nil) says are refusals: a login page is never the
// content, whatever it shares with it. A hop that could not be read to its
// end, with no leak found in any, leaves the cell failed: the markers may
// sit in the part not read.
func Judge(identity string, mk Markers, resp *client.Response, err error, skip func(client.Hop) bool) Cell {
	c := Cell{Identity: identity, Response: resp.WithoutBodies()}
	var cut error
	if resp != nil {
		c.Status = resp.StatusCode
		for i, h := range resp.Hops {
			if skip != nil && skip(h) {
				continue
			}
			matched, ferr := mk.Find(h.Body)
			if mk.Proves(matched) {
				c.State, c.Hop, c.Matched, c.Excerpt = Leaked, i, matched, excerpt(h.Body, matched[0])
				return c
			}
			cut = cmp.Or(cut, ferr)
		}
	}
	if err != nil {
		// A redirect loop or a capped body still left its hops to read
		// above; without a leak in them nothing was learnt.
		c.State, c.Err = Failed, err.Error()
		return c
	}
	if cut != nil {
		c.State, c.Err = Failed, "the response was not read to its end: "+cut.Error()
		return c
	}
	c.State = Denied
	return c
}

// LoginHop returns the test for a login page: the configured login path,
// or any page whose form holds a password field (an admin area's own
// sign-in, a provider's). Landing on one is a refusal.
func LoginHop(env *check.Env) func(client.Hop) bool {
	return func(h client.Hop) bool {
		if u, err := url.Parse(h.URL); err == nil && env.Sessions.IsLoginURL(u) {
			return true
		}
		return page.HasPasswordInput(h.Body)
	}
}

// sessionLost re-checks b's session on the first protected page after the
// replays: a session that died on the way makes every "denied" meaningless.
func sessionLost(ctx context.Context, env *check.Env, b *client.Session) (string, error) {
	prot := env.Config.Auth.Protected
	if len(prot) == 0 {
		return "", nil
	}
	ref, err := url.Parse(prot[0])
	if err != nil {
		return "", fmt.Errorf("auth.protected[0] %q: %w", prot[0], err)
	}
	u := env.Sessions.Config().Origin.ResolveReference(ref).String()
	resp, err := b.Do(ctx, &client.Request{URL: u, Follow: true})
	if err != nil {
		return "", fmt.Errorf("re-checking member b's session at %s: %w", prot[0], err)
	}
	if resp.StatusCode == 401 || resp.StatusCode == 403 || env.Sessions.IsLoginURL(resp.URL) {
		return fmt.Sprintf("member b's session no longer opens %s (status %d): it was lost during the replays", prot[0], resp.StatusCode), nil
	}
	return "", nil
}

// Evidence describes a leaked cell: the request, the status, and the
// excerpt of the body with the marker; what names the object ("member a's
// invoices inv_1").
func (c Cell) Evidence(env *check.Env, what string, mk Markers) check.Evidence {
	h := c.Response.Hops[c.Hop]
	where := fmt.Sprintf("answered %d with a body that", h.Status)
	if c.Hop < len(c.Response.Hops)-1 {
		where = fmt.Sprintf("answered %d (a redirect to %s) whose body still", h.Status, h.Location)
	}
	owner := mk.Owner
	if owner == "" {
		owner = "member a"
	}
	proof := "values only " + owner + "'s copy shows"
	if mk.Canary != "" && slices.Contains(c.Matched, mk.Canary) {
		proof = "the canary written into it in this run"
	}
	detail := fmt.Sprintf("%s asked for %s and the portal %s carries %s: %s. Excerpt: %s",
		strings.ToUpper(c.Identity[:1])+c.Identity[1:], what, where, proof, quoteAll(c.Matched, 3), c.Excerpt)
	return check.HopEvidence(env, c.Response, h, detail)
}

func quoteAll(ss []string, n int) string {
	if len(ss) > n {
		ss = ss[:n]
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", clip(s, 80))
	}
	return strings.Join(q, ", ")
}
