// Package browser drives a headless Chromium for the checks that need what a
// real browser does with the portal's pages: which scripts run, and what they
// leave in localStorage, sessionStorage and IndexedDB.
//
// The browser Inspect drives is fenced in: its only way out is the scan's
// proxy (Options.Proxy, loopback included), which forwards each request
// through the scan's client under its scope, pinned addresses and consent
// rules; WebRTC may not send UDP (nothing to proxy it through); its own
// resolver resolves nothing; it starts with a fresh profile, and every
// process and directory it made is gone when Inspect returns. Record, for a
// person signing in by hand, is fenced by the resolver instead (Resolve)
// and trusts the CA file through an NSS database in a throwaway HOME.
package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/launchready/launchready/internal/recorded"
)

// Bounds on what Inspect reads from a page.
const (
	// MaxValue caps each storage value, in characters. It matches the
	// largest JWT internal/jwtx parses, so a token is never cut short.
	MaxValue = 16 << 10
	// MaxKeys caps the keys read from each of localStorage and sessionStorage.
	MaxKeys = 500
	// MaxDatabases caps the IndexedDB databases read per page.
	MaxDatabases = 20
	// MaxEntries caps the records read from one IndexedDB database.
	MaxEntries = 50
	// MaxText caps Storage.Text, in characters.
	MaxText = 64 << 10
	// DefaultTimeout bounds a session when Options.Timeout is zero.
	DefaultTimeout = 60 * time.Second
)

// ErrNoChromium is returned when no Chromium executable is found.
var ErrNoChromium = errors.New("no Chromium found: install Debian's chromium (apt-get install -y chromium)")

// ErrNoCertutil is returned when Options.CAFile is set and NSS's certutil,
// which makes Chromium trust it, is missing.
var ErrNoCertutil = errors.New("no certutil to make Chromium trust the CA file: install Debian's libnss3-tools (apt-get install -y libnss3-tools)")

// Find returns the path of the Chromium executable: chromium on the PATH,
// Debian's /usr/lib/chromium/chromium, or chromium-browser.
func Find() (string, error) {
	return find(exec.LookPath, []string{"chromium", "/usr/lib/chromium/chromium", "chromium-browser"})
}

func find(look func(string) (string, error), names []string) (string, error) {
	for _, name := range names {
		if p, err := look(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Options configure one browser session.
type Options struct {
	// ExecPath is the Chromium executable; empty means Find.
	ExecPath string
	// Proxy is the scan's proxy (client.Proxy), Inspect's only way out;
	// Inspect refuses to start without it.
	Proxy *Proxy
	// Resolve maps host names to IP addresses for Record's Chromium
	// (--host-resolver-rules), built by the caller from its own resolver.
	// Every other name resolves to nothing; only the loopback literals
	// (127.0.0.1, ::1) and an IP-literal origin are reachable directly.
	Resolve map[string]string
	// CAFile is an extra trusted root (PEM, one or more certificates) for
	// Record, trusted through an NSS database in a throwaway HOME. It needs
	// certutil (Debian's libnss3-tools); without it Record returns
	// ErrNoCertutil. Inspect's browser trusts what the proxy trusts.
	CAFile string
	// Timeout bounds the whole session, start to clean-up; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// TempDir is where the throwaway HOME and profile are made; empty means
	// the system's temporary directory. Everything made there is removed.
	TempDir string
	// Seed, when set, is a session recorded with `launchready login
	// --record`: its cookies, web storage and IndexedDB are put into the
	// browser (see Seed) before the first page opens.
	Seed *recorded.Recording
}

// Proxy is where Inspect's browser sends all its traffic.
type Proxy struct {
	// Addr is the proxy's 127.0.0.1:port.
	Addr string
	// SPKI is the base64 SHA-256 of the key of the certificates the proxy
	// shows for HTTPS: the only untrusted key the browser accepts.
	SPKI string
}

// ErrNoProxy is returned by Inspect without Options.Proxy: the browser
// would reach the network unconfined.
var ErrNoProxy = errors.New("browser: no proxy to confine the browser (Options.Proxy)")

// Storage is what one page left in the browser's web storage.
type Storage struct {
	// Page is the URL navigated to; URL is where the browser ended up
	// (after redirects).
	Page, URL string
	// Status is the HTTP status of the page's document (0 if unknown).
	Status int
	// Local and Session are localStorage and sessionStorage, each value cut
	// at MaxValue characters.
	Local, Session map[string]string
	// IndexedDB lists the records of the origin's databases.
	IndexedDB []IDBEntry
	// Text is document.body.innerText, cut at MaxText characters.
	Text string
	// Problems lists what could not be read (a storage area that threw, a
	// database that would not open): the page's storage is then incomplete.
	Problems []string
}

// IDBEntry is one IndexedDB record.
type IDBEntry struct {
	Database string `json:"database"`
	Store    string `json:"store"`
	// Key is the record's key in string form (JSON for non-string keys).
	Key string `json:"key"`
	// Value is the record's value as JSON (String() when it has none), cut
	// at MaxValue characters. The cap is the one of web storage values, not
	// an excerpt: a 200-character excerpt would cut every JWT short.
	Value string `json:"value"`
}

// Inspect starts Chromium, sets the cookies on origin, visits each page
// (a path or URL resolved against origin) in turn and reads what it left in
// web storage once the page has loaded and its storage has settled. The
// browser is killed and its directories removed before Inspect returns.
func Inspect(ctx context.Context, opts Options, cookies []*http.Cookie, origin *url.URL, pages []string) ([]Storage, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if opts.Proxy == nil || opts.Proxy.Addr == "" {
		return nil, ErrNoProxy
	}
	exe, err := execPath(opts.ExecPath)
	if err != nil {
		return nil, err
	}
	urls, err := onOrigin(origin, pages)
	if err != nil {
		return nil, err
	}
	prof, err := newProfile(ctx, opts.TempDir, "")
	if err != nil {
		return nil, err
	}
	defer prof.remove()
	out := &tailBuffer{max: 4 << 10}
	alloc := append(allocatorOptions(exe, proxiedRules, prof, out), proxyOptions(opts.Proxy)...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, alloc...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer func() {
		// Closing the tab context ends the browser; the allocator's cancel
		// waits for the process, and remove (deferred above) then kills any
		// child that outlived it.
		cancelTab()
		cancelAlloc()
	}()
	if err := start(tabCtx, out); err != nil {
		return nil, err
	}
	if opts.Seed != nil {
		if err := chromedp.Do(tabCtx, Seed(opts.Seed, origin)); err != nil {
			return nil, err
		}
	}
	return visitAll(tabCtx, cookies, origin, urls)
}

// execPath checks an explicit executable or finds one.
func execPath(p string) (string, error) {
	if p == "" {
		return Find()
	}
	full, err := exec.LookPath(p)
	if err != nil {
		return "", fmt.Errorf("%w (%s: %v)", ErrNoChromium, p, err)
	}
	return full, nil
}

// start launches the browser, opens its tab and has every dialog
// dismissed.
func start(ctx context.Context, out *tailBuffer) error {
	if err := launch(ctx, out); err != nil {
		return err
	}
	dismissDialogs(ctx)
	return nil
}

// launch launches the browser and opens its tab.
func launch(ctx context.Context, out *tailBuffer) error {
	if err := chromedp.Do(ctx); err != nil {
		if s := out.String(); s != "" {
			return fmt.Errorf("starting Chromium: %w; it printed:\n%s", err, s)
		}
		return fmt.Errorf("starting Chromium: %w", err)
	}
	return nil
}
