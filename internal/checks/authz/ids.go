package authz

import (
	"context"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
)

// GuessableIDs is AUTHZ-005: member objects do not have sequential or
// otherwise guessable IDs.
type GuessableIDs struct{}

var _ check.Check = GuessableIDs{}

// Meta returns the static description.
func (GuessableIDs) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-005", Area: check.AreaAuthz, Severity: check.Minor,
		Impact: check.ImpactDataExposure,
		Title:  "Member objects have unguessable IDs",
		Pass: "The IDs of member a's and member b's objects (from the objects: lists, canaries and the crawl) are random: UUIDv4, " +
			"long hex or opaque tokens. Integers within a small range of each other, or of 32 bits or fewer, FAIL; version-1 " +
			"(time-based) UUIDs WARN.",
		Why: "Sequential IDs are not a hole by themselves, but they turn any missing ownership check into a full dump (count from 1 " +
			"to N) and reveal how many members, invoices or messages the portal has.",
		Breaks: "One authorization slip becomes every member's data downloaded by a loop; competitors read your growth from invoice numbers.",
		Fix: "Expose random identifiers: a UUIDv4 or a 128-bit random token column (Postgres gen_random_uuid(), Prisma " +
			"@default(uuid()), Rails has_secure_token), keeping the integer primary key internal if you like. Keep the ownership " +
			"check too: random IDs are defence in depth, not authorization.",
		Refs:  []string{"ASVS v5.0.0-8.2.2", "API1:2023", "CWE-639"},
		Needs: []string{"auth.login", "accounts.a", "accounts.b"},
	}
}

// Run judges every kind's IDs.
func (GuessableIDs) Run(ctx context.Context, env *check.Env) check.Result {
	inv, err := authz.Discover(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	var ev []check.Evidence
	var bad, timeBased, fine []string
	judged, seen := 0, 0
	for _, k := range inv.Kinds {
		ids := append(append([]string(nil), k.IDsA...), k.IDsB...)
		if len(ids) == 0 {
			continue
		}
		judged++
		seen += len(ids)
		g := authz.JudgeIDs(ids)
		who := fmt.Sprintf("%s: %s (member a: %d, member b: %d)", k.Name, g.Why, len(k.IDsA), len(k.IDsB))
		switch {
		case g.Guessable:
			bad = append(bad, k.Name)
			ev = append(ev, check.HTTPEvidence(env, k.Source, who+". Counting from one ID reaches the others."))
		case g.TimeBased:
			timeBased = append(timeBased, k.Name)
			ev = append(ev, check.HTTPEvidence(env, k.Source, who+". Version-1 UUIDs carry the time and machine they were made on."))
		default:
			fine = append(fine, k.Name)
		}
	}
	switch {
	case judged == 0:
		return check.Skipped("no object IDs were seen (no objects: lists, no canaries, nothing with an ID in the crawl)",
			`objects: [{name: invoices, list: /api/invoices, item: "/api/invoices/{id}"}]`)
	case len(bad) > 0:
		return check.Failf(ev, "guessable IDs on %s", strings.Join(bad, ", "))
	case len(timeBased) > 0:
		return check.Warnf(ev, "time-based (version-1) UUIDs on %s", strings.Join(timeBased, ", "))
	}
	return check.Passf("judged %d IDs of %d kinds: random on %s", seen, judged, strings.Join(fine, ", "))
}
