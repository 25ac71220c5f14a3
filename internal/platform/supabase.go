package platform

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/launchready/launchready/internal/safetext"
)

// Bounds of the Supabase recogniser: it reads untrusted, possibly huge
// bundles, so the text scanned and the names kept are capped.
const (
	// MaxScanPerSource is how much of one source is read.
	MaxScanPerSource = 2 << 20
	// MaxScanTotal is how much of all sources together is read.
	MaxScanTotal = 16 << 20
	// MaxNames caps each list of names (URLs, keys, tables, RPCs, buckets).
	MaxNames = 64
	// maxKeyLen keeps absurdly long "keys" out.
	maxKeyLen = 2048
)

// SupabaseKey is an API key seen in the frontend, classified by meaning.
type SupabaseKey struct {
	// Value is the key itself.
	Value string
	// Role is "anon" or "service_role" for a legacy JWT key (its role
	// claim), "publishable" or "secret" for sb_publishable_ / sb_secret_
	// keys.
	Role string
	// Where is the first place it was seen.
	Where string
}

// Secret reports whether the key bypasses row-level security: a
// service_role JWT or an sb_secret_ key. It must never reach a browser.
func (k SupabaseKey) Secret() bool { return k.Role == "service_role" || k.Role == "secret" }

// SupabaseUse is what a frontend reveals of the Supabase project it talks
// to. Every list keeps the first place each name was seen, in order of
// discovery.
type SupabaseUse struct {
	// URLs are project URLs (origin only for *.supabase.co).
	URLs []Use
	// Keys are API keys, publishable and secret.
	Keys []SupabaseKey
	// Tables are the names passed to .from('x') (not .storage.from).
	Tables []Use
	// RPCs are the names passed to .rpc('y').
	RPCs []Use
	// Buckets are the names passed to .storage.from('b').
	Buckets []Use
}

// Found reports whether the frontend shows a Supabase project at all: a
// project URL or a Supabase key.
func (u SupabaseUse) Found() bool { return len(u.URLs) > 0 || len(u.Keys) > 0 }

// PublishableKey returns the first anon or sb_publishable_ key.
func (u SupabaseUse) PublishableKey() (SupabaseKey, bool) {
	for _, k := range u.Keys {
		if !k.Secret() {
			return k, true
		}
	}
	return SupabaseKey{}, false
}

// SecretKeys returns the service_role and sb_secret_ keys.
func (u SupabaseUse) SecretKeys() []SupabaseKey {
	var out []SupabaseKey
	for _, k := range u.Keys {
		if k.Secret() {
			out = append(out, k)
		}
	}
	return out
}

// A string literal in any of JavaScript's three quote kinds; a template
// literal only without interpolation (no $ inside).
const (
	lit      = `(?:"([^"\\\n]{1,1000})"|'([^'\\\n]{1,1000})'|` + "`([^`\\\\$]{1,1000})`)"
	identLit = `(?:"([A-Za-z_][A-Za-z0-9_]{0,62})"|'([A-Za-z_][A-Za-z0-9_]{0,62})'|` + "`([A-Za-z_][A-Za-z0-9_]{0,62})`)"
	nameLit  = `(?:"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})"|'([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})'|` + "`([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})`)"
)

var (
	reCreateClient = regexp.MustCompile(`createClient\s*\)?\s*\(\s*` + lit + `\s*,\s*` + lit)
	reHostedURL    = regexp.MustCompile(`https://[a-z0-9]{20}\.supabase\.(?:co|in)\b`)
	// SUPABASE_URL, VITE_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_URL,
	// supabaseUrl, supabase_url … = or : a literal.
	reURLVar = regexp.MustCompile(`(?i)\b(?:[A-Z_]*_)?supabase_?url["']?\s*[:=]\s*` + lit)
	reKeyVar = regexp.MustCompile(`(?i)\b(?:[A-Z_]*_)?supabase_?(?:anon_?|publishable_?|service_?role_?|secret_?)?key["']?\s*[:=]\s*` + lit)
	reJWT    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
	reSBKey  = regexp.MustCompile(`\bsb_(?:publishable|secret)_[A-Za-z0-9_-]{10,200}`)
	reFrom   = regexp.MustCompile(`\.\s*from\s*\(\s*` + identLit + `\s*\)`)
	reStore  = regexp.MustCompile(`\.\s*storage\s*\.\s*from\s*\(\s*` + nameLit + `\s*\)`)
	reRPC    = regexp.MustCompile(`\.\s*rpc\s*\(\s*` + identLit)
)

// notClients are receivers whose .from('x') is not a Supabase table.
var notClients = map[string]bool{
	"Array": true, "Buffer": true, "Object": true, "String": true, "Set": true, "Map": true, "Promise": true,
	"Uint8Array": true, "Int8Array": true, "Uint16Array": true, "Int16Array": true, "Uint32Array": true,
	"Int32Array": true, "Float32Array": true, "Float64Array": true, "BigInt64Array": true, "BigUint64Array": true,
	"Uint8ClampedArray": true, "Iterator": true, "storage": true,
}

