package jwtx

import (
	"encoding/json"
	"testing"
	"time"
)

func TestExpiry(t *testing.T) {
	tests := []struct {
		name string
		exp  any
		want time.Time
		ok   bool
	}{
		{name: "json number", exp: json.Number("1700000000"), want: time.Unix(1700000000, 0), ok: true},
		{name: "float64", exp: 1700000000.0, want: time.Unix(1700000000, 0), ok: true},
		{name: "fractional", exp: json.Number("1700000000.25"), want: time.Unix(1700000000, 250_000_000), ok: true},
		{name: "exponent", exp: json.Number("1.7e9"), want: time.Unix(1700000000, 0), ok: true},
		{name: "int", exp: 1700000000, want: time.Unix(1700000000, 0), ok: true},
		{name: "numeric string", exp: "1700000000", want: time.Unix(1700000000, 0), ok: true},
		{name: "float string", exp: " 1700000000.5 ", want: time.Unix(1700000000, 500_000_000), ok: true},
		{name: "milliseconds", exp: json.Number("1700000000000"), want: time.Unix(1700000000000, 0), ok: true},
		{name: "date string", exp: "2026-01-01T00:00:00Z"},
		{name: "word", exp: "tomorrow"},
		{name: "NaN", exp: "NaN"},
		{name: "Inf", exp: "+Inf"},
		{name: "hex float", exp: "0x1p30"},
		{name: "absurd", exp: json.Number("1e300")},
		{name: "bool", exp: true},
		{name: "null", exp: nil},
		{name: "object", exp: map[string]any{"at": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := &Token{Claims: map[string]any{"exp": tc.exp}}
			got, ok := tok.Expiry()
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("Expiry() = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestExpiryFromParsedToken(t *testing.T) {
	tok := mustParse(t, seg(`{"alg":"HS256"}`)+"."+seg(`{"exp":"1700003600","iat":1700000000.5}`)+".")
	exp, ok := tok.Expiry()
	if !ok || exp.Unix() != 1700003600 {
		t.Errorf("Expiry() = %v, %v", exp, ok)
	}
	iat, ok := tok.IssuedAt()
	if !ok || iat.UnixMilli() != 1700000000500 {
		t.Errorf("IssuedAt() = %v, %v", iat, ok)
	}
}

func TestLifetime(t *testing.T) {
	soon := time.Now().Add(2 * time.Hour).Unix()
	tests := []struct {
		name     string
		claims   map[string]any
		min, max time.Duration
		ok       bool
	}{
		{name: "exp - iat", claims: map[string]any{"iat": 1700000000.0, "exp": 1700086400.0}, min: 24 * time.Hour, max: 24 * time.Hour, ok: true},
		{name: "exp - now without iat", claims: map[string]any{"exp": float64(soon)}, min: 2*time.Hour - time.Minute, max: 2 * time.Hour, ok: true},
		{name: "no exp", claims: map[string]any{"iat": 1700000000.0}},
		{name: "bad iat falls back to now", claims: map[string]any{"iat": "x", "exp": float64(soon)}, min: 2*time.Hour - time.Minute, max: 2 * time.Hour, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := (&Token{Claims: tc.claims}).Lifetime()
			if ok != tc.ok || got < tc.min || got > tc.max {
				t.Errorf("Lifetime() = %v, %v; want [%v, %v], %v", got, ok, tc.min, tc.max, tc.ok)
			}
		})
	}
}
