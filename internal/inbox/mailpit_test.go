package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeMail is one message in fakeMailpit.
type fakeMail struct {
	ID, To, Subject string
	Created         time.Time
	Date            string // RFC 3339; empty means Created
	Text, HTML      string
	Raw             string // empty: the raw endpoint answers 404
}

// fakeMailpit serves the subset of Mailpit's API v1 that NewMailpit uses,
// with Mailpit's substring matching for to:"...".
type fakeMailpit struct {
	mu       sync.Mutex
	msgs     []fakeMail // oldest first
	requests []string
	override func(w http.ResponseWriter, r *http.Request) bool // true: handled
}

func (f *fakeMailpit) add(m fakeMail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
}

func (f *fakeMailpit) setOverride(h func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override = h
}

func (f *fakeMailpit) get(id string) (fakeMail, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		if m.ID == id {
			return m, true
		}
	}
	return fakeMail{}, false
}

func (f *fakeMailpit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RequestURI())
	override := f.override
	f.mu.Unlock()
	if override != nil && override(w, r) {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/messages", func(w http.ResponseWriter, r *http.Request) { f.list(w, "") })
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("query")
		to, ok := strings.CutPrefix(q, "to:")
		if !ok {
			http.Error(w, "Error: unsupported query", http.StatusBadRequest)
			return
		}
		f.list(w, strings.Trim(to, `"`))
	})
	mux.HandleFunc("GET /api/v1/message/{id}", func(w http.ResponseWriter, r *http.Request) {
		m, ok := f.get(r.PathValue("id"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		date := m.Date
		if date == "" {
			date = m.Created.Format(time.RFC3339Nano)
		}
		writeJSON(w, map[string]any{
			"ID": m.ID, "MessageID": m.ID + "@portal.example.com",
			"From":    map[string]string{"Name": "Portal", "Address": "no-reply@portal.example.com"},
			"To":      []map[string]string{{"Name": "", "Address": m.To}},
			"Subject": m.Subject, "Date": date, "Text": m.Text, "HTML": m.HTML,
			"Size": 1234, "Attachments": []any{}, // fields NewMailpit ignores
		})
	})
	mux.HandleFunc("GET /api/v1/message/{id}/raw", func(w http.ResponseWriter, r *http.Request) {
		m, ok := f.get(r.PathValue("id"))
		if !ok || m.Raw == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, m.Raw)
	})
	mux.ServeHTTP(w, r)
}

