package config

import (
	"fmt"
	"strings"
)

// Defaults for the authorization keys.
const (
	DefaultIDField    = "id"
	DefaultCrawlPages = 40
	DefaultCrawlDepth = 2
	// MaxCrawlPages and MaxCrawlDepth bound what a config may ask for.
	MaxCrawlPages = 500
	MaxCrawlDepth = 5
)

// writeMethods are the methods a Write may use.
var writeMethods = []string{"POST", "PUT", "PATCH", "DELETE"}

// applyAuthzDefaults fills in the objects', profile's and crawl's defaults.
func (c *Config) applyAuthzDefaults() {
	for i := range c.Objects {
		o := &c.Objects[i]
		key := fmt.Sprintf("objects[%d]", i)
		defaultTo(c, key+".id_field", &o.IDField, DefaultIDField)
		for _, w := range []struct {
			name string
			w    *Write
			def  string
		}{{"create", o.Create, "POST"}, {"update", o.Update, "PATCH"}, {"delete", o.Delete, "DELETE"}} {
			if w.w != nil {
				defaultTo(c, key+"."+w.name+".method", &w.w.Method, w.def)
				w.w.Method = strings.ToUpper(w.w.Method)
			}
		}
	}
	if p := c.Profile; p != nil {
		defaultTo(c, "profile.method", &p.Method, "PATCH")
		p.Method = strings.ToUpper(p.Method)
		defaultTo(c, "profile.read", &p.Read, p.Path)
	}
	defaultTo(c, "crawl.pages", &c.Crawl.Pages, DefaultCrawlPages)
	defaultTo(c, "crawl.depth", &c.Crawl.Depth, DefaultCrawlDepth)
}

// validateAuthz checks objects, admin, profile and crawl.
func (c *Config) validateAuthz() error {
	seen := map[string]int{}
	for i, o := range c.Objects {
		if err := c.validateObject(i, o, seen); err != nil {
			return err
		}
	}
	for i, a := range c.Admin {
		key := fmt.Sprintf("admin[%d]", i)
		_, path, err := ParseAdmin(a)
		if err != nil {
			return c.src.errKey(key, "%v", err)
		}
		if err := c.checkTemplate(key, path, true, memberFills...); err != nil {
			return err
		}
	}
	if p := c.Profile; p != nil {
		if err := c.checkMemberPath("profile.path", p.Path); err != nil {
			return err
		}
		if err := c.checkMemberPath("profile.read", p.Read); err != nil {
			return err
		}
		if p.Method != "POST" && p.Method != "PUT" && p.Method != "PATCH" {
			return c.src.errKey("profile.method", "want POST, PUT or PATCH (the request that saves the profile), got %q", p.Method)
		}
		if err := c.checkBody("profile", p.Method, p.JSON, p.Form, true); err != nil {
			return err
		}
	}
	if c.Crawl.Pages < 1 || c.Crawl.Pages > MaxCrawlPages {
		return c.src.errKey("crawl.pages", "must be between 1 and %d, got %d", MaxCrawlPages, c.Crawl.Pages)
	}
	if c.Crawl.Depth < 0 || c.Crawl.Depth > MaxCrawlDepth {
		return c.src.errKey("crawl.depth", "must be between 0 and %d, got %d", MaxCrawlDepth, c.Crawl.Depth)
	}
	return nil
}

