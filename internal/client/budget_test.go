package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRedirectChainSharesTheCap: the bodies of a redirect chain together
// stay under target.max_body_bytes, so a chain of near-cap redirect bodies
// holds no more than one near-cap page (each hop's body was kept whole
// before: eleven near-cap bodies per request).
func TestRedirectChainSharesTheCap(t *testing.T) {
	const limit = 1 << 20
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /chain/HOP/PAGE/N redirects N more times with bodies of HOP
		// bytes, then answers a page of PAGE bytes.
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/chain/"), "/")
		hop, _ := strconv.Atoi(parts[0])
		page, _ := strconv.Atoi(parts[1])
		n, _ := strconv.Atoi(parts[2])
		if n > 0 {
			w.Header().Set("Location", fmt.Sprintf("/chain/%d/%d/%d", hop, page, n-1))
			w.WriteHeader(http.StatusFound)
			w.Write([]byte(strings.Repeat("r", hop)))
			return
		}
		w.Write([]byte(strings.Repeat("p", page)))
	}))
	defer site.Close()
	c := newClient(t, Options{MaxBodyBytes: limit})
	tests := []struct {
		name            string
		hop, page, n    int
		wantErr         bool
		wantHops        int
		wantHopsHolding int
	}{
		{"small redirect bodies and a page", 1000, 5000, 3, false, 4, 8000},
		{"one near-cap page after small redirects", 1000, limit - 3000, 3, false, 4, limit},
		{"near-cap redirect bodies", limit - 1000, 5000, 5, true, 2, limit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Do(context.Background(), &Request{URL: fmt.Sprintf("%s/chain/%d/%d/%d", site.URL, tt.hop, tt.page, tt.n), Follow: true})
			var tooLarge *TooLargeError
			if tt.wantErr != errors.As(err, &tooLarge) || (tt.wantErr && !tooLarge.Chain) {
				t.Fatalf("err = %v, want a chain TooLargeError: %v", err, tt.wantErr)
			}
			if resp == nil || len(resp.Hops) != tt.wantHops {
				t.Fatalf("hops = %v, want %d", resp, tt.wantHops)
			}
			total := 0
			for _, h := range resp.Hops {
				total += len(h.Body)
			}
			if total != tt.wantHopsHolding {
				t.Errorf("the hops hold %d bytes in all, want %d (cap %d)", total, tt.wantHopsHolding, limit)
			}
		})
	}
}

// TestBodyBudget: bodies held at once stay under the scan's budget; one
// that does not fit is refused with a *BudgetError recorded in the
// request's Shortfall, and a body nobody holds any more gives its bytes
// back.
func TestBodyBudget(t *testing.T) {
	const mb = 1 << 20
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.Write([]byte(strings.Repeat("y", n)))
	}))
	defer site.Close()
	get := func(c *Client, ctx context.Context, size int) (*Response, error) {
		return c.Do(ctx, &Request{URL: fmt.Sprintf("%s/%d", site.URL, size)})
	}
	t.Run("a body larger than the budget is refused without waiting", func(t *testing.T) {
		budget := NewBodyBudget(mb)
		c := newClient(t, Options{MaxBodyBytes: 4 * mb, Budget: budget})
		short := &Shortfall{}
		_, err := get(c, WithShortfall(context.Background(), short), 3*mb)
		var be *BudgetError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "target.body_budget") {
			t.Fatalf("err = %v, want a BudgetError naming target.body_budget", err)
		}
		if short.Err() == nil || !strings.Contains(short.Err().Error(), "did not fit in the scan's memory budget") {
			t.Errorf("shortfall = %v, want the refusal recorded", short.Err())
		}
		if budget.Held() != 0 {
			t.Errorf("a refused body still holds %d bytes", budget.Held())
		}
	})
	t.Run("bodies held count, bodies dropped give back", func(t *testing.T) {
		budget := NewBodyBudget(3 * mb)
		c := newClient(t, Options{MaxBodyBytes: 4 * mb, Budget: budget})
		held, err := get(c, context.Background(), 2*mb)
		if err != nil || len(held.Body) != 2*mb {
			t.Fatalf("first body: %v", err)
		}
		if got := budget.Held(); got < 2*mb || got > 3*mb {
			t.Errorf("held %d bytes for a 2 MiB body", got)
		}
		// A second 2 MiB body does not fit beside the first one, held.
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if _, err := get(c, ctx, 2*mb); err == nil {
			t.Fatal("a second body past the budget was read")
		}
		runtime.KeepAlive(held)
		// Dropped, the first gives its bytes back once collected (the
		// clean-up runs after a collection, on its own goroutine).
		for i := 0; budget.Held() != 0 && i < 100; i++ {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		if got := budget.Held(); got != 0 {
			t.Fatalf("a dropped body still holds %d bytes", got)
		}
		if _, err := get(c, context.Background(), 2*mb); err != nil {
			t.Errorf("after the first body was dropped: %v", err)
		}
	})
}

// TestClosedClientSendsNothing: once the scan closes its client, a request
// under way is cancelled and later ones are refused before any
// connection, so a check abandoned past its deadline sends nothing after
// the scan has returned.
func TestClosedClientSendsNothing(t *testing.T) {
	arrived := make(chan struct{}, 1)
	var hits atomic.Int64
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/slow" {
			arrived <- struct{}{}
			<-r.Context().Done()
		}
	}))
	defer site.Close()
	c := newClient(t, Options{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), &Request{URL: site.URL + "/slow"})
		done <- err
	}()
	<-arrived
	c.Close()
	if err := <-done; err == nil {
		t.Error("the request under way was not cancelled by Close")
	}
	before := hits.Load()
	_, err := c.Do(context.Background(), &Request{URL: site.URL + "/after"})
	if !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
	if _, err := c.Dial(context.Background(), "tcp", site.Listener.Addr().String()); !errors.Is(err, ErrClosed) {
		t.Errorf("Dial after Close: %v, want ErrClosed", err)
	}
	if n := hits.Load() - before; n != 0 {
		t.Errorf("%d requests reached the server after Close", n)
	}
}
