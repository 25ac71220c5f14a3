// Package interrupt turns Ctrl-C into two steps. The first cancels the
// work (the checks stop) but not what must follow it: the clean-up of what
// the run created, which runs on a fresh deadline. The second aborts that
// clean-up too, which then says what it left. A third is left to the
// operating system and ends the process at once.
package interrupt

import (
	"context"
	"os"
	"os/signal"
	"sync"
)

type abortKey struct{}

// Notify returns a context canceled at the first of the signals. The
// context carries an abort context (see Abort), canceled at the second.
// stop releases the signals.
func Notify(parent context.Context, sigs ...os.Signal) (ctx context.Context, stop func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, sigs...)
	work, cancelWork := context.WithCancel(parent)
	abort, cancelAbort := context.WithCancel(context.WithoutCancel(parent))
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-ch:
			case <-done:
				return
			}
			if n == 1 {
				cancelWork()
				continue
			}
			cancelAbort()
			signal.Stop(ch)
			return
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancelWork()
			cancelAbort()
		})
	}
	return WithAbort(work, abort), stop
}

// WithAbort attaches abort to ctx: the context whose end aborts what must
// outlive ctx's cancellation (the clean-up).
func WithAbort(ctx, abort context.Context) context.Context {
	return context.WithValue(ctx, abortKey{}, abort)
}

// Abort returns the abort context ctx carries, or a context never canceled
// when it carries none.
func Abort(ctx context.Context) context.Context {
	if a, ok := ctx.Value(abortKey{}).(context.Context); ok {
		return a
	}
	return context.Background()
}
