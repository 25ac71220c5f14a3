package scan

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
	"github.com/launchready/launchready/internal/report"
	"github.com/launchready/launchready/internal/runner"
)

// TestNoCredentialInAnyOutput is the redaction proof (issue 12). A scan
// runs with a hook in the transport that collects every credential that
// crossed the wire (password fields, cookies, tokens, keys in headers,
// codes in URLs); then every output the user sees (the terminal scorecard,
// JSON, HTML, SARIF, JUnit XML and Markdown reports, the notices and the
// progress lines printed on stderr) is searched for each of them in every
// encoding (raw, JSON-escaped with and without HTML escaping, URL- and
// form-encoded, shell-quoted), in the text as written and as a reader
// decodes it. A value under 6 characters is looked for where a credential
// stands (a field, parameter or header value), which is where it is
// masked. Zero hits.
//
//   - demo: the flawed demo portal, every check, intrusive (accounts
//     created, reset, mailed): the members' passwords, the secrets it
//     planted (found by the SEC checks), every session and CSRF cookie;
//   - json-login: a small portal with a JSON login, logged into with
//     random passwords of 3 characters, then with random passwords full
//     of JSON, shell and HTML metacharacters.
func TestNoCredentialInAnyOutput(t *testing.T) {
	t.Run("demo", testDemoLeaksNothing)
	t.Run("json-login", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			pw   func() string
		}{
			{"3-characters", func() string { return randomPassword(3) }},
			{"metacharacters", func() string { return randomPassword(24) }},
		} {
			t.Run(tc.name, func(t *testing.T) { testJSONLoginLeaksNothing(t, tc.pw(), tc.pw()) })
		}
	})
}

func testDemoLeaksNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, cfg := startDemo(t, ctx, demo.Options{Flaws: demo.Flawed(), Dir: dir})
	w := newWire(cfg)
	out := &outputs{}
	run, err := Execute(ctx, cfg, out.options(Options{Version: "test", FailOn: check.Blocker, Intrusive: true}, w))
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.Verdict != "NO-GO" {
		t.Fatalf("verdict %s", run.Summary.Verdict)
	}
	secrets := w.values()
	for _, a := range p.Accounts {
		b, err := os.ReadFile(a.PasswordFile)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, strings.TrimSpace(string(b)))
	}
	for _, o := range run.Outcomes {
		// The planted secrets were found, so the evidence is about them.
		if strings.HasPrefix(o.Meta.ID, "SEC-00") && o.Meta.ID != "SEC-004" && o.Meta.ID != "SEC-008" && o.Result.Status != check.Fail {
			t.Errorf("%s = %s (%s), want FAIL", o.Meta.ID, o.Result.Status, o.Result.Summary)
		}
	}
	planted := p.PlantedSecrets()
	if len(planted) == 0 {
		t.Fatal("the flawed demo planted no secrets")
	}
	secrets = append(secrets, planted...)
	texts := out.render(t, run, dir)
	assertNoLeak(t, texts, secrets)
	cookieValue := regexp.MustCompile(`(?i)\b(pm|__Host-pm|pl_csrf|_csrf)=[0-9a-f]{16,}`)
	for name, text := range texts {
		if m := cookieValue.FindString(text); m != "" {
			t.Errorf("%s contains a cookie value: %s", name, m)
		}
		// SARIF carries summaries, not evidence, and notices and progress
		// need not quote any; every other format must show the masked
		// values, proving the evidence is there.
		if strings.HasPrefix(name, "r.") && name != "r.sarif" && !strings.Contains(text, "redacted") {
			t.Errorf("%s shows no redaction at all: is the evidence there?", name)
		}
	}
	if len(w.values()) < 10 {
		t.Errorf("the transport hook collected only %d credentials: is it called?", len(w.values()))
	}
}

func testJSONLoginLeaksNothing(t *testing.T, pwA, pwB string) {
	jp := newJSONPortal(map[string]string{"a@portal.test": pwA, "b@portal.test": pwB})
	srv, yaml := checktest.TLSServer(t, jp)
	yaml += `auth:
  kind: json
  login: {path: /api/login, form: {email: "{{email}}", password: "{{password}}"}}
  logout: {path: /api/logout}
  protected: [/account]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`
	env := map[string]string{"A": pwA, "B": pwB}
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	w := newWire(cfg)
	out := &outputs{}
	run, err := Execute(context.Background(), cfg, out.options(Options{Version: "test", FailOn: check.Blocker}, w))
	if err != nil {
		t.Fatal(err)
	}
	if jp.logins() == 0 {
		t.Fatalf("no login reached %s", srv.URL)
	}
	sent := w.values()
	for _, pw := range []string{pwA, pwB} {
		if !containsValue(sent, pw) {
			t.Fatalf("the transport hook did not see the password %q cross the wire (saw %d values)", pw, len(sent))
		}
	}
	texts := out.render(t, run, t.TempDir())
	assertNoLeak(t, texts, append(sent, pwA, pwB))
	// The login's evidence is there, masked: the repro of the JSON login
	// shows its body with the password masked.
	if !strings.Contains(texts["r.json"], `\"password\":\"[redacted]\"`) {
		t.Errorf("no masked JSON login body in the JSON report: is the login's repro quoted at all?")
	}
}

