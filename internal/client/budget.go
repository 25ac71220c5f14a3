package client

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
)

// The per-response cap (target.max_body_bytes) does not bound a scan:
// concurrent checks and the crawls each hold bodies of their own. A
// BodyBudget is shared by the clients of one scan and bounds the bytes of
// response bodies they hold at once: a body takes its size from the
// budget as it is read and gives it back when the garbage collector frees
// it, whoever held it last. A body that does not fit is refused with a
// *BudgetError, never read past the budget.

// accountFrom is the smallest body buffer the budget counts: smaller ones
// are noise beside the cap, and the runtime may never report tiny
// allocations freed.
const accountFrom = 64 << 10

// budgetWait bounds how long a body waits for other bodies to be freed
// before it is refused.
const budgetWait = 5 * time.Second

// BodyBudget bounds the bytes of response bodies a scan holds at once. It
// is safe for concurrent use.
type BodyBudget struct {
	limit int64

	mu   sync.Mutex
	held int64
	// freed is closed (and replaced) whenever bytes are given back.
	freed chan struct{}
	// collecting serialises the forced collections of waiting readers.
	collecting sync.Mutex
}

// NewBodyBudget returns a budget of limit bytes (at most limit bytes of
// bodies held at once).
func NewBodyBudget(limit int64) *BodyBudget {
	return &BodyBudget{limit: limit, freed: make(chan struct{})}
}

// Limit returns the budget's size in bytes.
func (b *BodyBudget) Limit() int64 { return b.limit }

// Held returns the bytes of bodies held now (freed bodies are given back
// after a garbage collection).
func (b *BodyBudget) Held() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held
}

// BudgetError is returned for a body that did not fit in the scan's
// memory budget for bodies.
type BudgetError struct {
	URL   string
	Limit int64
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("response from %s not read: the scan already holds %d bytes of response bodies (target.body_budget)", e.URL, e.Limit)
}

