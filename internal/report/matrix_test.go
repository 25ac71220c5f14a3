package report

import (
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
)

// matrixRun is a run whose AUTHZ-001 carries the authorization matrix,
// with a hostile row label.
func matrixRun() *Run {
	r := check.Failf([]check.Evidence{{Request: "GET https://portal.test/api/invoices/inv_1", Status: 200, Detail: "leak",
		Repro: "curl -sS -i 'https://portal.test/api/invoices/inv_1'"}}, "member b read 1 of 2 of member a's objects")
	r.Table = &check.Table{Title: "Authorization matrix", Columns: []string{"member a", "member b", "anonymous"}, Rows: []check.TableRow{
		{Label: "invoices inv_1 (GET https://portal.test/api/invoices/inv_1)", Cells: []string{"allowed (200)", "leaked (200)", "denied (401)"}},
		{Label: "messages " + hostileScript, Cells: []string{"allowed (200)", "denied (404)", "error: " + hostileANSI}},
	}}
	return runWith([]check.Outcome{outcome(meta("AUTHZ-001", check.AreaAuthz, check.Blocker, "Member b cannot read member a's objects"), r, 800)})
}

func TestMatrixInJSONAndHTML(t *testing.T) {
	run := matrixRun()
	js := render(t, JSON{}, run)
	for _, want := range []string{`"matrix": {`, `"title": "Authorization matrix"`, `"leaked (200)"`, `"denied (401)"`} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	back, err := ReadJSON(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Outcomes[0].Result.Table; got == nil || len(got.Rows) != 2 || got.Rows[0].Cells[1] != "leaked (200)" {
		t.Errorf("matrix lost in the JSON round trip: %+v", got)
	}
	html := render(t, HTML{}, run)
	for _, want := range []string{"<h2>Authorization matrix (AUTHZ-001)</h2>", `<th>member b</th>`,
		`<span class="tag s-fail">leaked (200)</span>`, `<span class="tag s-pass">denied (401)</span>`} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if strings.Contains(html, hostileScript) || strings.Contains(html, "\x1b") {
		t.Error("hostile label or cell not escaped in HTML")
	}
}