// randomPassword makes a password of n characters from letters, digits
// and the characters JSON, shells and HTML treat specially, at least one
// of them a metacharacter.
func randomPassword(n int) string {
	const meta = `"\&<>'% +#/;=`
	alphabet := []rune("abcXYZ019" + meta + "éü中")
	b := make([]byte, n)
	rand.Read(b)
	out := []rune{rune(meta[int(b[0])%len(meta)])}
	for _, x := range b[1:] {
		out = append(out, alphabet[int(x)%len(alphabet)])
	}
	// The metacharacter at a random place.
	i := int(b[n-1]) % n
	out[0], out[i] = out[i], out[0]
	return string(out)
}

// wire collects every credential value the scanner sent.
type wire struct {
	header string // the config's session header, if any
	mu     sync.Mutex
	seen   map[string]bool
}

func newWire(cfg *config.Config) *wire {
	return &wire{header: cfg.Session.Header, seen: map[string]bool{}}
}

// credentialKey is how the test recognises a credential field, parameter
// or JSON member by its name (independently of the redactor's own list).
func credentialKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"pass", "token", "secret", "otp", "code", "apikey", "api_key", "csrf"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func (w *wire) add(v string) {
	if v == "" {
		return
	}
	w.mu.Lock()
	w.seen[v] = true
	w.mu.Unlock()
}

func (w *wire) values() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.seen))
	for v := range w.seen {
		out = append(out, v)
	}
	return out
}

// observe is the transport hook: it reads the request's credentials from
// its headers, URL and body without consuming the body.
func (w *wire) observe(r *http.Request) {
	for _, c := range r.Cookies() {
		// Session, CSRF and token cookies are long random values; the
		// demo's theme and language preferences are not credentials.
		if len(c.Value) >= 8 {
			w.add(c.Value)
		}
	}
	for _, h := range []string{"Authorization", "Proxy-Authorization", "Apikey", "X-Api-Key", w.header} {
		if h == "" {
			continue
		}
		for _, v := range r.Header.Values(h) {
			w.add(v)
			scheme, cred, ok := strings.Cut(v, " ")
			if !ok {
				continue
			}
			w.add(cred)
			if strings.EqualFold(scheme, "basic") {
				if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
					if _, pw, ok := strings.Cut(string(dec), ":"); ok {
						w.add(pw)
					}
				}
			}
		}
	}
	w.addValues(r.URL.Query())
	if frag, err := url.ParseQuery(r.URL.Fragment); err == nil {
		w.addValues(frag)
	}
	if r.GetBody == nil {
		return
	}
	body, err := r.GetBody()
	if err != nil {
		return
	}
	data, _ := io.ReadAll(body)
	body.Close()
	var v any
	if json.Unmarshal(data, &v) == nil {
		w.addJSON("", v)
	} else if form, err := url.ParseQuery(string(data)); err == nil {
		w.addValues(form)
	}
}

func (w *wire) addValues(vs url.Values) {
	for k, list := range vs {
		if credentialKey(k) {
			for _, v := range list {
				w.add(v)
			}
		}
	}
}

func (w *wire) addJSON(key string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, v := range x {
			w.addJSON(k, v)
		}
	case []any:
		for _, v := range x {
			w.addJSON(key, v)
		}
	case string:
		if credentialKey(key) {
			w.add(x)
		}
	}
}

// outputs collects what a scan prints on stderr besides the reports.
type outputs struct {
	mu       sync.Mutex
	notices  []string
	progress []string
}

func (o *outputs) options(opts Options, w *wire) Options {
	opts.Notice = func(s string) {
		o.mu.Lock()
		o.notices = append(o.notices, s)
		o.mu.Unlock()
	}
	opts.Progress = func(ev runner.Event) {
		if ev.Kind != runner.Finished {
			return
		}
		r := ev.Outcome.Result
		o.mu.Lock()
		o.progress = append(o.progress, fmt.Sprintf("[%d/%d] %s %s %s %s", ev.Done, ev.Total, ev.Outcome.Meta.ID, r.Status, r.Summary, r.Reason))
		o.mu.Unlock()
	}
	opts.tune = append(opts.tune, func(co *client.Options) { co.Observe = w.observe })
	return opts
}

