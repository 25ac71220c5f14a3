package baas

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/platform"
)

// Bounds of AUTHZ-007.
const (
	// maxTables caps the tables probed (bundle and OpenAPI together).
	maxTables = 40
	// maxBuckets caps the storage buckets probed.
	maxBuckets = 10
	// maxCanaries caps the canary rows and objects member a writes.
	maxCanaries = maxTables + maxBuckets
)

// SupabaseData is AUTHZ-007: the Supabase tables and storage buckets the
// frontend reaches with the publishable key give member b and anonymous
// visitors none of member a's rows or files.
type SupabaseData struct{}

var (
	_ check.Check  = SupabaseData{}
	_ check.Reader = SupabaseData{}
)

// Meta returns the static description.
func (SupabaseData) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-007", Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactDataExposure,
		Title:  "Supabase tables and storage give other members and anonymous visitors none of a member's data",
		Pass: "Every table the frontend names (and every table the Data API's OpenAPI document lists, up to 40) is counted as " +
			"anonymous, member a and member b with HEAD and Prefer: count=exact, never copying a row: neither b nor anonymous " +
			"counts any of a's rows (a canary row a inserts with --intrusive, else a's rows by its owner column). Every bucket " +
			"the frontend names lists none of a's files to b or anonymous (a canary file with --intrusive). Canaries are deleted " +
			"at the end. Needs auth.supabase {url, anon_key} and accounts a and b.",
		Why: "A Supabase frontend talks to the database directly with the publishable anon key, which every visitor has. Row-level " +
			"security is the only thing between that key and every row: a table created in SQL has it off, and a bucket without " +
			"policies on storage.objects lists every member's files.",
		Breaks: "Anyone who opens the browser console reads (and often writes) every member's rows with one request — the whole " +
			"table, not one record — and lists every member's uploaded files.",
		Fix: "Turn on row-level security on every table in an exposed schema and add owner-only policies:\n" +
			"  alter table orders enable row level security;\n" +
			"  create policy \"own rows\" on orders for select to authenticated using ((select auth.uid()) = user_id);\n" +
			"  create policy \"own inserts\" on orders for insert to authenticated with check ((select auth.uid()) = user_id);\n" +
			"  (the same for update and delete; tables only the server uses: revoke all on orders from anon, authenticated;)\n" +
			"Storage: make the bucket private (update storage.buckets set public = false where id = 'avatars';) and limit " +
			"storage.objects to the owner's folder:\n" +
			"  create policy \"own files\" on storage.objects for select to authenticated using (bucket_id = 'avatars' and " +
			"(storage.foldername(name))[1] = (select auth.uid())::text);\n" +
			"Supabase's Security Advisor (Database → Advisors) lists tables without RLS.",
		Refs:   []string{"ASVS v5.0.0-8.2.1", "ASVS v5.0.0-8.2.2", "API1:2023", "CWE-639", "CWE-284"},
		Budget: check.Budget{Objects: maxCanaries},
		Needs:  []string{"accounts.a", "accounts.b"},
	}
}

// Reads names the project it probes: without it the check is N/A, or
// SKIP when the frontend shows Supabase.
func (SupabaseData) Reads() []string { return []string{"auth.supabase"} }

// Run probes the configured project, or explains what to configure.
func (SupabaseData) Run(ctx context.Context, env *check.Env) check.Result {
	fe := readFrontend(ctx, env)
	use, notes, ferr := fe.supabase, fe.notes, fe.err
	cfg := env.Sessions.PlatformConfig("supabase")
	if cfg == nil {
		return unconfigured(use, ferr)
	}
	p, err := newProber(ctx, env, cfg)
	if err != nil {
		return check.Errorf("%v", err)
	}
	tables, err := p.tableList(ctx, use)
	if err != nil {
		return check.Errorf("%v", err)
	}
	var rows []rowResult
	for _, t := range tables {
		r, err := p.probeTable(ctx, t)
		if err != nil {
			return check.Errorf("table %s: %v", t.name, err)
		}
		rows = append(rows, r)
	}
	for i, b := range use.Buckets {
		if i >= maxBuckets {
			break
		}
		r, err := p.probeBucket(ctx, b.Name)
		if err != nil {
			return check.Errorf("bucket %s: %v", b.Name, err)
		}
		rows = append(rows, r)
	}
	res := verdict(rows, use, p)
	if ferr != nil || len(notes) > 0 {
		res.Summary += fmt.Sprintf(" (frontend read: %s)", frontendNote(ferr, notes))
	}
	return res
}

// unconfigured is the result without auth.supabase: N/A when the frontend
// shows no Supabase, else a SKIP naming the config to add.
func unconfigured(use platform.SupabaseUse, ferr error) check.Result {
	if !use.Found() {
		if ferr != nil {
			return check.Skipped(fmt.Sprintf("no auth.supabase in the config, and the frontend could not be read to see whether it "+
				"uses Supabase (%v)", ferr), "auth: {supabase: {url: https://<ref>.supabase.co, anon_key: <anon or sb_publishable_ key>}}")
		}
		return check.NotApplicable("the config has no auth.supabase and the frontend shows no Supabase project")
	}
	url := "https://<ref>.supabase.co"
	where := ""
	if len(use.URLs) > 0 {
		url, where = use.URLs[0].Name, use.URLs[0].Where
	}
	key := "<the anon or sb_publishable_ key from Project Settings → API>"
	if k, ok := use.PublishableKey(); ok {
		key = k.Value
		if where == "" {
			where = k.Where
		}
	}
	reason := fmt.Sprintf("the frontend uses the Supabase project %s (seen in %s), but the config has no auth.supabase, so its "+
		"tables and buckets were not probed", url, where)
	if len(use.Tables)+len(use.Buckets) > 0 {
		reason += fmt.Sprintf("; the code names %s", usedNames(use))
	}
	if s := use.SecretKeys(); len(s) > 0 {
		reason += fmt.Sprintf("; the frontend also shows a %s key (in %s), which bypasses row-level security: the SEC checks "+
			"report it, rotate it now", s[0].Role, s[0].Where)
	}
	return check.Skipped(reason, fmt.Sprintf("auth: {supabase: {url: %s, anon_key: %s}}", url, key))
}

func usedNames(use platform.SupabaseUse) string {
	var parts []string
	if n := names(use.Tables); n != "" {
		parts = append(parts, "tables "+n)
	}
	if n := names(use.Buckets); n != "" {
		parts = append(parts, "buckets "+n)
	}
	return strings.Join(parts, " and ")
}

func names(us []platform.Use) string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return strings.Join(out, ", ")
}

func frontendNote(err error, notes []string) string {
	all := slices.Clone(notes)
	if err != nil {
		all = append([]string{err.Error()}, all...)
	}
	if len(all) > 3 {
		all = append(all[:3], fmt.Sprintf("%d more", len(all)-3))
	}
	return strings.Join(all, "; ")
}