func (f *fakeMailpit) list(w http.ResponseWriter, to string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var sums []map[string]any
	for _, m := range slices.Backward(f.msgs) {
		if !strings.Contains(strings.ToLower(m.To), strings.ToLower(to)) {
			continue
		}
		created := ""
		if !m.Created.IsZero() {
			created = m.Created.Format(time.RFC3339Nano)
		}
		sums = append(sums, map[string]any{
			"ID": m.ID, "MessageID": m.ID + "@portal.example.com", "Read": false,
			"From":    map[string]string{"Name": "Portal", "Address": "no-reply@portal.example.com"},
			"To":      []map[string]string{{"Name": "", "Address": m.To}},
			"Subject": m.Subject, "Created": created,
		})
	}
	writeJSON(w, map[string]any{"total": len(f.msgs), "messages_count": len(sums), "messages": sums})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// newFakeMailpit starts the fake and a client that counts its requests.
func newFakeMailpit(t *testing.T) (*fakeMailpit, *httptest.Server, *http.Client, *atomic.Int32) {
	t.Helper()
	f := &fakeMailpit{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var n atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return srv.Client().Transport.RoundTrip(r)
	})}
	return f, srv, hc, &n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMailpitFind(t *testing.T) {
	f, srv, hc, used := newFakeMailpit(t)
	now := time.Now().UTC()
	since := now.Add(-time.Hour)
	html := `<a href="https://portal.example.com/verify?token=abc123&amp;u=42">Verify</a>`
	f.add(fakeMail{ID: "old", To: "qa+alice@example.com", Subject: "Verify", Created: since.Add(-time.Second)})
	f.add(fakeMail{ID: "withraw", To: "QA+Alice@Example.com", Subject: "Verify your email", Created: now.Add(-2 * time.Minute),
		Text: "Confirm: " + verifyURL + ".", HTML: html,
		Raw: "From: no-reply@portal.example.com\r\nTo: qa+alice@example.com\r\nSubject: Verify your email\r\nDKIM-Signature: v=1; s=s1\r\n\r\nConfirm\r\n"})
	f.add(fakeMail{ID: "bob", To: "qa+bob@example.com", Subject: "Verify", Created: now})
	f.add(fakeMail{ID: "evil", To: "qa+alice@example.com.evil.test", Subject: "Verify", Created: now})
	f.add(fakeMail{ID: "noraw", To: "qa+alice@example.com", Subject: "Reset your password", Created: now.Add(-time.Minute), Text: "reset"})

	ib := NewMailpit(srv.URL+"/", hc)
	msgs, err := ib.Find(context.Background(), Query{To: "qa+alice@example.com", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(msgs); !slices.Equal(got, []string{"noraw", "withraw"}) {
		t.Fatalf("got %v, want [noraw withraw]", got)
	}
	noraw, withraw := msgs[0], msgs[1]
	if noraw.Raw != nil || noraw.Header != nil || noraw.Text != "reset" {
		t.Errorf("noraw = %+v", noraw)
	}
	if !bytes.HasPrefix(withraw.Raw, []byte("From: ")) || withraw.Header["Dkim-Signature"][0] != "v=1; s=s1" {
		t.Errorf("withraw raw/header = %q / %v", withraw.Raw, withraw.Header)
	}
	if withraw.From != "no-reply@portal.example.com" || withraw.MessageID != "withraw@portal.example.com" ||
		withraw.Subject != "Verify your email" || !withraw.Date.Equal(now.Add(-2*time.Minute)) {
		t.Errorf("withraw = %+v", withraw)
	}
	if got := Links(&withraw); !slices.Equal(got, []string{verifyURL}) {
		t.Errorf("Links = %q", got)
	}
	if used.Load() == 0 {
		t.Error("the http.Client passed in was not used")
	}
	f.mu.Lock()
	first := f.requests[0]
	f.mu.Unlock()
	if first != "/api/v1/search?limit=50&query=to%3A%22qa%2Balice%40example.com%22" {
		t.Errorf("search request = %s", first)
	}

	msgs, err = ib.Find(context.Background(), Query{To: "qa+alice@example.com", SubjectContains: "RESET"})
	if err != nil || !slices.Equal(ids(msgs), []string{"noraw"}) {
		t.Errorf("subject filter: got %v, %v", ids(msgs), err)
	}
	msgs, err = ib.Find(context.Background(), Query{Since: now.Add(-90 * time.Second)})
	if err != nil || !slices.Equal(ids(msgs), []string{"evil", "bob", "noraw"}) {
		t.Errorf("no address (list endpoint): got %v, %v", ids(msgs), err)
	}
}

func ids(msgs []Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func TestMailpitTimeFallbackAndWait(t *testing.T) {
	f, srv, hc, _ := newFakeMailpit(t)
	since := time.Now().Add(-time.Minute)
	// No Created in the listing: the message's Date decides.
	f.add(fakeMail{ID: "nodate-old", To: "qa@example.com", Date: since.Add(-time.Hour).Format(time.RFC3339)})
	f.add(fakeMail{ID: "nodate-new", To: "qa@example.com", Date: time.Now().Format(time.RFC3339)})
	ib := NewMailpit(srv.URL, hc)
	msgs, err := ib.Find(context.Background(), Query{To: "qa@example.com", Since: since})
	if err != nil || !slices.Equal(ids(msgs), []string{"nodate-new"}) {
		t.Fatalf("got %v, %v", ids(msgs), err)
	}

	var polls atomic.Int32
	f.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/v1/search" && polls.Add(1) == 3 {
			f.add(fakeMail{ID: "late", To: "qa+late@example.com", Created: time.Now(), Text: "hi"})
		}
		return false
	})
	m, err := Wait(context.Background(), ib, Query{To: "qa+late@example.com", Since: since}, time.Minute, 5*time.Millisecond)
	if err != nil || m.ID != "late" || polls.Load() != 3 {
		t.Fatalf("Wait: got %+v, %v after %d polls", m, err, polls.Load())
	}
}