// render writes the run in every format and returns each output by name,
// with the notices and progress lines.
func (o *outputs) render(t *testing.T, run *report.Run, dir string) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for _, name := range []string{"r.json", "r.html", "r.sarif", "r.xml", "r.md", "r.txt"} {
		var buf bytes.Buffer
		var rep report.Reporter = report.Terminal{}
		if name != "r.txt" {
			var err error
			if rep, err = report.ForPath(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := rep.Write(&buf, run); err != nil {
			t.Fatal(err)
		}
		texts[name] = buf.String()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	texts["notices"] = strings.Join(o.notices, "\n")
	texts["progress"] = strings.Join(o.progress, "\n")
	return texts
}

// assertNoLeak searches every output, as written and as decoded, for every
// secret in every encoding.
func assertNoLeak(t *testing.T, texts map[string]string, secrets []string) {
	t.Helper()
	size := 0
	for _, text := range texts {
		size += len(text)
	}
	t.Logf("searching %d outputs (%d bytes) for %d credentials", len(texts), size, len(secrets))
	for name, text := range texts {
		for view, s := range decodedViews(text) {
			for _, secret := range secrets {
				if strings.Contains(client.Mask, secret) {
					continue // the mask itself
				}
				for enc, form := range encodings(secret) {
					if hit := find(s, form, utf8.RuneCountInString(secret) < 6); hit != "" {
						t.Errorf("%s (%s) holds a credential (%s) %q: …%s…", name, view, enc, secret, hit)
					}
				}
			}
		}
	}
}

// decodedViews is an output as written and as a reader sees it: JSON
// strings decoded, HTML and XML entities undone.
func decodedViews(text string) map[string]string {
	out := map[string]string{"as written": text, "entities decoded": html.UnescapeString(text)}
	var v any
	if json.Unmarshal([]byte(text), &v) == nil {
		var b strings.Builder
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for _, v := range x {
					walk(v)
				}
			case []any:
				for _, v := range x {
					walk(v)
				}
			case string:
				b.WriteString(x)
				b.WriteString("\n")
			}
		}
		walk(v)
		out["JSON decoded"] = b.String()
	}
	return out
}

// encodings are the spellings of a secret searched for.
func encodings(s string) map[string]string {
	js := func(html bool) string {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(html)
		_ = e.Encode(s) // a string always encodes
		q := strings.TrimSuffix(b.String(), "\n")
		return q[1 : len(q)-1]
	}
	shell := func(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }
	return map[string]string{
		"raw": s, "JSON-escaped": js(true), "JSON-escaped without HTML escaping": js(false),
		"URL-encoded": url.QueryEscape(s), "path-encoded": url.PathEscape(s),
		"form-encoded with %20": strings.ReplaceAll(url.QueryEscape(s), "+", "%20"),
		"shell-quoted":          shell(s), "shell-quoted JSON": shell(js(true)),
	}
}

// find returns the context of form in s, anywhere, or for a short value
// only where a credential stands: a JSON member's, a parameter's or a
// header's whole value.
func find(s, form string, short bool) string {
	for from := 0; ; {
		i := strings.Index(s[from:], form)
		if i < 0 {
			return ""
		}
		a := from + i
		b := a + len(form)
		if !short || standsAsCredential(s, a, b) {
			return s[max(0, a-30):min(len(s), b+10)]
		}
		from = a + 1
	}
}

// standsAsCredential reports whether s[a:b] is a whole JSON string value
// (also in JSON in a JSON string), parameter value or header value.
func standsAsCredential(s string, a, b int) bool {
	before := strings.TrimRight(s[:a], " ")
	after := s[b:]
	switch {
	case strings.HasSuffix(before, `"`):
		member := strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(before, `"`), `\`), " ")
		return strings.HasSuffix(member, ":") && (strings.HasPrefix(after, `"`) || strings.HasPrefix(after, `\"`))
	case strings.HasSuffix(before, "="):
		return after == "" || strings.ContainsAny(after[:1], "&#;'\" \n\r,}")
	case strings.HasSuffix(before, ":"):
		return after == "" || strings.ContainsAny(after[:1], "'\n\r")
	}
	return false
}

func containsValue(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestRedactOutcomesMasksLateSecrets: a value learnt after a check quoted
// it is masked in every field a report prints.
func TestRedactOutcomesMasksLateSecrets(t *testing.T) {
	const v = "late-found-value-123456"
	outs := []check.Outcome{{Result: check.Result{
		Status: check.Fail, Summary: "saw " + v, Reason: v,
		Evidence: []check.Evidence{{Request: "GET /x?k=" + v, Detail: "body: " + v, Repro: "curl /x | grep " + v}},
		Table:    &check.Table{Title: v, Columns: []string{"a"}, Rows: []check.TableRow{{Label: v, Cells: []string{"leaked " + v}}}},
	}}}
	red := client.NewRedactor()
	red.Add(v)
	redactOutcomes(red, outs)
	out, _ := json.Marshal(outs)
	if strings.Contains(string(out), v) || strings.Count(string(out), client.Mask) < 8 {
		t.Errorf("not masked everywhere: %s", out)
	}
}
