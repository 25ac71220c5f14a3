package client

import (
	"html"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A secret can reach output in any encoding a request, a response or a
// report gives it: raw, JSON-escaped (with or without HTML escaping, \/,
// \uXXXX in either case, surrogate pairs), URL- or form-encoded (any hex
// case, + or %20 for a space), HTML entities, shell-quoted. Listing every
// spelling of every secret cannot keep up with the encoders; instead the
// text is decoded one encoding at a time, and for the nestings met in
// practice two deep (a JSON body in a shell-quoted curl command, JSON in a
// JSON string, in a query string or in an HTML attribute, double URL
// encoding), and each decoded view is searched for the plain value. Each
// view maps its bytes back to the span of the original they came from, so
// a match is masked whole in the original, escape sequences included.
//
// A value made only of ASCII letters and digits reads the same in every
// one of these encodings, so only values with other characters are looked
// for in the decoded views, and without such values no view is built.

// decoderKind names an encoding a view undoes.
type decoderKind int

const (
	decJSON decoderKind = iota
	decForm             // percent-encoding, + for a space
	decURL              // percent-encoding, + kept
	decHTML
	decShell
	numDecoders
)

// nested lists, for a view that undid one encoding, the encodings worth
// undoing inside it: those that wrap one another in real traffic.
var nested = [numDecoders][]decoderKind{
	decJSON:  {decJSON},
	decForm:  {decJSON, decForm},
	decURL:   {decJSON, decURL},
	decHTML:  {decJSON},
	decShell: {decJSON},
}

var decoders = [numDecoders]func(string) ([]byte, []seg, bool){
	decJSON:  decodeJSONEscapes,
	decForm:  decodePercent(true),
	decURL:   decodePercent(false),
	decHTML:  decodeHTML,
	decShell: decodeShellQuotes,
}

// view is a text decoded from its parent's; the root view is the original.
type view struct {
	text   string
	parent *view
	// segs map the view to the parent, in order and covering the whole
	// view: n bytes of the view from at came from srcLen bytes of the
	// parent from src, byte for byte when copied, else as one decoded
	// character.
	segs []seg
}

type seg struct {
	at, n, src, srcLen int32
	copied             bool
}

// span is a half-open byte range of the original text.
type span struct{ start, end int32 }

// source maps the view's bytes [a, b) to the original text.
func (v *view) source(a, b int) span {
	sp := span{int32(a), int32(b)}
	for ; v.parent != nil; v = v.parent {
		sp = span{v.parentSpan(sp.start).start, v.parentSpan(sp.end - 1).end}
	}
	return sp
}

// parentSpan is the span of the parent that the view's byte p came from.
func (v *view) parentSpan(p int32) span {
	i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].at+v.segs[i].n > p })
	s := v.segs[i]
	if s.copied {
		off := s.src + p - s.at
		return span{off, off + 1}
	}
	return span{s.src, s.src + s.srcLen}
}

// eachView calls fn with the original text and, when decoded is true,
// with every decoded view of it, one at a time: a view is dropped before
// the next is built.
func eachView(s string, decoded bool, fn func(*view)) {
	root := &view{text: s}
	fn(root)
	if !decoded {
		return
	}
	for k := range numDecoders {
		descend(root, k, 1, fn)
	}
}

// maxViewDepth is how many encodings deep a value is looked for.
const maxViewDepth = 2

func descend(parent *view, k decoderKind, depth int, fn func(*view)) {
	b, segs, ok := decoders[k](parent.text)
	if !ok {
		return
	}
	child := &view{text: string(b), parent: parent, segs: segs}
	fn(child)
	if depth < maxViewDepth {
		for _, next := range nested[k] {
			descend(child, next, depth+1, fn)
		}
	}
}

// builder accumulates a decoded text and its segments.
type builder struct {
	src  string
	out  []byte
	segs []seg
	// copied is where the pending copied run starts in src.
	copied  int
	changed bool
}

func newBuilder(s string) *builder { return &builder{src: s, out: make([]byte, 0, len(s))} }

// run closes the copied run up to src offset i.
func (b *builder) run(i int) {
	if i > b.copied {
		b.segs = append(b.segs, seg{at: int32(len(b.out)), n: int32(i - b.copied), src: int32(b.copied), srcLen: int32(i - b.copied), copied: true})
		b.out = append(b.out, b.src[b.copied:i]...)
	}
}

