// Package authz holds the authorization checks (AUTHZ-001..006): whether
// member b or an anonymous visitor can read or change member a's objects,
// reach admin functions, guess IDs, or grant itself a role. Every finding is
// proved with a's data (internal/authz), never inferred from a status code.
package authz

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
)

// maxEvidence caps the evidence items of one result.
const maxEvidence = 10

// readsFix is the fix path shared by AUTHZ-001 and AUTHZ-003.
const readsFix = "Check ownership on the server for every object read, not only that someone is logged in: load the object by " +
	"its ID and the session's member together, and answer 404 when they do not match.\n" +
	"  SQL: SELECT … FROM invoices WHERE id = $1 AND member_id = $2 (the member from the session, never from the request)\n" +
	"  Express/Prisma: prisma.invoice.findFirst({where: {id, memberId: req.user.id}}) ?? res.sendStatus(404)\n" +
	"  Django: get_object_or_404(Invoice, pk=pk, member=request.user)\n" +
	"  Rails: current_user.invoices.find(params[:id])\n" +
	"  Supabase/Postgres: enable row-level security with a policy using auth.uid() = member_id\n" +
	"File downloads need the same check, and a redirect must not carry the page in its body."

// Reads is AUTHZ-001 (as member b) or AUTHZ-003 (anonymously): no read of
// member a's objects returns a's data to the other identity.
type Reads struct {
	// identity is authz.Other or authz.Anonymous.
	identity string
}

// ByOtherMember returns AUTHZ-001.
func ByOtherMember() Reads { return Reads{identity: authz.Other} }

// ByAnonymous returns AUTHZ-003.
func ByAnonymous() Reads { return Reads{identity: authz.Anonymous} }

// Meta returns the static description.
func (c Reads) Meta() check.Meta {
	m := check.Meta{
		Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactDataExposure,
		Fix:    readsFix,
		Needs:  []string{"auth.login", "accounts.a", "accounts.b"},
		// With consent, discovery creates one canary object per kind
		// that has objects[].create (at most this many kinds).
		Budget: check.Budget{Objects: authz.MaxCanaryKinds, Shared: "authz-discovery"},
	}
	how := "Member a's objects are found from the objects: config (lists and items), from canary objects a creates in this run " +
		"when a create request is configured and --intrusive is given, and from a bounded GET-only crawl of a's pages (links " +
		"with IDs, REST item URLs under JSON lists). a's markers are what a's copy shows and the public pages, b's pages and " +
		"the objects b owns do not (never what b is shown of a list). Each read, and each configured list, is replayed "
	proof := ": no response — final page or any redirect's body — carries a's markers (the canary, or values only a's copy " +
		"shows; the object's ID as a word never counts), and no list names a's objects' IDs. Status codes alone never decide; " +
		"catch-all pages, login pages, WAF blocks and error pages cannot carry a's markers. An object b's own list shows too, " +
		"which b opens, may be b's: it is listed as not judged, as is an object with nothing a-specific in it; with nothing " +
		"judged there is no PASS."
	if c.identity == authz.Other {
		m.ID, m.Title = "AUTHZ-001", "Member b cannot read member a's objects"
		m.Pass = how + "with member b's session" + proof
		m.Why = "Broken object-level authorization is the first API risk on OWASP's list and the classic portal leak: the page " +
			"checks that someone is logged in, not that the invoice, message or file is theirs. One changed ID in the URL shows " +
			"another member's data."
		m.Breaks = "Any member can page through every other member's invoices, messages, files and profile by changing an ID: " +
			"a data breach you must report, found by the first curious user."
		m.Refs = []string{"ASVS v5.0.0-8.2.2", "API1:2023", "CWE-639"}
		return m
	}
	m.ID, m.Title = "AUTHZ-003", "Anonymous visitors cannot read member objects"
	m.Pass = how + "with no session at all" + proof
	m.Why = "An object URL that answers without any login is public: search engines, link previews and anyone the URL reaches " +
		"can read it, and sequential IDs let a script download them all."
	m.Breaks = "Members' invoices, files or messages are readable by the whole internet, without an account."
	m.Refs = []string{"ASVS v5.0.0-8.2.1", "API1:2023", "CWE-862"}
	return m
}

