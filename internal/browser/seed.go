package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/launchready/launchready/internal/recorded"
)

// Seed puts a recorded session into the browser: its cookies, then, on a
// page of origin (its root), its localStorage, sessionStorage and IndexedDB
// records, so the pages opened next run as the member who signed in by
// hand. Cookies already expired are left out.
func Seed(rec *recorded.Recording, origin *url.URL) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, p := range SeedCookies(rec) {
			if _, err := cdp.Call(ctx, t, network.SetCookie, p); err != nil {
				return fmt.Errorf("recorded cookie %s: %w", p.Name, err)
			}
		}
		root := origin.Scheme + "://" + origin.Host + "/"
		if err := chromedp.Do(ctx, chromedp.Navigate(root)); err != nil {
			return fmt.Errorf("opening %s to seed the recorded storage: %w", root, err)
		}
		script, err := seedScript(rec)
		if err != nil {
			return err
		}
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](script, chromedp.EvalAwaitPromise))
		if err != nil {
			return fmt.Errorf("seeding the recorded storage: %w", err)
		}
		if len(problems) > 0 {
			return fmt.Errorf("seeding the recorded storage: %v", problems)
		}
		return nil
	})
}

// SeedCookies are the recording's cookies as the browser takes them: a
// host-only cookie by URL, a domain cookie with its Domain.
func SeedCookies(rec *recorded.Recording) []network.SetCookieParams {
	var out []network.SetCookieParams
	for _, c := range rec.Cookies {
		scheme := "http"
		if c.Secure {
			scheme = "https"
		}
		p := network.SetCookieParams{
			Name: c.Name, Value: c.Value, URL: scheme + "://" + c.Host() + cmpOr(c.Path, "/"),
			Path: cmpOr(c.Path, "/"), Secure: new(c.Secure), HTTPOnly: new(c.HTTPOnly),
			SameSite: network.CookieSameSite(c.SameSite),
		}
		if !c.HostOnly() {
			p.Domain = c.Domain
		}
		if !c.Expires.IsZero() {
			p.Expires = cdp.TimeSinceEpoch(c.Expires.Unix())
		}
		out = append(out, p)
	}
	return out
}

// seedScript writes the recording's web storage and IndexedDB on the
// current page and resolves to the list of what failed.
func seedScript(rec *recorded.Recording) (string, error) {
	data, err := json.Marshal(struct {
		Local   map[string]string   `json:"local"`
		Session map[string]string   `json:"session"`
		IDB     []recorded.Database `json:"idb"`
	}{rec.LocalStorage, rec.SessionStorage, rec.IndexedDB})
	if err != nil {
		return "", fmt.Errorf("encoding the recorded storage: %w", err)
	}
	return `(async (rec) => {
  const problems = [];
  for (const [area, m] of [['localStorage', rec.local], ['sessionStorage', rec.session]]) {
    try { for (const [k, v] of Object.entries(m || {})) window[area].setItem(k, v); } catch (e) { problems.push(area + ': ' + e); }
  }
  const done = tx => new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); tx.onabort = () => rej(tx.error); });
  for (const d of rec.idb || []) {
    try {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(d.name, Math.max(1, d.version || 1));
        r.onupgradeneeded = () => {
          for (const s of d.stores || []) {
            if (r.result.objectStoreNames.contains(s.name)) continue;
            const opts = {autoIncrement: !!s.autoIncrement};
            if (s.keyPath !== undefined && s.keyPath !== null) opts.keyPath = s.keyPath;
            r.result.createObjectStore(s.name, opts);
          }
        };
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      try {
        for (const s of d.stores || []) {
          if (!db.objectStoreNames.contains(s.name)) { problems.push('IndexedDB ' + d.name + '/' + s.name + ': the page made this database without the store'); continue; }
          const tx = db.transaction(s.name, 'readwrite');
          const st = tx.objectStore(s.name);
          for (const r of s.records || []) {
            if (st.keyPath !== null) st.put(r.value); else st.put(r.value, r.key);
          }
          await done(tx);
        }
      } finally { db.close(); }
    } catch (e) { problems.push('IndexedDB ' + d.name + ': ' + e); }
  }
  return problems;
})(` + string(data) + `)`, nil
}
