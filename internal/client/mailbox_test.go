package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/inbox"
)

// TestMailboxScopedToTheInbox: the scan's inbox has a client of its own
// whose scope is the inbox's origin alone. A Mailpit redirect to another
// host (a trap on 127.0.0.2) is refused before it is dialed and recorded
// in that client's OutOfScope, not the scan's; the inbox client cannot
// reach the portal either, nor another port of the inbox's host.
func TestMailboxScopedToTheInbox(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 not available: %v", err)
	}
	var trapHits atomic.Int64
	trap := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trapHits.Add(1)
		fmt.Fprint(w, `{"messages": []}`)
	})}}
	trap.Start()
	defer trap.Close()
	mp := httptest.NewServer(http.RedirectHandler(trap.URL+"/api/v1/messages", http.StatusFound))
	defer mp.Close()
	portal := httptest.NewServer(http.NotFoundHandler())
	defer portal.Close()
	yaml := fmt.Sprintf("target: {url: %s, scope: [127.0.0.1, 127.0.0.2]}\nauth:\n"+
		"  inbox: {kind: mailpit, url: %q, address: \"qa+{{tag}}@portal.test\"}\n", portal.URL, mp.URL+"/")
	cl, ss, err := client.FromConfig(parseWithEnv(t, yaml, nil), "test")
	if err != nil {
		t.Fatal(err)
	}
	mb := ss.Mailbox()
	if mb == nil {
		t.Fatal("no mailbox for a configured auth.inbox")
	}
	ctx := context.Background()
	_, err = mb.Inbox.Find(ctx, inbox.Query{To: "qa+x@portal.test"})
	var oos *client.OutOfScopeError
	if !errors.As(err, &oos) {
		t.Fatalf("Find through a redirect to another host: err = %v, want an OutOfScopeError", err)
	}
	if n := trapHits.Load(); n != 0 {
		t.Fatalf("the trap received %d requests (it is in target.scope, not in the inbox's)", n)
	}
	if got := mb.Client.OutOfScope(); len(got) != 1 || !strings.HasPrefix(got[0], trap.URL+"/api/v1/messages") {
		t.Errorf("inbox client OutOfScope = %v, want the trap", got)
	}
	if got := cl.OutOfScope(); len(got) != 0 {
		t.Errorf("the scan client recorded the inbox's refusal: %v", got)
	}
	if n := mb.Client.Requests(); n != 1 {
		t.Errorf("inbox client Requests = %d, want 1 (the redirected search)", n)
	}
	if mb.Client.Redactor() != cl.Redactor() {
		t.Error("the inbox client has a redactor of its own, not the scan's")
	}
	if _, err := mb.Client.Do(ctx, &client.Request{URL: portal.URL + "/"}); !errors.As(err, &oos) {
		t.Errorf("the inbox client reached the portal: %v", err)
	}
	if c, err := mb.Client.Dial(ctx, "tcp", portal.Listener.Addr().String()); !errors.As(err, &oos) {
		if c != nil {
			c.Close()
		}
		t.Errorf("the inbox client dialed another port of the inbox's host: %v", err)
	}
	if again := ss.Mailbox(); again != mb {
		t.Error("Mailbox built again: the inbox must be one per scan")
	}
}
