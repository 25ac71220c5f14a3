package check

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
)

func undoEnv(t *testing.T) *Env {
	t.Helper()
	cfg, err := config.Parse([]byte("target:\n  url: https://portal.test\n"), "", config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cl, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	w, err := journal.Create(t.TempDir(), journal.Header{Target: "https://portal.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &Env{Config: cfg, Client: cl, Sessions: sessions, Journal: w}
}

// TestPlanJournalsBeforeAndMarksAfter walks each way a create can end and
// reads the journal back: what was taken back is removed, what was
// refused is void, what may exist stays pending and is listed.
func TestPlanJournalsBeforeAndMarksAfter(t *testing.T) {
	undo := &journal.Request{Method: http.MethodDelete, URL: "https://portal.test/api/notes/1"}
	tests := []struct {
		name  string
		end   func(c *Creation)
		undo  error
		state journal.State
		left  string
	}{
		{"created and deleted", func(c *Creation) { c.Created(undo, nil) }, nil, journal.Removed, ""},
		{"created, delete fails", func(c *Creation) { c.Created(undo, nil) }, errors.New("500"), journal.Created, "note (500)"},
		{"refused", func(c *Creation) { c.Refused("answered 403") }, nil, journal.Void, ""},
		{"unsure", func(c *Creation) { c.Unsure(errors.New("timeout")) }, nil, journal.Planned, "note (may have been created: timeout"},
		{"never answered", func(*Creation) {}, nil, journal.Planned, "its create had not answered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := undoEnv(t)
			ran := 0
			c, err := env.Plan(Undo{What: "note", As: "a", Run: func(context.Context) error { ran++; return tt.undo }})
			if err != nil {
				t.Fatal(err)
			}
			if j := readJournal(t, env); len(j.Entries) != 1 || j.Entries[0].State != journal.Planned {
				t.Fatalf("before the create the journal holds %+v, want the plan", j.Entries)
			}
			tt.end(c)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.name == "never answered" {
				cancel() // the clean-up's wait ends at its deadline
			}
			env.StopCreating(ctx)
			cancel()
			left := env.RunDeferred(context.Background())
			if tt.left == "" && len(left) > 0 || tt.left != "" && (len(left) != 1 || !strings.Contains(left[0], tt.left)) {
				t.Errorf("left %q, want %q", left, tt.left)
			}
			if got := readJournal(t, env).Entries[0].State; got != tt.state {
				t.Errorf("journal state %s, want %s", got, tt.state)
			}
			if _, err := env.Plan(Undo{What: "late"}); !errors.Is(err, ErrCleaningUp) {
				t.Errorf("a Plan after the clean-up started: %v", err)
			}
		})
	}
}

// TestStopCreatingWaitsForCreatesInFlight: the clean-up does not look
// before a create that was sent has answered.
func TestStopCreatingWaitsForCreatesInFlight(t *testing.T) {
	env := undoEnv(t)
	c, err := env.Plan(Undo{What: "note", As: "a", Run: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() {
		env.StopCreating(context.Background())
		close(stopped)
	}()
	// StopCreating must not return while the create is in flight; it is
	// released by the answer, not by time.
	select {
	case <-stopped:
		t.Fatal("StopCreating returned with a create in flight")
	case <-time.After(50 * time.Millisecond):
	}
	c.Created(nil, nil)
	<-stopped
	if env.Objects() != 1 {
		t.Errorf("objects to clean: %d, want 1", env.Objects())
	}
}

// TestCreateAccount journals the account with its password before the
// signup, registers it for clean-up, and a refused one leaves the list.
func TestCreateAccount(t *testing.T) {
	env := undoEnv(t)
	c, err := env.CreateAccount("fresh-pw0", client.Credentials{Email: "qa+lr1-pw0@portal.test", Password: "Ab1!xyz"})
	if err != nil {
		t.Fatal(err)
	}
	j := readJournal(t, env)
	if a := j.Entries[0].Account; a == nil || a.Email != "qa+lr1-pw0@portal.test" || a.Password != "Ab1!xyz" {
		t.Fatalf("journal: %+v", j.Entries)
	}
	if !slices.Contains(env.Sessions.Created(), "fresh-pw0") || env.Client.Redactor().Redact("pw Ab1!xyz") != "pw [redacted]" {
		t.Error("the account is not registered for clean-up, or its password not redacted")
	}
	c.Created(nil, nil)
	c.Refused("signup refused and login refused")
	if slices.Contains(env.Sessions.Created(), "fresh-pw0") || readJournal(t, env).Entries[0].State != journal.Void {
		t.Error("a refused account stays on the clean-up list")
	}
	kept, _ := env.CreateAccount("fresh", client.Credentials{Email: "qa+lr2@portal.test", Password: "Lr-x"})
	kept.Created(nil, nil)
	env.AccountRemoved("fresh")
	if got := readJournal(t, env).Entries[1].State; got != journal.Removed {
		t.Errorf("deleted account: %s", got)
	}
}

// TestNoJournalNoFile: an env without a journal (check tests) still plans
// and cleans up.
func TestNoJournalNoFile(t *testing.T) {
	env := undoEnv(t)
	env.Journal = nil
	c, err := env.Plan(Undo{What: "note", As: "a", Run: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	c.Created(nil, nil)
	if left := env.RunDeferred(context.Background()); len(left) != 0 || len(env.JournalErrors()) != 0 {
		t.Errorf("left %v, errors %v", left, env.JournalErrors())
	}
}

// TestEveryCreatedAccountIsJournaled: no production code registers an
// account it creates except through Env.CreateAccount, which journals it
// first (Sessions.AddAccount(…, true) directly would skip the journal).
func TestEveryCreatedAccountIsJournaled(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if filepath.ToSlash(path) == "../../internal/check/undo.go" || strings.Contains(filepath.ToSlash(path), "/scan/finish.go") {
			return nil // the journaling itself, and cleanup re-adding journaled accounts
		}
		src, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(src), "AddAccount(") {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "AddAccount" && len(call.Args) == 3 {
				if id, ok := call.Args[2].(*ast.Ident); !ok || id.Name != "false" {
					t.Errorf("%s: AddAccount(..., %s) registers a created account without journaling it: use env.CreateAccount",
						fset.Position(call.Pos()), exprName(call.Args[2]))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func exprName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "an expression"
}

func readJournal(t *testing.T, env *Env) *journal.Journal {
	t.Helper()
	f, err := os.Open(env.Journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := journal.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return j
}
