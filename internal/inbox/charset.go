package inbox

import (
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
)

// go-message decodes utf-8 and us-ascii itself and any other charset through
// message.CharsetReader, which github.com/emersion/go-message/charset sets.
// That package pulls in golang.org/x/text, which this module does not carry,
// and setting the hook ourselves would be package-level state shared with
// every other user of go-message. So when go-message reports an unknown
// charset, the single-byte Latin charsets that transactional mail still uses
// are decoded here, and anything else is kept with invalid bytes replaced.

// cp1252High maps windows-1252 bytes 0x80-0x9F (as runes, in order); the
// rest of windows-1252 is Latin-1.
const cp1252High = "\u20AC\uFFFD\u201A\u0192\u201E\u2026\u2020\u2021" +
	"\u02C6\u2030\u0160\u2039\u0152\uFFFD\u017D\uFFFD" +
	"\uFFFD\u2018\u2019\u201C\u201D\u2022\u2013\u2014" +
	"\u02DC\u2122\u0161\u203A\u0153\uFFFD\u017E\u0178"

// latin9 maps the eight bytes where ISO-8859-15 differs from Latin-1.
func latin9(b byte) rune {
	switch b {
	case 0xA4:
		return 0x20AC
	case 0xA6:
		return 0x0160
	case 0xA8:
		return 0x0161
	case 0xB4:
		return 0x017D
	case 0xB8:
		return 0x017E
	case 0xBC:
		return 0x0152
	case 0xBD:
		return 0x0153
	case 0xBE:
		return 0x0178
	}
	return rune(b)
}

// singleByteDecoder returns a byte → rune mapping for a known single-byte
// charset, or nil.
func singleByteDecoder(charset string) func(byte) rune {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1", "cp819", "ibm819":
		return func(b byte) rune { return rune(b) }
	case "windows-1252", "cp1252", "x-cp1252":
		high := []rune(cp1252High)
		return func(b byte) rune {
			if b >= 0x80 && b < 0xA0 {
				return high[b-0x80]
			}
			return rune(b)
		}
	case "iso-8859-15", "iso8859-15", "latin9", "latin-9", "l9":
		return latin9
	}
	return nil
}

// toUTF8 converts b from charset to UTF-8 when the charset is one
// singleByteDecoder knows; otherwise it keeps b with invalid UTF-8 replaced.
func toUTF8(charset string, b []byte) string {
	dec := singleByteDecoder(charset)
	if dec == nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(dec(c))
	}
	return sb.String()
}

// charsetReader is a mime.WordDecoder hook for encoded words in headers: the
// Latin charsets above, then go-message's hook if a program installed one.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	if dec := singleByteDecoder(charset); dec != nil {
		b, err := io.ReadAll(io.LimitReader(input, maxHeaderBytes))
		if err != nil {
			return nil, err
		}
		return strings.NewReader(toUTF8(charset, b)), nil
	}
	if hook := message.CharsetReader; hook != nil {
		if r, err := hook(strings.ToLower(charset), input); err == nil {
			return r, nil
		}
	}
	// An unknown charset in one encoded word should not leave the whole
	// header undecoded: keep that word's bytes, made valid UTF-8 by the caller.
	return input, nil
}

// decodeHeaderText decodes RFC 2047 encoded words; on failure it returns the
// raw value, made valid UTF-8.
func decodeHeaderText(s string) string {
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	out, err := dec.DecodeHeader(s)
	if err != nil {
		out = s
	}
	return strings.ToValidUTF8(out, "\uFFFD")
}

// truncateUTF8 cuts b to at most n bytes without splitting a rune.
func truncateUTF8(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}
