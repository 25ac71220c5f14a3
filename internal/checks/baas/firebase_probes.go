package baas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/platform"
	"github.com/launchready/launchready/internal/safetext"
)

// fbOwnerFields are the document fields rules commonly compare with
// request.auth.uid; a canary document sets them all to member a's uid.
var fbOwnerFields = []string{"owner", "ownerId", "uid", "userId", "user_id", "createdBy"}

// send makes one request as who: anonymous through the scan's client,
// a member through its session. Realtime Database reads take the ID
// token in ?auth= (the REST API's way for Firebase ID tokens); an expired
// one is renewed once.
func (p *firebaseProbe) send(ctx context.Context, who fbIdentity, req *client.Request, rtdb bool) (*client.Response, error) {
	p.requests++
	if who.sess == nil {
		return p.env.Client.Do(ctx, req)
	}
	if !rtdb {
		return who.sess.Do(ctx, req)
	}
	withAuth := func() *client.Request {
		r := *req
		r.URL += fbSep(r.URL) + "auth=" + url.QueryEscape(fbBareToken(who.sess.Token()))
		return &r
	}
	resp, err := p.env.Client.Do(ctx, withAuth())
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !bytes.Contains(resp.Body, []byte("expired")) {
		return resp, err
	}
	if err := p.renew(ctx, who); err != nil {
		return nil, err
	}
	p.requests++
	return p.env.Client.Do(ctx, withAuth())
}

// renew makes the session renew its ID token: a session renews an
// expiring token before any request it sends, so one accounts:lookup
// (sent with the old token in its body, whose answer does not matter)
// is enough.
func (p *firebaseProbe) renew(ctx context.Context, who fbIdentity) error {
	p.requests++
	body, _ := json.Marshal(map[string]string{"idToken": fbBareToken(who.sess.Token())})
	_, err := who.sess.Do(client.WithPurpose(ctx, client.Read), &client.Request{Method: http.MethodPost,
		URL:    p.fb.Endpoints.Identity + "/v1/accounts:lookup?key=" + url.QueryEscape(p.fb.APIKey.Value),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
	if err != nil {
		return fmt.Errorf("renewing %s's Firebase ID token: %w", who.name, err)
	}
	return nil
}

func fbSep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// fbBareToken strips the scheme from "Bearer <token>".
func fbBareToken(tok string) string {
	return strings.TrimSpace(tok[strings.LastIndexByte(tok, ' ')+1:])
}

// probeRow reads one location as each reader and records the row.
func (p *firebaseProbe) probeRow(ctx context.Context, label string, req *client.Request, rtdb bool,
	judge func(who fbIdentity, resp *client.Response) fbCell) {
	row := fbRow{label: label}
	for i, who := range p.read {
		resp, err := p.send(ctx, who, req, rtdb)
		if err != nil {
			row.cells[i] = fbCell{state: fbFailed, text: "error: " + p.env.Client.Redactor().Redact(err.Error())}
			continue
		}
		c := judge(who, resp)
		if c.state == fbLeak {
			ev := check.HTTPEvidence(p.env, resp, who.name+": "+c.text+"; answer: "+fbExcerpt(resp.Body))
			c.ev = &ev
		}
		row.cells[i] = c
	}
	p.rows = append(p.rows, row)
}

func fbExcerpt(b []byte) string {
	const limit = 300
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > limit {
		s = safetext.Prefix(s, limit) + "…"
	}
	return s
}

// fbRefusedOr judges the statuses every service shares: the service's
// denial is refused, anything but 200 failed; ok judges a 200. A member's
// 401 is a token the service did not take, not a denial: Storage answers
// 401 to anonymous callers the rules refuse, and the Realtime Database
// 401 "Permission denied" to anyone.
func fbRefusedOr(service string, who fbIdentity, resp *client.Response, ok func() fbCell) fbCell {
	code := resp.StatusCode
	denied := code == http.StatusForbidden
	switch service {
	case "rtdb":
		denied = (code == http.StatusUnauthorized || denied) && bytes.Contains(resp.Body, []byte("Permission denied"))
	case "storage":
		denied = denied || code == http.StatusUnauthorized && who.sess == nil
	}
	switch {
	case denied:
		return fbCell{state: fbRefused, text: fmt.Sprintf("refused (%d)", code)}
	case code != http.StatusOK:
		return fbCell{state: fbFailed, text: fmt.Sprintf("unexpected %d: %s", code, fbExcerpt(resp.Body))}
	}
	return ok()
}

// fbStaticPrefix is the static prefix of a path pattern.
func fbStaticPrefix(pattern string) []string {
	var out []string
	for _, s := range strings.Split(pattern, "/") {
		if s == "*" {
			break
		}
		out = append(out, s)
	}
	return out
}

// fbWithUID replaces a pattern's wildcards with uid.
func fbWithUID(pattern, uid string) []string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if s == "*" {
			segs[i] = uid
		}
	}
	return segs
}

