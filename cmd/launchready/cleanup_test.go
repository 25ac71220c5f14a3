package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/journal"
)

// notesPortal logs member a in with a form and deletes notes: note 1
// deletes, note 2 fails (500). It records the deletes it received with
// the session they carried.
type notesPortal struct {
	mu      sync.Mutex
	deletes []string
}

// sent is what the portal was asked to delete so far.
func (p *notesPortal) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.deletes)
}

func (p *notesPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authed := false
	if c, err := r.Cookie("sid"); err == nil && c.Value == "a-session-0123456789abcdef" {
		authed = true
	}
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodPost:
		if r.PostFormValue("email") != "a@example.test" || r.PostFormValue("password") != "a-password-123" {
			fmt.Fprint(w, `<form method="post"><input name="email"><input type="password" name="password"></form>`)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "a-session-0123456789abcdef", Path: "/"})
		http.Redirect(w, r, "/dashboard", http.StatusFound)
	case r.URL.Path == "/login":
		fmt.Fprint(w, `<form method="post"><input name="email"><input type="password" name="password"></form>`)
	case r.URL.Path == "/dashboard" && authed:
		fmt.Fprint(w, "<h1>Dashboard</h1>")
	case r.URL.Path == "/dashboard":
		http.Redirect(w, r, "/login", http.StatusFound)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/api/notes/"):
		p.mu.Lock()
		p.deletes = append(p.deletes, fmt.Sprintf("%s as a: %v", r.URL.Path, authed))
		p.mu.Unlock()
		if r.URL.Path == "/api/notes/2" || !authed {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// TestCleanupCommand runs `launchready cleanup` on journals of killed runs:
// 0 when everything it lists is deleted (the journal removed), 1 when
// something is left (listed, the journal kept, the journaled password
// never printed), 2 for usage (several journals and no choice, a missing
// or malformed journal, too many arguments), 4 when the journals folder
// cannot be read.
func TestCleanupCommand(t *testing.T) {
	portal := &notesPortal{}
	srv := httptest.NewServer(portal)
	defer srv.Close()
	cfgDir := t.TempDir()
	cfgPath := filepath.Join(cfgDir, "launchready.yaml")
	os.WriteFile(filepath.Join(cfgDir, "a.password"), []byte("a-password-123\n"), 0o600)
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`target:
  url: %s
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  logout: none
  protected: [/dashboard]
  signup: {path: /signup, form: {email: "{{email}}", password: "{{password}}"}, delete: none}
accounts:
  a: {email: a@example.test, password: file:a.password}
`, srv.URL)), 0o600)
	const journaled = "Jr-Secret-Journal-Pass-42"
	note := func(id int) journal.Object {
		return journal.Object{What: fmt.Sprintf("note %d created by member a", id), As: "a",
			Undo: &journal.Request{Method: http.MethodDelete, URL: fmt.Sprintf("%s/api/notes/%d", srv.URL, id)}}
	}
	type plan struct {
		notes   []int
		account bool
	}
	// write leaves a killed run's journal: planned, created, never removed.
	write := func(t *testing.T, state string, p plan) string {
		t.Helper()
		w, err := journal.Create(filepath.Join(state, "launchready", "journals"), journal.Header{Target: srv.URL, Config: cfgPath, Started: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range p.notes {
			id, _ := w.PlanObject(note(n))
			w.Created(id, nil)
		}
		if p.account {
			w.PlanAccount(journal.Account{Name: "fresh", Email: "qa+lr1@example.test", Password: journaled})
		}
		w.Close()
		return w.Path()
	}
	tests := []struct {
		name     string
		journals []plan
		// args after "cleanup"; "JOURNAL" is the first journal's path.
		args     []string
		code     int
		out      string
		kept     bool
		broken   string // a file written in the journals folder
		notADir  bool
		deleteOK bool
	}{
		{name: "nothing to do", code: 0, out: "nothing to clean up"},
		{name: "one killed run, all deleted", journals: []plan{{notes: []int{1}}}, code: 0, out: "deleted: note 1 created by member a", deleteOK: true},
		{name: "something left", journals: []plan{{notes: []int{1, 2}, account: true}}, args: []string{"JOURNAL"}, code: 1,
			out: "left behind: account qa+lr1@example.test (no auth.signup.delete configured", kept: true},
		{name: "several killed runs", journals: []plan{{notes: []int{1}}, {notes: []int{1}}}, code: 2, out: "2 journals of killed runs", kept: true},
		{name: "missing journal", args: []string{"/nonexistent/run.jsonl"}, code: 2, out: "no such file"},
		{name: "malformed journal", broken: "bad.jsonl", args: []string{"BROKEN"}, code: 2, out: "journal header"},
		{name: "two arguments", args: []string{"a", "b"}, code: 2, out: "accepts at most 1 arg"},
		{name: "journals folder unreadable", notADir: true, code: 4, out: "reading"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			var paths []string
			for _, p := range tc.journals {
				paths = append(paths, write(t, state, p))
			}
			dir := filepath.Join(state, "launchready", "journals")
			if tc.notADir {
				os.MkdirAll(filepath.Dir(dir), 0o700)
				os.WriteFile(dir, []byte("x"), 0o600)
			}
			args := []string{"cleanup"}
			for _, a := range tc.args {
				switch a {
				case "JOURNAL":
					a = paths[0]
				case "BROKEN":
					os.MkdirAll(dir, 0o700)
					a = filepath.Join(dir, tc.broken)
					os.WriteFile(a, []byte("{not json\n"), 0o600)
				}
				args = append(args, a)
			}
			before := len(portal.sent())
			r := runEnv(t, t.TempDir(), []string{"XDG_STATE_HOME=" + state, "LAUNCHREADY_OWNER_KEY="}, args...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.out) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, tc.out, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, journaled) {
				t.Error("the journaled password was printed")
			}
			for _, p := range paths {
				_, err := os.Stat(p)
				if kept := err == nil; kept != tc.kept {
					t.Errorf("journal %s kept: %v, want %v", p, kept, tc.kept)
				}
			}
			sent := portal.sent()[before:]
			if tc.deleteOK && !slices.Contains(sent, "/api/notes/1 as a: true") {
				t.Errorf("the delete was not sent as member a: %v", sent)
			}
		})
	}
}

