package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/launchready/launchready/internal/config"
)

// maxWaiversBytes bounds a waiver file.
const maxWaiversBytes = 1 << 20

// Waiver accepts one known finding until a date, with a reason and an
// owner. It matches by fingerprint, or by rule and path glob (optionally
// only in history committed before a day).
type Waiver struct {
	// Check is the check ID it applies to, e.g. SEC-001.
	Check string
	// Fingerprint matches one finding: commit:file:rule:line, or
	// file:rule:line for any commit.
	Fingerprint string
	// Rule and Path match findings of a rule ("*" or empty for any) in
	// files matching a glob (* within a path segment, ** across them).
	Rule, Path string
	// CommittedBefore, when set, narrows Rule and Path to findings in
	// commits whose author date (UTC, as git log shows it to gitleaks) is
	// before that day: literal fixtures that stay in a history that cannot
	// be rewritten, while the same path committed later is not waived.
	// Findings outside history have no date and are never matched by such
	// a waiver.
	CommittedBefore time.Time
	// Reason says why it is acceptable; Owner who answers for it.
	Reason, Owner string
	// Expires is the last day it waives (UTC); from the next day on the
	// finding counts again.
	Expires time.Time
	// Line is where the entry starts in the file.
	Line int
}

// Expired reports whether the waiver has stopped waiving at now.
func (w Waiver) Expired(now time.Time) bool {
	return !now.UTC().Before(w.Expires.AddDate(0, 0, 1))
}

// Waivers is a parsed waiver file.
type Waivers struct {
	// File names the file in messages.
	File string
	List []Waiver
}

// Subject is what a waiver is matched against.
type Subject struct {
	// Fingerprints are the finding's fingerprints (with and without the
	// commit).
	Fingerprints []string
	Rule, File   string
	// Date is the commit's date, YYYY-MM-DD, for a finding in history.
	Date string
}

// Subject returns what waivers match a finding by.
func (f Finding) Subject() Subject {
	return Subject{Fingerprints: []string{f.Fingerprint, f.GlobalFingerprint()}, Rule: f.RuleID, File: f.File, Date: f.Date}
}

// Match returns the waiver for check id that covers s: a live one first,
// else an expired one (so that the result can say it expired).
func (ws *Waivers) Match(id string, s Subject, now time.Time) (Waiver, bool) {
	if ws == nil {
		return Waiver{}, false
	}
	var expired *Waiver
	for i, w := range ws.List {
		if !strings.EqualFold(w.Check, id) || !w.covers(s) {
			continue
		}
		if !w.Expired(now) {
			return w, true
		}
		if expired == nil {
			expired = &ws.List[i]
		}
	}
	if expired != nil {
		return *expired, true
	}
	return Waiver{}, false
}

// covers reports whether the waiver's match selects s.
func (w Waiver) covers(s Subject) bool {
	if w.Fingerprint != "" {
		return slices.Contains(s.Fingerprints, w.Fingerprint)
	}
	if w.Rule != "" && w.Rule != "*" && w.Rule != s.Rule {
		return false
	}
	// Dates as YYYY-MM-DD compare as strings.
	if !w.CommittedBefore.IsZero() && (s.Date == "" || s.Date >= w.CommittedBefore.Format(time.DateOnly)) {
		return false
	}
	return w.Path == "" || globMatch(w.Path, s.File)
}

// globMatch matches a "/"-separated path against a glob where "**" is
// any number of whole segments and other segments follow path.Match.
func globMatch(glob, name string) bool {
	return matchSegments(strings.Split(glob, "/"), strings.Split(name, "/"))
}

