// Package owner is the ownership proof that lets intrusive checks reach a
// host that is not on loopback: an ACME-style challenge bound to the
// operator.
//
// `launchready token DOMAIN` makes (once) a random key that stays with the
// operator and prints lr1:<HMAC-SHA256(key, domain)>, optionally with
// ;exp=YYYY-MM-DD. Only whoever controls the domain can publish the value
// (a TXT record at _launchready.DOMAIN, or /.well-known/launchready.txt
// served over HTTPS with a publicly trusted certificate), and only whoever
// holds the key can compute it: a proof published for one operator is
// worth nothing to another, and a domain proves nothing for its
// neighbours. The proof is read through the system's resolver and the
// system's roots, never through the scan's own resolver or CA file, which
// the operator chooses and so cannot vouch for the operator.
package owner

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnvKey names the environment variable that holds the operator key in CI,
// in place of the key file.
const EnvKey = "LAUNCHREADY_OWNER_KEY"

// keyBytes is the key's size: 256 random bits.
const keyBytes = 32

// prefix starts every value of this format.
const prefix = "lr1:"

// oldPrefix started the values of the first format (sha256 of the domain:
// the same for every operator, so anyone could publish it for anyone).
const oldPrefix = "launchready-verify="

// ErrNoKey is returned when no operator key exists yet.
var ErrNoKey = errors.New("no operator key: run `launchready token DOMAIN` to make one and get the value to publish")

// BadKeyError says the operator key found is not one `launchready token`
// wrote: a usage problem, not a failure of the tool.
type BadKeyError struct {
	// Where is LAUNCHREADY_OWNER_KEY or the key file's path.
	Where string
	Err   error
}

func (e *BadKeyError) Error() string { return fmt.Sprintf("operator key %s: %v", e.Where, e.Err) }

func (e *BadKeyError) Unwrap() error { return e.Err }

// Key is the operator's secret.
type Key []byte

// KeyPath is where the operator key lives: $XDG_CONFIG_HOME/launchready/owner.key,
// or ~/.config/launchready/owner.key.
func KeyPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "launchready", "owner.key"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder for the operator key: set XDG_CONFIG_HOME or %s: %w", EnvKey, err)
		}
		home = h
	}
	return filepath.Join(home, ".config", "launchready", "owner.key"), nil
}

// Load reads the operator key: LAUNCHREADY_OWNER_KEY when set, else the
// key file. It returns where the key came from, and ErrNoKey when there is
// none.
func Load(getenv func(string) string) (Key, string, error) {
	if v := strings.TrimSpace(getenv(EnvKey)); v != "" {
		k, err := decodeKey(v)
		if err != nil {
			return nil, "", &BadKeyError{Where: EnvKey, Err: err}
		}
		return k, EnvKey, nil
	}
	path, err := KeyPath(getenv)
	if err != nil {
		return nil, "", err
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, path, ErrNoKey
	}
	if err != nil {
		return nil, path, fmt.Errorf("operator key %s: %w", path, err)
	}
	k, err := decodeKey(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, path, &BadKeyError{Where: path, Err: err}
	}
	return k, path, nil
}

// LoadOrCreate reads the operator key, making the key file (mode 0600, in
// a 0700 folder) when there is none. It never replaces an existing file:
// a new key would invalidate every proof already published.
func LoadOrCreate(getenv func(string) string) (Key, string, bool, error) {
	k, where, err := Load(getenv)
	if !errors.Is(err, ErrNoKey) {
		return k, where, false, err
	}
	k = make(Key, keyBytes)
	if _, err := rand.Read(k); err != nil {
		return nil, "", false, fmt.Errorf("making the operator key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(where), 0o700); err != nil {
		return nil, where, false, fmt.Errorf("operator key folder: %w", err)
	}
	f, err := os.OpenFile(where, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Made by another run meanwhile: use that one.
		k, where, err = Load(getenv)
		return k, where, false, err
	}
	if err != nil {
		return nil, where, false, fmt.Errorf("operator key %s: %w", where, err)
	}
	if _, err := fmt.Fprintln(f, hex.EncodeToString(k)); err != nil {
		f.Close()
		os.Remove(where)
		return nil, where, false, fmt.Errorf("operator key %s: %w", where, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(where)
		return nil, where, false, fmt.Errorf("operator key %s: %w", where, err)
	}
	return k, where, true, nil
}

// String is the key as the key file and LAUNCHREADY_OWNER_KEY hold it.
func (k Key) String() string { return hex.EncodeToString(k) }

func decodeKey(s string) (Key, error) {
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != keyBytes {
		return nil, fmt.Errorf("want %d hex characters, as `launchready token` writes it", 2*keyBytes)
	}
	return k, nil
}

// Domain normalises a domain name: lower case, no trailing dot.
func Domain(d string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), ".")) }

// mac is the proof's MAC for domain under k, base32 without padding.
func (k Key) mac(domain string) string {
	h := hmac.New(sha256.New, k)
	h.Write([]byte("launchready ownership proof v1\x00" + Domain(domain)))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)))
}

// Value is what to publish for domain: lr1:<mac>, with ;exp=YYYY-MM-DD
// when expires is set (the last day the proof counts).
func (k Key) Value(domain string, expires time.Time) string {
	v := prefix + k.mac(domain)
	if !expires.IsZero() {
		v += ";exp=" + expires.Format(time.DateOnly)
	}
	return v
}

// Check reads one published value for domain and says whether it proves
// this operator's ownership on day now; reason says why not. A value in
// the first format is refused with the command that makes a new one.
func (k Key) Check(domain, published string, now time.Time) (bool, string) {
	v := strings.TrimSpace(published)
	if strings.HasPrefix(v, oldPrefix) {
		return false, fmt.Sprintf("the published value is in the old format (%s…), which any operator could compute: run `launchready token %s` and publish its lr1: value instead", oldPrefix, Domain(domain))
	}
	if !strings.HasPrefix(v, prefix) {
		return false, "not a launchready proof"
	}
	mac, exp, hasExp := strings.Cut(strings.TrimPrefix(v, prefix), ";")
	if !hmac.Equal([]byte(mac), []byte(k.mac(domain))) {
		return false, "an lr1: value made with another operator key (or for another domain)"
	}
	if hasExp {
		day, ok := strings.CutPrefix(exp, "exp=")
		t, err := time.Parse(time.DateOnly, day)
		if !ok || err != nil {
			return false, fmt.Sprintf("the expiry %q is not exp=YYYY-MM-DD", exp)
		}
		if now.Format(time.DateOnly) > t.Format(time.DateOnly) {
			return false, "the proof expired on " + t.Format(time.DateOnly) + ": publish a new one with `launchready token " + Domain(domain) + "`"
		}
	}
	return true, ""
}