// acquire takes n bytes for a body that already holds own, waiting (up to
// budgetWait) for other bodies to be freed when the budget is spent; false
// when they were not.
func (b *BodyBudget) acquire(ctx context.Context, own, n int64) (bool, error) {
	if own+n > b.limit {
		return false, nil // can never fit, whatever others free: refuse now
	}
	collected := false
	timer := time.NewTimer(budgetWait)
	defer timer.Stop()
	for {
		b.mu.Lock()
		if b.held+n <= b.limit {
			b.held += n
			b.mu.Unlock()
			return true, nil
		}
		freed := b.freed
		b.mu.Unlock()
		if !collected {
			// Bodies nobody holds any more give their bytes back only
			// once collected: collect now rather than refuse.
			collected = true
			if b.collecting.TryLock() {
				runtime.GC()
				b.collecting.Unlock()
			}
			continue
		}
		select {
		case <-freed:
		case <-timer.C:
			return false, nil
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

func (b *BodyBudget) release(n int64) {
	b.mu.Lock()
	b.held -= n
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}

// chunkMax is the largest piece a body is read in.
const chunkMax = 1 << 20

// reader reads one body in pieces whose bytes, past accountFrom, are taken
// from the budget (nil: no budget), then joins them into one buffer whose
// bytes are given back when it is collected. Pieces, unlike a buffer that
// doubles, waste nothing while the body is read.
type reader struct {
	budget *BodyBudget
	pieces [][]byte
	total  int64
	// counted is what the pieces took from the budget.
	counted int64
}

// piece adds an empty piece of capacity size, taking its bytes first;
// false when the budget refused them.
func (r *reader) piece(ctx context.Context, size int64) (bool, error) {
	if r.budget != nil && size >= accountFrom {
		if ok, err := r.budget.acquire(ctx, r.counted, size); !ok || err != nil {
			r.giveBack()
			return ok, err
		}
		r.counted += size
	}
	r.pieces = append(r.pieces, make([]byte, 0, size))
	return true, nil
}

// giveBack returns the pieces' bytes: they are garbage once joined.
func (r *reader) giveBack() {
	if r.counted > 0 {
		r.budget.release(r.counted)
		r.counted = 0
	}
}

// held is what a body's clean-up gives back.
type held struct {
	b *BodyBudget
	n int64
}

// readCapped reads at most limit bytes from src; more reports that the
// body went on past limit, and ok false that the budget refused it.
// hint is the announced length (Content-Length), or 0.
func readCapped(ctx context.Context, src io.Reader, limit, hint int64, budget *BodyBudget) (body []byte, more, ok bool, err error) {
	r := &reader{budget: budget}
	size := int64(16 << 10)
	if hint > 0 {
		size = hint + 1 // +1 to see whether more than announced follows
	}
	for {
		if ok, err := r.piece(ctx, min(size, limit+1-r.total)); !ok || err != nil {
			return nil, false, ok, err
		}
		p := &r.pieces[len(r.pieces)-1]
		for len(*p) < cap(*p) {
			n, rerr := src.Read((*p)[len(*p):cap(*p)])
			*p = (*p)[:len(*p)+n]
			r.total += int64(n)
			switch {
			case r.total > limit:
				return r.join(limit), true, true, nil
			case rerr == io.EOF:
				return r.join(limit), false, true, nil
			case rerr != nil:
				return r.join(limit), false, true, rerr
			}
		}
		size = min(2*size, chunkMax)
	}
}

// join returns the first limit bytes read as one buffer of their size,
// counted in the budget until it is collected.
func (r *reader) join(limit int64) []byte {
	n := min(r.total, limit)
	var out []byte
	if len(r.pieces) == 1 && int64(cap(r.pieces[0]))-n < int64(cap(r.pieces[0]))/4 {
		out = r.pieces[0][:n] // one piece, nearly full: no copy
	} else {
		out = make([]byte, 0, n)
		for _, p := range r.pieces {
			out = append(out, p[:min(int64(len(p)), n-int64(len(out)))]...)
		}
	}
	r.giveBack()
	r.pieces = nil
	if r.budget != nil && int64(cap(out)) >= accountFrom {
		// No bigger than the pieces just given back: taken without
		// waiting.
		c := int64(cap(out))
		r.budget.mu.Lock()
		r.budget.held += c
		r.budget.mu.Unlock()
		runtime.AddCleanup(&out[:1][0], func(h held) { h.b.release(h.n) }, held{r.budget, c})
	}
	return out
}

// Shortfall collects the budget refusals of one check, or of one
// computation checks share, so the runner can turn a result read from
// less than the target sent into an ERROR. It is safe for concurrent use;
// a nil *Shortfall ignores everything.
type Shortfall struct {
	mu    sync.Mutex
	n     int
	first string
}

type shortfallKey struct{}

// WithShortfall makes the requests sent with ctx record their budget
// refusals in s.
func WithShortfall(ctx context.Context, s *Shortfall) context.Context {
	return context.WithValue(ctx, shortfallKey{}, s)
}

// ShortfallOf returns the Shortfall ctx records into (nil for none).
func ShortfallOf(ctx context.Context) *Shortfall {
	s, _ := ctx.Value(shortfallKey{}).(*Shortfall)
	return s
}

func (s *Shortfall) add(err error) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		s.first = err.Error()
	}
	s.n++
}

// Merge adds o's refusals to s: a check that used a shared result shares
// its shortfall.
func (s *Shortfall) Merge(o *Shortfall) {
	if s == nil || o == nil || s == o {
		return
	}
	o.mu.Lock()
	n, first := o.n, o.first
	o.mu.Unlock()
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		s.first = first
	}
	s.n += n
}

// Err describes the refusals, or is nil when there were none.
func (s *Shortfall) Err() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.n {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("a response did not fit in the scan's memory budget, so what it shows was not judged: %s", s.first)
	}
	return fmt.Errorf("%d responses did not fit in the scan's memory budget, so what they show was not judged; the first: %s", s.n, s.first)
}
