package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/launchready/launchready/internal/report"
	"github.com/launchready/launchready/internal/runner"
	"github.com/launchready/launchready/internal/safetext"
)

// progress renders runner events on stderr: one live, rewritten line on a
// terminal; plain lines (one per finished check) otherwise, for CI logs.
type progress struct {
	w       io.Writer
	live    bool
	mu      sync.Mutex
	running map[string]bool
	drawn   bool
}

func newProgress(w io.Writer, live bool) *progress {
	return &progress{w: w, live: live, running: map[string]bool{}}
}

func (p *progress) event(ev runner.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev.Kind {
	case runner.Started:
		p.running[ev.ID] = true
	case runner.Finished:
		delete(p.running, ev.ID)
		if !p.live {
			// One line per check, within the terminal width: the
			// scorecard prints each summary whole.
			o := ev.Outcome
			head := fmt.Sprintf("[%d/%d] %-9s %-5s ", ev.Done, ev.Total, safetext.Line(o.Meta.ID), o.Result.Status)
			tail := fmt.Sprintf(" (%s)", o.Duration.Round(1e6))
			summary := report.Fit(safetext.Line(o.Result.Summary), report.TermWidth-len(head)-len(tail))
			fmt.Fprintf(p.w, "%s%s%s\n", head, summary, tail)
			return
		}
	}
	if p.live {
		ids := make([]string, 0, len(p.running))
		for id := range p.running {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		line := fmt.Sprintf("[%d/%d] running %s", ev.Done, ev.Total, safetext.Line(strings.Join(ids, ", ")))
		line = report.Fit(line, report.TermWidth)
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		p.drawn = true
	}
}

// note prints a line for the user between progress updates; it may quote
// the target (an account's address, an object left behind), so it is
// sanitised like everything else the target chose.
func (p *progress) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, report.Wrap(safetext.Lines(line), "  "))
}

// finish clears the live line so the scorecard starts on a clean screen.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
