package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// Login timing sampling (AUTH-006). A timing difference alone is at most a
// WARN, and only when many interleaved samples agree: one slow answer on a
// shared machine proves nothing.
const (
	// timingPairs is how many (existing, unknown) wrong-password logins are
	// timed; each pair is sent in alternating order so drift in the
	// server's or the network's speed falls on both sides alike.
	timingPairs = 10
	// timingAlpha is the two-sided Mann-Whitney p-value below which the
	// two sides differ; with 10 pairs it takes at most one inversion.
	timingAlpha = 0.001
	// timingMinDiff and timingMinRatio are the least difference of medians
	// worth reporting, absolute and relative to the faster side: a real
	// password-hash-or-not gap is tens of milliseconds.
	timingMinDiff  = 5 * time.Millisecond
	timingMinRatio = 0.25
)

// timing is the outcome of the login timing samples.
type timing struct {
	known, unknown []time.Duration
	// stopped says why sampling ended early ("" when it did not).
	stopped string
	// p is the two-sided p-value; diff the median of known minus the
	// median of unknown.
	p    float64
	diff time.Duration
	// last is the last existing-account answer, for evidence.
	last *client.Response
}

// leaks reports whether the samples show a difference big and consistent
// enough to report.
func (t timing) leaks() bool {
	if t.stopped != "" || len(t.known) < timingPairs || len(t.unknown) < timingPairs {
		return false
	}
	faster := min(median(t.known), median(t.unknown))
	d := t.diff.Abs()
	return t.p < timingAlpha && d >= timingMinDiff && float64(d) >= timingMinRatio*float64(faster)
}

// describe states the figures.
func (t timing) describe() string {
	side := "slower"
	if t.diff < 0 {
		side = "faster"
	}
	return fmt.Sprintf("a wrong password for an existing account is answered %s %s (median %s vs %s over %d interleaved pairs; "+
		"Mann-Whitney p = %.1g)", t.diff.Abs().Round(100*time.Microsecond), side, median(t.known).Round(100*time.Microsecond),
		median(t.unknown).Round(100*time.Microsecond), len(t.known), t.p)
}

// sampleLogin times wrong-password logins for an existing and an unknown
// email, interleaved. send returns the login's answer. Sampling stops at a
// 429 or 503 (rate limited) or when the existing account's answer changes
// from its first one (a lockout), so the scanner never pushes past a
// defence, and when send is refused because the scan's wrong-password
// budget is spent.
func sampleLogin(ctx context.Context, send func(ctx context.Context, email string) (*client.Response, error), known, unknown string) (timing, error) {
	var t timing
	var first *client.Response
	for i := range timingPairs {
		order := []string{known, unknown}
		if i%2 == 1 {
			order = []string{unknown, known}
		}
		for _, email := range order {
			resp, err := send(ctx, email)
			if errors.Is(err, check.ErrBudgetSpent) {
				t.stopped = fmt.Sprintf("the scan's wrong-password budget was spent after %d timed attempts", len(t.known)+len(t.unknown))
				return t, nil
			}
			if err != nil {
				return t, err
			}
			if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
				t.stopped = fmt.Sprintf("the login answered %d after %d timed attempts (rate limited)", resp.StatusCode, len(t.known)+len(t.unknown)+1)
				return t, nil
			}
			wait := postWait(resp)
			if email == known {
				if first == nil {
					first = resp
				} else if d, err := differ(first, resp, known, known); d != "" || err != nil {
					t.stopped = fmt.Sprintf("the existing account's answer changed after %d wrong passwords (a lockout?)", len(t.known)+1)
					return t, nil
				}
				t.known, t.last = append(t.known, wait), resp
			} else {
				t.unknown = append(t.unknown, wait)
			}
		}
	}
	t.p = mannWhitney(t.known, t.unknown)
	t.diff = median(t.known) - median(t.unknown)
	return t, nil
}

// postWait is the server's time on the login POST: the first hop's wait
// (later hops are redirects the login merely started).
func postWait(resp *client.Response) time.Duration {
	if len(resp.Hops) == 0 {
		return 0
	}
	return resp.Hops[0].Wait
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// mannWhitney returns the two-sided p-value of the Mann-Whitney U test
// (normal approximation with tie and continuity corrections): the chance
// that two samples this far apart come from one distribution.
func mannWhitney(a, b []time.Duration) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	if n1 == 0 || n2 == 0 {
		return 1
	}
	type obs struct {
		v     time.Duration
		fromA bool
	}
	all := make([]obs, 0, len(a)+len(b))
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	slices.SortFunc(all, func(x, y obs) int { return cmp.Compare(x.v, y.v) })
	// Average ranks over ties; ties also shrink the variance.
	var rankA, tieTerm float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1 .. j, averaged
		for k := i; k < j; k++ {
			if all[k].fromA {
				rankA += rank
			}
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	n := n1 + n2
	u := rankA - n1*(n1+1)/2
	mean := n1 * n2 / 2
	variance := n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		return 1 // every value tied: no difference at all
	}
	z := (math.Abs(u-mean) - 0.5) / math.Sqrt(variance)
	if z < 0 {
		return 1
	}
	return math.Erfc(z / math.Sqrt2)
}
