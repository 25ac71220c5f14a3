package inbox

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// inboxFunc adapts a function to Inbox.
type inboxFunc func(ctx context.Context, q Query) ([]Message, error)

func (f inboxFunc) Find(ctx context.Context, q Query) ([]Message, error) { return f(ctx, q) }

// b64Lines base64-encodes s in 76-column lines, as mail does.
func b64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return b.String()
}

// scripted answers Find from a list of results, one per poll, repeating the
// last; it records the polls.
type scripted struct {
	results []func() ([]Message, error)
	polls   int
}

func (s *scripted) Find(ctx context.Context, q Query) ([]Message, error) {
	i := min(s.polls, len(s.results)-1)
	s.polls++
	return s.results[i]()
}

func nothing() ([]Message, error) { return nil, nil }

func TestWaitReturnsWhenMailArrives(t *testing.T) {
	arrived := func() ([]Message, error) { return []Message{{ID: "new"}, {ID: "old"}}, nil }
	s := &scripted{results: []func() ([]Message, error){nothing, nothing, nothing, arrived}}
	m, err := Wait(context.Background(), s, Query{To: "qa+x@example.com"}, time.Minute, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "new" || s.polls != 4 {
		t.Errorf("got %q after %d polls, want the newest after 4", m.ID, s.polls)
	}
}

func TestWaitTimesOut(t *testing.T) {
	s := &scripted{results: []func() ([]Message, error){nothing}}
	since := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	q := Query{To: "qa+late@example.com", Since: since, SubjectContains: "Verify"}
	_, err := Wait(context.Background(), s, q, 50*time.Millisecond, 5*time.Millisecond)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *TimeoutError", err)
	}
	if te.Polls != s.polls || te.Polls < 1 {
		t.Errorf("Polls = %d, inbox saw %d", te.Polls, s.polls)
	}
	for _, want := range []string{"qa+late@example.com", "2026-11-28T09:30:00Z", "within 50ms", "polls)", `"Verify"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestWaitRespectsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := inboxFunc(func(context.Context, Query) ([]Message, error) {
		cancel()
		return nil, nil
	})
	_, err := Wait(ctx, s, Query{To: "qa@example.com"}, time.Hour, time.Hour)
	var te *TimeoutError
	if !errors.Is(err, context.Canceled) || errors.As(err, &te) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestWaitErrors(t *testing.T) {
	boom := func() ([]Message, error) { return nil, errors.New("boom") }
	found := func() ([]Message, error) { return []Message{{ID: "m"}}, nil }

	// A blip is tolerated.
	s := &scripted{results: []func() ([]Message, error){boom, boom, found}}
	if m, err := Wait(context.Background(), s, Query{}, time.Minute, time.Millisecond); err != nil || m.ID != "m" {
		t.Errorf("after two failures: got %v, %v", m, err)
	}
	// A broken inbox is not waited on for the whole timeout.
	s = &scripted{results: []func() ([]Message, error){boom}}
	_, err := Wait(context.Background(), s, Query{To: "qa@example.com"}, time.Hour, time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "boom") || s.polls != maxPollErrors {
		t.Errorf("got %v after %d polls", err, s.polls)
	}
	// A failure seen before the timeout is reported with it.
	s = &scripted{results: []func() ([]Message, error){boom, nothing}}
	_, err = Wait(context.Background(), s, Query{}, 30*time.Millisecond, time.Millisecond)
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "last poll failed: boom") {
		t.Errorf("got %v", err)
	}
	for _, d := range [][2]time.Duration{{0, time.Second}, {time.Second, 0}, {-1, -1}} {
		if _, err := Wait(context.Background(), s, Query{}, d[0], d[1]); err == nil {
			t.Errorf("Wait(timeout %s, interval %s) accepted", d[0], d[1])
		}
	}
	if _, err := Wait(context.Background(), nil, Query{}, time.Second, time.Second); err == nil {
		t.Error("nil inbox accepted")
	}
}

func TestQueryMatches(t *testing.T) {
	since := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	q := Query{To: "qa+a@example.com", Since: since, SubjectContains: "verify"}
	to := []string{"someone@example.com", " QA+A@Example.com "}
	tests := []struct {
		name     string
		to       []string
		subject  string
		received time.Time
		want     bool
	}{
		{"match", to, "Please VERIFY", since, true},
		{"other address", []string{"qa+ab@example.com"}, "verify", since, false},
		{"too old", to, "verify", since.Add(-time.Nanosecond), false},
		{"unknown time", to, "verify", time.Time{}, false},
		{"subject", to, "Welcome", since, false},
	}
	for _, tt := range tests {
		if got := q.matches(tt.to, tt.subject, tt.received); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
	if !(Query{}).matches(nil, "", time.Time{}) {
		t.Error("the empty query should match anything")
	}
}

func TestCheckQuery(t *testing.T) {
	for _, to := range []string{"", "qa+x@example.com", "Q.A@sub.example.co.uk"} {
		if err := checkQuery(Query{To: to}); err != nil {
			t.Errorf("%q: %v", to, err)
		}
	}
	for _, to := range []string{"qa", `qa"@x.com`, "qa @x.com", "a@x.com\r\nX: y", "<a@x.com>", "a@x.com,b@x.com", strings.Repeat("a", 320) + "@x.com"} {
		if err := checkQuery(Query{To: to}); err == nil {
			t.Errorf("%q accepted", to)
		}
	}
}
