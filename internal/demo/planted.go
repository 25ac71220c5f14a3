package demo

import (
	"encoding/json"
	"time"
)

// Alphabets for planted values.
const (
	// alnumAlphabet is what Stripe keys and the generated passwords are
	// drawn from: letters and digits.
	alnumAlphabet = passwordAlphabet
	// lowerAlphabet is what a Supabase project reference is drawn from.
	lowerAlphabet = "abcdefghijklmnopqrstuvwxyz"
)

// supabaseKeyLife is how long the minted Supabase keys claim to live, as
// the dashboard's legacy keys do.
const supabaseKeyLife = 10 * 365 * 24 * time.Hour

// planted holds this run's fake third-party keys and passwords, drawn anew
// on every start. Every one is built at run time from pieces, so no
// literal in this repository looks like a live key to a secret scanner.
// Which ones are served or committed depends on the flaws.
type planted struct {
	// stripePublishable is the bundle's publishable key, in every mode:
	// public by design, never a finding.
	stripePublishable string
	// stripeTestPublishable is the TestModeKey flaw's checkout key:
	// publishable, but test mode on the live portal.
	stripeTestPublishable string
	// stripeSecret is the SecretInBundle flaw's secret key.
	stripeSecret string
	// supabaseRef, supabaseURL and supabaseAnon sit next to the
	// PublicSourceMap flaw's supabaseService key in src/config.js; the
	// anon key is publishable.
	supabaseRef, supabaseURL, supabaseAnon, supabaseService string
	// envDBPassword and envSMTPSecret are the ExposedEnvFile flaw's
	// .env values.
	envDBPassword, envSMTPSecret string
	// committedStripe and committedSession are the EnvCommitted flaw's
	// .env values, in the repository's history only.
	committedStripe, committedSession string
	// ciToken is the SecretInCILog flaw's GitHub token, printed in the
	// CI log only.
	ciToken string
	// dataURL and dataAnon are the portal's own data API (db.portal.test)
	// and its publishable anon key, which the bundle uses in every mode:
	// public by design, never a finding.
	dataURL, dataAnon string
}

// newPlanted draws every value; now dates the Supabase keys.
func newPlanted(now time.Time) planted {
	ref := randomString(lowerAlphabet, 20)
	jwtKey := randomBytes(32)
	return planted{
		stripePublishable:     "pk_" + "live_" + randomString(alnumAlphabet, 24),
		stripeSecret:          "sk_" + "live_" + randomString(alnumAlphabet, 32),
		stripeTestPublishable: "pk_" + "test_" + randomString(alnumAlphabet, 24),
		supabaseRef:           ref,
		supabaseURL:           "https://" + ref + ".supabase.co",
		supabaseAnon:          supabaseKey(jwtKey, ref, "anon", now),
		supabaseService:       supabaseKey(jwtKey, ref, "service_role", now),
		envDBPassword:         randomString(alnumAlphabet, 20),
		envSMTPSecret:         randomString(alnumAlphabet, 20),
		committedStripe:       "sk_" + "live_" + randomString(alnumAlphabet, 24),
		committedSession:      randomHex(32),
		ciToken:               "ghp" + "_" + randomString(alnumAlphabet, 36),
	}
}

// secrets lists the secret values the flaws f plant (the publishable keys
// are not secrets), in a fixed order.
func (s planted) secrets(f Flaws) []string {
	var out []string
	if f.SecretInBundle {
		out = append(out, s.stripeSecret)
	}
	if f.PublicSourceMap {
		out = append(out, s.supabaseService)
	}
	if f.ExposedEnvFile {
		out = append(out, s.envDBPassword, s.envSMTPSecret)
	}
	if f.EnvCommitted {
		out = append(out, s.committedStripe, s.committedSession)
	}
	if f.SecretInCILog {
		out = append(out, s.ciToken)
	}
	return out
}

// supabaseClaims are the claims of a Supabase legacy API key.
type supabaseClaims struct {
	Iss  string `json:"iss"`
	Ref  string `json:"ref"`
	Role string `json:"role"`
	Iat  int64  `json:"iat"`
	Exp  int64  `json:"exp"`
}

// supabaseKey mints a Supabase legacy API key for project ref: an HS256
// JWT with role anon (publishable) or service_role (secret).
func supabaseKey(key []byte, ref, role string, now time.Time) string {
	h, _ := json.Marshal(jwtHeader{Alg: "HS256", Typ: "JWT"}) // plain structs always marshal
	p, _ := json.Marshal(supabaseClaims{Iss: "supabase", Ref: ref, Role: role,
		Iat: now.Unix(), Exp: now.Add(supabaseKeyLife).Unix()})
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return input + "." + b64.EncodeToString(hmacSHA256(key, input))
}

// randomString draws n characters uniformly from alphabet (at most 256
// characters) with crypto/rand.
func randomString(alphabet string, n int) string {
	size := len(alphabet)
	limit := 256 - 256%size // rejection sampling keeps the draw uniform
	out := make([]byte, 0, n)
	for len(out) < n {
		for _, b := range randomBytes(2 * n) {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%size])
			}
		}
	}
	return string(out)
}
