// Package authz finds member a's objects and replays every read of them as
// member b and as an anonymous visitor. Exposure is proved with data: a
// replay leaks only when its response carries a's markers (a canary a wrote
// in this run, or values only a's response shows), never because of a
// status code.
package authz

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/page"
)

// Discovery bounds.
const (
	// MaxReadsPerKind caps the objects of one kind that are replayed.
	MaxReadsPerKind = 3
	// MaxReads caps the objects replayed in all.
	MaxReads = 40
	// MaxCanaryKinds caps the kinds discovery creates a canary object for
	// (one each); AUTHZ-002 has its own cap of the same size.
	MaxCanaryKinds = 5
	// maxScripts caps the same-origin scripts read for admin routes.
	maxScripts = 10
	// maxBaseline caps the segments of the baseline, which lasts the
	// whole discovery.
	maxBaseline = 200_000
)

// Read is one way of reading one of member a's objects.
type Read struct {
	// Kind is the object kind's name: a config object, or "crawled" and
	// the template for objects the crawl found.
	Kind string
	// ID is the object's ID; URL reads it; Via is "path" or "query".
	ID, URL, Via string
	// Created is true for a canary object a made in this run.
	Created bool
	// Shared is true when member b's own list of the kind shows the ID
	// too: the object may be b's as much as a's, so b opening it proves
	// nothing unless the portal refuses b the object itself.
	Shared bool
	// Owner is a's own response, without its bodies: the reference.
	Owner *client.Response
	// Markers prove a response shows this object.
	Markers Markers
	// cands are a's values that may become markers, kept in place of a's
	// body until the baseline is complete.
	cands []string
}

// Label names the read in reports: kind, ID and request.
func (r *Read) Label() string {
	return fmt.Sprintf("%s %s (GET %s)", r.Kind, r.ID, r.URL)
}

// Kind is one kind of object and the IDs seen of it.
type Kind struct {
	Name     string
	Template Template
	// Object is the config entry; nil for kinds the crawl found.
	Object *config.Object
	// List is the configured list's absolute URL ("" for none): it is
	// replayed as b and anonymously too.
	List string
	// IDsA and IDsB are the IDs seen in a's and b's lists.
	IDsA, IDsB []string
	// Source is a's response the IDs came from (the list, or a page that
	// linked to the objects), without its bodies: evidence for AUTHZ-005.
	Source *client.Response
}

// Inventory is what discovery found, shared by the authorization checks.
type Inventory struct {
	Kinds []*Kind
	Reads []*Read
	// Pages counts the pages the crawl fetched; Requests every request
	// discovery sent.
	Pages, Requests int
	// AdminRoutes are admin-looking paths found in same-origin scripts.
	AdminRoutes []string
	// Notes say what discovery could not do (a list that failed, a bound
	// it reached).
	Notes []string
	// Unjudged are a's objects found but not replayed, each with the
	// reason: the checks list them and never PASS on them alone.
	Unjudged []Unjudged
	// Baseline is the set of segments identities other than a see: public
	// pages, b's protected pages and the objects b owns, missing objects.
	// Markers never come from it. What b is shown of a list is not in it:
	// a list that leaks would hide the very objects it leaks.
	Baseline map[string]bool
}

// Unjudged is one of a's objects that discovery found and could not
// replay.
type Unjudged struct {
	Kind, ID string
	// Why says what was missing.
	Why string
}

// String names the object and the reason.
func (u Unjudged) String() string { return u.Kind + " " + u.ID + " (" + u.Why + ")" }

// Discover finds member a's objects once per scan: config lists and items,
// canary objects (only with consent, when a create request is configured),
// and a bounded GET-only crawl of a's pages.
func Discover(ctx context.Context, env *check.Env) (*Inventory, error) {
	return check.Shared(ctx, env, "authz-inventory", func(ctx context.Context) (*Inventory, error) {
		d, err := newDiscovery(ctx, env)
		if err != nil {
			return nil, err
		}
		return d.run(ctx)
	})
}

// discovery is one discovery run's state.
type discovery struct {
	env    *check.Env
	origin *url.URL
	a, b   *client.Session
	inv    *Inventory
	// pending are reads whose markers wait for the full baseline.
	pending []*Read
	// noted holds the notes already made, so a bound hit on every page
	// is said once.
	noted map[string]bool
	// canaries counts the kinds a canary was created for.
	canaries int
}