func matchSegments(glob, name []string) bool {
	for len(glob) > 0 {
		if glob[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(glob[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(glob[0], name[0]); err != nil || !ok {
			return false
		}
		glob, name = glob[1:], name[1:]
	}
	return len(name) == 0
}

// LoadWaivers reads and parses a waiver file; checks lists the check IDs
// waivers may name.
func LoadWaivers(file string, checks []string) (*Waivers, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, &config.Error{File: filepath.Base(file), Msg: fmt.Sprintf("cannot read the waiver file: %v", err), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxWaiversBytes+1))
	if err != nil {
		return nil, &config.Error{File: filepath.Base(file), Msg: fmt.Sprintf("cannot read the waiver file: %v", err), Err: err}
	}
	if len(data) > maxWaiversBytes {
		return nil, &config.Error{File: filepath.Base(file), Msg: "the waiver file is larger than 1 MiB"}
	}
	return ParseWaivers(data, filepath.Base(file), checks)
}

// ParseWaivers parses a waiver file strictly, as the config is parsed:
// unknown or duplicate keys, wrong types, missing fields and bad dates are
// *config.Error values naming the line and key. An empty file waives
// nothing.
func ParseWaivers(data []byte, file string, checks []string) (*Waivers, error) {
	p := &waiverParser{file: file, checks: checks}
	root, err := p.document(data)
	if err != nil || root == nil {
		return &Waivers{File: file}, err
	}
	ws := &Waivers{File: file}
	list, err := p.top(root)
	if err != nil {
		return nil, err
	}
	for i, n := range list {
		w, err := p.entry(n, fmt.Sprintf("waivers[%d]", i))
		if err != nil {
			return nil, err
		}
		ws.List = append(ws.List, w)
	}
	return ws, nil
}

// waiverParser walks a waiver file's YAML nodes.
type waiverParser struct {
	file   string
	checks []string
}

func (p *waiverParser) errAt(line int, key, format string, a ...any) error {
	return &config.Error{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, a...)}
}

// document parses one YAML document; nil for an empty one.
func (p *waiverParser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, p.errAt(yamlLine(err), "", "invalid YAML: %s", yamlMsg(err))
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, p.errAt(yamlLine(err), "", "invalid YAML: %s", yamlMsg(err))
	case extra.Kind != 0 && len(extra.Content) > 0 && !isNullNode(extra.Content[0]):
		return nil, p.errAt(extra.Line, "", "more than one YAML document (---); put every waiver in one")
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNullNode(doc.Content[0]) {
		return nil, nil
	}
	return doc.Content[0], nil
}

// top reads the root mapping: its only key is waivers, a list.
func (p *waiverParser) top(root *yaml.Node) ([]*yaml.Node, error) {
	if root.Kind != yaml.MappingNode {
		return nil, p.errAt(root.Line, "", "want a mapping with a waivers list, got %s", nodeKind(root))
	}
	var list []*yaml.Node
	err := p.pairs(root, "", func(key string, k, v *yaml.Node) error {
		if key != "waivers" {
			return p.errAt(k.Line, key, "unknown key (known keys: waivers)")
		}
		if isNullNode(v) {
			return nil
		}
		if v.Kind != yaml.SequenceNode {
			return p.errAt(v.Line, key, "want a list of waivers, got %s", nodeKind(v))
		}
		list = v.Content
		return nil
	})
	return list, err
}

// pairs walks a mapping's keys, refusing non-scalar and duplicate keys.
func (p *waiverParser) pairs(n *yaml.Node, parent string, fn func(key string, k, v *yaml.Node) error) error {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			return p.errAt(k.Line, parent, "keys must be plain words")
		}
		key := join(parent, k.Value)
		if first, dup := seen[k.Value]; dup {
			return p.errAt(k.Line, key, "duplicate key (first written on line %d)", first)
		}
		seen[k.Value] = k.Line
		if v.Kind == yaml.AliasNode {
			return p.errAt(v.Line, key, "aliases (*name) are not supported in waivers; write the value out")
		}
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

// checkIDPattern is the shape of a check ID.
var checkIDPattern = regexp.MustCompile(`^[A-Z]+-[0-9]{3}$`)

// entry reads one waiver.
func (p *waiverParser) entry(n *yaml.Node, key string) (Waiver, error) {
	if n.Kind != yaml.MappingNode {
		return Waiver{}, p.errAt(n.Line, key, "want a mapping {check, match, reason, owner, expires}, got %s", nodeKind(n))
	}
	w := Waiver{Line: n.Line}
	var expires, before string
	fields := map[string]*string{"check": &w.Check, "reason": &w.Reason, "owner": &w.Owner, "expires": &expires}
	err := p.pairs(n, key, func(sub string, k, v *yaml.Node) error {
		if k.Value == "match" {
			return p.match(v, sub, &w, &before)
		}
		dst, ok := fields[k.Value]
		if !ok {
			return p.errAt(k.Line, sub, "unknown key (known keys: check, match, reason, owner, expires)")
		}
		return p.scalar(v, sub, dst)
	})
	if err != nil {
		return Waiver{}, err
	}
	for _, f := range []string{"check", "match", "reason", "owner", "expires"} {
		if missing(w, f, expires) {
			return Waiver{}, p.errAt(n.Line, key, "missing required key %q", f)
		}
	}
	return p.validate(w, n, key, expires, before)
}

// missing reports a required field left out or empty.
func missing(w Waiver, field, expires string) bool {
	switch field {
	case "check":
		return w.Check == ""
	case "match":
		return w.Fingerprint == "" && w.Rule == "" && w.Path == ""
	case "reason":
		return w.Reason == ""
	case "owner":
		return w.Owner == ""
	}
	return expires == ""
}

// validate checks the values of a complete waiver.
func (p *waiverParser) validate(w Waiver, n *yaml.Node, key, expires, before string) (Waiver, error) {
	line := func(sub string) int { return valueLine(n, sub) }
	w.Check = strings.ToUpper(w.Check)
	if !checkIDPattern.MatchString(w.Check) {
		return Waiver{}, p.errAt(line("check"), key+".check", "want a check ID like SEC-001, got %q", w.Check)
	}
	if len(p.checks) > 0 && !slices.Contains(p.checks, w.Check) {
		return Waiver{}, p.errAt(line("check"), key+".check", "%s cannot be waived here (waivers apply to %s)", w.Check, strings.Join(p.checks, ", "))
	}
	t, err := time.Parse("2006-01-02", expires)
	if err != nil {
		return Waiver{}, p.errAt(line("expires"), key+".expires", "want a date like 2026-12-31, got %q", expires)
	}
	w.Expires = t
	if before != "" {
		if w.CommittedBefore, err = time.Parse(time.DateOnly, before); err != nil {
			return Waiver{}, p.errAt(line("match"), key+".match.committed_before", "want a date like 2026-12-31, got %q", before)
		}
	}
	if w.Path != "" {
		for seg := range strings.SplitSeq(w.Path, "/") {
			if _, err := path.Match(seg, ""); err != nil {
				return Waiver{}, p.errAt(line("match"), key+".match.path", "bad glob %q: %v", w.Path, err)
			}
		}
	}
	return w, nil
}

// match reads a waiver's match: a fingerprint written as a string, or a
// mapping of fingerprint, or rule and path with an optional
// committed_before date (returned in before, as written).
func (p *waiverParser) match(v *yaml.Node, key string, w *Waiver, before *string) error {
	if v.Kind == yaml.ScalarNode {
		return p.scalar(v, key, &w.Fingerprint)
	}
	if v.Kind != yaml.MappingNode {
		return p.errAt(v.Line, key, "want a fingerprint, or a mapping {fingerprint} or {rule, path, committed_before}, got %s", nodeKind(v))
	}
	fields := map[string]*string{"fingerprint": &w.Fingerprint, "rule": &w.Rule, "path": &w.Path, "committed_before": before}
	err := p.pairs(v, key, func(sub string, k, val *yaml.Node) error {
		dst, ok := fields[k.Value]
		if !ok {
			return p.errAt(k.Line, sub, "unknown key (known keys: fingerprint, rule, path, committed_before)")
		}
		return p.scalar(val, sub, dst)
	})
	if err != nil {
		return err
	}
	if w.Fingerprint != "" && (w.Rule != "" || w.Path != "") {
		return p.errAt(v.Line, key, "give either a fingerprint or a rule and path, not both")
	}
	if w.Fingerprint != "" && *before != "" {
		return p.errAt(v.Line, key, "committed_before narrows a rule and path; a fingerprint names its commit already")
	}
	if w.Fingerprint == "" && w.Rule == "" && w.Path == "" {
		return p.errAt(v.Line, key, "needs a fingerprint, or a rule and a path glob")
	}
	return nil
}

// scalar reads a non-empty string value.
func (p *waiverParser) scalar(v *yaml.Node, key string, dst *string) error {
	if v.Kind != yaml.ScalarNode || isNullNode(v) {
		return p.errAt(v.Line, key, "want a value, got %s", nodeKind(v))
	}
	s := strings.TrimSpace(v.Value)
	if s == "" {
		return p.errAt(v.Line, key, "needs a value")
	}
	*dst = s
	return nil
}

// valueLine is the line of key's value in mapping n, or n's own line.
func valueLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Line
		}
	}
	return n.Line
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func isNullNode(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// nodeKind says what a node is, for "got …" in messages.
func nodeKind(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case isNullNode(n):
		return "nothing"
	}
	v := []rune(n.Value)
	if len(v) > 60 {
		v = append(v[:60], '…')
	}
	return fmt.Sprintf("%q", string(v))
}

// yamlLine and yamlMsg split "yaml: line N: msg".
func yamlLine(err error) int {
	var line int
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr != nil {
		return 0
	}
	return line
}

func yamlMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			return after
		}
	}
	return msg
}