func fbEscape(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = url.PathEscape(s)
	}
	return strings.Join(out, "/")
}

// --- Realtime Database ---

func (p *firebaseProbe) rtdbURL(segs []string, query string) string {
	u := strings.TrimSuffix(p.fb.DatabaseURL, "/") + "/" + fbEscape(segs) + ".json"
	if len(segs) == 0 {
		u = strings.TrimSuffix(p.fb.DatabaseURL, "/") + "/.json"
	}
	if query != "" {
		u += "?" + query
	}
	return u
}

func (p *firebaseProbe) probeDatabase(ctx context.Context) {
	if p.fb.DatabaseURL == "" {
		if len(p.use.Configs) > 0 && p.use.Configs[0].DatabaseURL != "" {
			p.notes = append(p.notes, "the frontend uses the Realtime Database "+p.use.Configs[0].DatabaseURL+
				" but auth.firebase has no database_url, so it was not probed")
		}
		return
	}
	paths := [][]string{nil}
	seen := map[string]bool{"": true}
	for _, u := range p.use.DatabasePaths {
		segs := fbStaticPrefix(u.Name)
		if key := strings.Join(segs, "/"); !seen[key] && len(paths) <= maxFirebasePaths {
			seen[key] = true
			paths = append(paths, segs)
		}
	}
	for _, segs := range paths {
		root := len(segs) == 0
		p.probeRow(ctx, "rtdb /"+strings.Join(segs, "/"), &client.Request{URL: p.rtdbURL(segs, "shallow=true")}, true,
			func(who fbIdentity, resp *client.Response) fbCell { return p.judgeShallow(who, resp, root) })
	}
	for _, c := range p.canaries {
		if c.service == "rtdb" {
			p.probeCanary(ctx, c)
		}
	}
}

// judgeShallow judges a shallow read: the root readable at all, or keys
// that include member a's uid, is a leak.
func (p *firebaseProbe) judgeShallow(who fbIdentity, resp *client.Response, root bool) fbCell {
	return fbRefusedOr("rtdb", who, resp, func() fbCell {
		var keys map[string]any
		_ = json.Unmarshal(resp.Body, &keys) // null, a leaf or an object
		switch {
		case root:
			return fbCell{state: fbLeak, text: fmt.Sprintf("LEAK: reads the whole database (%d top-level keys)", len(keys))}
		case keys[p.a.uid] != nil:
			return fbCell{state: fbLeak, text: "LEAK: lists member a's node " + p.a.uid}
		case len(keys) == 0:
			return fbCell{state: fbOpen, text: "allowed (empty)"}
		}
		return fbCell{state: fbOpen, text: fmt.Sprintf("allowed (%d keys, none member a's)", len(keys))}
	})
}

// probeCanary reads a canary by name as each reader: its value in the
// answer is the proof.
func (p *firebaseProbe) probeCanary(ctx context.Context, c fbCanary) {
	p.probeRow(ctx, c.label, &client.Request{URL: c.url}, c.service == "rtdb", func(who fbIdentity, resp *client.Response) fbCell {
		return fbRefusedOr(c.service, who, resp, func() fbCell {
			if bytes.Contains(resp.Body, []byte(c.value)) {
				return fbCell{state: fbLeak, text: "LEAK: reads member a's canary"}
			}
			return fbCell{state: fbFailed, text: "200 without the canary: " + fbExcerpt(resp.Body)}
		})
	})
}

// --- Firestore ---

func (p *firebaseProbe) documents() string {
	return p.fb.Endpoints.Firestore + "/v1/projects/" + url.PathEscape(p.fb.ProjectID) + "/databases/(default)/documents/"
}

