package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	engine "github.com/launchready/launchready/internal/secrets"
)

// Exposed is SEC-005: files that must never be served are not.
type Exposed struct{}

var _ check.Check = Exposed{}

// Meta returns the static description.
func (Exposed) Meta() check.Meta {
	return check.Meta{
		ID: "SEC-005", Area: check.AreaSecrets, Severity: check.Blocker,
		Impact: check.ImpactSecrets,
		Title:  "No sensitive files served (.env, .git, backups, config dumps, directory listings)",
		Pass: "None of the usual sensitive paths is served: .env files, .git/HEAD and .git/config, database dumps and site " +
			"backups, config files holding a secret, .npmrc or .aws/credentials with a token, .htpasswd; a .DS_Store or a " +
			"directory listing is a WARN. A path counts as served only when the body proves it is that file (KEY=value lines, " +
			"a ref, an archive's magic bytes, SQL statements…) and differs from the portal's answer for a random path, so a " +
			"portal that answers 200 with the same page for every path has no finding.",
		Why: "A served .env or config file hands over every credential the server has; a readable .git folder lets anyone " +
			"download the whole source and its history, secrets included; a database dump is every member's data. " +
			"Scanners that look for exactly these paths run against every public site all day.",
		Breaks: "The database, mail account and payment account are taken over within hours of the file going public; the " +
			"members' data is copied.",
		Fix: "1. Remove the file from the web root and configure the server to refuse dotfiles and backups: nginx " +
			"`location ~ /\\. { deny all; }` and `location ~* \\.(sql|bak|zip|tar\\.gz)$ { deny all; }`; Express " +
			"`express.static(dir, {dotfiles: 'deny'})`; Caddy `@hidden path /.* ` + `respond @hidden 404`. Serve only the build " +
			"folder (dist/, build/, public/), never the project folder.\n" +
			"2. Rotate every secret the file held (the evidence lists their kinds), first.\n" +
			"3. Turn directory listings off (nginx `autoindex off;`, Apache `Options -Indexes`).",
		Refs: []string{"ASVS v5.0.0-13.4.1", "ASVS v5.0.0-13.4.3", "API8:2023", "CWE-538", "CWE-527", "CWE-548"},
	}
}

// exposure is one sensitive path and how to recognise the real file.
type exposure struct {
	path, what string
	// prove reports whether the body is that file and says what it
	// holds, without quoting a value.
	prove func(body []byte) (string, bool)
	// onlyWithSecret makes the file a finding only when a secret is in it
	// (a public config.json is fine).
	onlyWithSecret bool
	// warn makes it a WARN rather than a FAIL (file names only).
	warn bool
}

