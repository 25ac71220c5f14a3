package firebase

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"strconv"
	"time"
)

// Firestore field values are kept as nil, bool, string, int64, float64,
// time.Time, []byte, []any, map[string]any, geoPoint and reference, and
// sent as the REST API's typed Value objects.

// geoPoint is a geoPointValue.
type geoPoint struct{ Lat, Lng float64 }

// reference is a referenceValue, a document's resource name.
type reference string

// maxDepth is Firestore's limit on nested maps and arrays.
const maxDepth = 20

// normalizeFields checks and converts a document's Go field values.
func normalizeFields(f map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(f))
	for k, v := range f {
		if k == "" {
			return nil, errors.New("empty field name")
		}
		nv, err := normalizeValue(v, 1)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		out[k] = nv
	}
	return out, nil
}

func normalizeValue(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("nested deeper than 20 levels")
	}
	switch v := v.(type) {
	case nil, bool, string, int64, float64, geoPoint, reference:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float32:
		return float64(v), nil
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, nil
		}
		return v.Float64()
	case time.Time:
		return v.UTC(), nil
	case []byte:
		return bytes.Clone(v), nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, c := range v {
			nc, err := normalizeValue(c, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = nc
		}
		return out, nil
	}
	return normalizeReflect(v, depth)
}