func (p *firebaseProbe) probeFirestore(ctx context.Context) {
	seen := map[string]bool{}
	n := 0
	for _, u := range p.use.Collections {
		coll := strings.Join(fbWithUID(u.Name, p.a.uid), "/")
		if seen[coll] || n >= maxFirebasePaths {
			continue
		}
		seen[coll], n = true, n+1
		p.probeRow(ctx, "firestore "+coll, &client.Request{URL: p.documents() + fbEscape(strings.Split(coll, "/")) + "?pageSize=1"}, false,
			p.judgeListing)
	}
	for _, c := range p.canaries {
		if c.service == "firestore" {
			p.probeCanary(ctx, c)
		}
	}
}

// judgeListing judges a one-document page: a document owned by someone
// else than the reader (an owner field, or member a's uid in its path) is
// a leak.
func (p *firebaseProbe) judgeListing(who fbIdentity, resp *client.Response) fbCell {
	return fbRefusedOr("firestore", who, resp, func() fbCell {
		var page struct {
			Documents []struct {
				Name   string                     `json:"name"`
				Fields map[string]json.RawMessage `json:"fields"`
			} `json:"documents"`
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return fbCell{state: fbFailed, text: "200 that is no Firestore listing: " + fbExcerpt(resp.Body)}
		}
		if len(page.Documents) == 0 {
			return fbCell{state: fbOpen, text: "allowed (empty)"}
		}
		d := page.Documents[0]
		id := d.Name[strings.LastIndexByte(d.Name, '/')+1:]
		own := who.uid != "" && strings.Contains("/"+d.Name+"/", "/"+who.uid+"/")
		for _, f := range fbOwnerFields {
			var v struct {
				S string `json:"stringValue"`
			}
			if json.Unmarshal(d.Fields[f], &v) != nil || v.S == "" {
				continue
			}
			if v.S != who.uid {
				return fbCell{state: fbLeak, text: fmt.Sprintf("LEAK: lists document %s owned by %s (%s)", id, v.S, f)}
			}
			own = true
		}
		if strings.Contains("/"+d.Name+"/", "/"+p.a.uid+"/") {
			return fbCell{state: fbLeak, text: "LEAK: lists member a's document " + id}
		}
		if own {
			return fbCell{state: fbOpen, text: "allowed (its own document " + id + ")"}
		}
		return fbCell{state: fbOpen, text: "allowed (document " + id + ", no owner field or uid in its path)"}
	})
}

// --- Storage ---

func (p *firebaseProbe) objects() string {
	return p.fb.Endpoints.Storage + "/v0/b/" + url.PathEscape(p.fb.StorageBucket) + "/o"
}

func fbObjectName(name string) string {
	return strings.ReplaceAll(url.PathEscape(name), "/", "%2F")
}

func (p *firebaseProbe) probeStorage(ctx context.Context) {
	if p.fb.StorageBucket == "" {
		if len(p.use.Configs) > 0 && p.use.Configs[0].StorageBucket != "" {
			p.notes = append(p.notes, "the frontend uses the Storage bucket "+p.use.Configs[0].StorageBucket+
				" but auth.firebase has no storage_bucket, so it was not probed")
		}
		return
	}
	prefixes := []string{""}
	seen := map[string]bool{"": true}
	for _, u := range p.use.StoragePaths {
		segs := fbStaticPrefix(u.Name)
		if strings.Contains(u.Name, "*") {
			segs = append(segs, p.a.uid) // member a's folder
		} else {
			segs = segs[:len(segs)-1] // an object name: its folder
		}
		prefix := strings.Join(segs, "/")
		if prefix != "" {
			prefix += "/"
		}
		if !seen[prefix] && len(prefixes) <= maxFirebasePaths {
			seen[prefix] = true
			prefixes = append(prefixes, prefix)
		}
	}
	for _, prefix := range prefixes {
		q := url.Values{"maxResults": {"1"}}
		if prefix != "" {
			q.Set("prefix", prefix)
		}
		p.probeRow(ctx, "storage "+p.fb.StorageBucket+"/"+prefix, &client.Request{URL: p.objects() + "?" + q.Encode()}, false,
			func(who fbIdentity, resp *client.Response) fbCell { return p.judgeObjects(who, resp, prefix == "") })
	}
	for _, c := range p.canaries {
		if c.service == "storage" {
			p.probeCanary(ctx, c)
		}
	}
}

