package check

import (
	"context"
	"sync"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/target"
)

// Env is what a check receives: the validated config, the scoped client (the
// only way to reach the target), the shared logged-in sessions, and consent.
type Env struct {
	Config *config.Config
	// Client sends anonymous requests, scoped and rate-capped.
	Client *target.Client
	// Sessions logs each account in once and shares the session.
	Sessions *target.Sessions
	// Intrusive is true when intrusive checks have consent.
	Intrusive bool
	// ConsentNote, when set, says why consent asked for was withheld
	// (e.g. a non-loopback target without an ownership proof).
	ConsentNote string

	memo sync.Map // string -> *memoEntry
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
		// own, and the result serves every check.
		e.val, e.err = fn(context.WithoutCancel(ctx))
	})
	if e.err != nil {
		var zero T
		return zero, e.err
	}
	return e.val.(T), nil
}