func newDiscovery(ctx context.Context, env *check.Env) (*discovery, error) {
	a, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return nil, fmt.Errorf("logging in member a: %w", err)
	}
	b, err := env.Sessions.Get(ctx, "b")
	if err != nil {
		return nil, fmt.Errorf("logging in member b: %w", err)
	}
	return &discovery{
		env: env, origin: env.Sessions.Config().Origin, a: a, b: b,
		inv: &Inventory{Baseline: map[string]bool{}},
	}, nil
}

func (d *discovery) run(ctx context.Context) (*Inventory, error) {
	if err := d.baseline(ctx); err != nil {
		return nil, err
	}
	for i := range d.env.Config.Objects {
		if err := d.configKind(ctx, &d.env.Config.Objects[i]); err != nil {
			return nil, err
		}
	}
	if err := d.crawl(ctx); err != nil {
		return nil, err
	}
	d.finish()
	return d.inv, nil
}

// do sends one discovery request and counts it.
func (d *discovery) do(ctx context.Context, s *client.Session, req *client.Request) (*client.Response, error) {
	d.inv.Requests++
	return s.Do(ctx, req)
}

func (d *discovery) url(path string) string {
	ref, err := url.Parse(path)
	if err != nil {
		return d.origin.String() + path
	}
	return d.origin.ResolveReference(ref).String()
}

func (d *discovery) note(format string, a ...any) {
	n := fmt.Sprintf(format, a...)
	if d.noted == nil {
		d.noted = map[string]bool{}
	}
	if !d.noted[n] {
		d.noted[n] = true
		d.inv.Notes = append(d.inv.Notes, n)
	}
}

// absorb adds a response's segments (every hop's) to the baseline. A
// baseline cut short leaves segments others see among a's candidate
// markers, which makes a refusal look more like a leak; the note says so.
func (d *discovery) absorb(resp *client.Response) {
	if resp == nil {
		return
	}
	for _, h := range resp.Hops {
		err := page.EachSegment(h.Body, func(s string) bool {
			if len(d.inv.Baseline) >= maxBaseline {
				return false
			}
			d.inv.Baseline[s] = true
			return true
		})
		switch {
		case err != nil:
			d.note("a page of the baseline (what others see) was read in part (%v): a's markers may include text others see", err)
		case len(d.inv.Baseline) >= maxBaseline:
			d.note("the baseline (what others see) reached its bound of %d text segments: a's markers may include text others see", maxBaseline)
		}
	}
}

// baseline gathers what others see: the public pages anonymously, a page
// that cannot exist as a, b and anonymous (so each one's page chrome is
// known), and b's own protected pages (object lists aside).
func (d *discovery) baseline(ctx context.Context) error {
	missing := "/launchready-missing-" + randomHex(8)
	anon := d.env.Sessions.Anonymous()
	paths := []string{"/", missing}
	if p := d.env.Sessions.Config().Path; p != "" {
		paths = append(paths, p)
	}
	fetched := 0
	for _, p := range paths {
		resp, err := d.do(ctx, anon, &client.Request{URL: d.url(p), Follow: true})
		if err != nil {
			continue
		}
		fetched++
		d.absorb(resp)
	}
	if fetched == 0 {
		return fmt.Errorf("none of the public reference pages (%s) could be fetched", strings.Join(paths, ", "))
	}
	for _, s := range []*client.Session{d.a, d.b} {
		resp, err := d.do(ctx, s, &client.Request{URL: d.url(missing), Follow: true})
		if err != nil {
			return fmt.Errorf("fetching a missing page as a member: %w", err)
		}
		d.absorb(resp)
	}
	// An object list among the protected pages is not b's own page: when
	// the list itself leaks it shows a's objects (the list is judged on
	// its own, replayed as b and anonymously).
	lists := map[string]bool{}
	for _, o := range d.env.Config.Objects {
		if o.List != "" {
			lists[o.List] = true
		}
	}
	for _, p := range d.env.Config.Auth.Protected {
		if lists[p] {
			continue
		}
		resp, err := d.do(ctx, d.b, &client.Request{URL: d.url(p), Follow: true})
		if err != nil {
			return fmt.Errorf("fetching %s as member b: %w", p, err)
		}
		d.absorb(resp)
	}
	return nil
}

// maxOwnerTries caps a's own reads of one kind, kept or not: a list that
// shows other members' objects too costs a refused read for each.
const maxOwnerTries = 3 * MaxReadsPerKind