// judgeObjects judges a one-item listing: an object outside the reader's
// own folder, or the bucket root listable by anyone, is a leak.
func (p *firebaseProbe) judgeObjects(who fbIdentity, resp *client.Response, root bool) fbCell {
	return fbRefusedOr("storage", who, resp, func() fbCell {
		var list struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
			Prefixes []string `json:"prefixes"`
		}
		if err := json.Unmarshal(resp.Body, &list); err != nil {
			return fbCell{state: fbFailed, text: "200 that is no Storage listing: " + fbExcerpt(resp.Body)}
		}
		if len(list.Items) == 0 {
			if root && who.sess == nil {
				return fbCell{state: fbLeak, text: "LEAK: anyone may list the bucket (empty now)"}
			}
			return fbCell{state: fbOpen, text: "allowed (empty)"}
		}
		name := list.Items[0].Name
		if who.uid == "" || !strings.Contains("/"+name, "/"+who.uid+"/") {
			return fbCell{state: fbLeak, text: "LEAK: lists object " + name}
		}
		return fbCell{state: fbOpen, text: "allowed (its own object " + name + ")"}
	})
}

// --- canaries ---

// writeCanaries has member a write one canary per configured service in
// a place it owns, each deleted after the scan.
func (p *firebaseProbe) writeCanaries(ctx context.Context) {
	p.wroteAny = true
	if p.fb.DatabaseURL != "" {
		p.rtdbCanary(ctx)
	}
	p.firestoreCanary(ctx)
	if p.fb.StorageBucket != "" {
		p.storageCanary(ctx)
	}
}

// fbCanaryPlaces lists where a's canary may go: under the frontend's paths
// with a's uid for their first dynamic segment, then a fallback; at most
// three tries.
func fbCanaryPlaces(patterns []string, uid, fallback string) []string {
	var out []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		if !strings.Contains(pat, "*") {
			continue
		}
		place := strings.Join(fbStaticPrefix(pat), "/")
		if place != "" {
			place += "/"
		}
		place += uid
		if !seen[place] && len(out) < 2 {
			seen[place] = true
			out = append(out, place)
		}
	}
	return append(out, fallback)
}

func fbNames(us []platform.Use) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Name
	}
	return out
}

func (p *firebaseProbe) rtdbCanary(ctx context.Context) {
	value := authz.NewCanary()
	body, _ := json.Marshal(map[string]string{"owner": p.a.uid, "canary": value, "note": "launchready scan canary; safe to delete"})
	var tried []string
	for _, place := range fbCanaryPlaces(fbNames(p.use.DatabasePaths), p.a.uid, "launchready-canary/"+p.a.uid) {
		segs := append(strings.Split(place, "/"), value)
		del := &client.Request{Method: http.MethodDelete, URL: p.rtdbURL(segs, "print=silent")}
		cr, err := p.plan("member a's Realtime Database canary at /"+strings.Join(segs, "/"), del, "query:auth")
		if err != nil {
			p.notes = append(p.notes, "no Realtime Database canary: "+err.Error())
			return
		}
		resp, err := p.send(cr.Context(ctx), p.a, &client.Request{Method: http.MethodPut, URL: p.rtdbURL(segs, "print=silent"), Body: body,
			Header: http.Header{"Content-Type": {"application/json"}}}, true)
		if err == nil && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent) {
			c := fbCanary{service: "rtdb", label: "rtdb canary /" + strings.Join(segs, "/"), url: p.rtdbURL(segs, ""), value: value}
			p.canaries = append(p.canaries, c)
			cr.Created(nil, func(ctx context.Context) error { return p.deleteAs(ctx, del, true) })
			return
		}
		p.endRefused(cr, resp, err)
		tried = append(tried, "/"+strings.Join(segs, "/")+" ("+fbStatus(resp, err)+")")
	}
	p.notes = append(p.notes, "member a could not write a Realtime Database canary at "+strings.Join(tried, ", "))
}

