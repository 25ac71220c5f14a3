package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// isFinding says whether a status reports a problem.
func isFinding(s string) bool { return s == "FAIL" || s == "WARN" }

// tally counts one portal's (or every portal's) accuracy.
type tally struct {
	checks, exact           int
	findings, found         int
	falsePositives, errored int
	unexplained, excepted   int
}

func (t *tally) add(o tally) {
	t.checks += o.checks
	t.exact += o.exact
	t.findings += o.findings
	t.found += o.found
	t.falsePositives += o.falsePositives
	t.errored += o.errored
	t.unexplained += o.unexplained
	t.excepted += o.excepted
}

func (t tally) String() string {
	recall := "n/a"
	if t.findings > 0 {
		recall = fmt.Sprintf("%d%% (%d of %d)", 100*t.found/t.findings, t.found, t.findings)
	}
	return fmt.Sprintf("exact %d of %d; recall %s; false positives %d; unexpected ERROR %d; explained exceptions %d; unexplained %d",
		t.exact, t.checks, recall, t.falsePositives, t.errored, t.excepted, t.unexplained)
}

// table is the check × portal comparison.
type table struct {
	portals []portalResult
	ids     []string
	cells   map[string]map[string]string // id → portal → "exp / got ✓"
	per     []tally
	total   tally
	notes   []string // each mismatch, said in full
}

func tabulate(results []portalResult, exceptions map[string]exception) *table {
	t := &table{portals: results, cells: map[string]map[string]string{}}
	seen := map[string]bool{}
	for _, r := range results {
		for id := range r.Portal.Expected.Checks {
			seen[id] = true
		}
		for id := range r.Got {
			seen[id] = true
		}
	}
	for id := range seen {
		t.ids = append(t.ids, id)
	}
	sort.Slice(t.ids, func(i, j int) bool { return checkLess(t.ids[i], t.ids[j]) })
	for _, r := range results {
		var pt tally
		for _, id := range t.ids {
			exp, hasExp := r.Portal.Expected.Checks[id]
			g, hasGot := r.Got[id]
			if !hasExp && !hasGot {
				continue
			}
			want, have := "—", "—"
			if hasExp {
				want = exp.Expect
			}
			if hasGot {
				have = g.Status
			}
			pt.checks++
			mark := "✓"
			if want == have {
				pt.exact++
			} else {
				mark = "✗"
				if x, ok := exceptions[r.Portal.Name+"/"+id]; ok && x.Got == have {
					mark = "≈"
					pt.excepted++
				} else {
					pt.unexplained++
				}
				because := "no expectation written"
				if hasExp {
					because = "expected " + want
					if exp.Why != "" {
						because += " (" + oneLine(exp.Why) + ")"
					}
				}
				t.notes = append(t.notes, fmt.Sprintf("%s %s: %s, got %s: %s", r.Portal.Name, id, because, have, oneLine(g.Summary)))
			}
			if isFinding(want) {
				pt.findings++
				if isFinding(have) {
					pt.found++
				}
			} else if isFinding(have) {
				pt.falsePositives++
			}
			if have == "ERROR" && want != "ERROR" {
				pt.errored++
			}
			if t.cells[id] == nil {
				t.cells[id] = map[string]string{}
			}
			t.cells[id][r.Portal.Name] = fmt.Sprintf("%s / %s %s", want, have, mark)
		}
		t.per = append(t.per, pt)
		t.total.add(pt)
	}
	return t
}

// checkLess orders check IDs by area, then number (AUTH-2 before AUTH-10).
func checkLess(a, b string) bool {
	pa, na := splitID(a)
	pb, nb := splitID(b)
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

func splitID(id string) (string, int) {
	prefix, num, _ := strings.Cut(id, "-")
	n := 0
	fmt.Sscanf(num, "%d", &n)
	return prefix, n
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

func (t *table) print(w io.Writer) {
	if len(t.portals) == 0 {
		fmt.Fprintln(w, "no portal was scanned")
		return
	}
	fmt.Fprintf(w, "\n%-10s", "check")
	for _, r := range t.portals {
		fmt.Fprintf(w, "  %-24s", r.Portal.Name+" (exp / got)")
	}
	fmt.Fprintln(w)
	for _, id := range t.ids {
		fmt.Fprintf(w, "%-10s", id)
		for _, r := range t.portals {
			c := t.cells[id][r.Portal.Name]
			if c == "" {
				c = "·"
			}
			fmt.Fprintf(w, "  %-24s", c)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	for i, r := range t.portals {
		fmt.Fprintf(w, "%s (verdict %s): %s\n", r.Portal.Name, r.Verdict, t.per[i])
	}
	fmt.Fprintf(w, "all: %s\n", t.total)
	if len(t.notes) > 0 {
		fmt.Fprintln(w, "\nmismatches:")
		for _, n := range t.notes {
			fmt.Fprintln(w, "  "+n)
		}
	}
}
