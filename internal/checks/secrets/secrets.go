// Package secrets holds the Secrets handling checks (SEC-*) that read the
// portal's repository, build output and CI logs: history on every branch
// (SEC-001), uncommitted files and build output (SEC-002), .env files git
// tracks or would (SEC-006) and CI logs (SEC-007). Detection and
// classification are internal/secrets'; these checks judge, apply
// waivers and say what to do.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	engine "github.com/launchready/launchready/internal/secrets"
)

// IDs are the checks a waiver file may name.
var IDs = []string{"SEC-001", "SEC-002", "SEC-003", "SEC-005", "SEC-006", "SEC-007"}

// maxDetail bounds the detail text of one evidence item, in bytes. Every
// finding and every place of it is an item of its own (a waiver names a
// place by its fingerprint, so a report that left one out would leave it
// unwaivable): what is bounded is the text of each, not their number. A
// secret's detail is a few hundred bytes; the bound only cuts a waiver
// reason or a path of absurd length.
const maxDetail = 4 << 10

// fixSecret is the fix path every secret finding shares: rotate first,
// then move the value where the host keeps secrets.
const fixSecret = "1. Rotate every listed secret first, where it was issued (each finding says where): the old value is in every " +
	"clone, fork, CI cache and build artifact, and stays valid until it is revoked. Deleting the file or the commit does not un-leak it.\n" +
	"2. Move the new value out of the code into the host's secret store and read it from the environment at run time: " +
	"Vercel or Netlify environment variables, `fly secrets set NAME=…` on Fly.io, Render or Railway variables, GitHub Actions " +
	"secrets (${{ secrets.NAME }}) for CI. Keep .env files out of git (.gitignore: .env*, !.env.example).\n" +
	"3. Only browser-safe keys may reach the bundle (Stripe pk_…, Supabase anon or sb_publishable_…, Firebase web config); " +
	"anything read by server code must not carry a NEXT_PUBLIC_ / VITE_ / PUBLIC_ prefix.\n" +
	"4. Once rotated, optionally rewrite history (git filter-repo --replace-text) and add a pre-commit scan (gitleaks git --pre-commit). " +
	"A test fixture or an already revoked key can be waived in launchready-waivers.yaml by fingerprint, with a reason, an owner and an expiry date."

// scanner is the secrets scanner shared by every SEC check of a run.
func scanner(ctx context.Context, env *check.Env) (*engine.Scanner, error) {
	return check.Shared(ctx, env, "secrets.scanner", func(context.Context) (*engine.Scanner, error) {
		opts := engine.Options{}
		if env.Client != nil {
			// Mask each found value in every later output, whoever
			// quotes it.
			opts.Found = func(v string) { env.Client.Redactor().Add(v) }
		}
		return engine.New(opts)
	})
}

// waivers reads the run's waiver file once: the one the config names
// (which must exist), else launchready-waivers.yaml beside the config when
// it exists. A bad file is an error naming its line.
func waivers(ctx context.Context, env *check.Env) (*engine.Waivers, error) {
	return check.Shared(ctx, env, "secrets.waivers", func(context.Context) (*engine.Waivers, error) {
		path, named := env.Config.WaiversPath()
		if path == "" {
			return nil, nil
		}
		if _, err := os.Stat(path); !named && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return engine.LoadWaivers(path, IDs)
	})
}

// repo is the configured repository's path.
func repo(env *check.Env) string {
	return env.Config.SourcePath(env.Config.Source.Repo)
}

// prepare gets the scanner and the waivers, or the ERROR result.
func prepare(ctx context.Context, env *check.Env) (*engine.Scanner, *engine.Waivers, *check.Result) {
	sc, err := scanner(ctx, env)
	if err != nil {
		r := check.Errorf("%v", err)
		return nil, nil, &r
	}
	ws, err := waivers(ctx, env)
	if err != nil {
		r := check.Errorf("%v", err)
		return nil, nil, &r
	}
	return sc, ws, nil
}

