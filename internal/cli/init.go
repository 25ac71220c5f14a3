package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/detect"
	"github.com/launchready/launchready/internal/safetext"
)

// initFlags are the init command's flags.
type initFlags struct {
	out, caFile, resolver string
	force, print          bool
	timeout               time.Duration
}

func newInit(s *streams) *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:   "init URL",
		Short: "Look at a portal as a first-time visitor and write a starting launchready.yaml",
		Long: "init opens the portal's home page, the pages it links to and the usual account pages (/login, /signup,\n" +
			"/forgot-password…) anonymously, with GET requests to that origin only, and reads their scripts. It finds the\n" +
			"login, signup and reset forms and their field names, the sign-out, the pages that send a visitor to the login\n" +
			"page (as the portal serves them, trailing slash included), the sign-in platform the browser code uses (Supabase,\n" +
			"Firebase, Clerk) or the JSON login it calls (PocketBase, GoTrue, Django REST framework, Strapi), then writes a\n" +
			"config with the matching auth.kind. Review it, set the accounts' environment variables (and auth.inbox for the\n" +
			"signup and reset journeys), and run 'launchready scan'.",
		Example: "  launchready init https://portal.example.com\n  launchready init https://staging.portal.example.com --out staging.yaml\n" +
			"  launchready init https://portal.example.com --print",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd, s, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "launchready.yaml", "the `FILE` to write the config to")
	fl.BoolVar(&f.force, "force", false, "overwrite --out if it exists")
	fl.BoolVar(&f.print, "print", false, "print the config to stdout instead of writing a file")
	fl.StringVar(&f.caFile, "ca-file", "", "a PEM `FILE` of extra trusted root certificates, for a staging portal")
	fl.StringVar(&f.resolver, "resolver", "", "`HOST:PORT` of the DNS server to use (default: the system's)")
	fl.DurationVar(&f.timeout, "timeout", 2*time.Minute, "give up after `DURATION`")
	return cmd
}

func runInit(cmd *cobra.Command, s *streams, raw string, f *initFlags) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return usageErr("init: want the portal's address as an absolute http(s) URL without credentials, like https://portal.example.com, got %q", raw)
	}
	origin := &url.URL{Scheme: u.Scheme, Host: u.Host}
	if !f.print && !f.force {
		if _, err := os.Stat(f.out); err == nil {
			return usageErr("init: %s exists; use --force to overwrite it or --out to write elsewhere", f.out)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return usageErr("init: %v", err)
		}
	}
	if !f.print {
		if err := checkOut("--out", f.out); err != nil {
			return err
		}
	}
	c, err := client.New(client.Options{Scope: []string{u.Hostname()}, CAFile: f.caFile, Resolver: f.resolver, UserAgent: "launchready/" + Version})
	if err != nil {
		return usageErr("init: %v", err)
	}
	ctx := cmd.Context()
	if f.timeout > 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	rep, err := detect.Run(ctx, c, origin)
	if err != nil {
		return toolErr(fmt.Errorf("init: %w", err))
	}
	rep.CAFile, rep.Resolver = f.caFile, f.resolver
	fmt.Fprintf(s.stderr, "Read %d pages and %d scripts of %s:\n", rep.Pages, rep.Scripts, safetext.Line(origin.String()))
	for _, line := range rep.Summary() {
		fmt.Fprintln(s.stderr, "  "+safetext.Line(line))
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(s.stderr, "  note: "+safetext.Line(n))
	}
	if f.print {
		_, err := fmt.Fprint(s.stdout, rep.Config())
		return err
	}
	if err := os.WriteFile(f.out, []byte(rep.Config()), 0o644); err != nil {
		return toolErr(fmt.Errorf("init: writing %s: %w", f.out, err))
	}
	fmt.Fprintf(s.stderr, "Wrote %s. Review it, export LR_A_EMAIL, LR_A_PASSWORD, LR_B_EMAIL and LR_B_PASSWORD for two test members,\n"+
		"then run: launchready scan --config %s\n", f.out, f.out)
	return nil
}
