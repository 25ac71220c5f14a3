package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/zricethezav/gitleaks/v8/sources"
)

// EmbeddedSource is one original source carried in a source map.
type EmbeddedSource struct {
	// Name is the source's entry in "sources" (cleaned of control
	// characters), or "source-N" when the map names none.
	Name string
	// Content is its entry in "sourcesContent", unescaped.
	Content string
}

// Source-map decoding bounds: index maps nest sections, and a hostile map
// must not make names or recursion unbounded.
const (
	maxMapDepth      = 4
	maxMapNameRunes  = 300
	maxMapSourceMaps = 10000
)

// rawSourceMap is the part of a source map (revision 3) the scanner reads;
// an index map has sections, each holding a map.
type rawSourceMap struct {
	Sources        []*string `json:"sources"`
	SourcesContent []*string `json:"sourcesContent"`
	Sections       []struct {
		Map *rawSourceMap `json:"map"`
	} `json:"sections"`
	Mappings *string `json:"mappings"`
}

// ErrNotSourceMap is returned for JSON that is not a source map.
var ErrNotSourceMap = errors.New("not a source map: no sources, sourcesContent, mappings or sections")

// DecodeSourceMap reads a source map, including an index map's sections
// and the ")]}'" prefix some servers add, and returns the sources it
// embeds in sourcesContent, unescaped: a key inside JSON-escaped source
// text is invisible to rules that look for the quotes around it.
func DecodeSourceMap(data []byte) ([]EmbeddedSource, error) {
	var m rawSourceMap
	if err := json.Unmarshal(trimMapPrefix(data), &m); err != nil {
		return nil, fmt.Errorf("not a source map: %w", err)
	}
	var out []EmbeddedSource
	if err := m.embedded(&out, "", 0); err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeSourceMap is DecodeSourceMap that also counts the original
// files the map names (its sections' too), embedded or not: a map
// without sourcesContent still lists the project's file tree.
func DescribeSourceMap(data []byte) ([]EmbeddedSource, int, error) {
	srcs, err := DecodeSourceMap(data)
	if err != nil {
		return nil, 0, err
	}
	var m rawSourceMap
	_ = json.Unmarshal(trimMapPrefix(data), &m) // DecodeSourceMap read it already
	return srcs, m.named(0), nil
}

// named counts the sources the map and its sections name.
func (m *rawSourceMap) named(depth int) int {
	n := len(m.Sources)
	for _, s := range m.Sections {
		if s.Map != nil && depth < maxMapDepth {
			n += s.Map.named(depth + 1)
		}
	}
	return n
}

// trimMapPrefix drops a byte-order mark and the ")]}'" XSSI guard some
// servers put before the JSON (it runs to the end of its line).
func trimMapPrefix(data []byte) []byte {
	data = bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\xef\xbb\xbf"))
	if rest, ok := bytes.CutPrefix(data, []byte(")]}'")); ok {
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			return rest[i+1:]
		}
		return nil
	}
	return data
}

// embedded appends the map's sources (and its sections') to out.
func (m *rawSourceMap) embedded(out *[]EmbeddedSource, prefix string, depth int) error {
	if m.Sources == nil && m.SourcesContent == nil && m.Mappings == nil && m.Sections == nil {
		return ErrNotSourceMap
	}
	for i, c := range m.SourcesContent {
		if c == nil || *c == "" {
			continue
		}
		if len(*out) >= maxMapSourceMaps {
			return fmt.Errorf("source map embeds more than %d sources", maxMapSourceMaps)
		}
		name := ""
		if i < len(m.Sources) && m.Sources[i] != nil {
			name = cleanName(*m.Sources[i])
		}
		if name == "" {
			name = fmt.Sprintf("source-%d", i)
		}
		*out = append(*out, EmbeddedSource{Name: prefix + name, Content: *c})
	}
	for i, s := range m.Sections {
		if s.Map == nil {
			continue
		}
		if depth+1 > maxMapDepth {
			return fmt.Errorf("source map sections nest deeper than %d", maxMapDepth)
		}
		if err := s.Map.embedded(out, prefix+fmt.Sprintf("section-%d/", i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// cleanName keeps a source name printable and bounded.
func cleanName(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxMapNameRunes {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			r = '_'
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// SourceMap scans the sources a source map embeds, each on its own; the
// findings name the map (label) and the source within it as
// "label!source", with lines counted in the source.
func (s *Scanner) SourceMap(ctx context.Context, label string, data []byte) ([]Finding, error) {
	srcs, err := DecodeSourceMap(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	col := s.newCollector(s.detector(ctx))
	s.scanEmbedded(ctx, col, label, srcs)
	return col.result(), ctx.Err()
}

func (s *Scanner) scanEmbedded(ctx context.Context, col *collector, label string, srcs []EmbeddedSource) {
	for _, src := range srcs {
		if ctx.Err() != nil {
			return
		}
		col.detect(ctx, sources.Fragment{Raw: src.Content, FilePath: label + sources.InnerPathSeparator + src.Name, StartLine: 1})
	}
}

// Text scans arbitrary text (a JavaScript bundle, an inline script) and
// names its findings with label.
func (s *Scanner) Text(ctx context.Context, label, text string) []Finding {
	return s.TextAt(ctx, label, text, 1)
}

// TextAt scans text that starts at line of what label names (an inline
// script inside a page), so that findings carry the page's line numbers.
func (s *Scanner) TextAt(ctx context.Context, label, text string, line int) []Finding {
	col := s.newCollector(s.detector(ctx))
	col.scan(ctx, sources.Fragment{Raw: text, FilePath: label, StartLine: max(line, 1)})
	return col.result()
}
