package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// source remembers where a config came from: the file name for messages,
// the line of every key written, and how to read what it refers to.
type source struct {
	file     string
	baseDir  string
	getenv   func(string) (string, bool)
	readFile func(string) ([]byte, error)
	// lines maps a dotted key path (target.variants[1]) to the line it was
	// written on; "" is the document's root mapping.
	lines map[string]int
	// empty holds the keys written with no value (key: or key: ~).
	empty map[string]bool
	// noRecordings: see Options.NoRecordings.
	noRecordings bool
}

func newSource(path string, opts Options) *source {
	s := &source{
		file:     fileName(path),
		baseDir:  opts.BaseDir,
		getenv:   opts.Getenv,
		readFile: opts.ReadFile,
		lines:    map[string]int{},
		empty:    map[string]bool{},

		noRecordings: opts.NoRecordings,
	}
	if s.getenv == nil {
		s.getenv = os.LookupEnv
	}
	if s.readFile == nil {
		s.readFile = os.ReadFile
	}
	if s.baseDir == "" && path != "" {
		s.baseDir = filepath.Dir(path)
	}
	return s
}

// note records that key was written on line, with no value when empty.
func (s *source) note(key string, line int, empty bool) {
	s.lines[key] = line
	if empty {
		s.empty[key] = true
	}
}

// written reports whether key was given a value in the file.
func (s *source) written(key string) bool {
	if s == nil {
		return false
	}
	_, ok := s.lines[key]
	return ok && !s.empty[key]
}

// line is the line key was written on, or else that of its nearest parent
// that was, so a message always points somewhere useful.
func (s *source) line(key string) int {
	if s == nil {
		return 0
	}
	for {
		if l, ok := s.lines[key]; ok {
			return l
		}
		if key == "" {
			return 1
		}
		key = parentKey(key)
	}
}

// parentKey strips the last ".name" or "[i]" from a dotted key path.
func parentKey(key string) string {
	i := strings.LastIndexAny(key, ".[")
	if i < 0 {
		return ""
	}
	return key[:i]
}

// errAt is a config error at a given line.
func (s *source) errAt(line int, key, format string, args ...any) *Error {
	return &Error{File: s.fileName(), Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// errKey is a config error on the line key was written on.
func (s *source) errKey(key, format string, args ...any) *Error {
	return s.errAt(s.line(key), key, format, args...)
}

func (s *source) fileName() string {
	if s == nil {
		return DefaultFileName
	}
	return s.file
}

// path resolves a path written in the config against the base directory.
func (s *source) path(p string) string {
	if filepath.IsAbs(p) || s.baseDir == "" {
		return p
	}
	return filepath.Join(s.baseDir, p)
}

// literalSecretMsg says how to reference a secret instead of writing it.
const literalSecretMsg = "a literal secret is not allowed in the config; reference it instead as " +
	"env:NAME (an environment variable) or file:PATH (a file holding only the secret)"

// resolveRef resolves a value written as env:NAME or file:PATH. It reports
// ok=false when raw is not a reference. File contents lose trailing
// whitespace (the newline editors add); an empty result is an error.
// unset is true when the problem is an env: variable unset or empty: the
// decoder gathers those, so one error names every variable to export.
func (s *source) resolveRef(raw string) (value string, ok bool, problem string, unset bool) {
	switch {
	case strings.HasPrefix(raw, "env:"):
		v, problem, unset := s.resolveEnv(strings.TrimPrefix(raw, "env:"))
		return v, true, problem, unset
	case strings.HasPrefix(raw, "file:"):
		v, problem := s.resolveFile(raw)
		return v, true, problem, false
	}
	return "", false, "", false
}

func (s *source) resolveEnv(name string) (value, problem string, unset bool) {
	if !validEnvName(name) {
		return "", fmt.Sprintf("env:%s is not a valid environment variable name (letters, digits and _, not starting with a digit)", name), false
	}
	v, ok := s.getenv(name)
	if !ok {
		return "", fmt.Sprintf("environment variable %s is not set", name), true
	}
	if strings.TrimSpace(v) == "" {
		return "", fmt.Sprintf("environment variable %s is empty", name), true
	}
	return v, "", false
}

func (s *source) resolveFile(ref string) (string, string) {
	p := strings.TrimPrefix(ref, "file:")
	if strings.TrimSpace(p) == "" {
		return "", "file: needs a path, e.g. file:secrets/a.password"
	}
	data, err := s.readFile(s.path(p))
	if err != nil {
		return "", fmt.Sprintf("cannot read %s: %v", ref, err)
	}
	v := strings.TrimRight(string(data), " \t\r\n")
	if strings.TrimSpace(v) == "" {
		return "", fmt.Sprintf("%s is empty", ref)
	}
	return v, ""
}

func validEnvName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if r != '_' && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// read reads a file named in the config, relative to the base directory,
// and returns the path it read too.
func (s *source) read(p string) (string, []byte, error) {
	if s == nil {
		data, err := os.ReadFile(p)
		return p, data, err
	}
	full := s.path(p)
	data, err := s.readFile(full)
	return full, data, err
}
