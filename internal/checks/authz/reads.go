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
		Fix:   readsFix,
		Needs: []string{"auth.login", "accounts.a", "accounts.b"},
		// With consent, discovery creates one canary object per kind
		// that has objects[].create (at most this many kinds).
		Budget: check.Budget{Objects: authz.MaxCanaryKinds, Shared: "authz-discovery"},
	}
	how := "Member a's objects are found from the objects: config (lists and items), from canary objects a creates in this run " +
		"when a create request is configured and --intrusive is given, and from a bounded GET-only crawl of a's pages (links " +
		"with IDs, REST item URLs under JSON lists). Each read is replayed "
	proof := ": no response — final page or any redirect's body — carries a's markers (the canary, or values only a's copy " +
		"shows; the object's ID itself never counts). Status codes alone never decide; catch-all pages, login pages, WAF " +
		"blocks and error pages cannot carry a's markers."
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

// Run replays a's objects and judges this identity's cells.
func (c Reads) Run(ctx context.Context, env *check.Env) check.Result {
	m, err := authz.Replay(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	inv := m.Inventory
	if len(inv.Reads) == 0 {
		return noReads(env, inv)
	}
	table := matrixTable(m)
	var ev []check.Evidence
	var leaked, failed []string
	statuses := map[int]int{}
	for _, row := range m.Rows {
		cell := row.Cell(c.identity)
		switch cell.State {
		case authz.Leaked:
			leaked = append(leaked, row.Read.Kind+" "+row.Read.ID)
			if len(ev) < maxEvidence {
				ev = append(ev, cell.Evidence(env, "member a's "+row.Read.Kind+" "+row.Read.ID, row.Read.Markers))
			}
		case authz.Failed:
			failed = append(failed, fmt.Sprintf("%s %s (%s)", row.Read.Kind, row.Read.ID, cell.Err))
		default:
			statuses[cell.Status]++
		}
	}
	counts := fmt.Sprintf("discovery %d requests (%d pages crawled), replays %d requests", inv.Requests, inv.Pages, m.Requests)
	if len(leaked) > 0 {
		r := check.Failf(ev, "%s read %d of %d of member a's objects: %s (%s)", c.identity, len(leaked), len(m.Rows),
			strings.Join(leaked, ", "), counts)
		r.Table = table
		return r
	}
	if c.identity == authz.Other && m.LostB != "" {
		r := check.Errorf("%s; member b's refusals prove nothing", m.LostB)
		r.Table = table
		return r
	}
	if len(failed) > 0 {
		r := check.Errorf("%d replays as %s failed, so those objects are untested: %s", len(failed), c.identity, strings.Join(failed, "; "))
		r.Table = table
		return r
	}
	r := check.Passf("%d reads of member a's objects (%s) replayed as %s: none carried a's data (statuses %s); %s",
		len(m.Rows), kindCounts(m), c.identity, statusCounts(statuses), counts)
	r.Table = table
	return r
}

// noReads explains why nothing could be replayed: SKIP when the config
// lists no objects and the crawl found none, ERROR when configured objects
// could not be read.
func noReads(env *check.Env, inv *authz.Inventory) check.Result {
	notes := strings.Join(inv.Notes, "; ")
	if len(env.Config.Objects) == 0 {
		reason := fmt.Sprintf("the crawl of member a's pages (%d pages) found no object with an ID to replay, and the config lists none", inv.Pages)
		if notes != "" {
			reason += " (" + notes + ")"
		}
		return check.Skipped(reason, `objects: [{name: invoices, list: /api/invoices, item: "/api/invoices/{id}"}]`)
	}
	return check.Errorf("none of member a's configured objects could be read back as member a, so nothing could be replayed: %s", notes)
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
	return t
}

func cellText(c authz.Cell) string {
	if c.State == authz.Failed {
		return "error: " + c.Err
	}
	return fmt.Sprintf("%s (%d)", c.State, c.Status)
}

func kindCounts(m *authz.Matrix) string {
	n := map[string]int{}
	var order []string
	for _, r := range m.Rows {
		if n[r.Read.Kind] == 0 {
			order = append(order, r.Read.Kind)
		}
		n[r.Read.Kind]++
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%s ×%d", k, n[k])
	}
	return strings.Join(parts, ", ")
}

func statusCounts(m map[int]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
