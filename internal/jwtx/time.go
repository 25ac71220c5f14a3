package jwtx

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxNumericDate bounds the seconds accepted in a NumericDate claim. It is
// far beyond year 9999 on purpose: an exp written in milliseconds (about
// 1.7e12) is a real bug that should read as a very long lifetime, not as
// a missing exp.
const maxNumericDate = 1e13

// Expiry returns the exp claim. A JSON number or a decimal string is
// accepted; false means it is absent or not a usable NumericDate.
func (t *Token) Expiry() (time.Time, bool) {
	return t.numericDate("exp")
}

// IssuedAt returns the iat claim, read like Expiry.
func (t *Token) IssuedAt() (time.Time, bool) {
	return t.numericDate("iat")
}

// Lifetime returns exp - iat, or exp - now when iat is missing; false when
// exp is missing. A token already expired has a negative lifetime.
func (t *Token) Lifetime() (time.Duration, bool) {
	exp, ok := t.Expiry()
	if !ok {
		return 0, false
	}
	if iat, ok := t.IssuedAt(); ok {
		return exp.Sub(iat), true
	}
	return time.Until(exp), true
}

func (t *Token) numericDate(name string) (time.Time, bool) {
	if t == nil {
		return time.Time{}, false
	}
	v, ok := t.Claims[name]
	if !ok {
		return time.Time{}, false
	}
	return numericDate(v)
}

// numericDate converts a NumericDate (RFC 7519 §2: seconds since the epoch,
// possibly fractional) in any of the shapes servers send.
func numericDate(v any) (time.Time, bool) {
	f, ok := toFloat(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

func toFloat(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	if !isDecimal(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// isDecimal keeps ParseFloat to plain decimal notation: no hex floats, no
// "Inf", no underscores.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9') && !strings.ContainsRune("+-.eE", rune(c)) {
			return false
		}
	}
	return true
}
