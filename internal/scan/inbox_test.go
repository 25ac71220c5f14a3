package scan

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/inbox"
	"github.com/launchready/launchready/internal/report"
)

// readInbox is a check that reads the scan's inbox once, the way the
// signup and reset journeys do, and reports what it found or why not.
type readInbox struct{}

var _ check.Check = readInbox{}

func (readInbox) Meta() check.Meta {
	return check.Meta{ID: "TEST-INBOX", Area: "auth", Severity: check.Minor, Title: "reads the inbox"}
}

func (readInbox) Run(ctx context.Context, env *check.Env) check.Result {
	ib, err := journey.Inbox(env)
	if err != nil {
		return check.Result{Status: check.Error, Summary: "no inbox", Reason: err.Error()}
	}
	msgs, err := ib.Find(ctx, inbox.Query{To: "qa+lr1@portal.test"})
	if err != nil {
		return check.Result{Status: check.Error, Summary: "the inbox could not be read", Reason: err.Error()}
	}
	return check.Result{Status: check.Pass, Summary: fmt.Sprintf("%d messages", len(msgs))}
}

// fakeMailpit serves one message through the subset of Mailpit's API the
// scanner reads. With user set it wants that basic auth on every request
// (401 otherwise); with redirect set it answers every request with a
// redirect there; with echo set the message itself answers 500 with the
// credentials it was sent, as a careless server might.
type fakeMailpit struct {
	user, pass, redirect string
	echo                 bool

	mu         sync.Mutex
	hits       int
	authorized int
}

func (f *fakeMailpit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits++
	u, p, ok := r.BasicAuth()
	if ok && u == f.user && p == f.pass {
		f.authorized++
	}
	f.mu.Unlock()
	switch {
	case f.redirect != "":
		http.Redirect(w, r, f.redirect+r.URL.RequestURI(), http.StatusFound)
	case f.user != "" && (!ok || u != f.user || p != f.pass):
		w.Header().Set("WWW-Authenticate", `Basic realm="mailpit"`)
		http.Error(w, "unauthorised", http.StatusUnauthorized)
	case r.URL.Path == "/api/v1/search":
		fmt.Fprintf(w, `{"messages": [{"ID": "m1", "To": [{"Address": "qa+lr1@portal.test"}], "Subject": "Verify", "Created": %q}]}`,
			time.Now().Format(time.RFC3339))
	case r.URL.Path == "/api/v1/message/m1" && f.echo:
		http.Error(w, "cannot render the message for "+u+" with password "+p+" ("+r.Header.Get("Authorization")+")", http.StatusInternalServerError)
	case r.URL.Path == "/api/v1/message/m1":
		fmt.Fprintf(w, `{"ID": "m1", "To": [{"Address": "qa+lr1@portal.test"}], "Subject": "Verify", "Date": %q, "Text": "hello"}`,
			time.Now().Format(time.RFC3339))
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeMailpit) counts() (hits, authorized int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits, f.authorized
}

// inboxScan scans a plain loopback portal with only readInbox, the
// config's auth.inbox being inboxYAML (one line under auth:) and
// target.resolver resolver when set.
func inboxScan(t *testing.T, inboxYAML, resolver string, opts config.Options) *report.Run {
	t.Helper()
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the portal was asked for %s: only the inbox is read here", r.URL)
	}))
	t.Cleanup(portal.Close)
	yaml := "target:\n  url: " + portal.URL + "\n  scope: [127.0.0.1]\n"
	if resolver != "" {
		yaml += "  resolver: " + resolver + "\n"
	}
	yaml += "auth:\n  inbox: " + inboxYAML + "\n"
	cfg, err := config.Parse([]byte(yaml), "", opts)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Checks: []check.Check{readInbox{}}})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestInboxRedirectOutOfScope: a Mailpit whose API redirects to a server
// outside the inbox's origin (a trap on 127.0.0.2) gets its redirect
// refused: the trap receives nothing and the refusal is in the report.
func TestInboxRedirectOutOfScope(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 not available: %v", err)
	}
	var trapHits atomic.Int64
	trap := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trapHits.Add(1)
		fmt.Fprint(w, `{"messages": []}`)
	})}}
	trap.Start()
	defer trap.Close()
	fake := &fakeMailpit{redirect: trap.URL}
	mp := httptest.NewServer(fake)
	defer mp.Close()

	run := inboxScan(t, `{kind: mailpit, url: "`+mp.URL+`", address: "qa+{{tag}}@portal.test"}`, "", config.Options{})
	if n := trapHits.Load(); n != 0 {
		t.Errorf("the trap outside the inbox's origin received %d requests", n)
	}
	if !containsPrefix(run.OutOfScope, trap.URL+"/api/v1/search") {
		t.Errorf("the refused redirect is not in the report: out_of_scope = %v", run.OutOfScope)
	}
	if o := run.Outcomes[0]; o.Result.Status != check.Error || !strings.Contains(o.Result.Reason, "outside the auth.inbox origin") {
		t.Errorf("reading the inbox = %s (%s), want ERROR naming the refusal", o.Result.Status, o.Result.Reason)
	}
	if hits, _ := fake.counts(); run.Requests != hits {
		t.Errorf("report counts %d requests, Mailpit answered %d", run.Requests, hits)
	}
}

