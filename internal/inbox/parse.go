package inbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"strings"

	"github.com/emersion/go-message"
)

// Parse limits. A message over MaxBodyBytes is refused; past the other limits
// parsing stops quietly and keeps what it has.
const (
	maxHeaderBytes  = 256 << 10 // one header block
	maxHeaderFields = 1000      // fields kept in Message.Header
	maxParts        = 100       // MIME entities visited
	maxDepth        = 8         // multipart nesting
	maxTextBytes    = 2 << 20   // Message.Text and Message.HTML, each
	maxAddresses    = 100       // addresses kept from To
)

// Parse decodes an RFC 5322 message: the header (subject and names
// RFC 2047-decoded, addresses reduced to bare addresses) and the text/plain
// and text/html parts, at any multipart depth up to a limit, with their
// transfer encoding and charset undone. Attachments and parts of other types
// are skipped; several inline parts of one type are joined with a newline.
//
// Parse is lenient with broken MIME structure: if the body breaks off, the
// parts read before the break are kept and only a message with no readable
// text at all is an error. A header that cannot be read is an error. Raw in
// the result shares raw's memory. Parse never panics.
func Parse(raw []byte) (*Message, error) {
	if len(raw) > MaxBodyBytes {
		return nil, fmt.Errorf("inbox: message is %d bytes, over the %d-byte limit", len(raw), MaxBodyBytes)
	}
	e, err := message.ReadWithOptions(bytes.NewReader(raw), &message.ReadOptions{MaxHeaderBytes: maxHeaderBytes})
	if e == nil {
		return nil, fmt.Errorf("inbox: parse message header: %w", err)
	}
	m := headerMessage(e.Header)
	m.Raw = raw
	var w partWalker
	w.walk(e, err, 0)
	m.Text = string(truncateUTF8([]byte(w.text.String()), maxTextBytes))
	m.HTML = string(truncateUTF8([]byte(w.html.String()), maxTextBytes))
	if w.err != nil && m.Text == "" && m.HTML == "" {
		return nil, fmt.Errorf("inbox: parse message body: %w", w.err)
	}
	return m, nil
}

// headerMessage fills the header-derived fields of a Message.
func headerMessage(h message.Header) *Message {
	m := &Message{
		MessageID: strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"),
		Subject:   decodeHeaderText(h.Get("Subject")),
		Header:    headerMap(h),
		To:        parseAddresses(strings.Join(h.Values("To"), ", ")),
	}
	if from := parseAddresses(h.Get("From")); len(from) > 0 {
		m.From = from[0]
	}
	if t, err := netmail.ParseDate(h.Get("Date")); err == nil {
		m.Date = t
	}
	return m
}

// headerMap copies the top-level fields, in order, keyed by canonical name.
func headerMap(h message.Header) map[string][]string {
	out := make(map[string][]string)
	fields := h.Fields()
	for n := 0; fields.Next() && n < maxHeaderFields; n++ {
		k := fields.Key()
		out[k] = append(out[k], fields.Value())
	}
	return out
}

// parseAddresses returns the bare addresses in an address-list header value.
// When the list does not parse (mail in the wild is sloppy), each
// comma-separated piece that looks like an address is kept.
func parseAddresses(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	p := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	var out []string
	if list, err := p.ParseList(v); err == nil {
		for _, a := range list {
			if len(out) == maxAddresses {
				break
			}
			out = append(out, a.Address)
		}
		return out
	}
	for _, piece := range strings.Split(v, ",") {
		if len(out) == maxAddresses {
			break
		}
		if i := strings.LastIndexByte(piece, '<'); i >= 0 {
			piece = piece[i+1:]
			if j := strings.IndexByte(piece, '>'); j >= 0 {
				piece = piece[:j]
			}
		}
		piece = strings.TrimSpace(piece)
		if strings.Contains(piece, "@") && !strings.ContainsAny(piece, " \t\"") {
			out = append(out, strings.ToValidUTF8(piece, ""))
		}
	}
	return out
}

// partWalker collects the text parts of a MIME tree within the parse limits.
type partWalker struct {
	parts      int
	text, html strings.Builder
	err        error // first body error, kept in case no text is found
}

func (w *partWalker) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// walk visits e; entErr is what go-message reported when it made e (an
// unknown charset or transfer encoding still yields a readable entity).
func (w *partWalker) walk(e *message.Entity, entErr error, depth int) {
	if w.parts >= maxParts || depth > maxDepth {
		return
	}
	w.parts++
	mr := e.MultipartReader()
	if mr == nil {
		w.leaf(e, entErr)
		return
	}
	for w.parts < maxParts {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if part == nil {
			w.fail(err)
			return
		}
		w.walk(part, err, depth+1)
	}
}

// leaf appends an inline text/plain or text/html part to what was collected.
func (w *partWalker) leaf(e *message.Entity, entErr error) {
	if disp, _, _ := e.Header.ContentDisposition(); strings.EqualFold(disp, "attachment") {
		return
	}
	mediaType, params, _ := e.Header.ContentType()
	var dst *strings.Builder
	switch mediaType {
	case "", "text/plain":
		dst = &w.text
	case "text/html":
		dst = &w.html
	default:
		return
	}
	room := maxTextBytes - dst.Len()
	if room <= 0 {
		return
	}
	b, err := io.ReadAll(io.LimitReader(e.Body, int64(room)))
	if err != nil {
		w.fail(err)
	}
	var s string
	if message.IsUnknownCharset(entErr) {
		s = toUTF8(params["charset"], b)
	} else {
		s = strings.ToValidUTF8(string(b), "\uFFFD")
	}
	if dst.Len() > 0 && s != "" {
		dst.WriteByte('\n')
	}
	dst.WriteString(s)
}
