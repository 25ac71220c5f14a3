package browser

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Settling: after the load event a page's scripts may still be writing
// storage (after a fetch, a timer). Poll until it stays the same for
// settleQuiet polls, and never longer than settleMax.
const (
	settlePoll  = 100 * time.Millisecond
	settleQuiet = 5
	settleMax   = 2 * time.Second
)

// visitAll sets the cookies, then visits each URL in turn.
func visitAll(ctx context.Context, cookies []*http.Cookie, origin *url.URL, urls []string) ([]Storage, error) {
	if err := chromedp.Do(ctx, setCookies(cookies, origin)); err != nil {
		return nil, fmt.Errorf("setting the session cookies in Chromium: %w", err)
	}
	out := make([]Storage, 0, len(urls))
	for _, u := range urls {
		s, err := visit(ctx, u)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// onOrigin resolves the pages against the origin and refuses any elsewhere:
// the browser only ever opens the origin's pages.
func onOrigin(origin *url.URL, pages []string) ([]string, error) {
	out := make([]string, 0, len(pages))
	for _, p := range pages {
		ref, err := url.Parse(p)
		if err != nil {
			return nil, fmt.Errorf("page %q: %w", p, err)
		}
		u := origin.ResolveReference(ref)
		if u.Scheme != origin.Scheme || u.Host != origin.Host {
			return nil, fmt.Errorf("page %q is not on %s://%s", p, origin.Scheme, origin.Host)
		}
		out = append(out, u.String())
	}
	return out, nil
}

// setCookies installs the cookies for the origin before any page opens.
func setCookies(cookies []*http.Cookie, origin *url.URL) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, c := range cookies {
			if c.MaxAge < 0 {
				continue // a deletion, not a cookie
			}
			if _, err := cdp.Call(ctx, t, network.SetCookie, cookieParams(c, origin, time.Now())); err != nil {
				return fmt.Errorf("cookie %s: %w", c.Name, err)
			}
		}
		return nil
	})
}

// cookieParams carries a cookie's attributes over as the browser would have
// stored them from Set-Cookie: no Domain means host-only, no Path means /.
func cookieParams(c *http.Cookie, origin *url.URL, now time.Time) network.SetCookieParams {
	p := network.SetCookieParams{
		Name:     c.Name,
		Value:    c.Value,
		URL:      origin.Scheme + "://" + origin.Host + "/",
		Domain:   c.Domain,
		Path:     cmp.Or(c.Path, "/"),
		Secure:   new(c.Secure),
		HTTPOnly: new(c.HttpOnly),
	}
	switch c.SameSite {
	case http.SameSiteStrictMode:
		p.SameSite = network.CookieSameSiteStrict
	case http.SameSiteLaxMode:
		p.SameSite = network.CookieSameSiteLax
	case http.SameSiteNoneMode:
		p.SameSite = network.CookieSameSiteNone
	}
	switch {
	case c.MaxAge > 0:
		p.Expires = cdp.TimeSinceEpoch(now.Add(time.Duration(c.MaxAge) * time.Second).Unix())
	case !c.Expires.IsZero():
		p.Expires = cdp.TimeSinceEpoch(c.Expires.Unix())
	}
	return p
}

// snapshot is what readScript returns.
type snapshot struct {
	URL      string            `json:"url"`
	Local    map[string]string `json:"local"`
	Session  map[string]string `json:"session"`
	IDB      []IDBEntry        `json:"idb"`
	Text     string            `json:"text"`
	Problems []string          `json:"problems"`
}