// Supabase reads the sources for a Supabase project: its URL and keys
// (createClient('https://x.supabase.co', 'eyJ…'), SUPABASE_URL-style
// variables and supabaseUrl/supabaseKey literals, any Supabase JWT or
// sb_publishable_/sb_secret_ key) and the tables, RPCs and storage buckets
// the code names. It scans at most MaxScanPerSource of each source and
// MaxScanTotal in all, and keeps at most MaxNames of each list.
func Supabase(srcs []Source) SupabaseUse {
	c := newCollector()
	budget := MaxScanTotal
	for _, s := range srcs {
		if budget <= 0 {
			break
		}
		body := s.Body
		body = safetext.Prefix(body, min(MaxScanPerSource, budget))
		budget -= len(body)
		c.scan(s.Label, body)
	}
	return c.use
}

type collector struct {
	use  SupabaseUse
	seen map[string]bool
}

func newCollector() *collector { return &collector{seen: map[string]bool{}} }

func (c *collector) scan(where, body string) {
	for _, m := range reCreateClient.FindAllStringSubmatch(body, -1) {
		c.addURL(firstGroup(m[1:4]), where)
		c.addKey(firstGroup(m[4:7]), where)
	}
	for _, m := range reURLVar.FindAllStringSubmatch(body, -1) {
		c.addURL(firstGroup(m[1:]), where)
	}
	for _, m := range reKeyVar.FindAllStringSubmatch(body, -1) {
		c.addKey(firstGroup(m[1:]), where)
	}
	for _, u := range reHostedURL.FindAllString(body, -1) {
		c.addURL(u, where)
	}
	for _, k := range reJWT.FindAllString(body, -1) {
		if jwtIssuer(k) == "supabase" {
			c.addKey(k, where)
		}
	}
	for _, k := range reSBKey.FindAllString(body, -1) {
		c.addKey(k, where)
	}
	for _, ix := range reFrom.FindAllStringSubmatchIndex(body, -1) {
		if notClients[receiver(body[:ix[0]])] {
			continue
		}
		c.addName(&c.use.Tables, "table", groupAt(body, ix, 1, 3), where)
	}
	for _, m := range reStore.FindAllStringSubmatch(body, -1) {
		c.addName(&c.use.Buckets, "bucket", firstGroup(m[1:]), where)
	}
	for _, m := range reRPC.FindAllStringSubmatch(body, -1) {
		c.addName(&c.use.RPCs, "rpc", firstGroup(m[1:]), where)
	}
}

// addURL keeps an http(s) URL; a hosted project's URL is cut to its origin.
func (c *collector) addURL(u, where string) {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || strings.ContainsAny(u, " \t\r\n\"'`<>") {
		return
	}
	if loc := reHostedURL.FindStringIndex(u); loc != nil && loc[0] == 0 {
		u = u[:loc[1]]
	}
	if c.seen["url "+u] || len(c.use.URLs) >= MaxNames {
		return
	}
	c.seen["url "+u] = true
	c.use.URLs = append(c.use.URLs, Use{Name: u, Where: where})
}

// addKey keeps a value that is a Supabase key: a JWT with a role claim
// or an sb_ key.
func (c *collector) addKey(k, where string) {
	k = strings.TrimSpace(k)
	role := KeyRole(k)
	if role == "" || c.seen["key "+k] || len(c.use.Keys) >= MaxNames {
		return
	}
	c.seen["key "+k] = true
	c.use.Keys = append(c.use.Keys, SupabaseKey{Value: k, Role: role, Where: where})
}

func (c *collector) addName(list *[]Use, kind, name, where string) {
	if name == "" || c.seen[kind+" "+name] || len(*list) >= MaxNames {
		return
	}
	c.seen[kind+" "+name] = true
	*list = append(*list, Use{Name: name, Where: where})
}

// KeyRole classifies a Supabase API key: the role claim of a legacy JWT
// key ("anon", "service_role"), "publishable" or "secret" for the new
// sb_ keys, "" for anything else.
func KeyRole(k string) string {
	switch {
	case len(k) > maxKeyLen:
		return ""
	case strings.HasPrefix(k, "sb_publishable_"):
		return "publishable"
	case strings.HasPrefix(k, "sb_secret_"):
		return "secret"
	}
	claims := jwtClaims(k)
	if claims == nil {
		return ""
	}
	role, _ := claims["role"].(string)
	switch role {
	case "anon", "service_role":
		return role
	}
	return ""
}

func jwtIssuer(k string) string {
	iss, _ := jwtClaims(k)["iss"].(string)
	return iss
}

// jwtClaims decodes a JWT's payload without verifying it (nil if it is
// not one).
func jwtClaims(k string) map[string]any {
	parts := strings.Split(k, ".")
	if len(parts) != 3 || len(k) > maxKeyLen {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return nil
	}
	return claims
}

// receiver returns the identifier just before a ".from(" match.
func receiver(before string) string {
	before = strings.TrimRight(before, " \t\r\n")
	i := len(before)
	for i > 0 {
		ch := before[i-1]
		if ch == '_' || ch == '$' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' {
			i--
			continue
		}
		break
	}
	return before[i:]
}

// firstGroup returns the first non-empty capture (one per quote kind).
func firstGroup(groups []string) string {
	for _, g := range groups {
		if g != "" {
			return g
		}
	}
	return ""
}

// groupAt returns the first non-empty capture among groups first..last of
// a FindAllStringSubmatchIndex match.
func groupAt(body string, ix []int, first, last int) string {
	for g := first; g <= last; g++ {
		if ix[2*g] >= 0 {
			return body[ix[2*g]:ix[2*g+1]]
		}
	}
	return ""
}