func TestMailpitAtMost50(t *testing.T) {
	f, srv, hc, _ := newFakeMailpit(t)
	for i := range 60 {
		f.add(fakeMail{ID: fmt.Sprintf("m%02d", i), To: "qa@example.com", Created: time.Now()})
	}
	msgs, err := NewMailpit(srv.URL, hc).Find(context.Background(), Query{To: "qa@example.com"})
	if err != nil || len(msgs) != MaxMessages || msgs[0].ID != "m59" {
		t.Fatalf("got %d messages (first %v), %v", len(msgs), ids(msgs)[:1], err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	details := 0
	for _, r := range f.requests {
		if strings.HasPrefix(r, "/api/v1/message/") && !strings.HasSuffix(r, "/raw") {
			details++
		}
	}
	if details != MaxMessages {
		t.Errorf("fetched %d messages, want %d", details, MaxMessages)
	}
}

func TestMailpitErrors(t *testing.T) {
	tests := []struct {
		name     string
		override func(w http.ResponseWriter, r *http.Request) bool
		want     []string
	}{
		{"search 500", func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "database locked", http.StatusInternalServerError)
			return true
		}, []string{"/api/v1/search?", "500 Internal Server Error", "database locked"}},
		{"message 404", func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/api/v1/message/m1" {
				http.NotFound(w, r)
				return true
			}
			return false
		}, []string{"/api/v1/message/m1", "404 Not Found"}},
		{"raw 503", func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, "/raw") {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			return false
		}, []string{"/api/v1/message/m1/raw", "503"}},
		{"oversized body", func(w http.ResponseWriter, r *http.Request) bool {
			fmt.Fprint(w, `{"messages":[`)
			pad := bytes.Repeat([]byte(" "), 1<<20)
			for range MaxBodyBytes>>20 + 1 {
				if _, err := w.Write(pad); err != nil {
					break
				}
			}
			fmt.Fprint(w, `]}`)
			return true
		}, []string{"/api/v1/search?", "over the 10485760-byte limit"}},
		{"bad JSON", func(w http.ResponseWriter, r *http.Request) bool {
			fmt.Fprint(w, `<html>login</html>`)
			return true
		}, []string{"/api/v1/search?", "decode JSON"}},
		{"unusable ID", func(w http.ResponseWriter, r *http.Request) bool {
			writeJSON(w, map[string]any{"messages": []map[string]any{{"ID": "../../admin", "To": []map[string]string{{"Address": "qa@example.com"}}}}})
			return true
		}, []string{"unusable message ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv, hc, _ := newFakeMailpit(t)
			f.add(fakeMail{ID: "m1", To: "qa@example.com", Created: time.Now()})
			f.setOverride(tt.override)
			_, err := NewMailpit(srv.URL, hc).Find(context.Background(), Query{To: "qa@example.com"})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestMailpitBodyCapIsConfigurable(t *testing.T) {
	f, srv, hc, _ := newFakeMailpit(t)
	f.add(fakeMail{ID: "big", To: "qa@example.com", Created: time.Now(), Text: strings.Repeat("x", 4096)})
	ib := NewMailpit(srv.URL, hc).(*mailpit)
	ib.maxBody = 2048
	_, err := ib.Find(context.Background(), Query{To: "qa@example.com"})
	if err == nil || !strings.Contains(err.Error(), "/api/v1/message/big: response body over the 2048-byte limit") {
		t.Fatalf("got %v", err)
	}
}

func TestMailpitSetupErrors(t *testing.T) {
	ctx := context.Background()
	for _, base := range []string{"", "ftp://h", "http://", "http://h/?a=b", "://x", "http://user:hunter2@/"} {
		_, err := NewMailpit(base, http.DefaultClient).Find(ctx, Query{})
		if err == nil || !strings.Contains(err.Error(), "base URL") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("base %q: got %v", base, err)
		}
	}
	if _, err := NewMailpit("http://127.0.0.1:1", nil).Find(ctx, Query{}); err == nil || !strings.Contains(err.Error(), "http.Client") {
		t.Errorf("nil client: got %v", err)
	}
	if _, err := NewMailpit("http://127.0.0.1:1", http.DefaultClient).Find(ctx, Query{To: `x" OR to:"`}); err == nil {
		t.Error("a To with quotes reached the search")
	}
	_, err := NewMailpit("http://user:hunter2@"+closedAddr(t), &http.Client{}).Find(ctx, Query{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("transport error: got %v", err)
	}
}
