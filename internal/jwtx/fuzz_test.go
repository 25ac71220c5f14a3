package jwtx

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are built at run time, like every token in these tests.
func fuzzSeeds(f *testing.F) []string {
	hs := hsToken(f, "HS256", claims(), randomKey(f))
	head, rest, _ := strings.Cut(hs, ".")
	return []string{
		hs, "Bearer " + hs, noneToken(f, claims()), hs + ".", head + "." + rest[:10],
		seg(`{"alg":"nOnE","kid":"<&>"}`) + "." + seg(`{"exp":"1e9","a":{"role":"x"}}`) + ".",
		"session=" + hs + "; x=eyJ.eyJ.", `{"t":"` + hs + `"}`, "a.b.c", "eyJ..", "",
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			return
		}
		if len(tok.Raw) > MaxSize || tok.Claims == nil || tok.Header == nil {
			t.Fatalf("accepted token breaks invariants: %d bytes", len(tok.Raw))
		}
		tok.Expiry()
		tok.Lifetime()
		Audit(tok, time.Hour)
		for _, v := range NoneVariants(tok) {
			if len(v) > MaxSize {
				continue // a re-encoded header may grow past the cap
			}
			nt, err := Parse(v)
			if err != nil {
				t.Fatalf("none variant of an accepted token does not parse: %v", err)
			}
			if !strings.EqualFold(nt.Alg, "none") || !reflect.DeepEqual(nt.Claims, tok.Claims) {
				t.Fatalf("none variant: alg %q, claims changed", nt.Alg)
			}
		}
	})
}

func FuzzFind(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		found := Find(s)
		if len(found) > MaxFind {
			t.Fatalf("Find returned %d tokens, over the cap", len(found))
		}
		for _, tok := range found {
			if !strings.Contains(s, tok) || len(tok) > MaxSize {
				t.Fatalf("Find returned %q, not a bounded substring of the input", tok)
			}
			if _, err := Parse(tok); err != nil {
				t.Fatalf("Find returned an unparsable token: %v", err)
			}
		}
	})
}
