package client

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Mask replaces every credential in output.
const Mask = "[redacted]"

// minSecretLen is the length (in characters) from which a value is masked
// wherever it appears. A shorter learnt value ("1", "en") would shred
// ordinary text; a shorter configured secret is masked only where a
// credential stands (see AddSecret).
const minSecretLen = 6

// Redactor masks credentials in every string that leaves the scanner:
// evidence, repro commands, notices, errors and reports. It masks
//   - the values it was told about, in every encoding they can take (raw,
//     JSON-escaped, URL- or form-encoded, HTML entities, shell-quoted, and
//     two of these nested), found in one pass whatever their number;
//   - structurally, whatever the value: credential headers, Cookie and
//     Set-Cookie values, credential query, form and fragment parameters
//     (password=, access_token=, #id_token=, …), credential JSON members
//     ("password", "client_secret", …) and bearer tokens.
//
// It is safe for concurrent use.
type Redactor struct {
	mu sync.RWMutex
	// long holds the values masked wherever they appear; special those of
	// them an encoding can change, also looked for in decoded views.
	long, special valueSet
	// short holds configured secrets under minSecretLen characters,
	// masked where a credential stands; shortSpecial those an encoding
	// can change.
	short, shortSpecial []string
	// public holds text known not to be secret (the target's URL and
	// scope); a learnt value found inside it is not masked everywhere.
	public []string
}

// NewRedactor returns an empty redactor.
func NewRedactor() *Redactor { return &Redactor{} }

// Add registers learnt credential values (session cookies, tokens, found
// secrets), masked wherever they appear when they have minSecretLen
// characters or more. A value that is part of a public text (AddPublic) is
// ignored: a portal whose cookie holds its own origin must not mask every
// URL of the report.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if r.isPublic(v) {
			continue
		}
		r.addLong(v)
	}
}

// AddSecret registers configured secrets (passwords, the inbox's password,
// API keys), masked wherever they appear when they have minSecretLen
// characters or more, and whatever their length where a credential stands:
// a parameter's, JSON member's or header's whole value.
func (r *Redactor) AddSecret(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if v == "" || r.addLong(v) || utf8.RuneCountInString(v) >= minSecretLen {
			continue
		}
		if !slices.Contains(r.short, v) {
			r.short = append(r.short, v)
			if !unreserved(v) {
				r.shortSpecial = append(r.shortSpecial, v)
			}
		}
	}
}

// AddPublic registers texts that are not secret: learnt values inside them
// are not masked wherever they appear (structural masking still applies).
func (r *Redactor) AddPublic(texts ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range texts {
		if t != "" && !slices.Contains(r.public, t) {
			r.public = append(r.public, t)
		}
	}
}

func (r *Redactor) isPublic(v string) bool {
	for _, p := range r.public {
		if strings.Contains(p, v) {
			return true
		}
	}
	return false
}

// addLong adds v to the values masked everywhere when it is long enough;
// the mask's own text is never a secret (it would always show).
func (r *Redactor) addLong(v string) bool {
	if utf8.RuneCountInString(v) < minSecretLen || strings.Contains(Mask, v) {
		return false
	}
	forms := []string{v}
	if !utf8.ValidString(v) {
		// Encoders write each invalid byte as U+FFFD.
		forms = append(forms, string([]rune(v)))
	}
	for _, f := range forms {
		if r.long.add(f) && !unreserved(f) {
			r.special.add(f)
		}
	}
	return true
}

// Redact masks every known secret, in every encoding, and every value
// standing in a credential position.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		s = r.maskKnown(s)
	}
	return maskStructure(s)
}

// maskKnown masks the known values in s and, for values an encoding can
// change, in each decoded view of it.
func (r *Redactor) maskKnown(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.long.len() == 0 && len(r.short) == 0 {
		return s
	}
	var spans []span
	decoded := r.special.len() > 0 || len(r.shortSpecial) > 0
	eachView(s, decoded, func(v *view) {
		record := func(a, b int) { spans = append(spans, v.source(a, b)) }
		if v.parent == nil {
			r.long.find(v.text, record)
			findShort(v.text, r.short, record)
			return
		}
		r.special.find(v.text, record)
		findShort(v.text, r.shortSpecial, record)
	})
	return maskSpans(s, spans)
}

// unreserved reports whether v is made only of ASCII letters and digits,
// which no JSON, URL, HTML or shell encoder rewrites: it then reads the same
// in every view.
func unreserved(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
