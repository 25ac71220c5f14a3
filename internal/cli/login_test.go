package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/config"
)

func TestLoginUsage(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "launchready.yaml")
	if err := os.WriteFile(cfg, []byte("target:\n  url: http://127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login"}, "launchready: login needs --record: launchready login --record opens a browser for you to sign in and saves the session\n"},
		{[]string{"login", "--record", "--account", "c", "--config", cfg}, "launchready: --account \"c\": want a, b or admin\n"},
		{[]string{"login", "--record", "--config", filepath.Join(dir, "absent.yaml")}, "launchready: absent.yaml: cannot read the config: open " + filepath.Join(dir, "absent.yaml") + ": no such file or directory\n"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(context.Background(), tc.args, &stdout, &stderr); code != ExitUsage || stderr.String() != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), ExitUsage, tc.want)
		}
	}
}

func TestRecordPlan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "launchready.yaml")
	// The session file does not exist yet: login --record is what writes it.
	yaml := "target:\n  url: https://app.example.com\n  scope: [app.example.com, https://api.example.net/v1/]\n" +
		"auth:\n  kind: recorded\n  login: {path: /signin, success: /home}\n  protected: [/home, /billing]\n  recorded: {b: sessions/b.json}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadForRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	opts, file, err := recordPlan(context.Background(), cfg, &loginFlags{cfgPath: path, account: "b", timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Origin.String() != "https://app.example.com" || opts.LoginPath != "/signin" || !slices.Equal(opts.Done, []string{"/home", "/billing"}) ||
		!slices.Equal(opts.ScopeHosts, []string{"app.example.com", "api.example.net"}) || !opts.Open || opts.Headless || opts.Account != "b" {
		t.Errorf("options = %+v", opts)
	}
	if file != filepath.Join(dir, "sessions/b.json") {
		t.Errorf("file = %q, want the one auth.recorded.b names, beside the config", file)
	}
	_, file, _ = recordPlan(context.Background(), cfg, &loginFlags{cfgPath: path, account: "a"})
	if file != filepath.Join(dir, "launchready-session-a.json") {
		t.Errorf("default file = %q", file)
	}
	_, file, _ = recordPlan(context.Background(), cfg, &loginFlags{cfgPath: path, account: "a", out: "x.json"})
	if file != "x.json" {
		t.Errorf("--out file = %q", file)
	}
}

func TestPressEnter(t *testing.T) {
	if err := pressEnter(strings.NewReader("\n"))(context.Background()); err != nil {
		t.Errorf("Enter: %v", err)
	}
	// No terminal: wait for the recorder to finish by itself.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := pressEnter(strings.NewReader(""))(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("closed stdin: %v, want to wait until the context ends", err)
	}
}