// decoded records that src[i:i+n] decodes to r.
func (b *builder) decoded(i, n int, r []byte) {
	b.run(i)
	b.segs = append(b.segs, seg{at: int32(len(b.out)), n: int32(len(r)), src: int32(i), srcLen: int32(n)})
	b.out = append(b.out, r...)
	b.copied = i + n
	b.changed = true
}

func (b *builder) finish() ([]byte, []seg, bool) {
	if !b.changed {
		return nil, nil, false
	}
	b.run(len(b.src))
	return b.out, b.segs, true
}

// decodeJSONEscapes undoes JSON (and JavaScript) string escapes: \" \\ \/
// \b \f \n \r \t \' and \uXXXX in either case, surrogate pairs joined.
func decodeJSONEscapes(s string) ([]byte, []seg, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return nil, nil, false
	}
	b := newBuilder(s)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\\')
		if j < 0 || i+j+1 >= len(s) {
			break
		}
		i += j
		if r, n := jsonEscape(s[i:]); n > 0 {
			b.decoded(i, n, utf8.AppendRune(nil, r))
			i += n
			continue
		}
		i++
	}
	return b.finish()
}

// jsonEscape decodes the escape at the start of s (which starts with a
// backslash): the rune and the bytes it took, 0 when it is none.
func jsonEscape(s string) (rune, int) {
	switch c := s[1]; c {
	case '"', '\\', '/', '\'':
		return rune(c), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r, ok := hex4(s[2:])
		if !ok {
			return 0, 0
		}
		if utf16.IsSurrogate(r) {
			if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
				if r2, ok := hex4(s[8:]); ok {
					if j := utf16.DecodeRune(r, r2); j != utf8.RuneError {
						return j, 12
					}
				}
			}
			return utf8.RuneError, 6
		}
		return r, 6
	}
	return 0, 0
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for i := range 4 {
		d, ok := hexDigit(s[i])
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodePercent undoes URL encoding (%XX in either case), and with plus
// form encoding's + for a space too. A value with a literal + is found in
// the view without it.
func decodePercent(plus bool) func(string) ([]byte, []seg, bool) {
	triggers := "%"
	if plus {
		triggers = "%+"
	}
	return func(s string) ([]byte, []seg, bool) {
		if !strings.ContainsAny(s, triggers) {
			return nil, nil, false
		}
		b := newBuilder(s)
		for i := 0; i < len(s); {
			j := strings.IndexAny(s[i:], triggers)
			if j < 0 {
				break
			}
			i += j
			if s[i] == '+' {
				b.decoded(i, 1, []byte{' '})
				i++
				continue
			}
			if i+2 < len(s) {
				hi, ok1 := hexDigit(s[i+1])
				lo, ok2 := hexDigit(s[i+2])
				if ok1 && ok2 {
					b.decoded(i, 3, []byte{hi<<4 | lo})
					i += 3
					continue
				}
			}
			i++
		}
		return b.finish()
	}
}

// maxEntity bounds the length of an HTML character reference looked at.
const maxEntity = 32

// decodeHTML undoes HTML character references (&amp; &#39; &#x27; &quot;
// …), each ended by a semicolon.
func decodeHTML(s string) ([]byte, []seg, bool) {
	if strings.IndexByte(s, '&') < 0 {
		return nil, nil, false
	}
	b := newBuilder(s)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '&')
		if j < 0 {
			break
		}
		i += j
		if n := strings.IndexByte(s[i+1:min(len(s), i+maxEntity)], ';'); n > 0 {
			ref := s[i : i+n+2]
			if dec := html.UnescapeString(ref); dec != ref {
				b.decoded(i, len(ref), []byte(dec))
				i += len(ref)
				continue
			}
		}
		i++
	}
	return b.finish()
}

// decodeShellQuotes undoes the two ways a single quote is written inside a
// single-quoted shell word: close, escaped quote, reopen (our curl repro's
// shellQuote) and close, double-quoted quote, reopen.
func decodeShellQuotes(s string) ([]byte, []seg, bool) {
	if strings.IndexByte(s, '\'') < 0 {
		return nil, nil, false
	}
	b := newBuilder(s)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\'')
		if j < 0 {
			break
		}
		i += j
		switch {
		case strings.HasPrefix(s[i:], `'\''`):
			b.decoded(i, 4, []byte{'\''})
			i += 4
		case strings.HasPrefix(s[i:], `'"'"'`):
			b.decoded(i, 5, []byte{'\''})
			i += 5
		default:
			i++
		}
	}
	return b.finish()
}
