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

type runKey struct{}

// WithRun marks ctx as the run's own context: Shared work started under
// any context derived from it stops when it ends. The runner sets it.
func WithRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, runKey{}, ctx)
}

type memoEntry struct {
	once sync.Once
	val  any
	err  error
}

// Shared computes fn once per env and key and hands every caller the same
// result, so checks that need the same observation (the session cookie, the
// logged-in page's content) share one set of requests.
func Shared[T any](ctx context.Context, env *Env, key string, fn func(context.Context) (T, error)) (T, error) {
	v, _ := env.memo.LoadOrStore(key, &memoEntry{})
	e := v.(*memoEntry)
	e.once.Do(func() {
		// Detach from the first caller's cancellation: its deadline is its
		// own, and the result serves every check. The run's end (Ctrl-C)
		// still stops it.
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		if run, ok := ctx.Value(runKey{}).(context.Context); ok {
			defer context.AfterFunc(run, cancel)()
		}
		e.val, e.err = fn(sctx)
	})
	if e.err != nil {
		var zero T
		return zero, e.err
	}
	return e.val.(T), nil
}
