package scan

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/browser"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
)

// escapesJS tries every way a page has to reach another address: the same
// host on another port (where member a's cookie would go along), another
// loopback address in four IP-literal spellings, sub-resources, a frame, a
// beacon, a redirect, WebSockets, EventSource, workers and WebRTC (STUN
// over UDP, TURN over TCP). Each mechanism is also aimed at the portal
// itself (/control/…), so the test knows it fired. Placeholders: %[1]s the
// same host's other port, %[2]s the trap host:port on 127.0.0.2, %[3]s and
// %[4]s the UDP traps.
const escapesJS = `
const Q = 'http://127.0.0.1:%[1]s', T = 'http://%[2]s', TP = '%[2]s'.split(':')[1];
const tries = [];
const f = (u, o) => tries.push(fetch(u, Object.assign({mode: 'no-cors', credentials: 'include'}, o)).catch(() => {}));
for (const u of [Q + '/same-host-other-port', T + '/other-loopback', 'http://2130706434:' + TP + '/decimal',
                 'http://0x7f000002:' + TP + '/hex', 'http://127.2:' + TP + '/short', 'http://[::ffff:127.0.0.2]:' + TP + '/mapped',
                 'http://localhost:%[1]s/localhost', '/redirect-to-trap', '/control/fetch']) f(u);
f(T + '/post', {method: 'POST', body: 'x'});
navigator.sendBeacon(T + '/beacon', 'x');
navigator.sendBeacon('/control/beacon', 'x');
for (const base of [T, '']) {
  new Image().src = base + (base ? '/img' : '/control/img');
  const s = document.createElement('script'); s.src = base + (base ? '/script.js' : '/control/script.js'); document.head.appendChild(s);
  const fr = document.createElement('iframe'); fr.src = base + (base ? '/frame' : '/control/frame'); document.body.appendChild(fr);
  try { new EventSource(base + (base ? '/events' : '/control/events')); } catch (e) {}
}
for (const u of ['ws://127.0.0.2:' + TP + '/ws', 'ws://127.0.0.1:%[1]s/ws', 'ws://' + location.host + '/control/ws']) {
  try { new WebSocket(u); } catch (e) {}
}
new Worker(URL.createObjectURL(new Blob(["fetch('" + T + "/blob-worker').catch(()=>{}); fetch('" + location.origin + "/control/blob-worker').catch(()=>{});"], {type: 'text/javascript'})));
new Worker('/worker.js');
const pc = new RTCPeerConnection({iceServers: [{urls: 'stun:127.0.0.1:%[3]s'}, {urls: 'stun:127.0.0.2:%[4]s'},
  {urls: 'turn:127.0.0.2:' + TP + '?transport=tcp', username: 'u', credential: 'p'}]});
pc.createDataChannel('x');
pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') sessionStorage.setItem('ice', 'complete'); };
pc.createOffer().then(o => pc.setLocalDescription(o));
Promise.allSettled(tries).then(() => sessionStorage.setItem('escapes', 'tried'));
`

// trapListener counts TCP connections on addr.
func trapListener(t *testing.T, addr string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("%s not available: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, &n
}

// udpTrap counts datagrams on addr.
func udpTrap(t *testing.T, addr string) (string, *atomic.Int64) {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Skipf("%s not available: %v", addr, err)
	}
	t.Cleanup(func() { pc.Close() })
	var n atomic.Int64
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			n.Add(1)
		}
	}()
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	return port, &n
}

