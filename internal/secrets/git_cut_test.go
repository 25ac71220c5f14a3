package secrets

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGitErrorCutsWholeCharacters: git's message, cut at maxStderr bytes,
// stays valid UTF-8 whichever byte of a € the cut falls on (git echoes the
// folder it could not enter).
func TestGitErrorCutsWholeCharacters(t *testing.T) {
	for skew := range 3 {
		dir := "/" + strings.Repeat("nowhere/", (maxStderr-40)/8) + strings.Repeat("x", skew) + strings.Repeat("€", 20)
		_, err := git(context.Background(), dir, "status")
		if err == nil {
			t.Fatalf("git -C %s status succeeded", dir)
		}
		if !strings.Contains(err.Error(), "€") || !strings.HasSuffix(err.Error(), "…") {
			t.Fatalf("git's message does not echo the folder cut at the limit: %v", err)
		}
		if !utf8.ValidString(err.Error()) {
			t.Errorf("skew %d: %q: invalid UTF-8", skew, err.Error()[len(err.Error())-12:])
		}
	}
}