// scanError is the ERROR result for a scan that did not finish, with the
// way out when it ran out of time.
func scanError(err error) check.Result {
	if errors.Is(err, context.DeadlineExceeded) {
		return check.Errorf("%v; raise target.timeouts.check in the config, or run `launchready secrets` (no per-check limit)", err)
	}
	return check.Errorf("%v", err)
}

// entry is one thing a check found, ready to judge: for a secret, one
// value, with every place it was found.
type entry struct {
	subject  engine.Subject
	severity check.Severity
	kind     string
	ev       check.Evidence
	// more are the value's other places, each an evidence item of its own
	// with its own fingerprint: one key to rotate, several places a
	// waiver may name one by one.
	more []place
}

// place is one more place of an entry's value.
type place struct {
	subject engine.Subject
	ev      check.Evidence
}

// places counts the places of entries.
func places(es []entry) int {
	n := 0
	for _, e := range es {
		n += 1 + len(e.more)
	}
	return n
}

// judged sorts entries by what they do to the result.
type judged struct {
	// failing are unwaived blocker-severity entries; lesser unwaived
	// entries of lower severity; waived those a live waiver covers.
	failing, lesser, waived []entry
}

// judge applies the waivers to the entries of check id, place by place:
// a value is waived when a live waiver covers every place it was found,
// and each place says which waiver covers it.
func judge(id string, es []entry, ws *engine.Waivers, now time.Time) judged {
	var j judged
	for _, e := range es {
		waived := waive(id, &e.ev, e.subject, ws, now)
		e.more = slices.Clone(e.more)
		for i := range e.more {
			waived = waive(id, &e.more[i].ev, e.more[i].subject, ws, now) && waived
		}
		switch {
		case waived:
			j.waived = append(j.waived, e)
		case e.severity == check.Blocker:
			j.failing = append(j.failing, e)
		default:
			j.lesser = append(j.lesser, e)
		}
	}
	return j
}

// waive notes on ev the waiver that covers s, if any, and reports whether
// it is live.
func waive(id string, ev *check.Evidence, s engine.Subject, ws *engine.Waivers, now time.Time) bool {
	w, ok := ws.Match(id, s, now)
	switch {
	case !ok:
		return false
	case !w.Expired(now):
		ev.Detail = fmt.Sprintf("WAIVED until %s by %s (%s line %d): %s\n%s",
			w.Expires.Format("2006-01-02"), w.Owner, ws.File, w.Line, w.Reason, ev.Detail)
		return true
	}
	ev.Detail = fmt.Sprintf("The waiver for it (%s line %d, owner %s) expired on %s and no longer waives it: renew it or fix this.\n%s",
		ws.File, w.Line, w.Owner, w.Expires.Format("2006-01-02"), ev.Detail)
	return false
}

// evidence lists failing, then lesser, then waived entries, each value's
// places together, every one of them: the terminal shows the first few,
// JSON, SARIF and HTML carry all.
func (j judged) evidence() []check.Evidence {
	var ev []check.Evidence
	for _, list := range [][]entry{j.failing, j.lesser, j.waived} {
		for _, e := range list {
			ev = append(ev, clipped(e.ev))
			for _, p := range e.more {
				ev = append(ev, clipped(p.ev))
			}
		}
	}
	return ev
}

// clipped bounds an evidence item's detail to maxDetail bytes, cut at a
// character boundary.
func clipped(ev check.Evidence) check.Evidence {
	if len(ev.Detail) <= maxDetail {
		return ev
	}
	cut := maxDetail - len("…")
	for cut > 0 && !utf8.RuneStart(ev.Detail[cut]) {
		cut--
	}
	ev.Detail = ev.Detail[:cut] + "…"
	return ev
}

