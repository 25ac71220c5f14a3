package client

import (
	"regexp"
	"slices"
	"strings"
)

// Structural masking: values that stand where a credential stands are
// masked whether or not the redactor was told about them: credential
// headers, Cookie and Set-Cookie values, credential query, form and
// fragment parameters, credential JSON members, bearer tokens.

var (
	cookiePair = regexp.MustCompile(`((?:^|;\s*)[^=;\s]+=)([^;]*)`)
	bearer     = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}`)
)

// Credential names, compared lower-case without "-", "_", ".", "[" or "]":
// exact names, and endings (new_password, X-Auth-Token, user[password]).
var (
	credExact = map[string]bool{
		"authorization": true, "pass": true, "pwd": true, "pw": true, "secret": true, "token": true,
		"session": true, "sid": true, "csrf": true, "xsrf": true, "authenticitytoken": true,
		"apikey": true, "key": true, "code": true, "sig": true, "jwt": true,
	}
	credSuffixes = []string{"password", "passwd", "passphrase", "token", "secret", "apikey", "secretkey",
		"privatekey", "accesskey", "sessionid", "sessiontoken", "authorization", "signature", "credential", "credentials"}
	// notInJSON are names that are credentials in a URL but, in a JSON
	// member, usually an error code or an ordinary key.
	notInJSON = map[string]bool{"code": true, "key": true, "sig": true}
)

func normName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', '[', ']':
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, name)
}

// credentialName reports whether a parameter, header or JSON member of
// this name holds a credential.
func credentialName(name string) bool {
	n := normName(name)
	if credExact[n] {
		return true
	}
	for _, s := range credSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

func credentialJSONName(name string) bool {
	return !notInJSON[normName(name)] && credentialName(name)
}

// credentialWords are in every credential name the structural masks look
// for (lower-case): text without any of them is left alone at once.
var credentialWords = []string{"pass", "pw", "token", "secret", "key", "session", "sid", "csrf", "xsrf",
	"auth", "code", "sig", "jwt", "credential", "cookie", "bearer"}

// maskStructure masks every value that stands in a credential position.
func maskStructure(s string) string {
	lower := strings.ToLower(s)
	has := func(w string) bool { return strings.Contains(lower, w) }
	if !slices.ContainsFunc(credentialWords, has) {
		return s
	}
	if strings.IndexByte(s, ':') >= 0 {
		s = maskHeaders(s)
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = maskParams(s)
	}
	if strings.IndexByte(s, '"') >= 0 {
		s = maskJSONMembers(s)
	}
	if has("bearer") {
		s = bearer.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

// replaceSubmatches replaces each match of re for which fn says so.
func replaceSubmatches(s string, re *regexp.Regexp, fn func(m []string) (string, bool)) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range idx {
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		rep, ok := fn(m)
		if !ok {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(rep)
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// maxName bounds the length of a parameter, header or member name.
const maxName = 64

// masker copies s, replacing chosen ranges with Mask.
type masker struct {
	s    string
	b    strings.Builder
	last int
}

func (m *masker) mask(from, to int) { m.replace(from, to, Mask) }

func (m *masker) replace(from, to int, with string) {
	m.b.WriteString(m.s[m.last:from])
	m.b.WriteString(with)
	m.last = to
}

func (m *masker) String() string {
	if m.last == 0 {
		return m.s
	}
	m.b.WriteString(m.s[m.last:])
	return m.b.String()
}

func isNameByte(c byte, extra string) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || strings.IndexByte(extra, c) >= 0
}

// nameBefore returns where the name ending at end starts (end when none).
func nameBefore(s string, end int, extra string) int {
	k := end
	for k > 0 && end-k < maxName && isNameByte(s[k-1], extra) {
		k--
	}
	return k
}

// maskParams masks the value of each query, form or fragment parameter
// whose name says it holds a credential: password=, access_token=,
// #id_token=, user[password]=.
func maskParams(s string) string {
	m := masker{s: s}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '=')
		if j < 0 {
			break
		}
		eq := i + j
		i = eq + 1
		k := nameBefore(s, eq, ".[]")
		if k == eq || k < m.last || (k > 0 && !strings.ContainsRune("?&;# \t\r\n\f\v'\"", rune(s[k-1]))) {
			continue
		}
		v := eq + 1
		for v < len(s) && !strings.ContainsRune("&#; \t\r\n\f\v'\"", rune(s[v])) {
			v++
		}
		if v == eq+1 || s[eq+1:v] == Mask || !credentialName(s[k:eq]) {
			continue
		}
		m.mask(eq+1, v)
		i = v
	}
	return m.String()
}

// maskHeaders masks the value of each header line whose name says it
// holds a credential (Authorization, X-Api-Key, X-Auth-Token, the
// configured session header …), at a line's start or in a curl's -H '…';
// in Cookie and Set-Cookie lines each cookie's value, names and
// attributes kept for the reader.
func maskHeaders(s string) string {
	m := masker{s: s}
	maskAt := func(start int) {
		i := start
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		n := i
		for n < len(s) && n-i < maxName && isNameByte(s[n], "") {
			n++
		}
		if n == i || n >= len(s) || s[n] != ':' || i < m.last {
			return
		}
		name := strings.ToLower(s[i:n])
		cookie := name == "cookie" || name == "set-cookie"
		if !cookie && !credentialName(name) {
			return
		}
		v := n + 1
		for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
			v++
		}
		end := v
		for end < len(s) && s[end] != '\r' && s[end] != '\n' {
			if s[end] == '\'' {
				if !strings.HasPrefix(s[end:], `'\''`) {
					break // the end of the curl's -H '…'
				}
				end += 3 // a quote inside it
			}
			end++
		}
		switch {
		case end == v:
		case cookie:
			m.replace(v, end, maskCookieValues(s[v:end], name == "set-cookie"))
		default:
			m.mask(v, end)
		}
	}
	for i := 0; i < len(s); i++ {
		switch {
		case i == 0:
			maskAt(0)
		case s[i-1] == '\n':
			maskAt(i)
		case s[i-1] == '\'' && i >= 4 && s[i-4:i] == "-H '":
			maskAt(i)
		}
	}
	return m.String()
}

// maskJSONMembers masks the string value of each JSON member whose name
// says it holds a credential ("password", "access_token", "client_secret"
// …), escaped quotes and all, also one level down in JSON held in a JSON
// string (\"password\":\"…\").
func maskJSONMembers(s string) string {
	m := masker{s: s}
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ':')
		if j < 0 {
			break
		}
		colon := i + j
		i = colon + 1
		// The name: "name" or \"name\" before the colon, blanks allowed.
		q := colon - 1
		for q >= 0 && (s[q] == ' ' || s[q] == '\t') {
			q--
		}
		if q < 1 || s[q] != '"' {
			continue
		}
		nested := s[q-1] == '\\'
		nameEnd := q
		if nested {
			nameEnd--
		}
		k := nameBefore(s, nameEnd, ".")
		if k == nameEnd || k < 1 || s[k-1] != '"' || (nested != (k >= 2 && s[k-2] == '\\')) || k < m.last {
			continue
		}
		// The value: a string opening with the same quoting.
		v := colon + 1
		for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
			v++
		}
		open := `"`
		if nested {
			open = `\"`
		}
		if !strings.HasPrefix(s[v:], open) || !credentialJSONName(s[k:nameEnd]) {
			continue
		}
		start := v + len(open)
		end := jsonStringEnd(s, start, nested)
		m.mask(start, end)
		i = max(end, i)
	}
	return m.String()
}