// Run replays a's objects and lists and judges this identity's cells.
func (c Reads) Run(ctx context.Context, env *check.Env) check.Result {
	m, err := authz.Replay(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	inv := m.Inventory
	if len(inv.Reads) == 0 && len(m.Lists) == 0 {
		return noReads(len(env.Config.Objects) > 0, inv, nil)
	}
	v := c.tally(env, m)
	r := v.result(c.identity, m, len(env.Config.Objects) > 0)
	r.Table = matrixTable(m)
	return r
}

// tally is one identity's cells, sorted by what they showed.
type tally struct {
	ev []check.Evidence
	// leaked and failed name objects and lists; objects and lists count
	// those with a verdict.
	leaked, failed []string
	unjudged       notJudged
	objects, lists int
	statuses       map[int]int
	kinds          []string
}

// notJudged groups what was not judged by reason, in order.
type notJudged struct {
	reasons []string
	names   map[string][]string
}

func (n *notJudged) add(name, why string) {
	if n.names == nil {
		n.names = map[string][]string{}
	}
	if _, ok := n.names[why]; !ok {
		n.reasons = append(n.reasons, why)
	}
	n.names[why] = append(n.names[why], name)
}

func (n *notJudged) count() int {
	c := 0
	for _, names := range n.names {
		c += len(names)
	}
	return c
}

// list renders each reason once, after the names it applies to.
func (n *notJudged) list() []string {
	out := make([]string, len(n.reasons))
	for i, why := range n.reasons {
		out[i] = strings.Join(n.names[why], ", ") + " (" + why + ")"
	}
	return out
}

func (c Reads) tally(env *check.Env, m *authz.Matrix) *tally {
	v := &tally{statuses: map[int]int{}}
	kinds := map[string]int{}
	var order []string
	for _, row := range m.Rows {
		cell := row.Cell(c.identity)
		name := row.Read.Kind + " " + row.Read.ID
		switch cell.State {
		case authz.Leaked:
			v.leaked = append(v.leaked, name)
			what := "member a's " + name
			if row.Read.Shared {
				// Both members' lists show it: a member's object, not
				// necessarily a's.
				what = name + " (a member's object, listed to member a and member b)"
			}
			if len(v.ev) < maxEvidence {
				v.ev = append(v.ev, cell.Evidence(env, what, row.Read.Markers))
			}
		case authz.Failed:
			v.failed = append(v.failed, fmt.Sprintf("%s (%s)", name, cell.Err))
		case authz.NotJudged:
			v.unjudged.add(name, cell.Err)
			continue
		default:
			v.statuses[cell.Status]++
		}
		v.objects++
		if kinds[row.Read.Kind] == 0 {
			order = append(order, row.Read.Kind)
		}
		kinds[row.Read.Kind]++
	}
	for _, k := range order {
		v.kinds = append(v.kinds, fmt.Sprintf("%s ×%d", k, kinds[k]))
	}
	for _, lr := range m.Lists {
		cell := lr.Cell(c.identity)
		name := "the " + lr.Kind.Name + " list " + lr.Kind.Object.List
		switch cell.State {
		case authz.Leaked:
			v.leaked = append(v.leaked, fmt.Sprintf("%s (showing %s)", name, strings.Join(cell.Shown, ", ")))
			if len(v.ev) < maxEvidence {
				v.ev = append(v.ev, cell.Evidence(env, lr.Kind))
			}
		case authz.Failed:
			v.failed = append(v.failed, fmt.Sprintf("%s (%s)", name, cell.Err))
		case authz.NotJudged:
			v.unjudged.add(name, cell.Err)
			continue
		}
		v.lists++
	}
	for _, u := range m.Inventory.Unjudged {
		v.unjudged.add(u.Kind+" "+u.ID, u.Why)
	}
	return v
}

// result turns the tally into the verdict: a leak FAILs, a failed replay
// or a lost session is an ERROR, and a PASS names what was judged and what
// was not; with nothing judged there is no PASS.
func (v *tally) result(identity string, m *authz.Matrix, configured bool) check.Result {
	inv := m.Inventory
	counts := fmt.Sprintf("discovery %d requests (%d pages crawled), replays %d requests", inv.Requests, inv.Pages, m.Requests)
	judged := v.objects + v.lists
	switch {
	case len(v.leaked) > 0:
		return check.Failf(v.ev, "%s read %d of the %d objects and lists judged: %s (%s)", identity, len(v.leaked), judged,
			strings.Join(v.leaked, ", "), counts)
	case identity == authz.Other && m.LostB != "":
		return check.Errorf("%s; member b's refusals prove nothing", m.LostB)
	case len(v.failed) > 0:
		return check.Errorf("%d replays as %s failed, so those objects are untested: %s", len(v.failed), identity, strings.Join(v.failed, "; "))
	case judged == 0:
		return noReads(configured, inv, v.unjudged.list())
	}
	what := fmt.Sprintf("%d of member a's objects (%s) × 1 identity (%s)", v.objects, strings.Join(v.kinds, ", "), identity)
	if v.objects == 0 {
		what = "no object read (" + identity + ")"
	}
	if v.lists > 0 {
		what += fmt.Sprintf(" and %d %s", v.lists, plural(v.lists, "list", "lists"))
	}
	msg := fmt.Sprintf("judged %s: none carried a's data", what)
	if len(v.statuses) > 0 {
		msg += " (statuses " + statusCounts(v.statuses) + ")"
	}
	if n := v.unjudged.count(); n > 0 {
		msg += fmt.Sprintf("; not judged, %d: %s", n, strings.Join(v.unjudged.list(), "; "))
	}
	return check.Passf("%s; %s", msg, counts)
}

// noReads explains why nothing could be judged: SKIP when the config
// lists no objects (the crawl found none it could use), ERROR when
// configured objects were found or listed but none could be judged.
// unjudged, when nil, is taken from the inventory.
func noReads(configured bool, inv *authz.Inventory, unjudged []string) check.Result {
	if unjudged == nil {
		for _, u := range inv.Unjudged {
			unjudged = append(unjudged, u.String())
		}
	}
	why := strings.Join(append(slices.Clone(unjudged), inv.Notes...), "; ")
	if !configured {
		reason := fmt.Sprintf("the crawl of member a's pages (%d pages) found no object it could replay, and the config lists none", inv.Pages)
		if why != "" {
			reason += " (" + why + ")"
		}
		return check.Skipped(reason, `objects: [{name: invoices, list: /api/invoices, item: "/api/invoices/{id}"}]`)
	}
	if len(unjudged) > 0 {
		return check.Errorf("none of member a's objects could be judged, so this check proves nothing: %s", why)
	}
	return check.Errorf("none of member a's configured objects could be read back as member a, so nothing could be replayed: %s", why)
}

// matrixTable renders the replay matrix: one row per object read, one
// column per identity.
func matrixTable(m *authz.Matrix) *check.Table {
	t := &check.Table{Title: "Authorization matrix", Columns: []string{authz.Owner, authz.Other, authz.Anonymous}}
	for _, row := range m.Rows {
		tr := check.TableRow{Label: row.Read.Label()}
		for _, id := range t.Columns {
			tr.Cells = append(tr.Cells, cellText(row.Cell(id)))
		}
		t.Rows = append(t.Rows, tr)
	}
	for _, lr := range m.Lists {
		tr := check.TableRow{Label: lr.Label(), Cells: []string{"allowed"}}
		for _, id := range t.Columns[1:] {
			c := lr.Cell(id)
			text := cellText(c.Cell)
			if c.State == authz.Leaked {
				text = fmt.Sprintf("shows %s (%d)", strings.Join(c.Shown, ", "), c.Status)
			}
			tr.Cells = append(tr.Cells, text)
		}
		t.Rows = append(t.Rows, tr)
	}
	return t
}

func cellText(c authz.Cell) string {
	switch c.State {
	case authz.Failed:
		return "error: " + c.Err
	case authz.NotJudged:
		return "not judged"
	}
	return fmt.Sprintf("%s (%d)", c.State, c.Status)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func statusCounts(m map[int]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