// result is FAIL for unwaived blockers, WARN for lesser or waived entries,
// else PASS; where names what was scanned ("in 412 commits on all
// branches"), and notes are appended to the summary.
func (j judged) result(noun, where string, notes ...string) check.Result {
	tail := ""
	if len(notes) > 0 {
		tail = "; " + strings.Join(notes, "; ")
	}
	switch {
	case len(j.failing) > 0:
		return check.Failf(j.evidence(), "%s%s %s: %s%s%s", count(len(j.failing), noun), inPlaces(j.failing), where, tallyKinds(j.failing), j.alsoText(), tail)
	case len(j.lesser) > 0:
		return check.Warnf(j.evidence(), "%s of lesser severity%s %s: %s%s%s", count(len(j.lesser), noun), inPlaces(j.lesser), where, tallyKinds(j.lesser), j.alsoText(), tail)
	case len(j.waived) > 0:
		return check.Warnf(j.evidence(), "no unwaived %s %s; %d waived%s, listed with their reason, owner and expiry%s", plural(noun), where, len(j.waived), inPlaces(j.waived), tail)
	}
	return check.Passf("no %s %s%s", plural(noun), where, tail)
}

// inPlaces counts the places of entries when some were found in more than
// one: " (in 290 places)".
func inPlaces(es []entry) string {
	if n := places(es); n > len(es) {
		return fmt.Sprintf(" (in %d places)", n)
	}
	return ""
}

