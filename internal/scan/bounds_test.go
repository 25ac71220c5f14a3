package scan

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/report"
)

// The hostile scenarios of breach 5: a small member portal (form login,
// two members, a protected dashboard, a JSON list of objects and their
// items) whose pages carry what a hostile or broken target sends. Each is
// scanned end to end (login, sessions, the authz crawl and replays, the
// frontend crawl), and the scan's peak memory is measured.

// nearCap is a body size just under the default 10 MiB cap.
const nearCap = 10<<20 - 64<<10

// memCeiling is the peak resident memory a hostile scan may reach (the
// issue's goal), checked only on plain builds: the race detector
// multiplies memory.
const memCeiling = 300 << 20

// boundsScenario is one hostile portal.
type boundsScenario struct {
	name string
	// pages are extra handlers by path (a path ending in / is a prefix);
	// they override the portal's own; who is the member ("a", "b") or "".
	pages map[string]memberHandler
	// dashboard writes the member's dashboard after its own content.
	dashboard func(w io.Writer)
	// home writes the home page after its own content.
	home func(w io.Writer)
	// items writes the JSON list of a member's objects (nil: three items).
	items func(w io.Writer, member string)
	// yaml is appended to the config.
	yaml string
}

// memberHandler serves one page knowing who asks ("" for a visitor).
type memberHandler func(w http.ResponseWriter, r *http.Request, who string)

// boundsScenarios are the scenarios of the issue.
func boundsScenarios() []boundsScenario {
	return []boundsScenario{
		{name: "nested-inline-html-10MB", dashboard: nestedInline(nearCap), home: nestedInline(nearCap)},
		{name: "near-cap-pages-linking-more", dashboard: nearCapLinks("/p/", 0), home: nearCapLinks("/p/", 0),
			pages: map[string]memberHandler{"/p/": nearCapPage, "/s/": smallScript}},
		{name: "html-100k-links", dashboard: manyLinks(100_000), home: manyLinks(100_000)},
		{name: "json-list-100k-ids", items: manyIDs(100_000)},
		{name: "redirect-chains-near-cap", dashboard: chainLinks(60), home: chainLinks(60), pages: map[string]memberHandler{"/r/": chainHop}},
		{name: "inline-script-50MB", dashboard: hugeScript(50 << 20), home: hugeScript(50 << 20)},
		{name: "json-nested-100k", items: func(w io.Writer, _ string) { nestedJSON(w, 100_000) },
			pages: map[string]memberHandler{"/api/items/": func(w http.ResponseWriter, r *http.Request, _ string) {
				w.Header().Set("Content-Type", "application/json")
				nestedJSON(w, 100_000)
			}}},
	}
}

// TestHostileMemory scans each hostile portal end to end and checks the
// scan's peak resident memory (VmHWM, reset before each scan) stays under
// memCeiling, and that no check panicked; bench/bounds.sh prints the
// table, and .ci/run runs it on a plain build. Under -race it is skipped:
// the detector multiplies both memory and time.
func TestHostileMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures memory on a plain build (bench/bounds.sh, .ci/run): skipped with -short and -race")
	}
	for _, sc := range boundsScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			peak, run := scanHostile(t, sc)
			t.Logf("peak RSS %d MiB over the scan", peak>>20)
			fmt.Fprintf(os.Stderr, "BOUNDS %s peak_rss_mib=%d\n", sc.name, peak>>20)
			for _, o := range run.Outcomes {
				if strings.Contains(o.Result.Summary, "panicked") {
					t.Errorf("%s panicked: %s", o.Meta.ID, o.Result.Summary)
				}
				t.Logf("%s %s %.200s", o.Meta.ID, o.Result.Status, o.Result.Summary)
			}
			if peak > memCeiling {
				t.Errorf("peak RSS %d MiB, want under %d MiB", peak>>20, memCeiling>>20)
			}
		})
	}
}

