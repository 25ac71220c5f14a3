// Package secrets finds secrets in a repository's history, in files on disk,
// in source maps and in arbitrary text, and says what each one means.
//
// Detection is gitleaks v8 used as a library (its default rules, plus a few
// of ours for database and SMTP URLs, Supabase and Stripe keys); this package
// is the only one that imports it. Every finding is classified by meaning
// (a Stripe publishable key is not a secret, a Supabase service_role key is),
// carries what to rotate, and is redacted: the value itself never leaves this
// package, only its first characters and a fingerprint.
package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
)

// MaxDecodeDepth is how many rounds of decoding (base64, hex, percent,
// unicode escapes) a fragment goes through, as the gitleaks CLI does by
// default; the library's own default of 0 misses wrapped keys.
const MaxDecodeDepth = 5

// DefaultMaxFileBytes caps one file read from disk.
const DefaultMaxFileBytes = 64 << 20

// Options tune a Scanner.
type Options struct {
	// Logger receives gitleaks' warnings and errors (never its debug
	// output, which can hold secret values); nil discards them.
	Logger *slog.Logger
	// MaxFileBytes caps each file read from disk; larger files are listed
	// as skipped, never silently passed. Zero means DefaultMaxFileBytes.
	MaxFileBytes int64
	// Workers caps the fragments scanned at once; zero means 40, as the
	// gitleaks CLI does.
	Workers int
	// Found, when set, receives each found value as it is found, so that
	// the caller can mask it in every later output (a value in a page
	// body that another check quotes). Findings never hold the value.
	Found func(value string)
}

// Scanner finds and classifies secrets. It is safe for concurrent use; each
// scan it runs gets its own gitleaks detector.
type Scanner struct {
	eng  *engine
	opts Options
}

// New returns a Scanner. The rules are loaded once per process.
func New(opts Options) (*Scanner, error) {
	eng, err := loadEngine()
	if err != nil {
		return nil, err
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.Workers <= 0 {
		opts.Workers = 40
	}
	return &Scanner{eng: eng, opts: opts}, nil
}

// engine is what every scan shares: the rules, loaded once.
type engine struct {
	cfg config.Config
	// skipPaths are the global allowlists whose paths exempt a file
	// outright; they are checked once per file instead of once per
	// fragment (see splitPathAllowlists).
	skipPaths []*config.Allowlist
}

// loadEngine loads gitleaks' default rules and ours. gitleaks reads its
// default config through viper's global state and logs through a global
// zerolog logger, so both are set up exactly once per process, before any
// scan can run; the resulting config is read-only and shared by every
// detector.
var loadEngine = sync.OnceValues(func() (*engine, error) {
	routeLogs()
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return nil, fmt.Errorf("loading gitleaks' default rules: %w", err)
	}
	cfg := d.Config
	if err := addRules(&cfg); err != nil {
		return nil, err
	}
	skip, err := splitPathAllowlists(&cfg)
	if err != nil {
		return nil, err
	}
	return &engine{cfg: cfg, skipPaths: skip}, nil
})

// splitPathAllowlists takes the path half out of the global allowlists
// whose condition is OR (gitleaks' default one): the detector matches
// every path regex against every fragment — the largest single cost of a
// history scan — while a file's path gives the same answer each time, so
// the collector asks once per path and never hands an exempt file's
// fragments to the detector. The rest of each allowlist (commits, regexes,
// stop words) stays with the detector, so findings are unchanged.
func splitPathAllowlists(cfg *config.Config) ([]*config.Allowlist, error) {
	var skip, kept []*config.Allowlist
	for _, a := range cfg.Allowlists {
		if a.MatchCondition != config.AllowlistMatchOr || len(a.Paths) == 0 {
			kept = append(kept, a)
			continue
		}
		skip = append(skip, a)
		if len(a.Commits) == 0 && len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			continue
		}
		rest := &config.Allowlist{
			Description: a.Description, MatchCondition: a.MatchCondition, Commits: a.Commits,
			RegexTarget: a.RegexTarget, Regexes: a.Regexes, StopWords: a.StopWords,
		}
		if err := rest.Validate(); err != nil {
			return nil, fmt.Errorf("gitleaks global allowlist %q: %w", a.Description, err)
		}
		kept = append(kept, rest)
	}
	cfg.Allowlists = kept
	return skip, nil
}

// detector makes the detector for one scan.
func (s *Scanner) detector(ctx context.Context) *detect.Detector {
	d := detect.NewDetectorContext(ctx, s.eng.cfg)
	d.MaxDecodeDepth = MaxDecodeDepth
	return d
}
