package baas

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// listing is one object listing (limit 1: at most one name is read).
type listing struct {
	items  int
	status int
	resp   *client.Response
}

func (l listing) String() string {
	switch {
	case l.status == 0:
		return "—"
	case l.status != http.StatusOK:
		return fmt.Sprintf("refused (%d)", l.status)
	case l.items > 0:
		return "lists files"
	}
	return "lists nothing"
}

// list lists at most one entry of bucket under prefix as w, its name
// starting with search.
func (p *prober) list(ctx context.Context, w who, bucket, prefix, search string) (listing, error) {
	raw, _ := json.Marshal(map[string]any{"prefix": prefix, "limit": 1, "offset": 0, "search": search})
	// Storage's list is a read sent as a POST (its documented API).
	resp, err := p.do(client.WithPurpose(ctx, client.Read), w, &client.Request{Method: http.MethodPost, URL: p.base + "/storage/v1/object/list/" + url.PathEscape(bucket),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: raw})
	if err != nil {
		return listing{}, err
	}
	l := listing{status: resp.StatusCode, resp: resp}
	var items []json.RawMessage
	if resp.StatusCode == http.StatusOK && json.Unmarshal(resp.Body, &items) == nil {
		l.items = len(items)
	} else if resp.StatusCode == http.StatusOK {
		l.status = -1 // 200 with something other than a list
	}
	return l, nil
}

// probeBucket judges one bucket: with consent by a canary file a uploads
// into its own folder, else by anonymous listing the bucket and b
// listing a's folder.
func (p *prober) probeBucket(ctx context.Context, bucket string) (rowResult, error) {
	r := rowResult{kind: "bucket", name: bucket}
	folder := p.uid + "/"
	path, err := p.canaryFile(ctx, bucket)
	if err != nil {
		return r, err
	}
	if path != "" {
		name := path[len(folder):]
		var ls [3]listing
		for _, w := range []who{memberA, memberB, anon} {
			if ls[w], err = p.list(ctx, w, bucket, folder, name); err != nil {
				return r, err
			}
			r.cells[w] = ls[w].String() + " (canary)"
		}
		if ls[memberA].items == 0 {
			r.why = "member a cannot list its own canary file, so nothing could be compared"
			return r, nil
		}
		p.judgeListing(&r, ls[memberB], ls[anon], "a canary file a uploaded to "+path)
		return r, nil
	}
	var ls [3]listing
	if ls[memberA], err = p.list(ctx, memberA, bucket, folder, ""); err != nil {
		return r, err
	}
	if ls[memberB], err = p.list(ctx, memberB, bucket, folder, ""); err != nil {
		return r, err
	}
	if ls[anon], err = p.list(ctx, anon, bucket, "", ""); err != nil {
		return r, err
	}
	r.cells = [3]string{ls[anon].String() + " (bucket root)", ls[memberA].String() + " (own folder)", ls[memberB].String() + " (a's folder)"}
	if ls[anon].items > 0 {
		p.judgeListing(&r, listing{}, ls[anon], "anonymous listing the bucket")
		return r, nil
	}
	if ls[memberA].items == 0 {
		r.why = "not judged: member a has no files in " + folder + ", and without --intrusive no canary file was uploaded"
		return r, nil
	}
	p.judgeListing(&r, ls[memberB], ls[anon], "a's files in "+folder)
	return r, nil
}

// judgeListing judges b's and anonymous listings.
func (p *prober) judgeListing(r *rowResult, b, an listing, how string) {
	if b.items == 0 && an.items == 0 {
		r.j, r.why = protected, "b and anonymous list none of "+how
		return
	}
	r.j, r.why = leaked, how
	for _, x := range []struct {
		w who
		l listing
	}{{memberB, b}, {anon, an}} {
		if x.l.items == 0 {
			continue
		}
		if x.w == memberB {
			r.byB = -1
		} else {
			r.byAnon = -1
		}
		detail := fmt.Sprintf("As %s, POST /storage/v1/object/list/%s with limit 1 lists files (%s): the bucket's policies let "+
			"%s see file names that are not theirs. At most one name was read.", whoNames[x.w], r.name, how, whoNames[x.w])
		r.ev = append(r.ev, httpEvidence(p, x.l.resp, detail))
	}
}

// canaryFile uploads a canary into a's folder (only with consent) and
// returns its path, deleted as a at the end; "" when not uploaded.
func (p *prober) canaryFile(ctx context.Context, bucket string) (string, error) {
	if ok, _ := p.env.MayWrite(ctx, p.base+"/"); !ok || p.canaries >= maxCanaries {
		return "", nil
	}
	canary := authz.NewCanary()
	path := p.uid + "/launchready-" + canary + ".txt"
	a, u := p.a, p.base+"/storage/v1/object/"+url.PathEscape(bucket)
	body, _ := json.Marshal(map[string][]string{"prefixes": {path}})
	del := &client.Request{Method: http.MethodDelete, URL: u, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	cr, err := p.env.Plan(check.Undo{What: "member a's canary file " + path + " in Supabase bucket " + bucket,
		As: "a", Platform: "supabase", Request: check.UndoRequest(del, "")})
	if err != nil {
		return "", err
	}
	resp, err := p.do(cr.Context(ctx), memberA, &client.Request{Method: http.MethodPost,
		URL:    p.base + "/storage/v1/object/" + url.PathEscape(bucket) + "/" + escapePath(path),
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("launchready canary " + canary + "\n")})
	if err != nil {
		cr.Unsure(err)
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		cr.Refused(fmt.Sprintf("the upload answered %d", resp.StatusCode))
		return "", nil
	}
	p.canaries++
	cr.Created(nil, func(ctx context.Context) error {
		resp, err := a.Do(ctx, del)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), path) {
			return fmt.Errorf("DELETE answered %d without the file", resp.StatusCode)
		}
		return nil
	})
	return path, nil
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