// TestInboxResolvedAndCounted: every request or connection to the inbox
// is counted in the report, and its host is looked up through
// target.resolver (mail.test exists only there); its roots are
// target.ca_file plus auth.inbox.ca_file.
func TestInboxResolvedAndCounted(t *testing.T) {
	resolver := checktest.DNS(t, checktest.A(map[string]string{"mail.test": "127.0.0.1"}))
	fake := &fakeMailpit{}
	mp := httptest.NewServer(fake)
	defer mp.Close()
	_, mpPort, _ := net.SplitHostPort(mp.Listener.Addr().String())
	const imapPassword = "imap-test-password-2"
	box := newMailbox(t, "qa@portal.test", imapPassword)
	_, imapPort, _ := net.SplitHostPort(box.imapAddr)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "imap.password"), []byte(imapPassword+"\n"), 0o600)
	imapYAML := "{kind: imap, host: mail.test:" + imapPort + ", username: qa@portal.test, password: file:imap.password, address: \"qa+{{tag}}@portal.test\""

	cases := []struct {
		name, inbox, caFile string
		// requests is what the report must count (nil: what Mailpit saw).
		requests *int
	}{
		{name: "mailpit by address", inbox: `{kind: mailpit, url: "` + mp.URL + `", address: "qa+{{tag}}@portal.test"}`},
		{name: "mailpit by name", inbox: `{kind: mailpit, url: "http://mail.test:` + mpPort + `", address: "qa+{{tag}}@portal.test"}`},
		{name: "imap, CA in auth.inbox.ca_file", inbox: imapYAML + ", ca_file: " + box.caFile + "}", requests: ptr(1)},
		{name: "imap, CA in target.ca_file", inbox: imapYAML + "}", caFile: box.caFile, requests: ptr(1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := fake.counts()
			res := resolver
			if tc.caFile != "" {
				res += "\n  ca_file: " + tc.caFile
			}
			run := inboxScan(t, tc.inbox, res, config.Options{BaseDir: dir})
			if o := run.Outcomes[0]; o.Result.Status != check.Pass {
				t.Fatalf("reading the inbox = %s: %s", o.Result.Status, o.Result.Reason)
			}
			want := 0
			if tc.requests != nil {
				want = *tc.requests
			} else {
				after, _ := fake.counts()
				want = after - before
			}
			if want == 0 || run.Requests != want {
				t.Errorf("report counts %d requests, want %d (the inbox's)", run.Requests, want)
			}
			if len(run.OutOfScope) != 0 {
				t.Errorf("out_of_scope = %v", run.OutOfScope)
			}
		})
	}
}

// TestInboxBasicAuth: a Mailpit behind basic auth gets auth.inbox.username
// and the password from env: or file:, on every request; the password,
// echoed back by the server into the check's reason, appears in no report
// format.
func TestInboxBasicAuth(t *testing.T) {
	const password = "mailpit-Pa55word-xyz"
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mailpit.password"), []byte(password+"\n"), 0o600)
	env := func(k string) (string, bool) {
		if k == "LR_MAILPIT_PASSWORD" {
			return password, true
		}
		return "", false
	}
	for _, ref := range []string{"env:LR_MAILPIT_PASSWORD", "file:mailpit.password"} {
		t.Run(ref, func(t *testing.T) {
			fake := &fakeMailpit{user: "qa", pass: password, echo: true}
			mp := httptest.NewServer(fake)
			defer mp.Close()
			run := inboxScan(t, `{kind: mailpit, url: "`+mp.URL+`", username: qa, password: `+ref+`, address: "qa+{{tag}}@portal.test"}`,
				"", config.Options{BaseDir: dir, Getenv: env})
			hits, authorized := fake.counts()
			if hits == 0 || authorized != hits {
				t.Fatalf("%d of Mailpit's %d requests carried the credentials", authorized, hits)
			}
			o := run.Outcomes[0]
			if o.Result.Status != check.Error || !strings.Contains(o.Result.Reason, "500") {
				t.Fatalf("reading the inbox = %s (%s), want the ERROR of the echoing message", o.Result.Status, o.Result.Reason)
			}
			t.Logf("reason: %s", o.Result.Reason)
			secrets := []string{password, base64.StdEncoding.EncodeToString([]byte("qa:" + password))}
			for name, out := range renderAll(t, run) {
				for _, s := range secrets {
					if strings.Contains(out, s) {
						t.Errorf("the %s report holds the inbox password (%.8s…)", name, s)
					}
				}
			}
		})
	}
}

// renderAll renders run in every report format.
func renderAll(t *testing.T, run *report.Run) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rep := range []report.Reporter{report.Terminal{}, report.JSON{}, report.HTML{}, report.SARIF{}, report.JUnit{}, report.Markdown{}} {
		var buf bytes.Buffer
		if err := rep.Write(&buf, run); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%T", rep)] = buf.String()
	}
	return out
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
