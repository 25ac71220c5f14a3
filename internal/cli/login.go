package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchready/launchready/internal/browser"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/recorded"
	"github.com/launchready/launchready/internal/safetext"
)

// loginFlags are `launchready login`'s flags.
type loginFlags struct {
	record  bool
	cfgPath string
	account string
	out     string
	timeout time.Duration
}

func newLogin(s *streams) *cobra.Command {
	var f loginFlags
	cmd := &cobra.Command{
		Use:   "login --record",
		Short: "Sign in by hand in a visible Chromium (Google, SSO, MFA, CAPTCHA) and save the session for scans",
		Long: "login --record opens a visible Chromium at the portal's login page (auth.login.path, or target.url). Sign in\n" +
			"there as the member, however the portal asks (Google sign-in, SSO, a second factor, a CAPTCHA), then press\n" +
			"Enter here; it also finishes by itself when the browser shows auth.login.success or the first auth.protected page\n" +
			"signed in. It saves the cookies of the hosts in target.scope, the portal's localStorage, sessionStorage and\n" +
			"IndexedDB to --out (mode 0600), which auth.kind recorded uses instead of a password:\n" +
			"  auth: {kind: recorded, recorded: {a: launchready-session-a.json, b: launchready-session-b.json}}\n" +
			"The file is a credential: whoever has it is signed in as that member. Do not commit it.\n" +
			"The browser may visit other hosts while you sign in (the identity provider); nothing of theirs is saved.",
		Example: "  launchready login --record\n" +
			"  launchready login --record --account b --out launchready-session-b.json\n" +
			"  launchready login --record --config staging.yaml --account admin",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogin(cmd.Context(), s, cmd.InOrStdin(), &f)
		},
	}
	cmd.Flags().BoolVar(&f.record, "record", false, "open a visible Chromium, let a person sign in, save the session (the only mode so far)")
	cmd.Flags().StringVarP(&f.cfgPath, "config", "c", "launchready.yaml", "the target config `FILE`")
	cmd.Flags().StringVar(&f.account, "account", "a", "the `MEMBER` signing in: a, b or admin")
	cmd.Flags().StringVar(&f.out, "out", "", "the session `FILE` to write (default: the file auth.recorded.<account> names, else launchready-session-<account>.json beside the config)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", browser.DefaultRecordTimeout, "wait up to `DURATION` for the sign-in")
	return cmd
}

func runLogin(ctx context.Context, s *streams, stdin io.Reader, f *loginFlags) error {
	if !f.record {
		return usageErr("login needs --record: launchready login --record opens a browser for you to sign in and saves the session")
	}
	if !slices.Contains([]string{"a", "b", "admin"}, f.account) {
		return usageErr("--account %q: want a, b or admin", f.account)
	}
	if f.timeout <= 0 {
		return usageErr("--timeout must be above 0")
	}
	cfg, err := config.LoadForRecording(f.cfgPath)
	if err != nil {
		return usageErr("%v", err)
	}
	if err := haveDisplay(); err != nil {
		return toolErr(err)
	}
	opts, file, err := recordPlan(ctx, cfg, f)
	if err != nil {
		return toolErr(err)
	}
	fmt.Fprintf(s.stderr, "Opening Chromium at %s%s.\n", opts.Origin, opts.LoginPath)
	fmt.Fprintf(s.stderr, "Sign in there as member %s, however the portal asks (Google, SSO, a second factor, a CAPTCHA).\n", f.account)
	if len(opts.Done) > 0 {
		fmt.Fprintf(s.stderr, "Then press Enter here; the recording also finishes by itself once the browser shows %s signed in.\n", opts.Done[0])
	} else {
		fmt.Fprintf(s.stderr, "Then open a page only members see and press Enter here.\n")
	}
	rec, err := browser.Record(ctx, opts, pressEnter(stdin))
	if err != nil {
		return toolErr(err)
	}
	if err := recorded.WriteFile(file, rec); err != nil {
		return toolErr(err)
	}
	printSaved(s.stderr, cfg, f.account, file, rec)
	return nil
}