// TestBrowserScopeTrap runs SESS-005 on a portal whose pages try every
// escape in escapesJS while Chromium holds member a's session: neither the
// HTTP traps (the portal's host on another port, 127.0.0.2) nor the UDP
// traps receive anything, each mechanism reached the portal itself through
// the scan's proxy, and the refusals are in the run's out_of_scope.
func TestBrowserScopeTrap(t *testing.T) {
	if _, err := browser.Find(); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	samePort, sameHits := trapListener(t, "127.0.0.1:0")
	trapPort, trapHits := trapListener(t, "127.0.0.2:0")
	udp1, udp1Hits := udpTrap(t, "127.0.0.1:0")
	udp2, udp2Hits := udpTrap(t, "127.0.0.2:0")
	trap := "127.0.0.2:" + trapPort
	var mu sync.Mutex
	var controls []string
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/control/") {
			mu.Lock()
			controls = append(controls, strings.TrimPrefix(r.URL.Path, "/control/"))
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		switch r.URL.Path {
		case "/login":
			if r.Method == http.MethodPost {
				http.SetCookie(w, &http.Cookie{Name: "sid", Value: "member-a-session-0123456789", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
				http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
				return
			}
			fmt.Fprint(w, `<form method=post action=/login><input name=email><input type=password name=password></form>`)
		case "/escapes.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, escapesJS, samePort, trap, udp1, udp2)
		case "/worker.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "fetch('http://%s/worker').catch(()=>{}); fetch('http://127.0.0.1:%s/worker').catch(()=>{}); fetch('/control/worker').catch(()=>{});", trap, samePort)
		case "/redirect-to-trap":
			http.Redirect(w, r, "http://"+trap+"/redirected", http.StatusFound)
		case "/dashboard":
			if c, err := r.Cookie("sid"); err != nil || c.Value != "member-a-session-0123456789" {
				http.Redirect(w, r, "/login", http.StatusFound)
				return
			}
			fmt.Fprint(w, `<html><body><h1>Dashboard</h1><p>Your invoices</p><script src="/escapes.js"></script></body></html>`)
		default:
			fmt.Fprint(w, `<html><body><h1>Welcome</h1><script src="/escapes.js"></script></body></html>`)
		}
	}))
	defer portal.Close()
	host := strings.TrimPrefix(portal.URL, "http://")
	yaml := fmt.Sprintf(`target:
  url: %s
  scope: [%q]
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  protected: [/dashboard]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`, portal.URL, host)
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return "correct-horse", true }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Only: []string{"SESS-005"}})
	if err != nil {
		t.Fatal(err)
	}
	res := run.Outcomes[0].Result
	t.Logf("SESS-005 %s: %s %s", res.Status, res.Summary, res.Reason)
	if res.Status == check.Error || res.Status == check.Skip {
		t.Fatalf("SESS-005 did not run the pages: %s %s", res.Status, res.Reason)
	}
	for name, n := range map[string]int64{"the portal's host on another port": sameHits.Load(), "127.0.0.2": trapHits.Load(),
		"UDP on 127.0.0.1": udp1Hits.Load(), "UDP on 127.0.0.2": udp2Hits.Load()} {
		if n != 0 {
			t.Errorf("the trap on %s received %d connections or datagrams", name, n)
		}
	}
	mu.Lock()
	got := slices.Clone(controls)
	mu.Unlock()
	t.Logf("out of scope:\n%s\nwithout consent:\n%s", strings.Join(run.OutOfScope, "\n"), strings.Join(run.NoConsent, "\n"))
	for _, want := range []string{"fetch", "img", "script.js", "frame", "events", "ws", "blob-worker", "worker"} {
		if !slices.Contains(got, want) {
			t.Errorf("the control request of %q never reached the portal (seen %q): the escape it pairs with proves nothing", want, got)
		}
	}
	// A beacon is a POST: it reached the proxy and was refused there, as
	// every write to a host without consent is.
	if !slices.ContainsFunc(run.NoConsent, func(s string) bool { return strings.HasPrefix(s, "POST ") && strings.HasSuffix(s, "/control/beacon") }) {
		t.Errorf("the control beacon was not refused as a write without consent: %q", run.NoConsent)
	}
	refused := strings.Join(run.OutOfScope, "\n")
	for _, want := range []string{"127.0.0.2:" + trapPort, "127.0.0.1:" + samePort} {
		if !strings.Contains(refused, want) {
			t.Errorf("out_of_scope does not list %s:\n%s", want, refused)
		}
	}
}
