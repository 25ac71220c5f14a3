package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

func ms(v ...float64) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x * float64(time.Millisecond))
	}
	return out
}

func TestMannWhitney(t *testing.T) {
	tests := []struct {
		name   string
		a, b   []time.Duration
		lo, hi float64
	}{
		{"same values", ms(1, 2, 3, 4, 5), ms(1, 2, 3, 4, 5), 0.9, 1},
		{"all tied", ms(2, 2, 2), ms(2, 2, 2), 1, 1},
		{"empty side", nil, ms(1, 2), 1, 1},
		{"complete separation of 10", ms(41, 42, 43, 44, 45, 46, 47, 48, 49, 50), ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0, 0.0005},
		{"one inversion of 10", ms(9.5, 42, 43, 44, 45, 46, 47, 48, 49, 50), ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0, 0.001},
		{"interleaved", ms(1, 3, 5, 7, 9, 11, 13, 15, 17, 19), ms(2, 4, 6, 8, 10, 12, 14, 16, 18, 20), 0.5, 1},
		{"separation of 3 is not enough", ms(40, 41, 42), ms(1, 2, 3), 0.05, 0.2},
		{"direction does not matter", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ms(41, 42, 43, 44, 45, 46, 47, 48, 49, 50), 0, 0.0005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mannWhitney(tt.a, tt.b)
			if p < tt.lo || p > tt.hi {
				t.Errorf("p = %g, want in [%g, %g]", p, tt.lo, tt.hi)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0}, {ms(3), ms(3)[0]}, {ms(5, 1, 3), ms(3)[0]}, {ms(4, 1, 3, 2), ms(2.5)[0]},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// fakeLogin answers wrong-password logins with chosen server waits: the
// existing account's i-th answer waits known(i), the unknown's unknown(i).
type fakeLogin struct {
	known, unknown func(i int) time.Duration
	// status, when set, is the existing account's status from its i-th answer.
	status func(i int) int
	// text, when set, is the existing account's page text from its i-th answer.
	text func(i int) string
	// budget, when set, is how many attempts the scan's owner allows.
	budget    int
	nk, nu    int
	sentOrder []string
}

func (f *fakeLogin) send(_ context.Context, email string) (*client.Response, error) {
	if f.budget > 0 && len(f.sentOrder) == f.budget {
		return nil, fmt.Errorf("login: %w (%d of %d sent)", check.ErrBudgetSpent, f.budget, f.budget)
	}
	f.sentOrder = append(f.sentOrder, email)
	var wait time.Duration
	status, text := 200, "<p>Invalid email or password.</p>"
	if email == "a@x.test" {
		wait = f.known(f.nk)
		if f.status != nil {
			status = f.status(f.nk)
		}
		if f.text != nil {
			text = f.text(f.nk)
		}
		f.nk++
	} else {
		wait = f.unknown(f.nu)
		f.nu++
	}
	u := &url.URL{Scheme: "https", Host: "portal.test", Path: "/login"}
	return &client.Response{URL: u, StatusCode: status, Body: []byte(text), Hops: []client.Hop{{Method: http.MethodPost, Status: status, Wait: wait}}}, nil
}

func jitter(base float64) func(int) time.Duration {
	return func(i int) time.Duration {
		return time.Duration((base + float64(i%4)*0.7) * float64(time.Millisecond))
	}
}

func TestSampleLogin(t *testing.T) {
	tests := []struct {
		name    string
		f       fakeLogin
		leaks   bool
		stopped string
	}{
		{"hash only for existing accounts", fakeLogin{known: jitter(42), unknown: jitter(2)}, true, ""},
		{"hash only for unknown emails (inverted)", fakeLogin{known: jitter(2), unknown: jitter(42)}, true, ""},
		{"same cost both ways", fakeLogin{known: jitter(40), unknown: jitter(40)}, false, ""},
		{"consistent but tiny (1 ms)", fakeLogin{known: jitter(3), unknown: jitter(2)}, false, ""},
		{"consistent but small relative to cost", fakeLogin{known: jitter(108), unknown: jitter(100)}, false, ""},
		{"one slow outlier on the existing side", fakeLogin{known: func(i int) time.Duration {
			if i == 3 {
				return 500 * time.Millisecond
			}
			return jitter(2)(i)
		}, unknown: jitter(2)}, false, ""},
		{"rate limited", fakeLogin{known: jitter(42), unknown: jitter(2), status: func(i int) int {
			if i >= 4 {
				return http.StatusTooManyRequests
			}
			return 200
		}}, false, "answered 429 after 9 timed attempts"},
		{"locked out", fakeLogin{known: jitter(42), unknown: jitter(2), text: func(i int) string {
			if i >= 5 {
				return "<p>Account locked. Try again in 15 minutes.</p>"
			}
			return "<p>Invalid email or password.</p>"
		}}, false, "changed after 6 wrong passwords"},
		// Refused by the scan's one wrong-password budget: stops, says so
		// and judges nothing, even on a gap that would be a WARN.
		{"budget spent", fakeLogin{known: jitter(42), unknown: jitter(2), budget: 7}, false, "budget was spent after 7 timed attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sampleLogin(context.Background(), tt.f.send, "a@x.test", "nobody@x.test")
			if err != nil {
				t.Fatal(err)
			}
			if got.leaks() != tt.leaks {
				t.Errorf("leaks = %v, want %v (%s)", got.leaks(), tt.leaks, got.describe())
			}
			if tt.stopped == "" && got.stopped != "" || !strings.Contains(got.stopped, tt.stopped) {
				t.Errorf("stopped = %q, want %q", got.stopped, tt.stopped)
			}
			if n := len(got.known) + len(got.unknown); tt.f.budget > 0 && n != tt.f.budget {
				t.Errorf("%d samples kept, want the %d the budget allowed", n, tt.f.budget)
			}
			if tt.stopped == "" && (len(got.known) != timingPairs || len(got.unknown) != timingPairs) {
				t.Errorf("%d/%d samples, want %d each", len(got.known), len(got.unknown), timingPairs)
			}
			// Interleaved: the order alternates pair by pair.
			for i := 0; i+3 < len(tt.f.sentOrder); i += 4 {
				if tt.f.sentOrder[i] != tt.f.sentOrder[i+3] || tt.f.sentOrder[i] == tt.f.sentOrder[i+1] {
					t.Errorf("not interleaved: %v", tt.f.sentOrder)
					break
				}
			}
		})
	}
}

func TestSampleLoginError(t *testing.T) {
	send := func(context.Context, string) (*client.Response, error) { return nil, fmt.Errorf("connection refused") }
	if _, err := sampleLogin(context.Background(), send, "a@x.test", "b@x.test"); err == nil {
		t.Fatal("an error while sampling was swallowed")
	}
}

// TestCompareAgain: a difference is compared again until it has recurred
// in 2 of 3 rounds, or cannot any more; answers the same at once are not.
func TestCompareAgain(t *testing.T) {
	for _, tc := range []struct {
		differed, rounds int
		want             bool
	}{
		{0, 1, false}, // the same at once
		{1, 1, true},  // differed once: see whether it recurs
		{2, 2, false}, // recurred: a finding
		{1, 2, true},  // once in two: the third round decides
		{2, 3, false},
		{1, 3, false}, // once in three: noise
		{0, 3, false},
	} {
		if got := compareAgain(tc.differed, tc.rounds); got != tc.want {
			t.Errorf("compareAgain(%d differed of %d) = %v, want %v", tc.differed, tc.rounds, got, tc.want)
		}
	}
}
