package report

import "testing"

// TestGolden pins every format's rendering of the fixed run; regenerate
// with `go test ./internal/report -update` and review the diff.
func TestGolden(t *testing.T) {
	tests := []struct {
		file string
		rep  Reporter
	}{
		{"report.json", JSON{}},
		{"report.txt", Terminal{}},
		{"report-color.txt", Terminal{Color: true}},
		{"report.html", HTML{}},
		{"report.sarif", SARIF{}},
		{"report.xml", JUnit{}},
		{"report.md", Markdown{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, render(t, tt.rep, fakeRun()))
		})
	}
}

func TestNilRun(t *testing.T) {
	for _, rep := range []Reporter{JSON{}, Terminal{}, HTML{}, SARIF{}, JUnit{}, Markdown{}} {
		if err := rep.Write(new(discard), nil); err == nil {
			t.Errorf("%T.Write(nil) = nil error", rep)
		}
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
