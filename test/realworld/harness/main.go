// Command harness starts each real portal under test/realworld behind a
// local HTTPS edge, with a DNS server and a Mailpit for its mail, scans it
// with launchready and prints check × portal → expected / got, with recall
// and false positives. See test/realworld/README.md for the contract a
// portal folder follows.
//
// Usage (from the repository root; run.sh builds and calls it):
//
//	harness -launchready PATH -mailpit PATH [-portals express,nextauth] [-out DIR]
//
// It exits 0 when every check of every portal got the expected status or
// is listed in exceptions.yaml, 1 when one did not, 2 on a usage error and
// 4 when a portal or a helper could not be started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		lrBin      = flag.String("launchready", "", "the launchready binary to scan with (required)")
		mailpitBin = flag.String("mailpit", "mailpit", "the Mailpit binary that receives the portals' mail")
		dir        = flag.String("dir", "test/realworld", "the folder holding one folder per portal")
		only       = flag.String("portals", "", "comma-separated portal names (default: every folder with an expected.yaml)")
		out        = flag.String("out", "", "where logs, configs and reports go (default: a new temporary folder)")
		deadline   = flag.Duration("deadline", 10*time.Minute, "bound of each scan")
		startWait  = flag.Duration("start-wait", 15*time.Minute, "how long a portal may take to install, build and print READY")
	)
	flag.Parse()
	if *lrBin == "" {
		fmt.Fprintln(os.Stderr, "harness: -launchready is required")
		return 2
	}
	portals, err := findPortals(*dir, *only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 2
	}
	exceptions, err := readExceptions(filepath.Join(*dir, "exceptions.yaml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 2
	}
	if *out == "" {
		d, err := os.MkdirTemp("", "realworld-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
			return 4
		}
		*out = d
	}
	outDir, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 2
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 4
	}
	fmt.Printf("realworld: %d portal(s); logs, configs and reports in %s\n", len(portals), outDir)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	env, err := newWorld(ctx, outDir, *mailpitBin, portals)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 4
	}
	defer env.Close()

	var results []portalResult
	failed := false
	for _, p := range portals {
		fmt.Printf("== %s (%s)\n", p.Name, p.Expected.Framework)
		res, err := env.scanPortal(ctx, p, *lrBin, *deadline, *startWait)
		if err != nil {
			fmt.Fprintf(os.Stderr, "harness: %s: %v\n", p.Name, err)
			failed = true
			if errors.Is(err, context.Canceled) {
				break
			}
			continue
		}
		results = append(results, res)
	}
	t := tabulate(results, exceptions)
	t.print(os.Stdout)
	if failed {
		return 4
	}
	if t.total.unexplained > 0 {
		return 1
	}
	return 0
}

// findPortals lists the portal folders under dir: every folder holding an
// expected.yaml, or those named in only.
func findPortals(dir, only string) ([]*portal, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the portals folder: %w", err)
	}
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	found := map[string]bool{}
	var ps []*portal
	for _, e := range entries {
		if !e.IsDir() || (len(want) > 0 && !want[e.Name()]) {
			continue
		}
		path := filepath.Join(dir, e.Name(), "expected.yaml")
		if _, err := os.Stat(path); err != nil {
			if len(want) > 0 {
				return nil, fmt.Errorf("portal %q: %w", e.Name(), err)
			}
			continue
		}
		p, err := loadPortal(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		found[e.Name()] = true
		ps = append(ps, p)
	}
	var missing []string
	for n := range want {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("no portal folder named %s under %s", strings.Join(missing, ", "), dir)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no portal folder with an expected.yaml under %s", dir)
	}
	return ps, nil
}
