package report

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium. CI installs it (.ci/run), so there a
// missing browser fails the test instead of skipping it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "/usr/lib/chromium/chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run should have installed it")
	}
	t.Skip("chromium not installed (apt-get install -y chromium)")
	return ""
}

// pageLog is what the page did while open, recorded from CDP events: every
// request it made and every console message, log entry and exception.
type pageLog struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

// record runs on chromedp's event loop: it only appends.
func (l *pageLog) record(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, e.Request.URL)
	case *runtime.EventConsoleAPICalled:
		// The page has no script, so any console call is unexpected.
		l.problems = append(l.problems, fmt.Sprintf("console.%s called", e.Type))
	case *runtime.EventExceptionThrown:
		l.problems = append(l.problems, "exception: "+e.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		// CSP violations and failed loads arrive here as errors.
		if e.Entry.Level == log.EntryLevelError {
			l.problems = append(l.problems, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	}
}

func (l *pageLog) snapshot() (requests, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.requests), slices.Clone(l.problems)
}

// pageFacts is what the script below reads from the rendered page.
type pageFacts struct {
	// Links counts in-page links, NavLinks those in the summary, banner,
	// Fix first and contents; Broken lists targets with no element.
	Links, NavLinks int
	Broken          []string
	// Outbound lists links that leave the page.
	Outbound []string
	// Details counts evidence <details>, Open those open on load.
	Details, Open int
	// Missing lists outcome IDs with no element on the page.
	Missing []string
	Scripts int
	// Areas counts the chart's area groups, Titled those with a <title>.
	Areas, Titled int
	Verdict       string
}

const factsScript = `(() => {
  const ids = %s;
  const links = [...document.querySelectorAll('a[href]')];
  const inPage = links.filter(a => a.getAttribute('href').startsWith('#'));
  const nav = document.querySelectorAll('#summary a[href^="#"], #verdict a[href^="#"], #fix-first a[href^="#"], #contents a[href^="#"]');
  const broken = inPage.map(a => a.getAttribute('href')).filter(h => !document.getElementById(decodeURIComponent(h.slice(1))));
  const details = [...document.querySelectorAll('details.ev')];
  const areas = [...document.querySelectorAll('svg#area-chart g.area')];
  return {
    links: inPage.length, navLinks: nav.length, broken,
    outbound: links.filter(a => !a.getAttribute('href').startsWith('#')).map(a => a.getAttribute('href')),
    details: details.length, open: details.filter(d => d.open).length,
    missing: ids.filter(id => !document.getElementById('check-' + id)),
    scripts: document.scripts.length,
    areas: areas.length, titled: areas.filter(g => g.querySelector(':scope > title')).length,
    verdict: document.querySelector('#summary h1').textContent,
  };
})()`

// stickyScript scrolls to the end and says where the summary header is.
const stickyScript = `(() => {
  window.scrollTo(0, document.body.scrollHeight);
  const s = document.getElementById('summary');
  const r = s.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {scrollY: window.scrollY, top: r.top, bottom: r.bottom, height: r.height, innerHeight: window.innerHeight,
    visible: s.checkVisibility({opacityProperty: true, visibilityProperty: true}) && s.contains(hit)};
})()`

type stickyFacts struct {
	ScrollY, Top, Bottom, Height, InnerHeight float64
	Visible                                   bool
}

// printScript says whether, printed, the evidence inside closed <details>
// takes room and the summary stops sticking.
const printScript = `(() => {
  const pre = document.querySelector('details.ev:not([open]) pre');
  return {evidenceShown: !!pre && pre.checkVisibility(),
    summaryPosition: getComputedStyle(document.getElementById('summary')).position};
})()`

type printFacts struct {
	EvidenceShown   bool
	SummaryPosition string
}

