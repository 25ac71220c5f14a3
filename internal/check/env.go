package check

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
)

// Env is what a check receives: the validated config, the scoped client (the
// only way to reach the target), the shared logged-in sessions, and consent.
type Env struct {
	Config *config.Config
	// Client sends anonymous requests, scoped and rate-capped.
	Client *client.Client
	// Sessions logs each account in once and shares the session.
	Sessions *client.Sessions
	// Intrusive is true when intrusive checks have consent.
	Intrusive bool
	// ConsentNote, when set, says why consent asked for was withheld
	// (e.g. a non-loopback target without an ownership proof).
	ConsentNote string
	// WrongPasswords owns every login attempt sent with a password the
	// check expects to fail: take one before sending it. Nil refuses all.
	WrongPasswords *WrongPasswords

	// Journal records what the scan is about to create before it is
	// created (nil: no journal file, as in check tests).
	Journal *journal.Writer

	memo sync.Map // string -> *memoEntry

	// mu guards what the scan created (Plan, CreateAccount) and the
	// clean-up's wait for creates in flight.
	mu        sync.Mutex
	creations []*Creation
	accounts  map[string]*Creation
	inflight  int
	idle      chan struct{}
	closed    bool

	jmu         sync.Mutex
	journalErrs []error
}

// MayWrite reports whether the scan may write to raw's host (plant a
// canary, change a member's own data): intrusive checks have consent and
// the client grants that destination consent (loopback, the operator's
// proof, or a platform project tied to the proven portal). why says what
// is missing otherwise.
func (e *Env) MayWrite(ctx context.Context, raw string) (ok bool, why string) {
	if !e.Intrusive {
		return false, "intrusive checks have no consent in this run"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false, fmt.Sprintf("%q is not an absolute URL", raw)
	}
	if ok, how := e.Client.Consent(ctx, u); !ok {
		return false, how
	}
	return true, ""
}

type memoEntry struct {
	start sync.Once
	done  chan struct{}
	val   any
	err   error
	// short collects the computation's budget refusals, passed on to
	// every check that uses its result.
	short *client.Shortfall
}

// scanKey marks, in a check's context, the scan's own context.
type scanKey struct{}

// WithScan marks ctx as the scan's: a computation checks share (Shared)
// outlives the check that started it, but not the scan. The runner marks
// the context every check's derives from.
func WithScan(ctx context.Context) context.Context {
	return context.WithValue(ctx, scanKey{}, ctx)
}

// Shared computes fn once per env and key and hands every caller the same
// result, so checks that need the same observation (the session cookie, the
// logged-in page's content) share one set of requests. The computation is
// detached from the first caller's deadline (the result serves every
// check) but stops when the scan ends; a caller whose own context ends
// first stops waiting and gets its error.
func Shared[T any](ctx context.Context, env *Env, key string, fn func(context.Context) (T, error)) (T, error) {
	v, _ := env.memo.LoadOrStore(key, &memoEntry{done: make(chan struct{})})
	e := v.(*memoEntry)
	e.start.Do(func() {
		e.short = &client.Shortfall{}
		sctx, cancel := sharedContext(ctx)
		sctx = client.WithShortfall(sctx, e.short)
		go func() {
			defer close(e.done)
			defer cancel()
			defer func() {
				if p := recover(); p != nil {
					e.err = fmt.Errorf("the shared %s computation panicked: %v", key, p)
				}
			}()
			e.val, e.err = fn(sctx)
		}()
	})
	var zero T
	select {
	case <-e.done:
	case <-ctx.Done():
		return zero, fmt.Errorf("waiting for the shared %s computation: %w", key, context.Cause(ctx))
	}
	client.ShortfallOf(ctx).Merge(e.short)
	if e.err != nil {
		return zero, e.err
	}
	return e.val.(T), nil
}

// sharedContext is ctx without its cancellation (its values kept), ended
// with the scan's context when ctx carries one.
func sharedContext(ctx context.Context) (context.Context, context.CancelFunc) {
	detached := context.WithoutCancel(ctx)
	scan, ok := ctx.Value(scanKey{}).(context.Context)
	if !ok {
		return detached, func() {}
	}
	sctx, cancel := context.WithCancelCause(detached)
	stop := context.AfterFunc(scan, func() { cancel(context.Cause(scan)) })
	return sctx, func() { stop(); cancel(nil) }
}
