package baas

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/platform"
)

// who is an identity the probes act as.
type who int

const (
	anon who = iota
	memberA
	memberB
)

var whoNames = [...]string{"anonymous", "member a", "member b"}

// prober sends the Data API and Storage probes as each identity.
type prober struct {
	env  *check.Env
	base string // project URL without a trailing slash
	key  string // the publishable key
	a, b *client.Session
	uid  string // member a's user id
	// requests counts the probes sent.
	requests int
	// canaries counts the rows and objects a wrote.
	canaries int
}

// newProber logs a and b in to the project and learns a's user id.
func newProber(ctx context.Context, env *check.Env, cfg *client.PlatformConfig) (*prober, error) {
	p := &prober{env: env, base: strings.TrimSuffix(cfg.SupabaseURL, "/"), key: cfg.AnonKey}
	// Publishable, but kept out of evidence all the same.
	env.Client.Redactor().Add(cfg.AnonKey)
	var err error
	if p.a, err = env.Sessions.PlatformSession(ctx, "supabase", "a"); err != nil {
		return nil, fmt.Errorf("logging member a in to the Supabase project: %w", err)
	}
	if p.b, err = env.Sessions.PlatformSession(ctx, "supabase", "b"); err != nil {
		return nil, fmt.Errorf("logging member b in to the Supabase project: %w", err)
	}
	body := []byte(nil)
	if v := p.a.Login.Verified; v != nil && v.StatusCode == http.StatusOK {
		body = v.Body
	} else {
		resp, err := p.do(ctx, memberA, &client.Request{URL: p.base + "/auth/v1/user"})
		if err != nil {
			return nil, err
		}
		body = resp.Body
	}
	var u struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &u) != nil || u.ID == "" {
		return nil, fmt.Errorf("member a's Supabase user (GET /auth/v1/user) has no id")
	}
	p.uid = u.ID
	return p, nil
}

// do sends one request as w: anonymous requests carry the publishable
// key as apikey and bearer token, as supabase-js sends them.
func (p *prober) do(ctx context.Context, w who, req *client.Request) (*client.Response, error) {
	p.requests++
	var resp *client.Response
	var err error
	switch w {
	case anon:
		if req.Header == nil {
			req.Header = http.Header{}
		}
		req.Header.Set("apikey", p.key)
		req.Header.Set("Authorization", "Bearer "+p.key)
		resp, err = p.env.Client.Do(ctx, req)
	case memberA:
		resp, err = p.a.Do(ctx, req)
	default:
		resp, err = p.b.Do(ctx, req)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s as %s: %w", method(req), p.env.Client.Redactor().Redact(req.URL), whoNames[w], err)
	}
	return resp, nil
}

func method(req *client.Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return req.Method
}

// tableInfo is one table to probe and its columns (nil when unknown).
type tableInfo struct {
	name string
	// cols maps column to its Postgres format ("text", "uuid", …).
	cols map[string]string
}

// tableList merges the bundle's tables and the OpenAPI document's, capped.
func (p *prober) tableList(ctx context.Context, use platform.SupabaseUse) ([]tableInfo, error) {
	defs, err := p.openAPI(ctx)
	if err != nil {
		return nil, err
	}
	var out []tableInfo
	seen := map[string]bool{}
	add := func(name string) {
		if seen[name] || len(out) >= maxTables {
			return
		}
		seen[name] = true
		out = append(out, tableInfo{name: name, cols: defs[name]})
	}
	for _, t := range use.Tables {
		add(t.Name)
	}
	for _, name := range sortedKeys(defs) {
		add(name)
	}
	return out, nil
}

// openAPI reads the Data API root's Swagger document as anonymous: the
// tables and their columns. Newer projects refuse it to the anon key;
// that is no error, only less to go on.
func (p *prober) openAPI(ctx context.Context) (map[string]map[string]string, error) {
	resp, err := p.do(ctx, anon, &client.Request{URL: p.base + "/rest/v1/"})
	if err != nil {
		return nil, err
	}
	defs := map[string]map[string]string{}
	if resp.StatusCode != http.StatusOK {
		return defs, nil
	}
	var doc struct {
		Paths       map[string]json.RawMessage `json:"paths"`
		Definitions map[string]struct {
			Properties map[string]struct {
				Format string `json:"format"`
			} `json:"properties"`
		} `json:"definitions"`
	}
	if json.Unmarshal(resp.Body, &doc) != nil {
		return defs, nil
	}
	for path := range doc.Paths {
		name := strings.TrimPrefix(path, "/")
		if name == "" || strings.HasPrefix(name, "rpc/") || strings.Contains(name, "/") {
			continue
		}
		cols := map[string]string{}
		for c, prop := range doc.Definitions[name].Properties {
			cols[c] = prop.Format
		}
		defs[name] = cols
	}
	return defs, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// count is one row count.
type count struct {
	n      int
	status int
	// ok: the API answered with a total; refused: it refused the
	// identity (401/403/404), which shows nothing.
	ok, refused bool
	resp        *client.Response
}

func (c count) String() string {
	switch {
	case c.ok:
		return strconv.Itoa(c.n)
	case c.refused:
		return fmt.Sprintf("refused (%d)", c.status)
	case c.status == 0:
		return "—"
	}
	return fmt.Sprintf("? (%d)", c.status)
}

// none reports whether the count shows no row.
func (c count) none() bool { return (c.ok && c.n == 0) || c.refused }

// countRows counts the table's rows matching filter as w: HEAD with
// Prefer: count=exact, the total read from Content-Range. No row is sent.
func (p *prober) countRows(ctx context.Context, w who, table string, filter url.Values) (count, error) {
	q := url.Values{"select": {"*"}}
	for k, v := range filter {
		q[k] = v
	}
	resp, err := p.do(ctx, w, &client.Request{Method: http.MethodHead, URL: p.base + "/rest/v1/" + url.PathEscape(table) + "?" + q.Encode(),
		Header: http.Header{"Prefer": {"count=exact"}}})
	if err != nil {
		return count{}, err
	}
	c := count{status: resp.StatusCode, resp: resp}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent:
		cr := resp.Header.Get("Content-Range")
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.Atoi(cr[i+1:]); err == nil {
				c.n, c.ok = n, true
			}
		}
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		c.refused = true
	}
	return c, nil
}