// jsonStringEnd returns where the JSON string whose content starts at i
// ends (the index of its closing quote, or of its closing \" when nested
// in another JSON string), len(s) when it is cut off.
func jsonStringEnd(s string, i int, nested bool) int {
	escaped := false
	for j := i; j < len(s); {
		c, w := s[j], 1
		if nested && c == '\\' && j+1 < len(s) {
			// One level of escaping undone: \" is the inner string's
			// quote, \\ its backslash.
			c, w = s[j+1], 2
		}
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			return j
		}
		j += w
	}
	return len(s)
}

// maskCookieValues masks cookie values; for Set-Cookie only the first pair
// is the cookie, the rest are attributes kept for the reader.
func maskCookieValues(v string, setCookie bool) string {
	if setCookie {
		name, rest, ok := strings.Cut(v, "=")
		if !ok {
			return v
		}
		val, attrs, hasAttrs := strings.Cut(rest, ";")
		if val == "" || val == Mask {
			return v
		}
		if hasAttrs {
			return name + "=" + Mask + ";" + attrs
		}
		return name + "=" + Mask
	}
	return cookiePair.ReplaceAllStringFunc(v, func(pair string) string {
		m := cookiePair.FindStringSubmatch(pair)
		if m[2] == "" {
			return pair
		}
		return m[1] + Mask
	})
}