// alsoText mentions lesser and waived entries next to failing ones.
func (j judged) alsoText() string {
	var parts []string
	if len(j.failing) > 0 && len(j.lesser) > 0 {
		parts = append(parts, fmt.Sprintf("%d of lesser severity", len(j.lesser)))
	}
	if len(j.waived) > 0 {
		parts = append(parts, fmt.Sprintf("%d waived", len(j.waived)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (also " + strings.Join(parts, ", ") + ")"
}

// tallyKinds names the kinds found, most frequent first: "2 × Stripe
// live secret key, Supabase service_role key".
func tallyKinds(es []entry) string {
	n := map[string]int{}
	var kinds []string
	for _, e := range es {
		if n[e.kind] == 0 {
			kinds = append(kinds, e.kind)
		}
		n[e.kind]++
	}
	sort.SliceStable(kinds, func(a, b int) bool { return n[kinds[a]] > n[kinds[b]] })
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = k
		if n[k] > 1 {
			parts[i] = fmt.Sprintf("%d × %s", n[k], k)
		}
	}
	return strings.Join(parts, ", ")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %s", n, plural(noun))
}

func plural(noun string) string {
	if strings.HasSuffix(noun, "s") {
		return noun
	}
	return noun + "s"
}

// findingEntries turns the secrets among findings into entries, one per
// value (a key found in several places is one key to rotate; each other
// place follows the first as an evidence item of its own); the others
// (publishable keys, placeholders) are counted for the summary.
func findingEntries(fs []engine.Finding, repro func(engine.Finding) string) ([]entry, []string) {
	var info []string
	var secret []engine.Finding
	for _, f := range fs {
		switch f.Class {
		case engine.Secret:
			secret = append(secret, f)
		case engine.Publishable:
			info = append(info, f.Kind)
		}
	}
	at := func(i int) engine.Finding { return secret[i] }
	var es []entry
	for _, g := range engine.GroupByValue(len(secret), at) {
		es = append(es, valueEntry(g, at, func(i int, ev check.Evidence) check.Evidence {
			ev.Repro = repro(at(i))
			return ev
		}))
	}
	return es, info
}

// valueEntry is the entry of one value found at the findings idx (in
// order): the first place carries the full description, each other place
// is an evidence item of its own naming the first, and finish completes
// each item (its repro, the request that fetched it). The entry is as
// severe as its most severe place.
func valueEntry(idx []int, at func(int) engine.Finding, finish func(i int, ev check.Evidence) check.Evidence) entry {
	first := at(idx[0])
	ev := findingEvidence(first, "")
	if len(idx) > 1 {
		ev.Detail += fmt.Sprintf("\nThe same value is in %s, each listed next with its own fingerprint: one key to rotate.", count(len(idx)-1, "more place"))
	}
	e := entry{subject: first.Subject(), severity: first.Severity, kind: first.Kind, ev: finish(idx[0], ev)}
	for _, i := range idx[1:] {
		f := at(i)
		e.severity = max(e.severity, f.Severity)
		e.more = append(e.more, place{subject: f.Subject(), ev: finish(i, sameValueEvidence(f, first))})
	}
	return e
}

// sameValueEvidence shows one more place of the value first was found
// with: where, and its fingerprint (for a waiver).
func sameValueEvidence(f, first engine.Finding) check.Evidence {
	var b strings.Builder
	fmt.Fprintf(&b, "the same %s %s as in %s line %d", f.Kind, f.Redacted, first.File, first.Line)
	if first.Commit != "" {
		fmt.Fprintf(&b, " (commit %s)", short(first.Commit))
	}
	fmt.Fprintf(&b, " (rule %s", f.RuleID)
	if f.Encoding != "" {
		fmt.Fprintf(&b, ", found %s-encoded", f.Encoding)
	}
	if f.Date != "" {
		fmt.Fprintf(&b, ", committed %s", f.Date)
	}
	fmt.Fprintf(&b, ")\nfingerprint %s", f.Fingerprint)
	return check.Evidence{
		Detail:      b.String(),
		Location:    &check.Location{File: f.File, Line: f.Line, Commit: f.Commit},
		Fingerprint: f.Fingerprint,
	}
}

// findingEvidence shows one finding, redacted: what it is, where, its
// fingerprint (for a waiver) and what to rotate.
func findingEvidence(f engine.Finding, repro string) check.Evidence {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s, rule %s", f.Kind, f.Redacted, f.Severity, f.RuleID)
	if f.Encoding != "" {
		fmt.Fprintf(&b, ", found %s-encoded", f.Encoding)
	}
	if f.Date != "" {
		fmt.Fprintf(&b, ", committed %s", f.Date)
	}
	fmt.Fprintf(&b, ")\nfingerprint %s", f.Fingerprint)
	if f.Rotate != "" {
		fmt.Fprintf(&b, "\nRotate first: %s", f.Rotate)
	}
	return check.Evidence{
		Detail:      b.String(),
		Location:    &check.Location{File: f.File, Line: f.Line, Commit: f.Commit},
		Repro:       repro,
		Fingerprint: f.Fingerprint,
	}
}

// publishedNote mentions publishable keys seen, which are not findings.
func publishedNote(kinds []string) []string {
	if len(kinds) == 0 {
		return nil
	}
	es := make([]entry, len(kinds))
	for i, k := range kinds {
		es[i].kind = k
	}
	return []string{fmt.Sprintf("%s seen, publishable by design and not counted (%s)", count(len(kinds), "browser key"), tallyKinds(es))}
}

// shellQuote quotes a path for a repro command.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sedLine is the repro that prints one line of a file.
func sedLine(file string, line int) string {
	return fmt.Sprintf("sed -n %dp %s", max(line, 1), shellQuote(file))
}

// fileRepro prints the finding's line from disk, or from the source
// embedded in a source map (with jq); paths are as the config writes them.
func fileRepro(f engine.Finding) string {
	if m, src, ok := strings.Cut(f.File, "!"); ok {
		return fmt.Sprintf("jq -r --arg s %s '.sourcesContent[.sources|index($s)]' %s | sed -n %dp",
			shellQuote(src), shellQuote(m), max(f.Line, 1))
	}
	return sedLine(f.File, f.Line)
}

// configName names the config in messages.
func configName(env *check.Env) string {
	if env.Config.Path == "" {
		return config.DefaultFileName
	}
	return env.Config.Path
}
