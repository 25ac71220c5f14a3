package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOutPathCheckedBeforeTraffic: an --out that cannot be written is a
// usage error (exit 2) naming the path and the problem before the portal
// sees one request, for every command that writes reports or a config.
func TestOutPathCheckedBeforeTraffic(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "launchready.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "target:\n  url: %s\n  scope: [127.0.0.1]\n", srv.URL), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "reports.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	repo := newSecretsRepo(t)
	missing := filepath.Join("missing-dir", "report.html")
	isFolder := filepath.Join(dir, "reports.html")
	for _, tc := range []struct {
		name string
		dir  string
		args []string
		want string
	}{
		{"scan, missing folder", dir, []string{"scan", "--only", "SEC-005", "--out", missing},
			"--out " + missing + ": the folder missing-dir does not exist"},
		{"scan, a folder", dir, []string{"scan", "--only", "SEC-005", "--out", "r.json", "--out", isFolder},
			"--out " + isFolder + ": is a folder"},
		{"demo, missing folder", dir, []string{"demo", "--out", missing}, "--out " + missing + ": the folder missing-dir does not exist"},
		{"secrets, missing folder", repo.dir, []string{"secrets", "--out", missing}, "--out " + missing + ": the folder missing-dir does not exist"},
		{"init, missing folder", dir, []string{"init", srv.URL, "--out", filepath.Join("missing-dir", "launchready.yaml")},
			"the folder missing-dir does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := requests.Load()
			r := run(t, tc.dir, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", r.code, r.stderr, tc.want)
			}
			if n := requests.Load() - before; n > 0 || strings.Contains(r.stderr, "demo portal") {
				t.Errorf("%d requests sent (stderr %q) before refusing the --out", n, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "r.json")); err == nil {
				t.Error("a report was written")
			}
		})
	}
}
