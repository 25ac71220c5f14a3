//go:build unix

package interrupt

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// TestTwoSteps sends the process SIGUSR1 twice: the first cancels the work
// only, the second the abort context.
func TestTwoSteps(t *testing.T) {
	ctx, stop := Notify(context.Background(), syscall.SIGUSR1)
	defer stop()
	abort := Abort(ctx)
	self, _ := os.FindProcess(os.Getpid())
	self.Signal(syscall.SIGUSR1)
	<-ctx.Done()
	if abort.Err() != nil {
		t.Fatal("the first signal aborted the clean-up too")
	}
	self.Signal(syscall.SIGUSR1)
	<-abort.Done()
}

func TestAbortWithoutNotify(t *testing.T) {
	if a := Abort(context.Background()); a.Done() != nil {
		t.Error("Abort of a plain context can end")
	}
	parent, cancel := context.WithCancel(context.Background())
	a, c2 := context.WithCancel(context.Background())
	defer c2()
	ctx := WithAbort(parent, a)
	cancel()
	if Abort(ctx) != a || a.Err() != nil {
		t.Error("WithAbort did not carry the abort context, or the work's end reached it")
	}
}
