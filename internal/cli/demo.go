package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
)

func newDemo(s *streams) *cobra.Command {
	var f runFlags
	var hardened, serve bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the built-in demo portal on loopback and scan it (offline)",
		Long: "demo starts a small membership portal on loopback, with its own DNS server (zone portal.test), a local CA and\n" +
			"TLS, two members with invoices, messages and files, and an admin; writes the launchready.yaml it uses to a temporary directory (removed on exit) and prints its path;\n" +
			"then scans it with every implemented check (intrusive ones included: it is our own portal on loopback).\n" +
			"The default portal is flawed and the verdict is NO-GO (exit 1); with --hardened every check passes (exit 0).\n" +
			"--serve keeps the portal up to browse or to scan from another terminal instead of scanning it.",
		Example: "  launchready demo\n  launchready demo --hardened --out demo.html\n  launchready demo --serve",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.deadlineSet = cmd.Flags().Changed("deadline")
			failOn, err := f.parse()
			if err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "launchready-demo-")
			if err != nil {
				return toolErr(fmt.Errorf("creating the demo directory: %w", err))
			}
			// The portal's passwords, CA, repository and config live only
			// as long as the portal (removed after it closes).
			defer os.RemoveAll(dir)
			flaws := demo.Flawed()
			if hardened {
				flaws = demo.Hardened()
			}
			// A scanned portal lives until the scan's clean-up is over, past
			// a first Ctrl-C; a served one until Ctrl-C.
			life := cmd.Context()
			if !serve {
				life = context.WithoutCancel(life)
			}
			portal, err := demo.Start(life, demo.Options{Flaws: flaws, Dir: dir, AuthJourney: true})
			if err != nil {
				return toolErr(fmt.Errorf("starting the demo portal: %w", err))
			}
			defer portal.Close()
			mode := "flawed"
			if hardened {
				mode = "hardened"
			}
			fmt.Fprintf(s.stderr, "demo portal (%s) at %s\nconfig: %s\n", mode, portal.URL, portal.ConfigPath)
			if serve {
				printServe(s, portal)
				<-cmd.Context().Done()
				return nil
			}
			cfg, err := config.Load(portal.ConfigPath)
			if err != nil {
				return toolErr(fmt.Errorf("the demo wrote a config it cannot load: %w", err))
			}
			f.rerun = rerunOf("launchready demo", cmd, "hardened")
			// The demo's journal lives and dies with its portal.
			return runScan(cmd.Context(), s, cfg, &f, failOn, true, filepath.Join(dir, "journals"))
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&hardened, "hardened", false, "start the portal with every flaw fixed (expect GO)")
	cmd.Flags().BoolVar(&serve, "serve", false, "keep the portal up and print how to reach it, instead of scanning; Ctrl-C stops it")
	return cmd
}

// printServe tells a person how to reach the portal: URLs, accounts and the
// files holding their passwords (never the passwords themselves).
func printServe(s *streams, p *demo.Portal) {
	w := s.stdout
	fmt.Fprintf(w, "Demo portal is up (Ctrl-C to stop).\n\n")
	fmt.Fprintf(w, "Canonical URL: %s\nVariants:\n", p.URL)
	for _, v := range p.Variants {
		fmt.Fprintf(w, "  %s\n", v)
	}
	fmt.Fprintf(w, "DNS server (zone portal.test): %s\nCA certificate: %s\n", p.DNSAddr, p.CAFile)
	fmt.Fprintf(w, "Mail: SMTP %s; inbox (Mailpit-style API) %s/api/v1/messages\n\nAccounts:\n", p.SMTPAddr, p.InboxURL)
	for _, a := range p.Accounts {
		fmt.Fprintf(w, "  %s  %s  password in %s\n", a.Name, a.Email, a.PasswordFile)
	}
	host := strings.TrimPrefix(p.URL, "https://")
	fmt.Fprintf(w, "\nTry it:\n  curl --cacert %s --resolve %s:127.0.0.1 %s/login\n", p.CAFile, host, p.URL)
	fmt.Fprintf(w, "  chromium --host-resolver-rules='MAP *.portal.test 127.0.0.1, MAP portal.test 127.0.0.1' --ignore-certificate-errors %s\n", p.URL)
	// The demo scans its own loopback portal intrusively; the same flag
	// here gives the same checks, and so the same verdict.
	fmt.Fprintf(w, "  launchready scan --config %s --intrusive\n", p.ConfigPath)
}