func (p *firebaseProbe) firestoreCanary(ctx context.Context) {
	value := authz.NewCanary()
	fields := map[string]any{"canary": map[string]string{"stringValue": value}}
	for _, f := range fbOwnerFields[:4] {
		fields[f] = map[string]string{"stringValue": p.a.uid}
	}
	body, _ := json.Marshal(map[string]any{"fields": fields})
	var places []string
	for _, u := range p.use.Collections {
		if strings.Contains(u.Name, "*") && len(places) < 1 {
			places = append(places, strings.Join(fbWithUID(u.Name, p.a.uid), "/"))
		}
	}
	for _, u := range p.use.Collections {
		if !strings.Contains(u.Name, "*") && len(places) < 2 {
			places = append(places, u.Name)
		}
	}
	places = append(places, "launchready-canary")
	var tried []string
	for _, coll := range places {
		doc := p.documents() + fbEscape(append(strings.Split(coll, "/"), value))
		del := &client.Request{Method: http.MethodDelete, URL: doc}
		cr, err := p.plan("member a's Firestore canary "+coll+"/"+value, del, "")
		if err != nil {
			p.notes = append(p.notes, "no Firestore canary: "+err.Error())
			return
		}
		resp, err := p.send(cr.Context(ctx), p.a, &client.Request{Method: http.MethodPatch, URL: doc + "?currentDocument.exists=false", Body: body,
			Header: http.Header{"Content-Type": {"application/json"}}}, false)
		if err == nil && resp.StatusCode == http.StatusOK {
			p.canaries = append(p.canaries, fbCanary{service: "firestore", label: "firestore canary " + coll + "/" + value, url: doc, value: value})
			cr.Created(nil, func(ctx context.Context) error { return p.deleteAs(ctx, del, false) })
			return
		}
		p.endRefused(cr, resp, err)
		tried = append(tried, coll+" ("+fbStatus(resp, err)+")")
	}
	p.notes = append(p.notes, "member a could not write a Firestore canary in "+strings.Join(tried, ", "))
}

func (p *firebaseProbe) storageCanary(ctx context.Context) {
	value := authz.NewCanary()
	var tried []string
	for _, place := range fbCanaryPlaces(fbNames(p.use.StoragePaths), p.a.uid, p.a.uid) {
		name := place + "/" + value + ".txt"
		obj := p.objects() + "/" + fbObjectName(name)
		del := &client.Request{Method: http.MethodDelete, URL: obj}
		cr, err := p.plan("member a's Storage canary "+name, del, "")
		if err != nil {
			p.notes = append(p.notes, "no Storage canary: "+err.Error())
			return
		}
		resp, err := p.send(cr.Context(ctx), p.a, &client.Request{Method: http.MethodPost, URL: p.objects() + "?" + url.Values{"name": {name}}.Encode(),
			Body: []byte("launchready scan canary " + value + "; safe to delete\n"), Header: http.Header{"Content-Type": {"text/plain"}}}, false)
		if err == nil && resp.StatusCode == http.StatusOK {
			p.canaries = append(p.canaries, fbCanary{service: "storage", label: "storage canary " + p.fb.StorageBucket + "/" + name, url: obj, value: value})
			cr.Created(nil, func(ctx context.Context) error { return p.deleteAs(ctx, del, false) })
			return
		}
		p.endRefused(cr, resp, err)
		tried = append(tried, name+" ("+fbStatus(resp, err)+")")
	}
	p.notes = append(p.notes, "member a could not upload a Storage canary as "+strings.Join(tried, ", "))
}

// plan journals a canary member a is about to write, with the request
// that deletes it (tokenIn "query:auth" for the Realtime Database, which
// takes the ID token in its URL).
func (p *firebaseProbe) plan(what string, del *client.Request, tokenIn string) (*check.Creation, error) {
	return p.env.Plan(check.Undo{What: what, As: "a", Platform: "firebase", Request: check.UndoRequest(del, tokenIn)})
}

// endRefused ends a canary write that did not answer success: refused
// when the service answered, possibly written when it did not.
func (p *firebaseProbe) endRefused(cr *check.Creation, resp *client.Response, err error) {
	if err != nil {
		cr.Unsure(err)
		return
	}
	cr.Refused(fmt.Sprintf("answered %d", resp.StatusCode))
}

// deleteAs deletes a canary as member a.
func (p *firebaseProbe) deleteAs(ctx context.Context, req *client.Request, rtdb bool) error {
	resp, err := p.send(ctx, p.a, req, rtdb)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s answered %d", req.Method, resp.StatusCode)
	}
	return nil
}

func fbStatus(resp *client.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(resp.StatusCode)
}
