package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/launchready/launchready/internal/recorded"
)

// DefaultRecordTimeout bounds a recording when RecordOptions.Timeout is
// zero: long enough to find a phone for a second factor.
const DefaultRecordTimeout = 15 * time.Minute

// donePoll is how often the recorder looks whether the person has arrived
// on a members' page.
const donePoll = 500 * time.Millisecond

// ErrNotSignedIn is returned when the browser is not signed in to the
// portal when the person says it is done.
var ErrNotSignedIn = errors.New("the browser is not signed in to the portal")

// Person is whoever signs in while Record waits: a person at the keyboard
// (the CLI returns when Enter is pressed) or a test filling the form. ctx
// is the browser tab's: chromedp actions run in it. Returning nil means
// "signed in, save the session"; Record may also finish before Person
// returns, when the browser reaches a members' page on its own.
type Person func(ctx context.Context) error

// RecordOptions configure Record.
type RecordOptions struct {
	// Options are the browser's: executable, resolver map, CA file,
	// temporary directory. Timeout bounds the whole recording (default
	// DefaultRecordTimeout).
	Options
	// Headless hides the window (tests); a person needs it visible.
	Headless bool
	// Open lifts the resolver fence: every name resolves as usual (with
	// Resolve's entries first), because a person's sign-in may pass
	// through an identity provider (Google, an SSO server). Only the
	// origin's state is saved either way.
	Open bool
	// Origin is the portal's (target.url).
	Origin *url.URL
	// LoginPath is where the browser opens (auth.login.path); "" = the
	// origin's root. Arriving back there means "not signed in".
	LoginPath string
	// Done lists members' pages (auth.login.success, auth.protected): the
	// recording finishes by itself when the browser shows one of them
	// without a password field, and the first is where the session is
	// verified before it is saved.
	Done []string
	// ScopeHosts are the hosts of target.scope: only their cookies are
	// saved.
	ScopeHosts []string
	// Account is the member signing in, stored in the recording.
	Account string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Record opens Chromium at the login page, lets person sign in, then
// verifies the session on a members' page and returns what the browser
// holds for the portal: the cookies of in-scope hosts, the origin's
// localStorage, sessionStorage and IndexedDB. The browser and its profile
// are gone when it returns.
func Record(ctx context.Context, opts RecordOptions, person Person) (*recorded.Recording, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultRecordTimeout
	}
	if opts.Origin == nil {
		return nil, errors.New("record: no origin")
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	exe, err := execPath(opts.ExecPath)
	if err != nil {
		return nil, err
	}
	rules, err := resolverRules(opts.Origin, opts.Resolve)
	if err != nil {
		return nil, err
	}
	if opts.Open {
		rules = openRules(rules)
	}
	login, err := onOrigin(opts.Origin, []string{cmpOr(opts.LoginPath, "/")})
	if err != nil {
		return nil, err
	}
	done, err := onOrigin(opts.Origin, opts.Done)
	if err != nil {
		return nil, err
	}
	prof, err := newProfile(ctx, opts.TempDir, opts.CAFile)
	if err != nil {
		return nil, err
	}
	defer prof.remove()
	out := &tailBuffer{max: 4 << 10}
	alloc := allocatorOptions(exe, rules, prof, out)
	if rules == "" {
		alloc = append(alloc, chromedp.Flag("host-resolver-rules", false)) // false drops the flag
	}
	if !opts.Headless {
		alloc = append(alloc, chromedp.Flag("headless", false), chromedp.Flag("hide-scrollbars", false), chromedp.Flag("mute-audio", false))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, alloc...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer func() {
		cancelTab()
		cancelAlloc()
	}()
	if opts.Headless {
		err = start(tabCtx, out) // nobody to answer a dialog
	} else {
		err = launch(tabCtx, out) // the person answers dialogs
	}
	if err != nil {
		return nil, err
	}
	if err := chromedp.Do(tabCtx, chromedp.Navigate(login[0])); err != nil {
		return nil, fmt.Errorf("opening the login page %s in Chromium: %w", login[0], err)
	}
	r := &recorder{opts: opts, login: login[0], done: done}
	if err := r.wait(tabCtx, person); err != nil {
		return nil, err
	}
	return r.save(tabCtx)
}

// cmpOr returns a unless it is empty.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// openRules keeps only the MAP entries for named hosts.
func openRules(rules string) string {
	var keep []string
	for r := range strings.SplitSeq(rules, ", ") {
		if strings.HasPrefix(r, "MAP ") && r != "MAP * ~NOTFOUND" {
			keep = append(keep, r)
		}
	}
	return strings.Join(keep, ", ")
}

// recorder is one recording under way.
type recorder struct {
	opts  RecordOptions
	login string
	done  []string
}

// location is where the tab is and whether it shows a password field.
type location struct {
	URL      string `json:"url"`
	Password bool   `json:"password"`
}

const locationScript = `({url: location.href, password: !!document.querySelector('input[type=password]')})`

// wait returns when the person is done or the browser has reached a
// members' page by itself.
func (r *recorder) wait(ctx context.Context, person Person) error {
	finished := make(chan error, 1)
	go func() { finished <- person(ctx) }()
	tick := time.NewTicker(donePoll)
	defer tick.Stop()
	for {
		select {
		case err := <-finished:
			if err != nil {
				return fmt.Errorf("signing in: %w", err)
			}
			return nil
		case <-tick.C:
			if len(r.done) == 0 {
				continue
			}
			// A page mid-navigation cannot be evaluated: ask again later.
			loc, err := chromedp.Run(ctx, chromedp.Evaluate[location](locationScript))
			if err == nil && r.signedInAt(loc) && r.isDone(loc.URL) {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for the sign-in: %w", ctx.Err())
		}
	}
}

// signedInAt reports a page of the origin, not the login page, with no
// password field.
func (r *recorder) signedInAt(loc location) bool {
	u, err := url.Parse(loc.URL)
	if err != nil || loc.Password {
		return false
	}
	return u.Scheme == r.opts.Origin.Scheme && u.Host == r.opts.Origin.Host && !samePath(u.String(), r.login)
}

func (r *recorder) isDone(raw string) bool {
	return slices.ContainsFunc(r.done, func(d string) bool { return samePath(raw, d) })
}

// samePath compares the origin and path of two URLs (not the query).
func samePath(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return false
	}
	return ua.Host == ub.Host && strings.TrimSuffix(ua.Path, "/") == strings.TrimSuffix(ub.Path, "/")
}

// save verifies the session on the first members' page (or where the
// person left the browser) and reads it out.
func (r *recorder) save(ctx context.Context) (*recorded.Recording, error) {
	if len(r.done) > 0 {
		if err := chromedp.Do(ctx, chromedp.Navigate(r.done[0])); err != nil {
			return nil, fmt.Errorf("opening %s to verify the sign-in: %w", r.done[0], err)
		}
	}
	// Scripts may still be writing the session into storage.
	for range 2 {
		if chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](settleScript(), chromedp.EvalAwaitPromise)) == nil {
			break
		}
	}
	snap, err := chromedp.Run(ctx, chromedp.Evaluate[recordSnapshot](recordScript(), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("reading the portal's storage: %w", err)
	}
	if !r.signedInAt(location{URL: snap.URL, Password: snap.Password}) {
		where := "the members' page"
		if len(r.done) > 0 {
			where = r.done[0]
		}
		return nil, fmt.Errorf("%w: %s showed %s (the login page, a password field, or another site); nothing was saved — sign in fully, then press Enter",
			ErrNotSignedIn, where, snap.URL)
	}
	cookies, skipped, err := r.cookies(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if r.opts.Now != nil {
		now = r.opts.Now
	}
	origin, _ := recorded.ParseOrigin(r.opts.Origin.String()) // Record's caller passes a parsed origin
	rec := &recorded.Recording{
		Origin: origin, Account: r.opts.Account, Recorded: now().UTC().Truncate(time.Second), VerifiedURL: snap.URL,
		Cookies: cookies, LocalStorage: snap.Local, SessionStorage: snap.Session,
		Skipped: append(skipped, snap.Skipped...),
	}
	for _, db := range snap.IDB {
		rec.IndexedDB = append(rec.IndexedDB, db.toRecorded())
	}
	return rec, nil
}

// cookies reads every cookie of the browser and keeps those of in-scope
// hosts; the others (an identity provider's) are counted, not saved.
func (r *recorder) cookies(ctx context.Context) ([]recorded.Cookie, []string, error) {
	res, err := chromedp.Call(ctx, storage.GetCookies, storage.GetCookiesParams{})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the browser's cookies: %w", err)
	}
	var out []recorded.Cookie
	var other []string
	for _, c := range res.Cookies {
		if !recorded.InScope(c.Domain, r.opts.ScopeHosts) {
			if d := strings.TrimPrefix(c.Domain, "."); !slices.Contains(other, d) {
				other = append(other, d)
			}
			continue
		}
		if len(out) == recorded.MaxCookies {
			return nil, nil, fmt.Errorf("more than %d cookies for the portal's hosts", recorded.MaxCookies)
		}
		out = append(out, fromCDP(c))
	}
	var skipped []string
	if len(other) > 0 {
		slices.Sort(other)
		skipped = append(skipped, fmt.Sprintf("cookies of hosts outside target.scope, not saved: %s", strings.Join(other, ", ")))
	}
	return out, skipped, nil
}

// fromCDP converts a browser cookie.
func fromCDP(c *network.Cookie) recorded.Cookie {
	out := recorded.Cookie{
		Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
		Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: string(c.SameSite),
	}
	if !c.Session && c.Expires > 0 {
		sec := int64(c.Expires)
		out.Expires = time.Unix(sec, 0).UTC()
	}
	return out
}

// recordSnapshot is what recordScript returns.
type recordSnapshot struct {
	URL      string            `json:"url"`
	Password bool              `json:"password"`
	Local    map[string]string `json:"local"`
	Session  map[string]string `json:"session"`
	IDB      []snapDB          `json:"idb"`
	Skipped  []string          `json:"skipped"`
}

type snapDB struct {
	Name    string `json:"name"`
	Version int64  `json:"version"`
	Stores  []struct {
		Name          string `json:"name"`
		KeyPath       string `json:"keyPath"` // JSON
		AutoIncrement bool   `json:"autoIncrement"`
		Records       []struct {
			Key   string `json:"key"`   // JSON
			Value string `json:"value"` // JSON
		} `json:"records"`
	} `json:"stores"`
}

func (db snapDB) toRecorded() recorded.Database {
	out := recorded.Database{Name: db.Name, Version: db.Version}
	for _, st := range db.Stores {
		s := recorded.Store{Name: st.Name, AutoIncrement: st.AutoIncrement, Records: []recorded.Record{}}
		if st.KeyPath != "" && st.KeyPath != "null" {
			s.KeyPath = []byte(st.KeyPath)
		}
		for _, rec := range st.Records {
			s.Records = append(s.Records, recorded.Record{Key: []byte(rec.Key), Value: []byte(rec.Value)})
		}
		out.Stores = append(out.Stores, s)
	}
	return out
}

// recordScript reads the page's location, web storage and IndexedDB whole
// (not cut, unlike readScript: a cut token is no token), bounded by the
// recorded package's limits. What is left out is listed in skipped.
func recordScript() string {
	return fmt.Sprintf(`(async () => {
  const maxKeys = %d, maxValue = %d, maxDBs = %d, maxRecords = %d, maxIDB = %d;
  const skipped = [];
  const plain = (v, d) => {
    if (d > 64) return false;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v);
    if (Array.isArray(v)) return v.every(e => plain(e, d + 1));
    if (typeof v === 'object') {
      const p = Object.getPrototypeOf(v);
      return (p === Object.prototype || p === null) && Object.values(v).every(e => plain(e, d + 1));
    }
    return false;
  };
  const dump = area => {
    const o = {};
    try {
      const s = window[area];
      if (s.length > maxKeys) skipped.push(area + ': ' + (s.length - maxKeys) + ' keys over the limit of ' + maxKeys);
      for (let i = 0; i < s.length && i < maxKeys; i++) {
        const k = s.key(i), v = String(s.getItem(k));
        if (v.length > maxValue) { skipped.push(area + ' ' + k + ': ' + v.length + ' characters, over the limit of ' + maxValue); continue; }
        o[k] = v;
      }
    } catch (e) { skipped.push(area + ': ' + e); }
    return o;
  };
  const req = r => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const open = name => new Promise((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
    r.onupgradeneeded = () => r.transaction.abort();
  });
  const idb = [];
  let budget = maxIDB;
  try {
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    if (dbs.length > maxDBs) skipped.push('IndexedDB: ' + (dbs.length - maxDBs) + ' databases over the limit of ' + maxDBs);
    for (const info of dbs.slice(0, maxDBs)) {
      if (!info.name) continue;
      let db;
      try { db = await open(info.name); } catch (e) { skipped.push('IndexedDB ' + info.name + ': ' + e); continue; }
      const out = {name: db.name, version: db.version, stores: []};
      try {
        for (const name of Array.from(db.objectStoreNames)) {
          const st = db.transaction(name, 'readonly').objectStore(name);
          const store = {name: name, keyPath: JSON.stringify(st.keyPath), autoIncrement: st.autoIncrement, records: []};
          const [keys, values] = await Promise.all([req(st.getAllKeys(null, maxRecords + 1)), req(st.getAll(null, maxRecords + 1))]);
          if (keys.length > maxRecords) skipped.push('IndexedDB ' + db.name + '/' + name + ': records past the first ' + maxRecords);
          let notJSON = 0, tooBig = 0;
          for (let i = 0; i < keys.length && i < maxRecords; i++) {
            if (!plain(keys[i], 0) || !plain(values[i], 0)) { notJSON++; continue; }
            const k = JSON.stringify(keys[i]), v = JSON.stringify(values[i]);
            if (v.length > maxValue || k.length + v.length > budget) { tooBig++; continue; }
            budget -= k.length + v.length;
            store.records.push({key: k, value: v});
          }
          if (notJSON) skipped.push('IndexedDB ' + db.name + '/' + name + ': ' + notJSON + ' records that are not plain JSON data (Blob, Date, typed arrays, class instances)');
          if (tooBig) skipped.push('IndexedDB ' + db.name + '/' + name + ': ' + tooBig + ' records over the size limits');
          out.stores.push(store);
        }
      } catch (e) { skipped.push('IndexedDB ' + info.name + ': ' + e); } finally { db.close(); }
      idb.push(out);
    }
  } catch (e) { skipped.push('IndexedDB: ' + e); }
  return {url: location.href, password: !!document.querySelector('input[type=password]'),
    local: dump('localStorage'), session: dump('sessionStorage'), idb: idb, skipped: skipped};
})()`, recorded.MaxKeys, recorded.MaxValueBytes, recorded.MaxDatabases, recorded.MaxRecords, recorded.MaxIndexedDBBytes)
}
