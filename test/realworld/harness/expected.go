package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"

	"go.yaml.in/yaml/v3"
)

// statuses are the verdicts a check can give, as the JSON report spells them.
var statuses = map[string]bool{"PASS": true, "FAIL": true, "WARN": true, "SKIP": true, "ERROR": true, "N/A": true}

// expectation is one check's status for one portal, established by hand
// before the scan.
type expectation struct {
	Expect  string `yaml:"expect"`
	Why     string `yaml:"why"`
	Mistake string `yaml:"mistake"`
	Repro   string `yaml:"repro"`
}

// expectedFile is a portal's expected.yaml.
type expectedFile struct {
	Portal    string                 `yaml:"portal"`
	Framework string                 `yaml:"framework"`
	Address   string                 `yaml:"address"`
	Checks    map[string]expectation `yaml:"checks"`
}

// portal is one folder under test/realworld.
type portal struct {
	Name     string
	Dir      string // absolute
	Addr     netip.Addr
	Expected expectedFile
}

// Host is the portal's canonical host name.
func (p *portal) Host() string { return p.Name + ".realworld.test" }

// defaultAddrs are the loopback addresses the portals' repro commands name.
var defaultAddrs = map[string]string{
	"express":    "127.0.0.11",
	"nextauth":   "127.0.0.12",
	"pocketbase": "127.0.0.13",
}

var portalName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

func loadPortal(dir string) (*portal, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(abs)
	if !portalName.MatchString(name) {
		return nil, fmt.Errorf("portal folder %q: a name is lower-case letters, digits and dashes", name)
	}
	path := filepath.Join(abs, "expected.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e expectedFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if e.Portal != name {
		return nil, fmt.Errorf("%s: portal is %q, the folder is %q", path, e.Portal, name)
	}
	for id, x := range e.Checks {
		if !statuses[x.Expect] {
			return nil, fmt.Errorf("%s: %s: expect %q is none of PASS, FAIL, WARN, SKIP, ERROR, N/A", path, id, x.Expect)
		}
		if (x.Expect == "FAIL" || x.Expect == "WARN") && (x.Mistake == "" || x.Repro == "") {
			return nil, fmt.Errorf("%s: %s: a finding needs its mistake and a curl repro", path, id)
		}
	}
	addr := e.Address
	if addr == "" {
		addr = defaultAddrs[name]
	}
	if addr == "" {
		return nil, fmt.Errorf("%s: no address: give one on 127.0.0.0/8", path)
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is4() || !ip.IsLoopback() || ip == netip.MustParseAddr("127.0.0.1") {
		return nil, fmt.Errorf("%s: address %q: use an address of its own on 127.0.0.0/8 (not 127.0.0.1)", path, addr)
	}
	for _, f := range []string{"start.sh", "launchready.yaml"} {
		if _, err := os.Stat(filepath.Join(abs, f)); err != nil {
			return nil, fmt.Errorf("portal %s: %w", name, err)
		}
	}
	return &portal{Name: name, Dir: abs, Addr: ip, Expected: e}, nil
}

// exception is a check × portal whose mismatch is known and explained (the
// README's accuracy table lists each with its reason).
type exception struct {
	Portal string `yaml:"portal"`
	Check  string `yaml:"check"`
	Got    string `yaml:"got"`
	Reason string `yaml:"reason"`
}

func readExceptions(path string) (map[string]exception, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var list struct {
		Exceptions []exception `yaml:"exceptions"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := map[string]exception{}
	for _, x := range list.Exceptions {
		if x.Reason == "" || !statuses[x.Got] {
			return nil, fmt.Errorf("%s: %s × %s needs the status it gets and a reason", path, x.Check, x.Portal)
		}
		m[x.Portal+"/"+x.Check] = x
	}
	return m, nil
}