// exposures are the paths SEC-005 asks for.
var exposures = []exposure{
	{path: "/.env", what: ".env file", prove: proveDotenv},
	{path: "/.env.local", what: ".env file", prove: proveDotenv},
	{path: "/.env.production", what: ".env file", prove: proveDotenv},
	{path: "/.env.development", what: ".env file", prove: proveDotenv},
	{path: "/.env.bak", what: ".env backup", prove: proveDotenv},
	{path: "/.git/HEAD", what: "git repository (HEAD)", prove: proveGitHead},
	{path: "/.git/config", what: "git repository (config)", prove: proveGitConfig},
	{path: "/backup.zip", what: "site backup", prove: magic("zip archive", "PK\x03\x04")},
	{path: "/site.zip", what: "site backup", prove: magic("zip archive", "PK\x03\x04")},
	{path: "/backup.tar.gz", what: "site backup", prove: magic("gzip archive", "\x1f\x8b")},
	{path: "/backup.sql", what: "database dump", prove: proveSQL},
	{path: "/dump.sql", what: "database dump", prove: proveSQL},
	{path: "/db.sql", what: "database dump", prove: proveSQL},
	{path: "/database.sql", what: "database dump", prove: proveSQL},
	{path: "/db.sqlite", what: "SQLite database", prove: magic("SQLite database", "SQLite format 3\x00")},
	{path: "/config.json", what: "config file", prove: proveJSON, onlyWithSecret: true},
	{path: "/settings.json", what: "config file", prove: proveJSON, onlyWithSecret: true},
	{path: "/appsettings.json", what: "config file", prove: proveJSON, onlyWithSecret: true},
	{path: "/secrets.json", what: "config file", prove: proveJSON, onlyWithSecret: true},
	{path: "/config.yml", what: "config file", prove: proveYAML, onlyWithSecret: true},
	{path: "/config.yaml", what: "config file", prove: proveYAML, onlyWithSecret: true},
	{path: "/docker-compose.yml", what: "docker-compose file", prove: proveYAML, onlyWithSecret: true},
	{path: "/.npmrc", what: ".npmrc with a registry token", prove: lineWith("registry token", `(?m)^\S*:?_auth(Token)?\s*=\s*\S`)},
	{path: "/.aws/credentials", what: "AWS credentials file", prove: lineWith("AWS access key", `(?m)^\s*aws_access_key_id\s*=\s*\S`)},
	{path: "/.htpasswd", what: ".htpasswd password hashes", prove: lineWith("password hash", `(?m)^[^:\s#]+:(\$apr1\$|\$2[aby]\$|\{SHA\}|\$[156]\$)`)},
	{path: "/.DS_Store", what: ".DS_Store file listing", prove: magic("Finder folder index (names the folder's files)", "\x00\x00\x00\x01Bud1"), warn: true},
}

// listingDirs are folders probed for a directory listing, besides those
// of the scripts the crawl found.
var listingDirs = []string{"/uploads/", "/files/", "/backup/", "/static/", "/assets/"}

// Run asks for each sensitive path and each folder, anonymously.
func (Exposed) Run(ctx context.Context, env *check.Env) check.Result {
	sc, ws, errRes := prepare(ctx, env)
	if errRes != nil {
		return *errRes
	}
	nf, err := notFoundBaseline(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	var es []entry
	var clean, unjudged []string
	requests := 0
	for _, x := range exposures {
		requests++
		resp, err := env.Client.Do(ctx, &client.Request{URL: journey.URL(env, x.path)})
		if err != nil {
			if ctx.Err() != nil {
				return check.Errorf("%v", ctx.Err())
			}
			return check.Errorf("asking for %s: %v", x.path, err)
		}
		if !nf.tells(resp.StatusCode) {
			unjudged = append(unjudged, fmt.Sprintf("%s (%d)", x.path, resp.StatusCode))
			continue
		}
		if resp.StatusCode != http.StatusOK || nf.matches(resp) {
			continue
		}
		held, ok := x.prove(resp.Body)
		if !ok {
			continue
		}
		found := engine.Secrets(sc.Text(ctx, x.path, string(resp.Body)))
		if x.onlyWithSecret && len(found) == 0 {
			clean = append(clean, x.path)
			continue
		}
		es = append(es, exposedEntry(env, resp, x, held, found))
	}
	dirs, err := listingCandidates(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	for _, d := range dirs {
		requests++
		resp, err := env.Client.Do(ctx, &client.Request{URL: journey.URL(env, d)})
		if err != nil {
			if ctx.Err() != nil {
				return check.Errorf("%v", ctx.Err())
			}
			continue // a folder path that errors is no listing
		}
		if names, ok := directoryListing(resp); ok {
			es = append(es, listingEntry(env, resp, d, names))
		}
	}
	j := judge("SEC-005", es, ws, time.Now())
	var notes []string
	if nf.catchAll() {
		notes = append(notes, "the portal answers 200 for any path, so each file was judged by its content")
	}
	if len(clean) > 0 {
		notes = append(notes, "served without a secret inside: "+strings.Join(clean, ", "))
	}
	where := fmt.Sprintf("among %d sensitive paths and %d folders", len(exposures), len(dirs))
	r := j.result("exposed file", where, notes...)
	if r.Status == check.Pass && len(unjudged) > 0 {
		// An answer that a path which cannot exist gets too (a redirect
		// away, a block page, 429, 5xx) says nothing about the file.
		shown := unjudged
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("%d more", len(unjudged)-5))
		}
		return check.Errorf("%d of %d sensitive paths got an answer that tells nothing about the file (the portal answers a path that cannot exist the same way, or it refused for now): %s",
			len(unjudged), len(exposures), strings.Join(shown, ", "))
	}
	return r
}