// scanHostile serves the scenario on loopback and scans it as a scan
// without --intrusive would (every check but the browser's, SESS-005, whose
// memory is Chromium's own process), returning the process's peak RSS
// during the scan.
func scanHostile(t *testing.T, sc boundsScenario) (int64, *report.Run) {
	t.Helper()
	srv := httptest.NewServer(hostileMembers(sc))
	t.Cleanup(srv.Close)
	yaml := fmt.Sprintf(`target:
  url: %s
  scope: [127.0.0.1]
  rate: 1000
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  logout: {path: /logout}
  protected: [/dashboard]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
objects:
  - {name: items, list: /api/items, item: "/api/items/{id}"}
%s`, srv.URL, sc.yaml)
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return checktest.Password, true }})
	if err != nil {
		t.Fatal(err)
	}
	var only []string
	for _, c := range checks.All() {
		if id := c.Meta().ID; id != "SESS-005" {
			only = append(only, id)
		}
	}
	resetPeakRSS()
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Only: only})
	peak := peakRSS(t)
	if err != nil {
		t.Fatal(err)
	}
	return peak, run
}

// hostileMembers is the portal: form login for a@ and b@portal.test, a
// protected dashboard, /api/items and /api/items/{id} per member, and the
// scenario's pages.
func hostileMembers(sc boundsScenario) http.Handler {
	member := func(r *http.Request) string {
		if c, err := r.Cookie("s"); err == nil && (c.Value == "sess-a-7f3k2m9q" || c.Value == "sess-b-4n8v1x6z") {
			return c.Value[5:6]
		}
		return ""
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := member(r)
		for p, h := range sc.pages {
			if r.URL.Path == p || (strings.HasSuffix(p, "/") && p != "/" && strings.HasPrefix(r.URL.Path, p)) {
				h(w, r, who)
				return
			}
		}
		switch {
		case r.URL.Path == "/login" && r.Method == http.MethodPost:
			_ = r.ParseForm()
			email := r.PostForm.Get("email")
			if r.PostForm.Get("password") != checktest.Password || (email != "a@portal.test" && email != "b@portal.test") {
				fmt.Fprint(w, checktest.LoginPage)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "sess-" + email[:1] + map[string]string{"a": "-7f3k2m9q", "b": "-4n8v1x6z"}[email[:1]],
				Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
			http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		case r.URL.Path == "/login":
			fmt.Fprint(w, checktest.LoginPage)
		case r.URL.Path == "/logout":
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "", Path: "/", MaxAge: -1})
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			bw := bufio.NewWriter(w)
			fmt.Fprint(bw, `<html><body><h1>Welcome to the community</h1><a href="/login">Sign in</a>`)
			if sc.home != nil {
				sc.home(bw)
			}
			fmt.Fprint(bw, `</body></html>`)
			bw.Flush()
		case r.URL.Path == "/dashboard" || r.URL.Path == "/member":
			if who == "" {
				http.Redirect(w, r, "/login?next=/dashboard", http.StatusFound)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			bw := bufio.NewWriter(w)
			fmt.Fprintf(bw, `<html><body><nav>Dashboard · <a href="/api/items">Items</a></nav><h1>Member %s area</h1><p>Invoice INV-%s-2026-0042</p><p>Card ending 4242 for %s@portal.test</p>`, who, strings.ToUpper(who), who)
			if sc.dashboard != nil {
				sc.dashboard(bw)
			}
			fmt.Fprint(bw, `</body></html>`)
			bw.Flush()
		case r.URL.Path == "/api/items":
			if who == "" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			bw := bufio.NewWriter(w)
			if sc.items != nil {
				sc.items(bw, who)
			} else {
				fmt.Fprintf(bw, `[{"id":"%s1f3e9a7c2"},{"id":"%s2b8d4e6f1"},{"id":"%s3c7a9b2d4"}]`, who, who, who)
			}
			bw.Flush()
		case strings.HasPrefix(r.URL.Path, "/api/items/"):
			id := strings.TrimPrefix(r.URL.Path, "/api/items/")
			if who == "" || !strings.HasPrefix(id, who) {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":%q,"owner":"%s@portal.test","total":"EUR 1234.56","note":"private note of member %s #%s"}`, id, who, who, id)
		default:
			http.NotFound(w, r)
		}
	})
}

// nestedInline writes about n bytes of nested inline formatting around
// paragraphs: each <p> makes the HTML tree builder reconstruct every open
// formatting element, so the tree grows far beyond the bytes.
func nestedInline(n int) func(io.Writer) {
	return func(w io.Writer) {
		const unit = "<b><i><p>x"
		for i := 0; i < n/len(unit); i++ {
			io.WriteString(w, unit)
		}
	}
}

