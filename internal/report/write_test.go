package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestForPath(t *testing.T) {
	tests := []struct {
		path string
		want Reporter
	}{
		{"report.json", JSON{}},
		{"out/REPORT.JSON", JSON{}},
		{"report.html", HTML{}},
		{"report.htm", HTML{}},
		{"report.Html", HTML{}},
		{"results.sarif", SARIF{}},
		{"junit.xml", JUnit{}},
		{"handover.md", Markdown{}},
		{"a.b/handover.MD", Markdown{}},
	}
	for _, tt := range tests {
		got, err := ForPath(tt.path)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ForPath(%q) = %T, %v; want %T", tt.path, got, err, tt.want)
		}
	}
	unknown := []struct{ path, msg string }{
		{"report.pdf", `--out report.pdf: unknown format ".pdf" (use .json, .html, .sarif, .xml or .md)`},
		{"report.txt", `--out report.txt: unknown format ".txt" (use .json, .html, .sarif, .xml or .md)`},
		{"dir.json/report", "--out dir.json/report: no file extension to pick a format by (use .json, .html, .sarif, .xml or .md)"},
	}
	for _, tt := range unknown {
		rep, err := ForPath(tt.path)
		var ufe *UnknownFormatError
		if rep != nil || !errors.As(err, &ufe) || err.Error() != tt.msg {
			t.Errorf("ForPath(%q) = %v, %v; want *UnknownFormatError %q", tt.path, rep, err, tt.msg)
		}
	}
}

// TestWriteFile: each format is written as rendered, with mode 0600 (a
// report quotes members' data: breach 9 of issue 12), also over an
// existing report that was readable by all.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.md"), []byte("an older report"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"r.json", "r.html", "r.sarif", "r.xml", "r.md"} {
		path := filepath.Join(dir, name)
		if err := WriteFile(path, fakeRun()); err != nil {
			t.Fatalf("WriteFile(%s): %v", name, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := ForPath(path)
		if string(got) != render(t, rep, fakeRun()) {
			t.Errorf("%s: file differs from the rendering", name)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	assertFiles(t, dir, "r.html", "r.json", "r.md", "r.sarif", "r.xml")
}

// failing writes part of a report, then fails, like a reporter meeting a
// broken template or a full buffer.
type failing struct{}

func (failing) Write(w io.Writer, _ *Run) error {
	io.WriteString(w, "partial output")
	return errors.New("render broke")
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.json")
	if err := writeWith(fresh, failing{}, fakeRun()); err == nil {
		t.Fatal("writeWith with a failing reporter = nil error")
	}
	assertFiles(t, dir)

	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte("previous report"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeWith(old, failing{}, fakeRun()); err == nil {
		t.Fatal("writeWith with a failing reporter = nil error")
	}
	if got, _ := os.ReadFile(old); string(got) != "previous report" {
		t.Errorf("existing report overwritten by a failed render: %q", got)
	}
	if err := WriteFile(filepath.Join(dir, "nil.json"), nil); err == nil {
		t.Error("WriteFile(nil run) = nil error")
	}
	if err := WriteFile(filepath.Join(dir, "r.pdf"), fakeRun()); err == nil {
		t.Error("WriteFile(.pdf) = nil error")
	}
	if err := WriteFile(filepath.Join(dir, "missing", "r.json"), fakeRun()); err == nil {
		t.Error("WriteFile into a missing directory = nil error")
	}
	// A rename that fails (the path is a directory) must not leave the
	// temporary file behind.
	if err := os.Mkdir(filepath.Join(dir, "taken.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "taken.json"), fakeRun()); err == nil {
		t.Error("WriteFile over a directory = nil error")
	}
	assertFiles(t, dir, "old.json", "taken.json")
}

// assertFiles fails unless dir holds exactly the named files (no temps).
func assertFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("%s holds %q, want %q", dir, got, want)
	}
}