// exposedEntry is the finding for one served file: what proves it, the
// secrets it holds (kinds and redacted starts only).
func exposedEntry(env *check.Env, resp *client.Response, x exposure, held string, found []engine.Finding) entry {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is served to anyone: %s.", x.path, held)
	sev := check.Blocker
	if x.warn && len(found) == 0 {
		sev = check.Minor
	}
	for _, f := range found {
		fmt.Fprintf(&b, "\nholds %s %s (line %d); rotate first: %s", f.Kind, f.Redacted, f.Line, f.Rotate)
	}
	ev := check.HTTPEvidence(env, resp, b.String())
	subject := engine.Subject{Fingerprints: []string{x.path + ":exposed-file"}, File: x.path, Rule: "exposed-file"}
	return entry{subject: subject, severity: sev, kind: x.what, ev: ev}
}

// listingEntry is the finding for a directory listing.
func listingEntry(env *check.Env, resp *client.Response, dir string, names []string) entry {
	shown := names
	if len(shown) > 10 {
		shown = shown[:10]
	}
	detail := fmt.Sprintf("%s lists its files (%d): %s", dir, len(names), strings.Join(shown, ", "))
	subject := engine.Subject{Fingerprints: []string{dir + ":directory-listing"}, File: dir, Rule: "directory-listing"}
	return entry{subject: subject, severity: check.Minor, kind: "directory listing",
		ev: check.HTTPEvidence(env, resp, detail)}
}

// listingCandidates are the folders to probe: the usual ones and those of
// the scripts the frontend crawl fetched.
func listingCandidates(ctx context.Context, env *check.Env) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		if d != "/" && !seen[d] && len(out) < 12 {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, d := range listingDirs {
		add(d)
	}
	fe, err := crawl(ctx, env)
	if err != nil {
		return nil, err
	}
	for _, a := range fe.assets {
		if a.what == "script" && a.resp != nil {
			add(path.Dir(a.resp.URL.Path) + "/")
		}
	}
	return out, nil
}

// listingTitle matches the titles autoindex modules give listings: nginx
// and Apache ("Index of /x"), Python's http.server ("Directory listing
// for /x"), serve and http-server ("Index of /x", "Files within").
var listingTitle = regexp.MustCompile(`(?i)<(?:title|h1)>\s*(?:index of|directory listing for|files within)\s+/`)

// hrefs reads the link targets of a listing.
var hrefs = regexp.MustCompile(`(?i)<a\s[^>]*href="([^"?#]+)"`)

// directoryListing reports whether a response is an autoindex page, and
// the names it lists.
func directoryListing(resp *client.Response) ([]string, bool) {
	if resp.StatusCode != http.StatusOK || !listingTitle.Match(resp.Body) {
		return nil, false
	}
	var names []string
	for _, m := range hrefs.FindAllSubmatch(resp.Body, 1000) {
		n, err := url.PathUnescape(string(m[1]))
		if err != nil || n == "../" || strings.HasPrefix(n, "/") && !strings.HasPrefix(n, resp.URL.Path) {
			continue
		}
		names = append(names, path.Base(strings.TrimSuffix(n, "/")))
	}
	return names, true
}

// Provers. Each reads a body from an untrusted server: bounded, no panic.