// nearCapLinks writes a near-cap page of filler text that links to 100
// further pages (/p/<from+1>…) and loads 20 scripts.
func nearCapLinks(prefix string, from int) func(io.Writer) {
	return func(w io.Writer) {
		written := 0
		for i := 1; i <= 100; i++ {
			n, _ := fmt.Fprintf(w, `<a href="%s%d">page %d</a> `, prefix, from+i, from+i)
			written += n
		}
		for i := 1; i <= 20; i++ {
			n, _ := fmt.Fprintf(w, `<script src="/s/%d-%d.js"></script>`, from, i)
			written += n
		}
		filler(w, nearCap-written-512)
	}
}

// nearCapPage is a public near-cap page that links to 100 more.
func nearCapPage(w http.ResponseWriter, r *http.Request, _ string) {
	n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p/"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "<html><body><h1>Page %d</h1>", n)
	nearCapLinks("/p/", n*100)(bw)
	fmt.Fprint(bw, "</body></html>")
	bw.Flush()
}

// smallScript is a script of a few kilobytes: the pages are the load here.
func smallScript(w http.ResponseWriter, r *http.Request, _ string) {
	w.Header().Set("Content-Type", "text/javascript")
	fmt.Fprintf(w, "// %s\n%s", r.URL.Path, strings.Repeat("var quietFiller = [1, 2, 3].map(function (n) { return n * 2; });\n", 40))
}

// filler writes n bytes of plain paragraphs.
func filler(w io.Writer, n int) {
	const para = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</p>\n"
	for written := 0; written < n; written += len(para) {
		io.WriteString(w, para)
	}
}

// manyLinks writes n links to distinct object pages.
func manyLinks(n int) func(io.Writer) {
	return func(w io.Writer) {
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, `<a href="/things/%d">thing %d</a>`, 100000+i, i)
		}
	}
}

// manyIDs writes a JSON list of n objects with distinct IDs.
func manyIDs(n int) func(io.Writer, string) {
	return func(w io.Writer, member string) {
		io.WriteString(w, "[")
		for i := 0; i < n; i++ {
			if i > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"id":"%s%09d"}`, member, i)
		}
		io.WriteString(w, "]")
	}
}

// chainLinks writes n links to redirect chains.
func chainLinks(n int) func(io.Writer) {
	return func(w io.Writer) {
		for i := range n {
			fmt.Fprintf(w, `<a href="/r/%d/0">report %d</a> `, i, i)
		}
	}
}

// chainHop is one redirect of a chain, /r/K/N → /r/K/N+1, whose body is
// just under the cap; after eight, a member lands on /member and a visitor
// on /login.
func chainHop(w http.ResponseWriter, r *http.Request, who string) {
	k, n, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/r/"), "/")
	hop, _ := strconv.Atoi(n)
	next := fmt.Sprintf("/r/%s/%d", k, hop+1)
	switch {
	case hop >= 7 && who != "":
		next = "/member"
	case hop >= 7:
		next = "/login"
	}
	w.Header().Set("Location", next)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusFound)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "<html><body><h1>Moved %d</h1>", hop)
	filler(bw, nearCap-1024)
	fmt.Fprint(bw, "</body></html>")
	bw.Flush()
}

// hugeScript writes one inline script of n bytes.
func hugeScript(n int) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, "<script>")
		const line = "window.quietFiller = (window.quietFiller || 0) + 1;\n"
		for written := 0; written < n; written += len(line) {
			io.WriteString(w, line)
		}
		io.WriteString(w, "</script>")
	}
}

// nestedJSON writes arrays nested depth deep.
func nestedJSON(w io.Writer, depth int) {
	bw := bufio.NewWriter(w)
	for range depth {
		bw.WriteByte('[')
	}
	for range depth {
		bw.WriteByte(']')
	}
	bw.Flush()
}

// resetPeakRSS returns freed memory to the system and resets the
// process's peak resident size (VmHWM) to the current one (Linux:
// /proc/self/clear_refs), so the next reading is one scan's peak.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS reads the process's peak resident size (VmHWM) in bytes.
func peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}
