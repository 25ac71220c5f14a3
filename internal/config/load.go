package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Options tell Parse how to reach what the config refers to, so tests need
// no real environment variables or files.
type Options struct {
	// Getenv looks up the variable of an env:NAME reference; nil means
	// os.LookupEnv.
	Getenv func(string) (string, bool)
	// ReadFile reads file:PATH references and target.ca_file; nil means
	// os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// BaseDir is the directory relative file: paths and ca_file are
	// resolved against; empty means the directory of the config's path
	// (the working directory when the path is "").
	BaseDir string
	// NoRecordings skips reading the auth.recorded session files: `launchready
	// login --record` loads the config to write them.
	NoRecordings bool
}

// Load reads, decodes and validates the config at path, resolving relative
// file: paths and ca_file against the config file's directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: fileName(path), Msg: fmt.Sprintf("cannot read the config: %v", err), Err: err}
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, &Error{File: fileName(path), Msg: fmt.Sprintf("cannot find the config's directory: %v", err), Err: err}
	}
	return Parse(data, path, Options{BaseDir: dir})
}

// Parse decodes and validates a config given as bytes. path names the file
// in messages (its base name; "launchready.yaml" when empty). Decoding is
// strict: unknown keys, wrong types, missing required keys and literal
// secrets are errors. Every error is a *Error on one line.
func Parse(data []byte, path string, opts Options) (*Config, error) {
	src := newSource(path, opts)
	root, err := parseDocument(data, src.file)
	if err != nil {
		return nil, err
	}
	c := &Config{Path: path, src: src}
	d := &decoder{src: src}
	me, err := d.takeMe(root)
	if err != nil {
		return nil, err
	}
	if err := d.decodeStruct(root, reflect.ValueOf(c).Elem(), ""); err != nil {
		return nil, err
	}
	if err := unsetEnvError(d.unsetEnv); err != nil {
		return nil, err
	}
	c.Me = me
	c.applyDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// fileName is the name messages use for the config at path.
func fileName(path string) string {
	if path == "" {
		return DefaultFileName
	}
	return filepath.Base(path)
}

// parseDocument parses data as exactly one YAML document whose root is a
// mapping and returns that mapping.
func parseDocument(data []byte, file string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, emptyError(file)
		}
		return nil, syntaxError(file, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(file, data, err)
	case !isEmptyDocument(&extra):
		return nil, &Error{File: file, Line: extra.Line, Msg: "more than one YAML document (---); put the whole config in one"}
	}
	if isEmptyDocument(&doc) {
		return nil, emptyError(file)
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Line,
			Msg: "want a mapping of top-level keys (target, auth, session, accounts), got " + describe(root)}
	}
	return root, nil
}

func isEmptyDocument(doc *yaml.Node) bool {
	return doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0])
}

func emptyError(file string) error {
	return &Error{File: file, Line: 1,
		Msg: "the config is empty; it needs at least target.url (launchready init URL writes one to fill in)"}
}

// syntaxError puts a YAML syntax error in our one-line format, on the
// line a person would point at (see syntaxLine).
func syntaxError(file string, data []byte, err error) error {
	reported, msg := splitYAMLError(err)
	line := syntaxLine(data, reported, msg)
	if unquotedBraceInFlow(data, line) {
		// The commonest slip in object templates: {id} inside a {…}
		// mapping reads as YAML syntax.
		msg += ` (inside a {…} mapping, quote a path holding {id}: item: "/api/invoices/{id}")`
	}
	return &Error{File: file, Line: line, Msg: "invalid YAML: " + msg, Err: err}
}

// splitYAMLError splits "yaml: line N: problem" into N (0 when left out)
// and the problem.
func splitYAMLError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				return n, after
			}
		}
	}
	return 0, msg
}

// maxProbeBytes bounds the YAML re-parsed to place a syntax error: far
// more than any config, little enough for fuzzing.
const maxProbeBytes = 4 << 20

// syntaxLine is the line of a YAML syntax error a person would point at:
// the first line whose addition makes the document fail with that problem
// (an under-indented key, a tab, the line that opens a quote or a [ never
// closed). The YAML library's own line is at best a lower bound: it names
// the start of the enclosing mapping or flow rather than the culprit,
// counts from 0 for parser errors (from 1 for scanner errors), and is left
// out on the first line. The document is re-parsed one line longer at a
// time from there; a shorter document fails only where a construct is cut
// open, which gives the same problem only when that construct is the one
// never closed.
func syntaxLine(data []byte, reported int, problem string) int {
	from := max(reported, 1)
	lines := bytes.SplitAfter(data, []byte("\n"))
	budget := maxProbeBytes
	for k := from; k <= len(lines); k++ {
		prefix := bytes.Join(lines[:k], nil)
		if budget -= len(prefix); budget < 0 {
			break
		}
		if err := parseAll(prefix); err != nil {
			if _, p := splitYAMLError(err); p == problem {
				return k
			}
		}
	}
	return from
}

// parseAll parses every YAML document in data and returns the first
// error, or nil.
func parseAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		switch err := dec.Decode(&n); {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
	}
}

// unquotedBraceInFlow reports whether the given line (1-based) holds a
// flow mapping with an unquoted "/{" in it, or a line next to it does.
func unquotedBraceInFlow(data []byte, line int) bool {
	lines := strings.Split(string(data), "\n")
	// The parser names the line where it gave up, which can be the one
	// before or after the culprit.
	for i := max(line-2, 0); i < min(line+1, len(lines)); i++ {
		l := lines[i]
		if strings.Contains(l, "{") && strings.Contains(l, "/{") && !strings.Contains(l, `"/`) && !strings.Contains(l, `'/`) {
			return true
		}
	}
	return false
}
