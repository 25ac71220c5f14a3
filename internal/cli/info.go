package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/owner"
)

func newChecks(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "checks",
		Short: "List every implemented check: ID, area, severity, intrusive or not, and what it needs from the config",
		Long: "checks lists every implemented check. NEEDS names the launchready.yaml keys a check runs on: a|b is either\n" +
			"one, key=value that value (session.kind=cookie is the default), objects[].create a key of an objects entry.\n" +
			"Without them the check is SKIP with the key to add, or N/A where the portal has no such thing.",
		Example: "  launchready checks\n  launchready checks | grep blocker",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAREA\tSEVERITY\tINTRUSIVE\tNEEDS\tTITLE")
			for _, c := range checks.All() {
				m := c.Meta()
				intr := "no"
				if m.Intrusive {
					intr = "yes"
				}
				needs := strings.Join(configNeeds(c), ",")
				if needs == "" {
					needs = "target.url"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Area, m.Severity, intr, needs, m.Title)
			}
			return tw.Flush()
		},
	}
}

func newExplain(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:     "explain ID",
		Short:   "Explain a check: what passes, why it matters, what breaks, how to fix it, references",
		Example: "  launchready explain SESS-001",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, ok := checks.Find(args[0])
			if !ok {
				return usageErr("explain %s: no such check (see `launchready checks`)", args[0])
			}
			writeExplain(s, c.Meta(), configNeeds(c))
			return nil
		},
	}
}

// configNeeds names, as launchready.yaml keys, what a check runs on: the
// sections it reads itself, then its needs ("a|b" is either one).
func configNeeds(c check.Check) []string {
	var keys []string
	if r, ok := c.(check.Reader); ok {
		keys = append(keys, r.Reads()...)
	}
	for _, n := range c.Meta().Needs {
		if k := config.NeedConfigKeys(n); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func writeExplain(s *streams, m check.Meta, needs []string) {
	w := s.stdout
	fmt.Fprintf(w, "%s  %s\n", m.ID, m.Title)
	fmt.Fprintf(w, "Area: %s · Severity: %s · Intrusive: %t\n", m.Area, m.Severity, m.Intrusive)
	if len(needs) > 0 {
		fmt.Fprintf(w, "Needs: %s\n", strings.Join(needs, ", "))
	}
	section := func(title, text string) {
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, line := range strings.Split(text, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	section("Passes when", m.Pass)
	section("Why it matters", m.Why)
	section("What breaks", m.Breaks)
	section("Fix", m.Fix)
	if len(m.Refs) > 0 {
		fmt.Fprintf(w, "\nReferences: %s\n", strings.Join(m.Refs, ", "))
	}
}

func newVersion(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the launchready version",
		Example: "  launchready version",
		Args:    cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			fmt.Fprintf(s.stdout, "launchready %s\n", Version)
		},
	}
}

func newToken(s *streams) *cobra.Command {
	var expires string
	cmd := &cobra.Command{
		Use:   "token DOMAIN",
		Short: "Print the ownership proof that lets intrusive checks run against DOMAIN",
		Long: "Intrusive checks (account creation, mail, wrong-password attempts, writes) run against a host that is not on\n" +
			"loopback only when its owner published this proof, as a DNS TXT record or as a file served over HTTPS.\n" +
			"The value is an HMAC of the domain under your operator key, made on first use in\n" +
			"$XDG_CONFIG_HOME/launchready/owner.key (mode 0600; LAUNCHREADY_OWNER_KEY overrides it, e.g. in CI):\n" +
			"only scans run with that key accept it. The proof is read through the system's resolver and roots,\n" +
			"never through target.resolver or target.ca_file.",
		Example: "  launchready token app.example.com\n  launchready token staging.example.com --expires 2027-01-31",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d := owner.Domain(args[0])
			if d == "" || strings.ContainsAny(d, "/:@ ") {
				return usageErr("token %q: want a host name like app.example.com", args[0])
			}
			var exp time.Time
			if expires != "" {
				t, err := time.Parse(time.DateOnly, expires)
				if err != nil {
					return usageErr("--expires %q: want a date as YYYY-MM-DD", expires)
				}
				exp = t
			}
			key, where, made, err := owner.LoadOrCreate(os.Getenv)
			var bad *owner.BadKeyError
			if errors.As(err, &bad) {
				return usageErr("%v", err)
			}
			if err != nil {
				return toolErr(err)
			}
			if made {
				fmt.Fprintf(s.stderr, "made a new operator key in %s (keep it; in CI give it as %s)\n", where, owner.EnvKey)
			}
			v := key.Value(d, exp)
			fmt.Fprintf(s.stdout, "%s\n\nPublish it one of two ways:\n  DNS:   _launchready.%s. 300 IN TXT \"%s\"\n  HTTPS: https://%s/.well-known/launchready.txt containing %s\n",
				v, d, v, d, v)
			fmt.Fprintf(s.stdout, "It proves ownership to scans run with the operator key from %s only.\n", where)
			return nil
		},
	}
	cmd.Flags().StringVar(&expires, "expires", "", "the last day the proof counts, a `DATE` written YYYY-MM-DD; default: no expiry")
	return cmd
}