var dotenvLine = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=`)

// proveDotenv accepts KEY=value lines (most of the non-comment lines) and
// names the variables, never their values.
func proveDotenv(body []byte) (string, bool) {
	var names []string
	other := 0
	for _, line := range strings.Split(string(body), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if m := dotenvLine.FindStringSubmatch(t); m != nil {
			names = append(names, m[1])
		} else {
			other++
		}
	}
	if len(names) == 0 || other > len(names) {
		return "", false
	}
	return fmt.Sprintf("%d variables (%s)", len(names), strings.Join(firstN(names, 12), ", ")), true
}

var gitRef = regexp.MustCompile(`^(?:ref: (refs/\S+)|[0-9a-f]{40}|[0-9a-f]{64})\s*$`)

// proveGitHead accepts a HEAD file: a symbolic ref or a commit hash.
func proveGitHead(body []byte) (string, bool) {
	m := gitRef.FindSubmatch(bytes.TrimSpace(body))
	if m == nil {
		return "", false
	}
	at := "a detached commit"
	if len(m[1]) > 0 {
		at = string(m[1])
	}
	return "HEAD points at " + at + "; the whole repository, history included, can be downloaded object by object", true
}

var gitRemote = regexp.MustCompile(`(?m)^\s*url\s*=\s*(\S+)`)

// proveGitConfig accepts a git config and names its remotes' hosts
// (never a URL's credentials).
func proveGitConfig(body []byte) (string, bool) {
	s := string(body)
	if !strings.Contains(s, "[core]") || !strings.Contains(s, "repositoryformatversion") {
		return "", false
	}
	held := "a git config: the repository's objects are likely served too"
	for _, m := range gitRemote.FindAllStringSubmatch(s, 5) {
		if u, err := url.Parse(m[1]); err == nil && u.Host != "" {
			held += "; remote on " + u.Hostname()
			if u.User != nil {
				held += " WITH CREDENTIALS IN THE URL"
			}
		}
	}
	return held, true
}

// magic accepts a file that starts with the given bytes.
func magic(what, prefix string) func([]byte) (string, bool) {
	return func(body []byte) (string, bool) {
		if !bytes.HasPrefix(body, []byte(prefix)) {
			return "", false
		}
		return fmt.Sprintf("a %s of %d bytes", what, len(body)), true
	}
}

var sqlStatement = regexp.MustCompile(`(?i)\b(create table|insert into|copy \S+ .*from stdin)\b`)

// proveSQL accepts a SQL dump.
func proveSQL(body []byte) (string, bool) {
	if looksHTML(body) {
		return "", false
	}
	n := len(sqlStatement.FindAllIndex(body, 10000))
	if n == 0 {
		return "", false
	}
	return fmt.Sprintf("a SQL dump of %d bytes with %d table or row statements", len(body), n), true
}

// proveJSON accepts a JSON object and names its top-level keys.
func proveJSON(body []byte) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || len(m) == 0 {
		return "", false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("a JSON config with keys %s", strings.Join(firstN(keys, 12), ", ")), true
}

var yamlKey = regexp.MustCompile(`(?m)^[A-Za-z_][\w.-]*:(\s|$)`)

// proveYAML accepts text with at least two top-level YAML keys.
func proveYAML(body []byte) (string, bool) {
	if looksHTML(body) {
		return "", false
	}
	keys := yamlKey.FindAll(body, 1000)
	if len(keys) < 2 {
		return "", false
	}
	return fmt.Sprintf("a YAML file with %d top-level keys", len(keys)), true
}

// looksHTML reports whether a body is an HTML page (a page that talks
// about SQL is no dump).
func looksHTML(body []byte) bool {
	return strings.HasPrefix(http.DetectContentType(body), "text/html")
}

// lineWith accepts a file with a line the pattern matches.
func lineWith(what, pattern string) func([]byte) (string, bool) {
	re := regexp.MustCompile(pattern)
	return func(body []byte) (string, bool) {
		if !re.Match(body) {
			return "", false
		}
		return "it holds a " + what, true
	}
}

// firstN returns at most n items, with "…" when there were more.
func firstN(items []string, n int) []string {
	if len(items) <= n {
		return items
	}
	return append(items[:n:n], "…")
}
