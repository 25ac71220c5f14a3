package config

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/launchready/launchready/internal/recorded"
)

// Recorded is auth.recorded: for auth.kind recorded, the file holding each
// member's signed-in session, written by `launchready login --record
// --account NAME --out FILE`. A recording is one member's: a two-member
// authorization test needs two, signed in by hand as two people. Paths are
// relative to the config file.
type Recorded struct {
	// A, B and Admin are the session files of accounts a, b and admin.
	A     string `yaml:"a"`
	B     string `yaml:"b"`
	Admin string `yaml:"admin"`

	// parsed holds the recordings read at load, by account.
	parsed map[string]*recorded.Recording
}

// recordedAccounts are the accounts a recording can be for, in order.
var recordedAccounts = []string{"a", "b", "admin"}

// File returns the file written for account ("" when none).
func (r *Recorded) File(account string) string {
	if r == nil {
		return ""
	}
	return map[string]string{"a": r.A, "b": r.B, "admin": r.Admin}[account]
}

// RecordedFile is the session file of account as written in the config
// ("" when auth.recorded names none).
func (c *Config) RecordedFile(account string) string { return c.Auth.Recorded.File(account) }

// RecordedPath is the session file of account resolved against the
// config's folder ("" when auth.recorded names none).
func (c *Config) RecordedPath(account string) string {
	f := c.RecordedFile(account)
	if f == "" || c.src == nil {
		return f
	}
	return c.src.path(f)
}

// Recording returns account's recorded session as read at load, or nil
// (no recording for it, or a config loaded for `login --record`).
func (c *Config) Recording(account string) *recorded.Recording {
	if c.Auth.Recorded == nil {
		return nil
	}
	return c.Auth.Recorded.parsed[account]
}

// LoadForRecording loads the config at path like Load but without reading
// the auth.recorded files: `launchready login --record` writes them.
func LoadForRecording(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: fileName(path), Msg: fmt.Sprintf("cannot read the config: %v", err), Err: err}
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, &Error{File: fileName(path), Msg: fmt.Sprintf("cannot find the config's directory: %v", err), Err: err}
	}
	return Parse(data, path, Options{BaseDir: dir, NoRecordings: true})
}

// validateRecorded checks auth.recorded against auth.kind and reads each
// session file: it must be a recording, of this portal's origin, of that
// member, holding the token session.from names.
func (c *Config) validateRecorded() error {
	r := c.Auth.Recorded
	switch {
	case c.Auth.Kind == "recorded" && r == nil:
		return c.src.errKey("auth.kind", "recorded needs an auth.recorded section naming each member's session file, "+
			"like {a: launchready-session-a.json}; write it with `%s`", recorded.Command("a", "launchready-session-a.json"))
	case r == nil:
		return nil
	case c.Auth.Kind != "recorded":
		return c.src.errKey("auth.recorded", "only used when auth.kind is recorded, got auth.kind %q", c.Auth.Kind)
	case r.A == "" && r.B == "" && r.Admin == "":
		return c.src.errKey("auth.recorded", "names no session file; give at least a: launchready-session-a.json")
	}
	if c.Session.Kind == "token" {
		if _, _, _, err := recorded.ParseFrom(c.Session.From); err != nil {
			return c.src.errKey("session.from", "for a recorded session, %v", err)
		}
	}
	seen := map[string]string{}
	r.parsed = map[string]*recorded.Recording{}
	for _, name := range recordedAccounts {
		file := r.File(name)
		if file == "" {
			continue
		}
		key := "auth.recorded." + name
		if first, dup := seen[filepath.Clean(file)]; dup {
			return c.src.errKey(key, "%s is also auth.recorded.%s's; each member needs a session of its own, signed in by hand as that member", file, first)
		}
		seen[filepath.Clean(file)] = name
		if c.src != nil && c.src.noRecordings {
			continue
		}
		rec, err := c.readRecording(key, name, file)
		if err != nil {
			return err
		}
		r.parsed[name] = rec
	}
	return nil
}

// readRecording reads and checks one session file.
func (c *Config) readRecording(key, account, file string) (*recorded.Recording, error) {
	again := recorded.Command(account, file)
	_, data, err := c.src.read(file)
	if err != nil {
		return nil, c.src.errKey(key, "cannot read the session file: %v; record it with `%s`", err, again)
	}
	rec, err := recorded.Parse(data)
	if err != nil {
		return nil, c.src.errKey(key, "%s is not a launchready session recording (%v); record it again with `%s`", file, err, again)
	}
	if !rec.SameOrigin(c.Target.URL) {
		return nil, c.src.errKey(key, "%s was recorded on %s, not on target.url %s; record it again on this portal with `%s`",
			file, rec.Origin, c.Target.URL, again)
	}
	if rec.Account != "" && rec.Account != account {
		return nil, c.src.errKey(key, "%s holds member %s's session, not %s's; record %s's with `%s`", file, rec.Account, account, account, again)
	}
	if c.Session.Kind == "token" {
		if _, err := rec.Token(c.Session.From); err != nil {
			return nil, c.src.errKey(key, "%s has no token where session.from says (%s): %v", file, c.Session.From, err)
		}
	}
	return rec, nil
}