// TestDemoCtrlCCleansUp presses Ctrl-C (SIGINT) once during `launchready
// demo`, as soon as its journal (path printed at the start) announces the
// first account: the checks stop, the clean-up says it starts with its
// deadline, runs against the portal (which lives on past the first
// Ctrl-C) and leaves nothing behind.
func TestDemoCtrlCCleansUp(t *testing.T) {
	cmd := exec.Command(bin, "demo")
	cmd.Dir = t.TempDir()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var text strings.Builder
	journalPath := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		announced := false
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			text.WriteString(line + "\n")
			mu.Unlock()
			// The path is alone on the line after the announcement.
			if announced {
				journalPath <- strings.TrimSpace(line)
				announced = false
			}
			if strings.HasSuffix(line, "removed after a clean finish):") {
				announced = true
			}
		}
	}()
	sent := false
	select {
	case path := <-journalPath:
		// Poll the journal until it announces an account; the run goes on
		// for seconds after that (verification, logins, wrong passwords).
		for !sent {
			select {
			case <-done:
			default:
				if b, _ := os.ReadFile(path); strings.Contains(string(b), `"account":`) {
					cmd.Process.Signal(os.Interrupt)
					sent = true
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			break
		}
	case <-done:
	}
	<-done
	err = cmd.Wait()
	mu.Lock()
	log := text.String()
	mu.Unlock()
	if !sent {
		t.Fatalf("no journal announced an account: %v\n%s", err, log)
	}
	t.Logf("exit %v\n%s", err, log)
	for _, want := range []string{"interrupted: the checks were stopped", "(at most 60s; Ctrl-C again to abort)"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "left behind") || strings.Contains(log, "journal is kept") {
		t.Errorf("the clean-up left something:\n%s", log)
	}
}