// visit opens one page, waits for its load event and for its storage to
// settle, and reads the storage.
func visit(ctx context.Context, u string) (Storage, error) {
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		return Storage{}, fmt.Errorf("opening %s in Chromium: %w", u, err)
	}
	// A script that navigates away destroys the promise; the second try
	// settles the page it went to.
	for range 2 {
		if chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](settleScript(), chromedp.EvalAwaitPromise)) == nil {
			break
		}
	}
	snap, err := chromedp.Run(ctx, chromedp.Evaluate[snapshot](readScript(), chromedp.EvalAwaitPromise))
	if err != nil {
		return Storage{}, fmt.Errorf("reading the storage of %s: %w", u, err)
	}
	s := Storage{
		Page: u, URL: snap.URL, Local: snap.Local, Session: snap.Session,
		IndexedDB: snap.IDB, Text: snap.Text, Problems: snap.Problems,
	}
	if resp != nil {
		s.Status = int(resp.Status)
	}
	return s, nil
}

// dismissDialogs answers every alert, confirm and prompt with "cancel", so
// a dialog cannot block the session until its timeout. It subscribes before
// returning and stops when ctx ends.
func dismissDialogs(ctx context.Context) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			// A dialog that closed on its own meanwhile makes this fail,
			// which is fine.
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
}

// settleScript resolves once localStorage and sessionStorage have not
// changed for settleQuiet polls, or after settleMax.
func settleScript() string {
	return fmt.Sprintf(`new Promise(resolve => {
  const snap = () => { try { return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)]); } catch (e) { return ''; } };
  let last = snap(), quiet = 0;
  const start = Date.now();
  const timer = setInterval(() => {
    const s = snap();
    if (s === last) { quiet++; } else { quiet = 0; last = s; }
    if (quiet >= %d || Date.now() - start >= %d) { clearInterval(timer); resolve(true); }
  }, %d);
})`, settleQuiet, settleMax.Milliseconds(), settlePoll.Milliseconds())
}

// readScript reads localStorage, sessionStorage, the origin's IndexedDB
// records (bounded) and the page's text. What cannot be read is listed in
// problems rather than silently skipped.
func readScript() string {
	return fmt.Sprintf(`(async () => {
  const maxKeys = %d, maxValue = %d, maxDBs = %d, maxEntries = %d, maxText = %d;
  const problems = [];
  const cut = s => s.length > maxValue ? s.slice(0, maxValue) : s;
  const str = v => {
    if (typeof v === 'string') return v;
    try { const j = JSON.stringify(v); if (j !== undefined) return j; } catch (e) {}
    return String(v);
  };
  const dump = area => {
    const o = {};
    try {
      const s = window[area];
      for (let i = 0; i < s.length && i < maxKeys; i++) { const k = s.key(i); o[k] = cut(String(s.getItem(k))); }
    } catch (e) { problems.push(area + ': ' + e); }
    return o;
  };
  const req = r => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const open = name => new Promise((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
    r.onupgradeneeded = () => r.transaction.abort(); // gone meanwhile: do not create it
  });
  const idb = [];
  try {
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    for (const info of dbs.slice(0, maxDBs)) {
      if (!info.name) continue;
      let db;
      try { db = await open(info.name); } catch (e) { problems.push('IndexedDB ' + info.name + ': ' + e); continue; }
      try {
        let left = maxEntries;
        for (const name of Array.from(db.objectStoreNames)) {
          if (left <= 0) break;
          const st = db.transaction(name, 'readonly').objectStore(name);
          const [keys, values] = await Promise.all([req(st.getAllKeys(null, left)), req(st.getAll(null, left))]);
          for (let i = 0; i < keys.length; i++) {
            idb.push({database: info.name, store: name, key: cut(str(keys[i])), value: cut(str(values[i]))});
          }
          left -= keys.length;
        }
      } catch (e) { problems.push('IndexedDB ' + info.name + ': ' + e); } finally { db.close(); }
    }
  } catch (e) { problems.push('IndexedDB: ' + e); }
  const text = document.body ? document.body.innerText : '';
  return {url: location.href, local: dump('localStorage'), session: dump('sessionStorage'), idb: idb,
    text: text.slice(0, maxText), problems: problems};
})()`, MaxKeys, MaxValue, MaxDatabases, MaxEntries, MaxText)
}
