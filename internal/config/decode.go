package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks a yaml.Node tree into Go values by reflection over the
// struct tags, recording the line of every key in its source.
type decoder struct {
	src *source
	// unsetEnv are the env: references whose variable is unset or empty,
	// in the order written: reported together once decoding is done.
	unsetEnv []*Error
}

// field is one decodable struct field.
type field struct {
	name     string // YAML key
	index    int    // struct field index
	required bool
	bytes    bool // an int64 size that accepts 10MiB, 128KiB
}

// structFields lists the fields of t that have a yaml tag, in struct order.
func structFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("yaml")
		if !ok || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || name == "" {
			continue
		}
		out = append(out, field{
			name:     name,
			index:    i,
			required: hasOption(opts, "required"),
			bytes:    f.Type.Kind() == reflect.Int64 && strings.HasSuffix(f.Name, "Bytes"),
		})
	}
	return out
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// join appends a key to a dotted path.
func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// decode stores node n into v. bytesField marks an int64 size field.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string, bytesField bool) error {
	n = resolve(n)
	switch v.Type() {
	case reflect.TypeFor[Secret]():
		return d.decodeSecret(n, v, key)
	case reflect.TypeFor[Value]():
		return d.decodeValue(n, v, key)
	}
	if declarable(v.Type()) {
		return d.decodeFlow(n, v, key)
	}
	if isNull(n) {
		if v.Kind() == reflect.Struct {
			// Written with no value: still say which keys it needs.
			return d.checkRequired(structFields(v.Type()), nil, key, n.Line)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := d.decode(n, p.Elem(), key, bytesField); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		return d.decodeStruct(n, v, key)
	case reflect.Map:
		return d.decodeMap(n, v, key)
	case reflect.Slice:
		return d.decodeSlice(n, v, key)
	}
	return d.decodeScalar(n, v, key, bytesField)
}

// decodeStruct decodes a mapping into a struct, refusing unknown and
// duplicate keys and reporting missing required ones on the mapping's line.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, key string) error {
	if n.Kind != yaml.MappingNode {
		return d.want(n, key, "a mapping")
	}
	fields := structFields(v.Type())
	seen, err := d.eachPair(n, key, func(k, val *yaml.Node, name, sub string) error {
		f, ok := lookupField(fields, name)
		if !ok {
			return d.unknownKey(k.Line, sub, fields)
		}
		d.src.note(sub, k.Line, isNull(resolve(val)))
		return d.decode(val, v.Field(f.index), sub, f.bytes)
	})
	if err != nil {
		return err
	}
	line := n.Line
	if l, ok := d.src.lines[key]; ok && key != "" {
		line = l
	}
	return d.checkRequired(fields, seen, key, line)
}

// eachPair walks a mapping's key/value pairs, refusing duplicate keys, and
// returns the line each key was written on.
func (d *decoder) eachPair(n *yaml.Node, key string, fn func(k, val *yaml.Node, name, sub string) error) (map[string]int, error) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		name, err := d.keyName(k, key)
		if err != nil {
			return nil, err
		}
		sub := join(key, name)
		if first, dup := seen[name]; dup {
			return nil, d.src.errAt(k.Line, sub, "duplicate key (first written on line %d)", first)
		}
		seen[name] = k.Line
		if err := fn(k, val, name, sub); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