// recordPlan maps the config onto the recorder's options and picks the
// file to write.
func recordPlan(ctx context.Context, cfg *config.Config, f *loginFlags) (browser.RecordOptions, string, error) {
	origin := cfg.Origin()
	opts := browser.RecordOptions{
		Options:    browser.Options{CAFile: cfg.Target.CAFile, Timeout: f.timeout},
		Open:       true,
		Origin:     origin,
		ScopeHosts: recorded.ScopeHosts(cfg.Target.Scope),
		Account:    f.account,
	}
	if l := cfg.Auth.Login; l != nil {
		opts.LoginPath = l.Path
		if l.Success != "" {
			opts.Done = append(opts.Done, l.Success)
		}
	}
	for _, p := range cfg.Auth.Protected {
		if !slices.Contains(opts.Done, p) {
			opts.Done = append(opts.Done, p)
		}
	}
	if cfg.Target.Resolver != "" {
		// The browser must reach the address the scan will.
		resolve, err := browser.ResolveOrigin(ctx, cfg.Target.Resolver, origin)
		if err != nil {
			return opts, "", err
		}
		opts.Resolve = resolve
	}
	file := f.out
	if file == "" {
		file = cfg.RecordedPath(f.account)
	}
	if file == "" {
		file = filepath.Join(filepath.Dir(f.cfgPath), "launchready-session-"+f.account+".json")
	}
	return opts, file, nil
}

// haveDisplay refuses early where a visible browser cannot open.
func haveDisplay() error {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display for a visible browser (neither DISPLAY nor WAYLAND_DISPLAY is set): run launchready login --record on a desktop session, then copy the session file here over a safe channel")
	}
	return nil
}

// pressEnter is the person at the keyboard: done when Enter is pressed.
// With no terminal (stdin at its end) it waits for the recorder to see
// the members' page by itself.
func pressEnter(stdin io.Reader) browser.Person {
	return func(ctx context.Context) error {
		line := make(chan error, 1)
		go func() {
			_, err := bufio.NewReader(stdin).ReadString('\n')
			line <- err
		}()
		select {
		case err := <-line:
			if err == nil {
				return nil
			}
			if !errors.Is(err, io.EOF) {
				return fmt.Errorf("reading Enter: %w", err)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
		<-ctx.Done()
		return ctx.Err()
	}
}

// printSaved says what was saved, what was not, and that the file is a
// credential.
func printSaved(w io.Writer, cfg *config.Config, account, file string, rec *recorded.Recording) {
	records := 0
	for _, db := range rec.IndexedDB {
		for _, st := range db.Stores {
			records += len(st.Records)
		}
	}
	fmt.Fprintf(w, "Saved member %s's session to %s: %d cookies, %d localStorage and %d sessionStorage keys, %d IndexedDB records; verified signed in at %s.\n",
		account, file, len(rec.Cookies), len(rec.LocalStorage), len(rec.SessionStorage), records, safetext.Line(rec.VerifiedURL))
	for _, sk := range rec.Skipped {
		fmt.Fprintf(w, "  not saved: %s\n", safetext.Line(sk))
	}
	fmt.Fprintf(w, "%s is a credential: anyone who has it is signed in as member %s until the portal ends the session. "+
		"It is readable by you only (0600). Do not commit it: add it to .gitignore.\n", file, account)
	if cfg.Auth.Kind != "recorded" || cfg.RecordedFile(account) == "" {
		rel := file
		if r, err := filepath.Rel(filepath.Dir(cfg.Path), file); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
		}
		fmt.Fprintf(w, "To scan with it, put in %s:\n  auth:\n    kind: recorded\n    recorded: {%s: %s}\n", filepath.Base(cfg.Path), account, rel)
	}
}
