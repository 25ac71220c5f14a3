package report

import (
	"strings"

	"github.com/launchready/launchready/internal/check"
)

// htmlTable is a matrix some checks report (the authorization matrix),
// shown once however many checks carry it.
type htmlTable struct {
	// Anchor is the section's id; Title the matrix's title followed by
	// the checks that carry it, "(AUTHZ-001, AUTHZ-003)".
	Anchor, Title string
	// Checks are the checks that carry it, each a link to its card.
	Checks  []htmlSpan
	Columns []string
	Rows    []htmlTableRow
}

type htmlTableRow struct {
	Label string
	Cells []htmlTableCell
}

type htmlTableCell struct {
	Text, Class string
}

// htmlTableRef is what a card links to: the matrix it carries.
type htmlTableRef struct {
	Anchor, Title string
}

// htmlTables merges the checks' matrices: the read checks (AUTHZ-001 for
// member b, AUTHZ-003 for the anonymous visitor) judge cells of one replay
// and each carry the whole matrix, so printing it per check repeats it.
// Matrices with the same title and columns become one, rows in first-seen
// order and each identical row once. A row whose label another check
// reported with other cells keeps that check's ID in its label, so
// disagreeing observations both show. refs maps each check to its matrix.
func htmlTables(outs []check.Outcome) (tables []htmlTable, refs map[string]htmlTableRef) {
	refs = map[string]htmlTableRef{}
	index := map[string]int{}
	// seen holds, per table, each row's cells by label.
	var seen []map[string][]string
	for _, o := range outs {
		t := o.Result.Table
		if t == nil {
			continue
		}
		key := t.Title + "\x00" + strings.Join(t.Columns, "\x00")
		i, ok := index[key]
		if !ok {
			i = len(tables)
			index[key] = i
			ht := htmlTable{Anchor: "table-" + anchorSafe(o.Meta.ID), Title: htmlClean(t.Title)}
			for _, c := range t.Columns {
				ht.Columns = append(ht.Columns, htmlClean(c))
			}
			tables = append(tables, ht)
			seen = append(seen, map[string][]string{})
		}
		ht := &tables[i]
		ht.Checks = append(ht.Checks, htmlSpan{Text: htmlClean(o.Meta.ID), Anchor: checkAnchor(o.Meta.ID)})
		refs[o.Meta.ID] = htmlTableRef{Anchor: ht.Anchor, Title: ht.Title}
		for _, r := range t.Rows {
			label := r.Label
			if cells, dup := seen[i][label]; dup {
				if strings.Join(cells, "\x00") == strings.Join(r.Cells, "\x00") {
					continue
				}
				label += " (" + o.Meta.ID + ")"
			}
			seen[i][label] = r.Cells
			ht.Rows = append(ht.Rows, htmlRow(label, r.Cells))
		}
	}
	for i := range tables {
		ids := make([]string, len(tables[i].Checks))
		for j, c := range tables[i].Checks {
			ids[j] = c.Text
		}
		tables[i].Title += " (" + strings.Join(ids, ", ") + ")"
	}
	return tables, refs
}

func htmlRow(label string, cells []string) htmlTableRow {
	hr := htmlTableRow{Label: htmlClean(label)}
	for _, c := range cells {
		hr.Cells = append(hr.Cells, htmlTableCell{Text: htmlClean(c), Class: cellClass(c)})
	}
	return hr
}

// cellClass colours a matrix cell: a leak fails, a refusal passes.
func cellClass(text string) string {
	switch {
	case strings.HasPrefix(text, "leaked"), strings.HasPrefix(text, "shows "):
		return "s-fail"
	case strings.HasPrefix(text, "error"):
		return "s-error"
	case strings.HasPrefix(text, "denied"):
		return "s-pass"
	}
	return ""
}
