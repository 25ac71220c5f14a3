package baas

import (
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/platform"
)

func httpEvidence(p *prober, resp *client.Response, detail string) check.Evidence {
	return check.HTTPEvidence(p.env, resp, detail)
}

// verdict folds the tables' and buckets' judgements into the result.
func verdict(rows []rowResult, use platform.SupabaseUse, p *prober) check.Result {
	tab := &check.Table{Title: "Supabase data reached with the publishable key (row counts by HEAD, listings with limit 1)",
		Columns: []string{"anonymous", "member a", "member b", "judgement"}}
	var found, ok, open []string
	var ev []check.Evidence
	for _, r := range rows {
		j := "not judged: " + strings.TrimPrefix(r.why, "not judged: ")
		switch r.j {
		case leaked:
			j = "LEAKED: " + r.why
			found = append(found, leakText(r))
			ev = append(ev, r.ev...)
		case protected:
			j = "protected: " + r.why
			ok = append(ok, r.kind+" "+r.name)
		default:
			open = append(open, r.kind+" "+r.name)
		}
		tab.Rows = append(tab.Rows, check.TableRow{Label: r.kind + " " + r.name, Cells: []string{r.cells[0], r.cells[1], r.cells[2], j}})
	}
	tail := fmt.Sprintf(" (%d requests; %d canaries written%s)", p.requests, p.canaries, rpcNote(use))
	var res check.Result
	switch {
	case len(found) > 0:
		res = check.Failf(ev, "%s%s", strings.Join(found, "; "), tail)
	case len(ok) > 0:
		msg := fmt.Sprintf("member b and anonymous reach none of member a's data in %s", strings.Join(ok, ", "))
		if len(open) > 0 {
			msg += fmt.Sprintf("; not judged: %s", strings.Join(open, ", "))
		}
		res = check.Passf("%s%s", msg, tail)
	case len(rows) == 0:
		res = check.Skipped("the frontend names no Supabase table or bucket and the Data API's OpenAPI document is refused to the "+
			"anon key, so there was nothing to probe"+tail, "make the frontend crawl reach the pages that load the Supabase client "+
			"(target.url and auth.protected)")
	default:
		res = check.Skipped("nothing could be proved on "+strings.Join(open, ", ")+": no canary and no rows of member a's to "+
			"compare"+tail, "re-run with --intrusive so member a can plant canary rows and files, or give member a data of its own")
	}
	res.Table = tab
	return res
}

// leakText is one finding: "member b counted 3 of a's rows in orders;
// anonymous 3".
func leakText(r rowResult) string {
	if r.kind == "bucket" {
		var who []string
		if r.byB != 0 {
			who = append(who, "member b")
		}
		if r.byAnon != 0 {
			who = append(who, "anonymous")
		}
		return fmt.Sprintf("%s list%s member a's files in bucket %s", strings.Join(who, " and "), map[bool]string{true: "", false: "s"}[len(who) > 1], r.name)
	}
	switch {
	case r.byB > 0 && r.byAnon > 0:
		return fmt.Sprintf("member b counted %d of a's rows in %s; anonymous %d", r.byB, r.name, r.byAnon)
	case r.byB > 0:
		return fmt.Sprintf("member b counted %d of a's rows in %s", r.byB, r.name)
	}
	return fmt.Sprintf("anonymous counted %d of a's rows in %s", r.byAnon, r.name)
}

func rpcNote(use platform.SupabaseUse) string {
	if len(use.RPCs) == 0 {
		return ""
	}
	return "; RPCs the frontend calls, not probed (they may write): " + names(use.RPCs)
}