// configKind lists a's and b's objects of one configured kind, reads b's
// own objects as b (what b may see), creates a canary object when it may,
// and reads a's objects as a.
func (d *discovery) configKind(ctx context.Context, o *config.Object) error {
	k := &Kind{Name: o.Name, Object: o}
	if o.Item != "" {
		// a's objects: a's {{self.id}}, also when b replays them.
		item, err := d.a.FillPath(ctx, d.url(o.Item))
		if err != nil {
			return fmt.Errorf("%s: %w", o.Name, err)
		}
		k.Template = newTemplate(item)
	}
	d.inv.Kinds = append(d.inv.Kinds, k)
	if o.List != "" {
		// a's list: a's {{self.id}}, also when b and anonymous replay it.
		list, err := d.a.FillPath(ctx, d.url(o.List))
		if err != nil {
			return fmt.Errorf("%s: %w", o.Name, err)
		}
		k.List = list
		ids, resp, err := d.list(ctx, d.a, o, k.Template, "a")
		if err != nil {
			return err
		}
		k.IDsA, k.Source = ids, resp.WithoutBodies()
		var respB *client.Response
		if k.IDsB, respB, err = d.list(ctx, d.b, o, k.Template, "b"); err != nil {
			return err
		}
		if resp != nil && respB != nil {
			d.attributeOwners(ctx, k, cmp.Or(o.IDField, "id"), resp.Body, respB.Body)
		}
	}
	if o.Item == "" {
		return nil
	}
	// What a missing object of this kind looks like, to a and to b.
	for _, s := range []*client.Session{d.a, d.b} {
		if resp, err := d.do(ctx, s, &client.Request{URL: k.Template.Fill("launchready-missing-" + randomHex(8)), Follow: true}); err == nil {
			d.absorb(resp)
		}
	}
	if err := d.ownReads(ctx, k); err != nil {
		return err
	}
	var ids []string
	canary := ""
	if ok, _ := d.env.MayWrite(ctx, d.env.Config.Target.URL); o.Create != nil && ok && d.canaries < MaxCanaryKinds {
		d.canaries++
		c, err := Create(ctx, d.env, d.a, o, k.Template)
		if err != nil {
			d.note("%s: creating a canary object as member a failed: %v", o.Name, err)
		} else {
			ids, canary = append(ids, c.ID), c.Canary
			k.IDsA = append(k.IDsA, c.ID)
			if k.Source == nil {
				k.Source = c.Response.WithoutBodies()
			}
		}
	}
	// The objects only a's list shows come first: they are a's beyond
	// doubt. Those b's list shows too may be anyone's. Lists may hold
	// many thousands: sets, and no more candidates than are tried.
	shared := setOf(k.IDsB)
	picked := setOf(ids)
	for _, pass := range []bool{false, true} {
		for _, id := range k.IDsA {
			if len(ids) >= maxOwnerTries {
				break
			}
			if shared[id] == pass && !picked[id] {
				picked[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		d.note("%s: member a has none (no list entries, no canary): nothing to replay", o.Name)
	}
	kept := 0
	for i, id := range ids {
		if kept >= MaxReadsPerKind || i >= maxOwnerTries {
			break
		}
		c := ""
		if i == 0 {
			c = canary
		}
		ok, err := d.ownerRead(ctx, o.Name, k.Template, id, readOpts{canary: c, shared: shared[id] && c == ""})
		if err != nil {
			return err
		}
		if ok {
			kept++
		}
	}
	return nil
}

// ownReads reads, as b, the objects only b's list shows: they are b's, so
// what b sees of them (its own invoice's layout, the plan every member
// has) can never prove that b sees a's. What b's list shows is not taken:
// when the list itself leaks, it shows a's objects.
func (d *discovery) ownReads(ctx context.Context, k *Kind) error {
	n := 0
	inA := setOf(k.IDsA)
	for _, id := range k.IDsB {
		if n >= MaxReadsPerKind {
			break
		}
		if inA[id] {
			continue
		}
		n++
		resp, err := d.do(ctx, d.b, &client.Request{URL: k.Template.Fill(id), Follow: true})
		if err != nil {
			return fmt.Errorf("reading %s %s as member b, its owner: %w", k.Name, id, err)
		}
		if resp.StatusCode >= 400 || page.HasPasswordInput(resp.Body) || d.env.Sessions.IsLoginURL(resp.URL) {
			d.note("%s %s: member b's own read answered %d; b's objects of this kind are not in the baseline", k.Name, id, resp.StatusCode)
			continue
		}
		d.absorb(resp)
	}
	return nil
}

// setOf returns a set of the strings.
func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// list reads a member's list of one kind and returns the IDs in it.
func (d *discovery) list(ctx context.Context, s *client.Session, o *config.Object, t Template, who string) ([]string, *client.Response, error) {
	resp, err := d.do(ctx, s, &client.Request{URL: d.url(o.List), Follow: true})
	if err != nil {
		return nil, nil, fmt.Errorf("listing %s as member %s: %w", o.Name, who, err)
	}
	if resp.StatusCode >= 400 {
		d.note("%s: the list %s answered member %s with %d", o.Name, o.List, who, resp.StatusCode)
		return nil, nil, nil
	}
	ids, err := idsIn(resp, o.IDField, t)
	if err != nil {
		d.note("%s: the list %s as member %s was not read whole: %v", o.Name, o.List, who, err)
	}
	return ids, resp, nil
}

// readOpts say what discovery knows of an object before reading it.
type readOpts struct {
	// canary is the value a wrote into it in this run ("" when found).
	canary string
	// shared and guessed are Read.Shared and crawled.guessed.
	shared, guessed bool
}

// ownerRead reads one of a's objects as a and reports whether it was
// kept; a read a itself cannot open is listed as not judged (noted, for a
// guessed URL).
func (d *discovery) ownerRead(ctx context.Context, kind string, t Template, id string, o readOpts) (bool, error) {
	canary := o.canary
	if len(d.pending) >= MaxReads {
		return false, nil
	}
	u := t.Fill(id)
	resp, err := d.do(ctx, d.a, &client.Request{URL: u, Follow: true})
	if err != nil {
		return false, fmt.Errorf("reading %s %s as member a: %w", kind, id, err)
	}
	if resp.StatusCode >= 400 || page.HasPasswordInput(resp.Body) || d.env.Sessions.IsLoginURL(resp.URL) {
		why := fmt.Sprintf("member a's own read answered %d at %s", resp.StatusCode, d.env.Client.Redactor().Redact(resp.URL.String()))
		if o.guessed {
			d.note("%s %s: %s; the guessed item URL is not one", kind, id, why)
			return false, nil
		}
		d.inv.Unjudged = append(d.inv.Unjudged, Unjudged{Kind: kind, ID: id, Why: why})
		return false, nil
	}
	// Only a's candidate markers outlive this read, not a's page.
	exclude := []string{id, url.PathEscape(id)}
	cands, err := candidates(resp.Body, canary, d.inv.Baseline, exclude)
	if err != nil {
		d.note("%s %s: member a's own read was not read whole (%v); its markers come from the part read", kind, id, err)
	}
	d.pending = append(d.pending, &Read{Kind: kind, ID: id, URL: u, Via: t.Via, Created: canary != "", Shared: o.shared,
		Owner: resp.WithoutBodies(), Markers: Markers{Canary: canary}, cands: cands})
	return true, nil
}

// finish computes every read's markers against the full baseline and
// drops reads with nothing a-specific to look for.
func (d *discovery) finish() {
	for _, r := range d.pending {
		r.Markers = markersFrom(r.Markers.Canary, r.cands, d.inv.Baseline)
		r.cands = nil
		if r.Markers.Empty() {
			d.inv.Unjudged = append(d.inv.Unjudged, Unjudged{Kind: r.Kind, ID: r.ID,
				Why: "member a's copy shows nothing that b's own objects, b's pages and the public pages do not"})
			continue
		}
		d.inv.Reads = append(d.inv.Reads, r)
	}
}

// newTemplate makes a template from an absolute URL holding {id}.
func newTemplate(raw string) Template {
	via := "path"
	if i := strings.Index(raw, "?"); i >= 0 && strings.Index(raw, "{id}") > i {
		via = "query"
	}
	// url resolution escapes the braces; put them back.
	raw = strings.ReplaceAll(raw, "%7Bid%7D", "{id}")
	return Template{Raw: raw, Via: via}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// isJSON reports whether a response is JSON by its type or its first byte.
func isJSON(resp *client.Response) bool {
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return true
	}
	t := bytes.TrimSpace(resp.Body)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// okStatus reports a 2xx status.
func okStatus(code int) bool { return code >= http.StatusOK && code < http.StatusMultipleChoices }
