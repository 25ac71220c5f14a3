package scan

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/demo"
	"github.com/launchready/launchready/internal/journal"
	"github.com/launchready/launchready/internal/report"
)

// createWatch interrupts a scan once the demo portal has served every
// create it waits for (the Ctrl-C a person presses mid-run).
type createWatch struct {
	mu     sync.Mutex
	want   map[string]bool
	cancel context.CancelFunc
	fired  bool
}

func (w *createWatch) observe(r demo.RequestRecord) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.want, r.Method+" "+r.Path)
	if len(w.want) == 0 && !w.fired {
		w.fired = true
		w.cancel()
	}
}

// demoUntouched checks the demo holds only what it started with: its three
// members, no canary message, and its data API's rows and files.
func demoUntouched(t *testing.T, p *demo.Portal) {
	t.Helper()
	if m := p.Members(); len(m) != len(p.Accounts) {
		t.Errorf("members after the scan: %v, want only a, b and admin", m)
	}
	for _, b := range p.MessageBodies() {
		if strings.Contains(b, "lrcanary") {
			t.Errorf("a canary message is still there: %q", b)
		}
	}
	for table, n := range map[string]int{"notes": 4, "orders": 6} {
		if rows := p.DataRows(table); len(rows) != n {
			t.Errorf("%s has %d rows after the scan, want %d", table, len(rows), n)
		}
	}
}

