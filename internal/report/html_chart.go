package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// This file draws the scorecard as one inline SVG: a row per area, a bar
// per row split by how its checks ended, on one scale, so both how much
// was checked and how it went read at a glance. Areas no check ran in are
// drawn as empty outlines, so a short bar is never mistaken for a gap.

// areaCounts tallies one area's outcomes by what they mean for a reader.
type areaCounts struct {
	Pass, Fail, Warn, Unverified, NA int
}

func (c areaCounts) total() int { return c.Pass + c.Fail + c.Warn + c.Unverified + c.NA }

// text is the row's count in words: "1 of 3 failed, 1 warned".
func (c areaCounts) text(status string) string {
	switch {
	case status == score.AreaNotCovered:
		return "no check covers this area"
	case status == score.AreaNotRun:
		return "not run in this scan"
	case c.total() == 0:
		return "no check ran"
	}
	s := fmt.Sprintf("%d of %d failed", c.Fail, c.total())
	for _, x := range []struct {
		n    int
		what string
	}{{c.Warn, "warned"}, {c.Unverified, "not verified"}, {c.NA, "not applicable"}} {
		if x.n > 0 {
			s += fmt.Sprintf(", %d %s", x.n, x.what)
		}
	}
	return s
}

// countByArea tallies outcomes per scorecard area.
func countByArea(outs []check.Outcome) map[string]areaCounts {
	m := map[string]areaCounts{}
	for _, o := range outs {
		c := m[o.Meta.Area]
		switch o.Result.Status {
		case check.Pass:
			c.Pass++
		case check.Fail:
			c.Fail++
		case check.Warn:
			c.Warn++
		case check.NA:
			c.NA++
		default:
			c.Unverified++
		}
		m[o.Meta.Area] = c
	}
	return m
}

// htmlChart is the SVG's geometry, computed here so the template only
// prints numbers.
type htmlChart struct {
	Width, Height int
	// LabelX places the area names; BarX, BarW and BarH every bar; NoteX
	// the status after it.
	LabelX, BarX, BarW, BarH, NoteX int
	Desc                            string
	Keys                            []htmlChartKey
	Rows                            []htmlChartRow
}

type htmlChartKey struct {
	// X is the swatch's left edge, TextX its label's.
	X, TextX     int
	Class, Label string
}

type htmlChartRow struct {
	Area, Status, Title string
	// Y is the bar's top, TextY the labels' baseline.
	Y, TextY int
	Segs     []htmlChartSeg
	// Empty is the outline's class ("nc" or "nr") for an area where no
	// check ran; Segs is then empty and Detail is written inside it.
	Empty, Detail string
}

type htmlChartSeg struct {
	X, Y, W      int
	Class, Title string
}

// The chart's layout in SVG units; the viewBox scales it to the page.
const (
	chartWidth  = 680
	chartLabelX = 8   // area names start here
	chartLabelW = 220 // and bars after them
	chartBarW   = 330
	chartRowH   = 24
	chartBarH   = 16
	chartTop    = 30 // room for the legend
)

// chartSegs are the bar's parts in drawing order, with their legend.
var chartSegs = []struct {
	class, label string
	count        func(areaCounts) int
}{
	{"b-fail", "FAIL", func(c areaCounts) int { return c.Fail }},
	{"b-warn", "WARN", func(c areaCounts) int { return c.Warn }},
	{"b-nv", "SKIP/ERROR", func(c areaCounts) int { return c.Unverified }},
	{"b-pass", "PASS", func(c areaCounts) int { return c.Pass }},
	{"b-na", "N/A", func(c areaCounts) int { return c.NA }},
}

// chartKeys is the legend: the bar's parts, then the outlines of areas
// where no check ran.
func chartKeys() []htmlChartKey {
	var keys []htmlChartKey
	for _, s := range chartSegs {
		keys = append(keys, htmlChartKey{Class: s.class, Label: s.label})
	}
	return append(keys, htmlChartKey{Class: "nc", Label: "not covered"}, htmlChartKey{Class: "nr", Label: "not run"})
}

func newHTMLChart(rows []score.AreaRow, counts map[string]areaCounts) htmlChart {
	ch := htmlChart{Width: chartWidth, LabelX: chartLabelX, Height: chartTop + len(rows)*chartRowH + 4,
		BarX: chartLabelW, BarW: chartBarW, BarH: chartBarH, NoteX: chartLabelW + chartBarW + 10}
	most := 1
	for _, row := range rows {
		most = max(most, counts[row.Area].total())
	}
	x := chartLabelX
	for _, k := range chartKeys() {
		k.X, k.TextX = x, x+16
		ch.Keys = append(ch.Keys, k)
		// ~7 units a character at the chart's 12px, and a gap.
		x += 16 + 7*len(k.Label) + 14
	}
	var desc []string
	for i, row := range rows {
		c := counts[row.Area]
		r := htmlChartRow{Area: row.Area, Status: row.Status, Y: chartTop + i*chartRowH, Detail: c.text(row.Status)}
		r.TextY = r.Y + chartBarH - 3
		r.Title = row.Area + ": " + row.Status + " — " + r.Detail
		desc = append(desc, r.Title)
		switch row.Status {
		case score.AreaNotCovered:
			r.Empty = "nc"
		case score.AreaNotRun:
			r.Empty = "nr"
		default:
			r.Segs = chartRowSegs(c, most, r.Y)
		}
		ch.Rows = append(ch.Rows, r)
	}
	ch.Desc = strings.Join(desc, "; ")
	return ch
}

// chartRowSegs places one row's parts on the shared scale; each edge is
// rounded from the running total, so parts never overlap or leave gaps.
func chartRowSegs(c areaCounts, most, y int) []htmlChartSeg {
	unit := float64(chartBarW) / float64(most)
	var segs []htmlChartSeg
	sum := 0
	for _, s := range chartSegs {
		n := s.count(c)
		if n == 0 {
			continue
		}
		x0 := chartLabelW + int(math.Round(float64(sum)*unit))
		sum += n
		x1 := chartLabelW + int(math.Round(float64(sum)*unit))
		segs = append(segs, htmlChartSeg{X: x0, Y: y, W: x1 - x0, Class: s.class, Title: fmt.Sprintf("%d %s", n, s.label)})
	}
	return segs
}