// TestHTMLInChromium opens the report of a run with a baseline, a shared
// matrix and shared fixes from a file in one headless Chromium whose every
// non-loopback name is unresolvable, and checks what a reader relies on:
// every in-page link lands, evidence starts folded, the summary stays in
// view at the end of the page, the chart has a group per area, printing
// unfolds evidence, the page logs no error and requests nothing beyond its
// own file, and hostile evidence stayed text.
func TestHTMLInChromium(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	run := htmlRun()
	if err := WriteFile(file, run); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range run.Outcomes {
		ids = append(ids, o.Meta.ID)
	}
	got := openInChromium(t, bin, file, ids)
	checkFacts(t, run, got.facts)
	if s := got.sticky; s.ScrollY <= 0 {
		t.Errorf("the page did not scroll (scrollY %v): the sticky test proves nothing", s.ScrollY)
	} else if s.Top < 0 || s.Bottom > s.InnerHeight || s.Height <= 0 || !s.Visible {
		t.Errorf("summary not in view at the end of the page: %+v", s)
	}
	if p := got.printed; !p.EvidenceShown || p.SummaryPosition != "static" {
		t.Errorf("print: want folded evidence shown and the summary static, got %+v", p)
	}
	for _, p := range got.problems {
		t.Errorf("page logged: %s", p)
	}
	if len(got.requests) != 1 || got.requests[0] != got.url {
		t.Errorf("requests = %q, want only the page itself %q", got.requests, got.url)
	}
}

// browserView is what one visit to the page found.
type browserView struct {
	url                string
	facts              pageFacts
	sticky             stickyFacts
	printed            printFacts
	requests, problems []string
}

// openInChromium starts one browser, opens file and reads the page with
// the scripts above; ids are the checks expected to have an element.
func openInChromium(t *testing.T, bin, file string, ids []string) browserView {
	t.Helper()
	v := browserView{url: (&url.URL{Scheme: "file", Path: file}).String()}
	dir := t.TempDir()
	// A guard against a hung browser, not a performance bound.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Env("HOME="+dir),
		chromedp.DisableGPU,
		chromedp.WindowSize(1000, 700),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	var pl pageLog
	if err := chromedp.Listen(tab, pl.record); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(v.url)); err != nil {
		t.Fatalf("opening %s: %v", v.url, err)
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	var err error
	if v.facts, err = chromedp.Run(tab, chromedp.Evaluate[pageFacts](fmt.Sprintf(factsScript, "["+strings.Join(quoted, ",")+"]"))); err != nil {
		t.Fatal(err)
	}
	if v.sticky, err = chromedp.Run(tab, chromedp.Evaluate[stickyFacts](stickyScript)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if v.printed, err = chromedp.Run(tab, chromedp.Evaluate[printFacts](printScript)); err != nil {
		t.Fatal(err)
	}
	v.requests, v.problems = pl.snapshot()
	return v
}

func checkFacts(t *testing.T, run *Run, f pageFacts) {
	t.Helper()
	if f.Verdict != string(run.Summary.Verdict) {
		t.Errorf("summary verdict = %q, want %q", f.Verdict, run.Summary.Verdict)
	}
	if f.NavLinks == 0 || f.Links <= f.NavLinks {
		t.Errorf("in-page links: %d, of them in the summary, banner, Fix first and contents: %d", f.Links, f.NavLinks)
	}
	if len(f.Broken) > 0 {
		t.Errorf("links to no element: %q", f.Broken)
	}
	if len(f.Outbound) > 0 {
		t.Errorf("links leaving the page: %q", f.Outbound)
	}
	if f.Details == 0 || f.Open != 0 {
		t.Errorf("evidence <details>: %d, open on load: %d; want some, none open", f.Details, f.Open)
	}
	if len(f.Missing) > 0 {
		t.Errorf("checks with no element on the page: %q", f.Missing)
	}
	if f.Scripts != 0 {
		t.Errorf("%d <script> elements: hostile evidence became live", f.Scripts)
	}
	if n := len(run.Summary.Areas); f.Areas != n || f.Titled != n {
		t.Errorf("chart has %d area groups (%d titled), want %d", f.Areas, f.Titled, n)
	}
}