func (c *Config) validateObject(i int, o Object, seen map[string]int) error {
	key := fmt.Sprintf("objects[%d]", i)
	if !validObjectName(o.Name) {
		return c.src.errKey(key+".name", "want a short name of lower-case letters, digits, - or _ (like invoices), got %q", o.Name)
	}
	if j, dup := seen[o.Name]; dup {
		return c.src.errKey(key+".name", "%q is already the name of objects[%d]", o.Name, j)
	}
	seen[o.Name] = i
	if o.List == "" && o.Item == "" {
		return c.src.errKey(key, `needs "list" (where member a's %s are listed) or "item" (how one is read, with {id}), or both`, o.Name)
	}
	if o.List != "" {
		if err := c.checkMemberPath(key+".list", o.List); err != nil {
			return err
		}
	}
	if o.Item != "" {
		if err := c.checkIDPath(key+".item", o.Item); err != nil {
			return err
		}
	}
	if o.Create != nil {
		if err := c.checkMemberPath(key+".create.path", o.Create.Path); err != nil {
			return err
		}
		if err := c.checkBody(key+".create", o.Create.Method, o.Create.JSON, o.Create.Form, true); err != nil {
			return err
		}
		if o.Item == "" {
			return c.src.errKey(key+".create", `needs %s.item too: a created object is read back through it`, key)
		}
	}
	for _, w := range []struct {
		name string
		w    *Write
	}{{"update", o.Update}, {"delete", o.Delete}} {
		if w.w == nil {
			continue
		}
		if err := c.checkIDPath(key+"."+w.name+".path", w.w.Path); err != nil {
			return err
		}
		if err := c.checkBody(key+"."+w.name, w.w.Method, w.w.JSON, w.w.Form, w.name == "update"); err != nil {
			return err
		}
	}
	if o.IDField == "" || strings.ContainsAny(o.IDField, " \t{}") {
		return c.src.errKey(key+".id_field", "want a JSON field name like id or uuid, got %q", o.IDField)
	}
	return nil
}

// checkIDPath checks a path holding {id} exactly once.
func (c *Config) checkIDPath(key, p string) error {
	if err := c.checkMemberPath(key, p); err != nil {
		return err
	}
	if strings.Count(p, "{id}") != 1 {
		return c.src.errKey(key, "must hold {id} once, where the object's ID goes (like /api/invoices/{id}), got %q", p)
	}
	return nil
}

// checkBody checks a write's method and fields: one of JSON or Form, and
// only the member's placeholders and {{canary}} (required in updates, so
// the change can be read back).
func (c *Config) checkBody(key, method string, js, form map[string]string, wantCanary bool) error {
	found := false
	for _, m := range writeMethods {
		found = found || m == method
	}
	if !found {
		return c.src.errKey(key+".method", "want one of %s, got %q", strings.Join(writeMethods, ", "), method)
	}
	if js != nil && form != nil {
		return c.src.errKey(key, "give json or form, not both")
	}
	fields, kind := js, "json"
	if form != nil {
		fields, kind = form, "form"
	}
	canary := false
	for _, name := range keysByLine(c, key+"."+kind, fields) {
		v := fields[name]
		if strings.Contains(strings.ToLower(name), "pass") {
			return c.src.errKey(key+"."+kind+"."+name, "a password field has no place in an object write")
		}
		if err := c.checkTemplate(key+"."+kind+"."+name, v, false, with(memberFills, PhCanary)...); err != nil {
			return err
		}
		canary = canary || strings.Contains(v, PhCanary)
	}
	if wantCanary && !canary {
		return c.src.errKey(key, `needs a field holding "{{canary}}" (a unique marker the scanner writes and then looks for)`)
	}
	return nil
}

func validObjectName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// ParseAdmin splits an admin entry, "/path" or "METHOD /path", into its
// method (default GET) and path.
func ParseAdmin(s string) (method, path string, err error) {
	method, path = "GET", strings.TrimSpace(s)
	if m, p, ok := strings.Cut(path, " "); ok {
		method, path = strings.ToUpper(m), strings.TrimSpace(p)
		if method != "GET" && method != "HEAD" && method != "POST" && method != "PUT" && method != "PATCH" && method != "DELETE" {
			return "", "", fmt.Errorf("want /path or METHOD /path (GET, HEAD, POST, PUT, PATCH, DELETE), got %q", s)
		}
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.HasPrefix(path, `/\`) {
		return "", "", fmt.Errorf("want a path on the target starting with /, like /admin, got %q", s)
	}
	return method, path, nil
}
