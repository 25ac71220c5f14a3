package cli

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// unwritableDir is a folder this process cannot create files in: a 0555
// folder, or for root (which writes there anyway) /sys on Linux.
func unwritableDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "read-only")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	for _, d := range []string{dir, "/sys"} {
		if d == "/sys" && runtime.GOOS != "linux" {
			break
		}
		f, err := os.CreateTemp(d, "probe-*")
		if err != nil {
			return d
		}
		f.Close()
		os.Remove(f.Name())
	}
	t.Skip("no folder here refuses this process's writes")
	return ""
}

func TestCheckOut(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ro := unwritableDir(t)
	for _, tc := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "report.html"), ""},
		{filepath.Join(dir, "missing", "report.html"), "--out " + filepath.Join(dir, "missing", "report.html") + ": the folder " + filepath.Join(dir, "missing") + " does not exist; create it first"},
		{dir, "--out " + dir + ": is a folder; name a file in it, like " + filepath.Join(dir, "report.html")},
		{filepath.Join(file, "report.html"), "--out " + filepath.Join(file, "report.html") + ": " + file + " is not a folder"},
		{filepath.Join(ro, "report.html"), "--out " + filepath.Join(ro, "report.html") + ": cannot write in the folder " + ro + ": "},
	} {
		err := checkOut("--out", tc.path)
		var ee *exitError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.path, err)
		case tc.want != "" && (!errors.As(err, &ee) || ee.code != ExitUsage || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s: %v, want a usage error starting %q", tc.path, err, tc.want)
		}
	}
	// The folder test leaves nothing behind.
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("checkOut left files in %s: %v", dir, entries)
	}
}
