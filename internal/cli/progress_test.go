package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/runner"
)

// hostile is what a portal put in an error message: clear the screen, go
// home, print a green GO, hide the rest with a carriage return, a
// backspace and a right-to-left override.
const hostile = "refused\x1b[2J\x1b[H\x1b[32mGO\x1b[0m\rexit 0\b\u202eok\x9b1m\x1b]0;title\x07"

// TestProgressSanitisesServerText is breach 4 of issue 12: a server-chosen
// message printed in the progress line cleared the screen and printed a
// fake "GO". Progress lines, notices and errors print no control
// character but the live line's own "\r\x1b[K".
func TestProgressSanitisesServerText(t *testing.T) {
	for _, live := range []bool{false, true} {
		var buf bytes.Buffer
		p := newProgress(&buf, live)
		p.event(runner.Event{Kind: runner.Started, ID: "AUTH-001" + hostile, Total: 1})
		p.event(runner.Event{Kind: runner.Finished, ID: "AUTH-001", Done: 1, Total: 1, Outcome: check.Outcome{
			Meta: check.Meta{ID: "AUTH-001" + hostile}, Result: check.Result{Status: check.Error, Summary: "login: " + hostile}}})
		p.note("account left behind: " + hostile)
		p.finish()
		printError(&buf, errors.New("fetching /x: "+hostile))
		out := strings.ReplaceAll(buf.String(), "\r\x1b[K", "")
		if i := strings.IndexFunc(out, func(r rune) bool {
			return r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u202e'
		}); i >= 0 {
			t.Errorf("live=%t: a control character reached the terminal at %d: %q", live, i, out)
		}
		if !live && !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("the hostile text is not shown escaped: %q", out)
		}
	}
}
