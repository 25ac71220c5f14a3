package config

import (
	"fmt"
	"strings"
)

// DefaultFileName names the config in messages when it was parsed from bytes
// with no path.
const DefaultFileName = "launchready.yaml"

// Error is one problem in a config file, printed on one line as
// "<file>:<line>: <key>: <problem>". The line is left out when unknown and
// the key when the problem is with the document as a whole.
type Error struct {
	// File is the base name of the config file.
	File string
	// Line is the 1-based line the problem was found on; 0 when unknown.
	Line int
	// Key is the dotted path of the key, e.g. target.variants[1]; "" for
	// the whole document.
	Key string
	// Msg says what is wrong and, where it can, how to fix it.
	Msg string
	// Err is the underlying cause (a file read error), if any.
	Err error
}

// Error formats the problem on one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(oneLine(e.File))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(oneLine(e.Key))
		b.WriteString(": ")
	}
	b.WriteString(oneLine(e.Msg))
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// oneLine keeps a message on one line whatever a key or an OS error holds.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// unsetEnvError is one error naming every env: variable that is unset or
// empty, each with its key and line, so a first run asks once for all the
// variables to export; nil when there are none. A lone one keeps the
// plain form.
func unsetEnvError(errs []*Error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = fmt.Sprintf("%s (%s, line %d)", strings.TrimPrefix(e.Msg, "environment variable "), e.Key, e.Line)
	}
	return &Error{File: errs[0].File, Line: errs[0].Line,
		Msg: "environment variables the config references are unset or empty: " + strings.Join(parts, "; ")}
}
