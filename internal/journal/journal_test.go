package journal

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func header() Header {
	return Header{Target: "https://portal.test", Config: "/tmp/launchready.yaml", Started: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
}

// TestWriteReadBack writes a run's journal as a scan does and reads it back
// as cleanup does: mode 0600 in a 0700 folder, locked while the writer
// lives, each entry where its last mark left it.
func TestWriteReadBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journals")
	w, err := Create(dir, header())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, w.Path(): 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %o", path, st.Mode().Perm(), err, want)
		}
	}
	acct, _ := w.PlanAccount(Account{Name: "fresh", Email: "qa+lr1@portal.test", Password: "Lr-secret!9"})
	refused, _ := w.PlanAccount(Account{Name: "fresh-pw0", Email: "qa+lr2@portal.test", Password: "Ab1!xyz"})
	obj, _ := w.PlanObject(Object{What: "messages canary lrcanary1", As: "a"})
	known, _ := w.PlanObject(Object{What: "user_metadata", As: "a", Platform: "supabase",
		Undo: &Request{Method: http.MethodPut, URL: "https://x.supabase.test/auth/v1/user", Body: `{"data":{}}`}})
	gone, _ := w.PlanObject(Object{What: "file", As: "a"})
	undo := &Request{Method: http.MethodDelete, URL: "https://portal.test/api/messages/7", Header: http.Header{"Content-Type": {"application/json"}}}
	for _, err := range []error{w.Created(acct, nil), w.Void(refused, "signup refused"), w.Created(obj, undo), w.Created(known, nil),
		w.Created(gone, nil), w.Removed(gone)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := Open(w.Path()); !errors.Is(err, ErrLocked) {
		t.Errorf("a second Open while the scan holds it: %v, want ErrLocked", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2, j, err := Open(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	got := map[int]State{}
	for _, e := range j.Entries {
		got[e.ID] = e.State
	}
	want := map[int]State{acct: Created, refused: Void, obj: Created, known: Created, gone: Removed}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("entry %d: %s, want %s", id, got[id], s)
		}
	}
	pending := j.Pending()
	if len(pending) != 3 || pending[1].Object.Undo == nil || pending[1].Object.Undo.URL != undo.URL || pending[0].Account.Password != "Lr-secret!9" {
		t.Errorf("pending = %+v", pending)
	}
	// Marks appended by cleanup continue the same file.
	if err := w2.Removed(obj); err != nil {
		t.Fatal(err)
	}
	if next, _ := w2.PlanAccount(Account{Name: "x", Email: "x@portal.test"}); next != gone+1 {
		t.Errorf("next id %d, want %d", next, gone+1)
	}
}

// TestNilWriter: a scan without a journal file (check tests) journals
// nothing and fails nothing.
func TestNilWriter(t *testing.T) {
	var w *Writer
	if id, err := w.PlanAccount(Account{Name: "a", Email: "a@x"}); id != 0 || err != nil {
		t.Errorf("PlanAccount = %d, %v", id, err)
	}
	if err := errors.Join(w.Created(1, nil), w.Removed(1), w.Void(1, ""), w.Close(), w.Remove()); err != nil || w.Path() != "" {
		t.Errorf("nil writer: %v", err)
	}
}

// TestRemove: a clean finish deletes the file.
func TestRemove(t *testing.T) {
	w, err := Create(t.TempDir(), header())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal still there: %v", err)
	}
	if _, err := w.PlanAccount(Account{Name: "a", Email: "a@x"}); err == nil {
		t.Error("a removed journal took a plan")
	}
}

// TestFind tells a live run's journal from a killed one's.
func TestFind(t *testing.T) {
	dir := t.TempDir()
	live, err := Create(dir, header())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	killed, err := Create(dir, header())
	if err != nil {
		t.Fatal(err)
	}
	killed.PlanAccount(Account{Name: "fresh", Email: "qa+lr1@portal.test", Password: "pw"})
	killed.Close() // the process died: the kernel dropped its lock
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a journal"), 0o600)
	found, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Found{}
	for _, f := range found {
		byPath[f.Path] = f
	}
	if len(found) != 2 || !byPath[live.Path()].Live || byPath[killed.Path()].Live || len(byPath[killed.Path()].Journal.Pending()) != 1 {
		t.Errorf("found %+v", found)
	}
	if none, err := Find(filepath.Join(dir, "missing")); err != nil || none != nil {
		t.Errorf("a missing folder: %v %v", none, err)
	}
}