// normalizeReflect handles the other integer kinds, slices and maps with
// string keys.
func normalizeReflect(v any, depth int) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return nil, errors.New("integer out of range")
		}
		return int64(rv.Uint()), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			c, err := normalizeValue(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			if _, nested := c.([]any); nested {
				return nil, errors.New("an array cannot directly contain an array")
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map keys of type %s", rv.Type().Key())
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			c, err := normalizeValue(it.Value().Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			out[it.Key().String()] = c
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// cloneFields deep-copies field values for a caller.
func cloneFields(f map[string]any) map[string]any {
	out := make(map[string]any, len(f))
	for k, v := range f {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return bytes.Clone(v)
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = cloneValue(c)
		}
		return out
	case map[string]any:
		return cloneFields(v)
	}
	return v
}

// encodeFields renders fields as a map of Value objects.
func encodeFields(f map[string]any) map[string]any {
	out := make(map[string]any, len(f))
	for k, v := range f {
		out[k] = encodeValue(v)
	}
	return out
}

// encodeValue renders a Value object: integers as decimal strings (the
// proto3 JSON form of int64), doubles as numbers or "NaN"/"Infinity",
// timestamps in RFC 3339, bytes in base64.
func encodeValue(v any) map[string]any {
	switch v := v.(type) {
	case nil:
		return map[string]any{"nullValue": nil}
	case bool:
		return map[string]any{"booleanValue": v}
	case int64:
		return map[string]any{"integerValue": strconv.FormatInt(v, 10)}
	case float64:
		switch {
		case math.IsNaN(v):
			return map[string]any{"doubleValue": "NaN"}
		case math.IsInf(v, 1):
			return map[string]any{"doubleValue": "Infinity"}
		case math.IsInf(v, -1):
			return map[string]any{"doubleValue": "-Infinity"}
		}
		return map[string]any{"doubleValue": v}
	case string:
		return map[string]any{"stringValue": v}
	case time.Time:
		return map[string]any{"timestampValue": v.UTC().Format(time.RFC3339Nano)}
	case []byte:
		return map[string]any{"bytesValue": base64.StdEncoding.EncodeToString(v)}
	case geoPoint:
		return map[string]any{"geoPointValue": map[string]float64{"latitude": v.Lat, "longitude": v.Lng}}
	case reference:
		return map[string]any{"referenceValue": string(v)}
	case []any:
		if len(v) == 0 {
			return map[string]any{"arrayValue": map[string]any{}}
		}
		vals := make([]any, len(v))
		for i, c := range v {
			vals[i] = encodeValue(c)
		}
		return map[string]any{"arrayValue": map[string]any{"values": vals}}
	case map[string]any:
		if len(v) == 0 {
			return map[string]any{"mapValue": map[string]any{}}
		}
		return map[string]any{"mapValue": map[string]any{"fields": encodeFields(v)}}
	}
	return map[string]any{"nullValue": nil}
}

// decodeFields parses a request's map of Value objects.
func decodeFields(raw map[string]json.RawMessage, depth int) (map[string]any, error) {
	out := make(map[string]any, len(raw))
	for k, r := range raw {
		if k == "" {
			return nil, errors.New("empty field name")
		}
		v, err := decodeValue(r, depth)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// decodeValue parses one Value object; exactly one kind must be set.
func decodeValue(raw json.RawMessage, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("nested deeper than 20 levels")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errors.New("a Value must be an object")
	}
	if len(obj) != 1 {
		return nil, fmt.Errorf("a Value must set exactly one kind, got %d", len(obj))
	}
	for kind, body := range obj {
		return decodeKind(kind, body, depth)
	}
	return nil, nil // unreachable: obj has one key
}

func decodeKind(kind string, body json.RawMessage, depth int) (any, error) {
	switch kind {
	case "nullValue":
		return nil, nil
	case "booleanValue":
		var b bool
		return b, unmarshalAs(body, &b, kind)
	case "stringValue":
		var s string
		return s, unmarshalAs(body, &s, kind)
	case "integerValue":
		return decodeInteger(body)
	case "doubleValue":
		return decodeDouble(body)
	case "timestampValue":
		var s string
		if err := unmarshalAs(body, &s, kind); err != nil {
			return nil, err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("timestampValue %q is not an RFC 3339 time", s)
		}
		return t.UTC(), nil
	case "bytesValue":
		var s string
		if err := unmarshalAs(body, &s, kind); err != nil {
			return nil, err
		}
		return base64.StdEncoding.DecodeString(s)
	case "referenceValue":
		var s string
		return reference(s), unmarshalAs(body, &s, kind)
	case "geoPointValue":
		var g struct{ Latitude, Longitude float64 }
		return geoPoint{g.Latitude, g.Longitude}, unmarshalAs(body, &g, kind)
	case "arrayValue":
		var a struct {
			Values []json.RawMessage `json:"values"`
		}
		if err := unmarshalAs(body, &a, kind); err != nil {
			return nil, err
		}
		out := make([]any, len(a.Values))
		for i, r := range a.Values {
			v, err := decodeValue(r, depth+1)
			if err != nil {
				return nil, err
			}
			if _, nested := v.([]any); nested {
				return nil, errors.New("an array cannot directly contain an array")
			}
			out[i] = v
		}
		return out, nil
	case "mapValue":
		var m struct {
			Fields map[string]json.RawMessage `json:"fields"`
		}
		if err := unmarshalAs(body, &m, kind); err != nil {
			return nil, err
		}
		return decodeFields(m.Fields, depth+1)
	}
	return nil, fmt.Errorf("unknown Value kind %q", kind)
}

func unmarshalAs(body json.RawMessage, v any, kind string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("invalid %s", kind)
	}
	return nil
}

// decodeInteger takes the proto3 JSON forms of an int64: a decimal string
// or a number.
func decodeInteger(body json.RawMessage) (any, error) {
	var s string
	if json.Unmarshal(body, &s) != nil {
		var n json.Number
		if err := json.Unmarshal(body, &n); err != nil {
			return nil, errors.New("invalid integerValue")
		}
		s = n.String()
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("integerValue %q is not a 64-bit integer", s)
	}
	return i, nil
}

func decodeDouble(body json.RawMessage) (any, error) {
	var f float64
	if json.Unmarshal(body, &f) == nil {
		return f, nil
	}
	var s string
	if json.Unmarshal(body, &s) == nil {
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, nil
		}
	}
	return nil, errors.New("invalid doubleValue")
}

// setPath sets (or with del, removes) a dotted field path in fields,
// copying the maps it changes.
func setPath(fields map[string]any, path []string, v any, del bool) map[string]any {
	out := maps.Clone(fields)
	if out == nil {
		out = map[string]any{}
	}
	if len(path) == 1 {
		if del {
			delete(out, path[0])
		} else {
			out[path[0]] = v
		}
		return out
	}
	child, _ := out[path[0]].(map[string]any)
	if child == nil && del {
		return out
	}
	out[path[0]] = setPath(child, path[1:], v, del)
	return out
}

// getPath reads a dotted field path.
func getPath(fields map[string]any, path []string) (any, bool) {
	var cur any = fields
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}
