package config

import "strings"

// Placeholders the scanner fills in config paths and bodies. Which ones a
// key takes depends on what is known when its request is sent; Parse
// refuses one that cannot be filled where it stands.
const (
	// PhEmail and PhPassword are the account's email and password.
	PhEmail    = "{{email}}"
	PhPassword = "{{password}}"
	// PhTag is the account's tag: the plus-address tag of an account the
	// scanner made (qa+TAG@…), the account's name (a, b, admin) for the
	// configured ones. Signup forms that want a unique user name take it.
	PhTag = "{{tag}}"
	// PhSelfID is the logged-in member's id, read at accounts.me.
	PhSelfID = "{{self.id}}"
	// PhCanary is a unique marker an object write plants.
	PhCanary = "{{canary}}"
	// PhToken is the token of a mailed link; PhNewPassword the password a
	// reset sets; PhCode a mailed one-time code.
	PhToken       = "{{token}}"
	PhNewPassword = "{{new_password}}"
	PhCode        = "{{code}}"
)

// Expand replaces each placeholder vars names (keys written with the
// braces, like "{{email}}") in s with its value passed through esc (nil:
// as is). Other text, unknown placeholders included, is kept.
func Expand(s string, vars map[string]string, esc func(string) string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			break
		}
		ph := s[i : i+j+2]
		v, ok := vars[ph]
		b.WriteString(s[:i])
		switch {
		case !ok:
			b.WriteString(ph)
		case esc != nil:
			b.WriteString(esc(v))
		default:
			b.WriteString(v)
		}
		s = s[i+j+2:]
	}
	b.WriteString(s)
	return b.String()
}

// ExpandMap is Expand over every value of a map of fields (nil stays nil).
func ExpandMap(m map[string]string, vars map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = Expand(v, vars, nil)
	}
	return out
}

// Placeholders lists the placeholders written in s, in order.
func Placeholders(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return out
		}
		out = append(out, s[i:i+j+2])
		s = s[i+j+2:]
	}
}

// Sets of placeholders by where they stand.
var (
	// memberFills are known for any logged-in member's request.
	memberFills = []string{PhSelfID, PhEmail, PhTag}
	// loginFills are known when a member logs in.
	loginFills = []string{PhEmail, PhPassword}
	// signupFills are known for the requests of the scanner's own
	// accounts before they can log in (signup and its confirmations).
	signupFills = []string{PhEmail, PhPassword, PhTag}
)

// checkTemplate refuses a placeholder value cannot have where key stands:
// one not in allowed, an unclosed {{, {{self.id}} without accounts.me, a
// password in a path (paths end up in logs and histories).
func (c *Config) checkTemplate(key, value string, path bool, allowed ...string) error {
	rest := value
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return nil
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			if len(allowed) == 0 {
				return c.src.errKey(key, "no placeholder is replaced here, got %q", value)
			}
			return c.src.errKey(key, "unclosed {{ in %q (%s)", value, onlyReplaced(allowed))
		}
		ph := rest[i : i+j+2]
		rest = rest[i+j+2:]
		switch {
		case len(allowed) == 0:
			return c.src.errKey(key, "no placeholder is replaced here, got %s", ph)
		case path && (ph == PhPassword || ph == PhNewPassword):
			return c.src.errKey(key, "%s cannot go in a path (paths end up in logs and browser histories): send it in the body", ph)
		case ph == PhSelfID && !contains(allowed, ph):
			return c.src.errKey(key, "{{self.id}} cannot be filled here: no member is logged in when this is sent (%s)", onlyReplaced(allowed))
		case !contains(allowed, ph):
			return c.src.errKey(key, "unknown placeholder %s (%s)", ph, onlyReplaced(allowed))
		case ph == PhSelfID && c.Me == nil:
			return c.src.errKey(key, "{{self.id}} needs accounts.me, how a member reads its own record (like {path: /api/me, id_field: id})")
		}
	}
}

// checkFields checks the placeholders of a map of fields, first written
// first.
func (c *Config) checkFields(key string, fields map[string]string, allowed ...string) error {
	for _, name := range keysByLine(c, key, fields) {
		if err := c.checkTemplate(key+"."+name, fields[name], false, allowed...); err != nil {
			return err
		}
	}
	return nil
}

// oneBody refuses json and form given together, and says which was given
// ("" for neither).
func (c *Config) oneBody(key string, js, form map[string]string) (string, error) {
	switch {
	case js != nil && form != nil:
		return "", c.src.errKey(key, "give json or form, not both")
	case js != nil:
		return "json", nil
	case form != nil:
		return "form", nil
	}
	return "", nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// onlyReplaced says which placeholders a key takes.
func onlyReplaced(allowed []string) string {
	if len(allowed) == 1 {
		return "only " + allowed[0] + " is replaced here"
	}
	return "only " + listWords(allowed) + " are replaced here"
}

// listWords writes "a", "a and b", "a, b and c".
func listWords(ws []string) string {
	switch len(ws) {
	case 0:
		return "none"
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// with returns a new list: list followed by more.
func with(list []string, more ...string) []string {
	return append(append([]string(nil), list...), more...)
}