func lookupField(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// checkRequired reports the first required field not in seen, on line (the
// parent mapping's), or a required key written with no value on its own.
func (d *decoder) checkRequired(fields []field, seen map[string]int, key string, line int) error {
	for _, f := range fields {
		if !f.required {
			continue
		}
		l, ok := seen[f.name]
		if !ok {
			return d.src.errAt(line, key, "missing required key %q", f.name)
		}
		if sub := join(key, f.name); d.src.empty[sub] {
			return d.src.errAt(l, sub, "needs a value")
		}
	}
	return nil
}

// unknownKey refuses a key, telling apart keys kept for later versions.
func (d *decoder) unknownKey(line int, key string, fields []field) error {
	if reason, ok := reservedReason(key); ok {
		return d.src.errAt(line, key, "not supported by this version of launchready yet (%s)", reason)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return d.src.errAt(line, key, "unknown key (known keys: %s)", strings.Join(names, ", "))
}

// reservedReason says which scorecard area a key kept for later versions
// belongs to.
func reservedReason(key string) (string, bool) {
	switch key {
	case "perf":
		return "the API performance checks are not implemented yet", true
	case "ops":
		return "the Backup / rollback checks are not implemented yet", true
	case "monitor":
		return "the Monitoring checks are not implemented yet", true
	case "payments":
		return "the Payments & gated content checks are not implemented yet", true
	}
	return "", false
}

// keyName reads a mapping key, which must be a plain scalar.
func (d *decoder) keyName(k *yaml.Node, parent string) (string, error) {
	k = resolve(k)
	if k.Kind != yaml.ScalarNode {
		return "", d.src.errAt(k.Line, parent, "keys must be plain words, got %s", describe(k))
	}
	if k.ShortTag() == "!!merge" {
		return "", d.src.errAt(k.Line, parent, "merge keys (<<) are not supported; write the keys out")
	}
	return k.Value, nil
}

// decodeMap decodes a mapping into a map[string]T.
func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, key string) error {
	if n.Kind != yaml.MappingNode {
		return d.want(n, key, "a mapping")
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	_, err := d.eachPair(n, key, func(k, val *yaml.Node, name, sub string) error {
		d.src.note(sub, k.Line, isNull(resolve(val)))
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(val, elem, sub, false); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(name).Convert(v.Type().Key()), elem)
		return nil
	})
	if err != nil {
		return err
	}
	v.Set(m)
	return nil
}

// decodeSlice decodes a sequence; element paths are key[i].
func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, key string) error {
	if n.Kind != yaml.SequenceNode {
		return d.want(n, key, "a list")
	}
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, el := range n.Content {
		sub := fmt.Sprintf("%s[%d]", key, i)
		d.src.note(sub, resolve(el).Line, isNull(resolve(el)))
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(el, elem, sub, false); err != nil {
			return err
		}
		s = reflect.Append(s, elem)
	}
	v.Set(s)
	return nil
}

// decodeScalar decodes strings, numbers, booleans, durations and sizes.
func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, key string, bytesField bool) error {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		return d.decodeDuration(n, v, key)
	}
	if bytesField {
		return d.decodeSize(n, v, key)
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return d.want(n, key, "a string")
		}
		v.SetString(n.Value)
		return nil
	case reflect.Int, reflect.Int64:
		return d.decodeInt(n, v, key)
	case reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&f) != nil {
			return d.want(n, key, "a number")
		}
		v.SetFloat(f)
		return nil
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			return d.want(n, key, "true or false")
		}
		v.SetBool(b)
		return nil
	}
	// A field type this decoder does not know is our bug, not the user's.
	return d.src.errAt(n.Line, key, "cannot decode a value of Go type %s (a launchready bug)", v.Type())
}

func (d *decoder) decodeInt(n *yaml.Node, v reflect.Value, key string) error {
	var i int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
		return d.want(n, key, "a whole number")
	}
	v.SetInt(i)
	return nil
}

func (d *decoder) decodeDuration(n *yaml.Node, v reflect.Value, key string) error {
	if n.Kind != yaml.ScalarNode {
		return d.want(n, key, "a duration like 5s")
	}
	dur, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil {
		return d.want(n, key, "a duration like 5s")
	}
	v.SetInt(int64(dur))
	return nil
}

func (d *decoder) decodeSize(n *yaml.Node, v reflect.Value, key string) error {
	size, ok := int64(0), false
	if n.Kind == yaml.ScalarNode {
		size, ok = parseSize(n.Value)
	}
	if !ok || v.OverflowInt(size) {
		return d.want(n, key, "a size like 10MiB, 128KiB or a number of bytes")
	}
	v.SetInt(size)
	return nil
}

// parseSize reads a byte count: plain digits, or digits followed by B, KiB,
// MiB or GiB (a space between is allowed).
func parseSize(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		return 0, false
	}
	var mult int64
	switch strings.TrimSpace(s[end:]) {
	case "", "B":
		mult = 1
	case "KiB":
		mult = 1 << 10
	case "MiB":
		mult = 1 << 20
	case "GiB":
		mult = 1 << 30
	default:
		return 0, false
	}
	if n > (1<<63-1)/mult {
		return 0, false
	}
	return n * mult, true
}

// decodeSecret decodes a value that must be an env: or file: reference.
func (d *decoder) decodeSecret(n *yaml.Node, v reflect.Value, key string) error {
	ref, val, err := d.reference(n, key, false)
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(Secret{Ref: ref, Value: val, Line: n.Line}))
	return nil
}

// decodeValue decodes a value written literally or as a reference.
func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, key string) error {
	ref, val, err := d.reference(n, key, true)
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(Value{Ref: ref, Value: val, Line: n.Line}))
	return nil
}