// TestOpenRefusesOthersWritable: a journal others may write could be made
// to replay any request as member a.
func TestOpenRefusesOthersWritable(t *testing.T) {
	w, err := Create(t.TempDir(), header())
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	os.Chmod(w.Path(), 0o622)
	if _, _, err := Open(w.Path()); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("Open of a 0622 journal: %v", err)
	}
}

func TestDir(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/u"}, "/state/launchready/journals"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/state/launchready/journals"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/state/launchready/journals"},
	} {
		got, err := Dir(func(k string) string { return tc.env[k] })
		if err != nil || got != tc.want {
			t.Errorf("Dir(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
}

const validHeader = `{"schema":"launchready-journal/v1","run":"r","target":"https://portal.test","started":"2026-11-28T10:00:00Z"}` + "\n"

// TestReadInvalid: every malformed journal is refused with the reason.
func TestReadInvalid(t *testing.T) {
	plan := `{"op":"plan","id":1,"at":"2026-11-28T10:00:01Z","account":{"name":"fresh","email":"qa+1@portal.test","password":"p"}}` + "\n"
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "journal header: EOF"},
		{"other schema", `{"schema":"launchready-journal/v9","run":"r","target":"https://portal.test"}` + "\n", `schema "launchready-journal/v9"`},
		{"no target", `{"schema":"launchready-journal/v1","run":"r"}` + "\n", "no target"},
		{"unknown header field", `{"schema":"launchready-journal/v1","target":"https://portal.test","x":1}` + "\n", `unknown field "x"`},
		{"unknown op", validHeader + `{"op":"explode","id":1}` + "\n", `unknown op "explode"`},
		{"zero id", validHeader + `{"op":"plan","id":0,"account":{"name":"a","email":"e"}}` + "\n", "positive"},
		{"plan with both", validHeader + `{"op":"plan","id":1,"account":{"name":"a","email":"e"},"object":{"what":"w","as":"a"}}` + "\n", "exactly one"},
		{"account without email", validHeader + `{"op":"plan","id":1,"account":{"name":"a"}}` + "\n", "name and an email"},
		{"reused id", validHeader + plan + plan, "already used"},
		{"mark unknown", validHeader + `{"op":"removed","id":4}` + "\n", "no such plan"},
		{"after removed", validHeader + plan + `{"op":"removed","id":1}` + "\n" + `{"op":"created","id":1}` + "\n", "already removed"},
		{"undo on an account", validHeader + plan + `{"op":"created","id":1,"undo":{"method":"DELETE","url":"https://portal.test/x"}}` + "\n", "an account has no undo"},
		{"undo method", validHeader + `{"op":"plan","id":1,"object":{"what":"w","as":"a","undo":{"method":"GET","url":"https://portal.test/x"}}}` + "\n", "undo method"},
		{"undo url", validHeader + `{"op":"plan","id":1,"object":{"what":"w","as":"a","undo":{"method":"DELETE","url":"/x"}}}` + "\n", "not an absolute"},
		{"undo credential", validHeader + `{"op":"plan","id":1,"object":{"what":"w","as":"a","undo":{"method":"DELETE","url":"https://p.test/x","header":{"Authorization":["Bearer t"]}}}}` + "\n", "Authorization"},
		{"token_in", validHeader + `{"op":"plan","id":1,"object":{"what":"w","as":"a","undo":{"method":"DELETE","url":"https://p.test/x","token_in":"header:x"}}}` + "\n", "token_in"},
		{"torn in the middle", validHeader + `{"op":"plan","id":1,` + "\n" + plan, "journal line 2"},
		{"trailing data", validHeader + `{"op":"removed","id":1} {}` + "\n", "trailing data"},
		{"long line", validHeader + strings.Repeat("x", MaxLine+1), "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestReadTornLastLine: the process died while writing its last record;
// that record never counted (its create was never sent).
func TestReadTornLastLine(t *testing.T) {
	text := validHeader + `{"op":"plan","id":1,"account":{"name":"fresh","email":"qa+1@portal.test","password":"p"}}` + "\n" + `{"op":"plan","id":2,"acc`
	j, err := Read(strings.NewReader(text))
	if err != nil || !j.Torn || len(j.Entries) != 1 {
		t.Fatalf("Read: %+v, %v", j, err)
	}
}