// TestInterruptedScanStillCleansUp interrupts a scan of the demo (cancels
// its context, as the first Ctrl-C does) the moment the portal has served
// the new member's signup and member a's canary message: the clean-up
// runs on its own deadline, printed, and deletes the account, the message
// and the canary rows, then removes the journal. On the old code every
// delete failed with "context canceled".
func TestInterruptedScanStillCleansUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch := &createWatch{want: map[string]bool{"POST /signup": true, "POST /api/messages": true}, cancel: cancel}
	p, cfg := startDemo(t, context.Background(), demo.Options{Flaws: demo.Flawed(), AuthJourney: true, Dir: t.TempDir(), Observe: watch.observe})
	journals := t.TempDir()
	var notices []string
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, JournalDir: journals,
		Only:   []string{"AUTHZ-007", "AUTH-001", "AUTHZ-002"},
		Notice: func(s string) { notices = append(notices, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if !watch.fired {
		t.Fatal("the scan was never interrupted: the demo did not serve both creates")
	}
	for _, o := range run.Outcomes {
		t.Logf("%s %s %s", o.Meta.ID, o.Result.Status, o.Result.Summary)
	}
	t.Logf("notices: %q", notices)
	if len(run.Leftovers) > 0 {
		t.Errorf("left behind: %v", run.Leftovers)
	}
	demoUntouched(t, p)
	started := slices.IndexFunc(notices, func(s string) bool {
		return strings.HasPrefix(s, "cleaning up 1 account and ") && strings.HasSuffix(s, " (at most 60s; Ctrl-C again to abort)")
	})
	if !slices.Contains(notices, "interrupted: the checks were stopped") || started < 0 {
		t.Errorf("no notice of the interruption and of the clean-up with its deadline: %q", notices)
	}
	if !slices.ContainsFunc(notices, func(s string) bool { return strings.HasPrefix(s, "journal of what this scan creates (0600") }) {
		t.Errorf("the journal's path was not printed at the start: %q", notices)
	}
	if left, _ := os.ReadDir(journals); len(left) != 0 {
		t.Errorf("the journal was kept after a clean finish: %v", left)
	}
}

// TestKilledRunFinishedByCleanup scans the flawed demo and aborts the
// clean-up before it starts (a second Ctrl-C at once; for what is left a
// kill is the same): everything the run made is listed as left behind
// and kept in its journal, 0600, its path printed. Finish then reads that
// journal, as `launchready cleanup` does, logs in and deletes it all: the
// new member, AUTH-009's two weak-password members (registered before
// their signup), the canary message, the canary rows and a's metadata.
// No journaled password appears in any notice, report or listing.
func TestKilledRunFinishedByCleanup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, cfg := startDemo(t, ctx, demo.Options{Flaws: demo.Flawed(), AuthJourney: true, Dir: t.TempDir()})
	journals := t.TempDir()
	aborted, abort := context.WithCancel(context.Background())
	abort()
	var notices []string
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, JournalDir: journals, Abort: aborted,
		Only:   []string{"AUTHZ-007", "AUTHZ-009", "AUTH-001", "AUTH-009", "AUTHZ-002"},
		Notice: func(s string) { notices = append(notices, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if r := outcome(run.Outcomes, "AUTH-009"); r.Status != check.Fail {
		t.Errorf("AUTH-009 = %s (%s), want FAIL on the flawed demo", r.Status, r.Summary)
	}
	files, _ := filepath.Glob(filepath.Join(journals, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("journals kept: %v; notices %q", files, notices)
	}
	path := files[0]
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	if !slices.Contains(notices, "the journal is kept at "+path+": run `launchready cleanup "+path+"` to finish the job") {
		t.Errorf("no notice naming the kept journal: %q", notices)
	}
	// The journal holds what it takes to log in as the accounts the scan
	// made, and no other credential: no member's password, no session
	// cookie or token in its undo requests.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Accounts {
		pw, err := os.ReadFile(a.PasswordFile)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), strings.TrimSpace(string(pw))) {
			t.Errorf("the journal holds member %s's password", a.Name)
		}
	}
	for _, header := range []string{`"Cookie"`, `"Authorization"`, `"Apikey"`, `"apikey"`} {
		if strings.Contains(string(raw), header) {
			t.Errorf("the journal's undo requests carry a %s header", header)
		}
	}
	w, j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var accounts, objects, passwords []string
	for _, e := range j.Pending() {
		if e.Account != nil {
			accounts = append(accounts, e.Account.Email)
			passwords = append(passwords, e.Account.Password)
		} else {
			objects = append(objects, e.Object.What)
		}
	}
	// fresh and AUTH-009's two accounts; the message, the metadata and at
	// least one canary row.
	if len(accounts) != 3 || len(objects) < 3 || len(run.Leftovers) != len(accounts)+len(objects) {
		t.Errorf("journal lists %v and %v; the run listed %d left behind: %v", accounts, objects, len(run.Leftovers), run.Leftovers)
	}
	if len(p.Members()) != len(p.Accounts)+3 {
		t.Fatalf("members before the cleanup: %v", p.Members())
	}
	var listed []string
	done, err := Finish(ctx, cfg, w, j, FinishOptions{Version: "test", Notice: func(s string) { listed = append(listed, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Left) > 0 || !done.JournalRemoved || len(done.Removed) != len(accounts)+len(objects) {
		t.Errorf("cleanup removed %v, left %v (journal removed: %v)", done.Removed, done.Left, done.JournalRemoved)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal still there: %v", err)
	}
	demoUntouched(t, p)
	var rep strings.Builder
	r, _ := report.ForPath("r.json")
	r.Write(&rep, run)
	out, _ := json.Marshal([]any{notices, listed, done, run.Leftovers})
	for _, pw := range passwords {
		if pw == "" || strings.Contains(string(out)+rep.String(), pw) {
			t.Errorf("a journaled password (%.3s…) is in an output", pw)
		}
	}
}

// TestFinishRefusesUnsafeJournals: cleanup acts on a file, so a journal
// that would delete a configured member, act as an account nobody named,
// or belong to another target is refused before any request.
func TestFinishRefusesUnsafeJournals(t *testing.T) {
	ctx := context.Background()
	p, cfg := startDemo(t, ctx, demo.Options{Flaws: demo.Hardened(), AuthJourney: true, Dir: t.TempDir()})
	for _, tc := range []struct {
		name   string
		target string
		plan   func(w *journal.Writer)
		want   string
	}{
		{"another target", "https://other.test", func(*journal.Writer) {}, "run against https://other.test"},
		{"a configured account's name", p.URL, func(w *journal.Writer) {
			w.PlanAccount(journal.Account{Name: "a", Email: "launchready+x@portal.test", Password: "x"})
		}, `names the account "a"`},
		{"a configured account's address", p.URL, func(w *journal.Writer) {
			w.PlanAccount(journal.Account{Name: "fresh", Email: "Alice+lr1@portal.test", Password: "x"})
		}, "accounts.a"},
		{"an unknown account", p.URL, func(w *journal.Writer) {
			w.PlanObject(journal.Object{What: "note", As: "mallory"})
		}, `as "mallory"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := journal.Create(t.TempDir(), journal.Header{Target: tc.target})
			if err != nil {
				t.Fatal(err)
			}
			tc.plan(w)
			w.Close()
			w, j, err := journal.Open(w.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			before := len(p.Requests())
			_, err = Finish(ctx, cfg, w, j, FinishOptions{Version: "test"})
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Finish: %v, want a usage error containing %q", err, tc.want)
			}
			if n := len(p.Requests()) - before; n != 0 {
				t.Errorf("%d requests sent for a refused journal", n)
			}
		})
	}
}

// TestCleanupVerifiesAnInterruptedSignup: a run killed between a signup
// and its verification leaves an account that cannot log in yet (here the
// portal sends an unverified member round in circles). The clean-up
// follows its verification mail from the inbox, logs in and deletes it.
func TestCleanupVerifiesAnInterruptedSignup(t *testing.T) {
	ctx := context.Background()
	flaws := demo.Hardened()
	flaws.LoginLoopUnverified = true
	p, cfg := startDemo(t, ctx, demo.Options{Flaws: flaws, AuthJourney: true, Dir: t.TempDir()})
	w, err := journal.Create(t.TempDir(), journal.Header{Target: p.URL, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	email, password := "launchready+lrkilled1@portal.test", "Lr-killed-before-verifying-7"
	if _, err := w.PlanAccount(journal.Account{Name: "fresh", Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	// The run's signup, then the kill.
	cl, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	cl.Pin(ctx)
	cl.EnableConsent(nil)
	form := url.Values{"email": {email}, "password": {password}, "name": {"Launchready Test"}}
	if _, resp, err := sessions.Anonymous().SubmitForm(ctx, p.URL+"/signup", "", form, true); err != nil || resp.StatusCode != 200 {
		t.Fatalf("signup: %v", err)
	}
	w.Close()
	if !slices.Contains(p.Members(), email) {
		t.Fatal("the signup made no account")
	}
	w, j, err := journal.Open(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	done, err := Finish(ctx, cfg, w, j, FinishOptions{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Left) > 0 || slices.Contains(p.Members(), email) {
		t.Errorf("left %v; members %v", done.Left, p.Members())
	}
}

// TestNoJournalNoIntrusiveChecks: when the journal cannot be written,
// nothing is created (intrusive checks SKIP saying why): a kill could
// leave what the clean-up would never find.
func TestNoJournalNoIntrusiveChecks(t *testing.T) {
	ctx := context.Background()
	p, cfg := startDemo(t, ctx, demo.Options{Flaws: demo.Flawed(), AuthJourney: true, Dir: t.TempDir()})
	notADir := filepath.Join(t.TempDir(), "journals")
	os.WriteFile(notADir, []byte("a file where the folder should be"), 0o600)
	run, err := Execute(ctx, cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true, JournalDir: notADir, Only: []string{"AUTH-009"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := outcome(run.Outcomes, "AUTH-009"); r.Status != check.Skip || !strings.Contains(r.Reason, "journal of what the scan creates cannot be written") {
		t.Errorf("AUTH-009 = %s (%s), want SKIP naming the journal", r.Status, r.Reason)
	}
	if len(p.Members()) != len(p.Accounts) {
		t.Errorf("accounts were made without a journal: %v", p.Members())
	}
}