// reference reads a scalar that may be env:NAME or file:PATH; a literal is
// allowed only when literalOK. It returns the reference as written ("" for
// a literal) and the resolved value.
func (d *decoder) reference(n *yaml.Node, key string, literalOK bool) (string, string, error) {
	what := "env:NAME or file:PATH"
	if literalOK {
		what = "a value, env:NAME or file:PATH"
	}
	if n.Kind != yaml.ScalarNode {
		return "", "", d.want(n, key, what)
	}
	if isNull(n) {
		return "", "", d.src.errAt(n.Line, key, "needs a value: %s", what)
	}
	val, isRef, problem, unset := d.src.resolveRef(n.Value)
	switch {
	case unset:
		d.unsetEnv = append(d.unsetEnv, d.src.errAt(n.Line, key, "%s", problem))
		return n.Value, "", nil
	case problem != "":
		return "", "", d.src.errAt(n.Line, key, "%s", problem)
	case isRef:
		return n.Value, val, nil
	case !literalOK:
		return "", "", d.src.errAt(n.Line, key, "%s", literalSecretMsg)
	}
	return "", n.Value, nil
}

// takeMe takes accounts.me out of the document and decodes it: me is a
// reserved key of the accounts mapping (how a member reads its own
// record), not an account. Anything else about accounts is left to the
// ordinary decoding.
func (d *decoder) takeMe(root *yaml.Node) (*Me, error) {
	var accounts *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := resolve(root.Content[i]); k.Kind == yaml.ScalarNode && k.Value == "accounts" {
			accounts = resolve(root.Content[i+1])
		}
	}
	if accounts == nil || accounts.Kind != yaml.MappingNode {
		return nil, nil
	}
	var me *Me
	first := 0
	kept := accounts.Content[:0:0]
	for i := 0; i+1 < len(accounts.Content); i += 2 {
		k, val := resolve(accounts.Content[i]), accounts.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value != "me" {
			kept = append(kept, accounts.Content[i], val)
			continue
		}
		if first > 0 {
			return nil, d.src.errAt(k.Line, "accounts.me", "duplicate key (first written on line %d)", first)
		}
		first = k.Line
		d.src.note("accounts.me", k.Line, isNull(resolve(val)))
		v := reflect.New(reflect.TypeFor[*Me]()).Elem()
		if err := d.decode(val, v, "accounts.me", false); err != nil {
			return nil, err
		}
		if v.IsNil() {
			return nil, d.src.errAt(k.Line, "accounts.me", "needs a value: how a member reads its own record, like {path: /api/me, id_field: id}")
		}
		me = v.Interface().(*Me)
	}
	accounts.Content = kept
	return me, nil
}

// decodeFlow decodes auth.logout: a mapping, or the word none.
func (d *decoder) decodeFlow(n *yaml.Node, v reflect.Value, key string) error {
	if isNull(n) {
		return nil
	}
	p := reflect.New(v.Type().Elem())
	if n.Kind == yaml.ScalarNode && n.Value == "none" {
		p.Elem().FieldByName("None").SetBool(true)
		v.Set(p)
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.want(n, key, "a mapping like {path: /"+key[strings.LastIndex(key, ".")+1:]+"} or none (the portal has no such flow)")
	}
	if err := d.decodeStruct(n, p.Elem(), key); err != nil {
		return err
	}
	v.Set(p)
	return nil
}

// declarable reports a pointer to a struct with a `None bool` field: a flow
// the config may declare absent by writing none.
func declarable(t reflect.Type) bool {
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return false
	}
	f, ok := t.Elem().FieldByName("None")
	return ok && f.Type.Kind() == reflect.Bool && f.Tag.Get("yaml") == "-"
}

// want is a wrong-type error: "want <what>, got <what n is>".
func (d *decoder) want(n *yaml.Node, key, what string) error {
	return d.src.errAt(n.Line, key, "want %s, got %s", what, describe(n))
}

// describe says what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "nothing"
	}
	const max = 60
	v := []rune(n.Value)
	if len(v) > max {
		return strconv.Quote(string(v[:max]) + "...")
	}
	return strconv.Quote(n.Value)
}

// resolve follows an alias (*name) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for range 8 {
		if n.Kind != yaml.AliasNode || n.Alias == nil {
			return n
		}
		n = n.Alias
	}
	return n
}

// isNull reports a scalar written as nothing, ~ or null.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}
