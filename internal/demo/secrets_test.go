package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Key shapes, written in pieces so this file holds nothing a secret
// scanner would take for a key.
var (
	stripeSecretShape      = regexp.MustCompile(`^sk_` + `live_[A-Za-z0-9]{24,32}$`)
	stripePublishableShape = regexp.MustCompile(`pk_` + `live_[A-Za-z0-9]{24}\b`)
	jwtShape               = regexp.MustCompile(`eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+`)
	hex64Shape             = regexp.MustCompile(`^[0-9a-f]{64}$`)
	alnum20Shape           = regexp.MustCompile(`^[A-Za-z0-9]{20}$`)
	githubTokenShape       = regexp.MustCompile(`^ghp` + `_[A-Za-z0-9]{36}$`)
)

// stripeSecretPrefix starts every Stripe live secret key.
const stripeSecretPrefix = "sk_" + "live_"

// plantedAll names the flawed portal's seven planted secrets, in the
// order PlantedSecrets lists them.
type plantedAll struct {
	bundleKey, serviceRole, dbPassword, smtpPassword, committedKey, sessionSecret, ciToken string
}

func flawedSecrets(t *testing.T, p *Portal) plantedAll {
	t.Helper()
	s := p.PlantedSecrets()
	if len(s) != 7 {
		t.Fatalf("PlantedSecrets: %d values, want 7", len(s))
	}
	return plantedAll{s[0], s[1], s[2], s[3], s[4], s[5], s[6]}
}

// TestServedSecrets: the bundle always carries a publishable key and only
// flawed the secret one and the source map comment; the map and /.env
// answer only when flawed.
func TestServedSecrets(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c := newClient(t, p, false)
			flawed := m.name == "flawed"
			resp, js := get(t, c, p.URL+"/static/app.js")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Fatalf("app.js: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !stripePublishableShape.MatchString(js) || !strings.Contains(js, "var portalConfig = {stripeKey: ") {
				t.Errorf("app.js has no publishable key in portalConfig:\n%s", js)
			}
			if got := strings.Contains(js, stripeSecretPrefix); got != flawed {
				t.Errorf("app.js carries a secret key: %v, want %v", got, flawed)
			}
			if got := strings.Contains(js, `checkoutKey: "pk_`+`test_`); got != flawed {
				t.Errorf("app.js carries a test-mode checkout key: %v, want %v", got, flawed)
			}
			if got := strings.HasSuffix(js, "\n//# sourceMappingURL=app.js.map\n"); got != flawed {
				t.Errorf("app.js ends with the sourceMappingURL comment: %v, want %v", got, flawed)
			}
			if flawed {
				checkServedFlaws(t, p, c, js)
				return
			}
			_, missing := get(t, c, p.URL+"/no-such-file")
			for _, path := range []string{"/static/app.js.map", "/.env"} {
				if resp, body := get(t, c, p.URL+path); resp.StatusCode != http.StatusNotFound || body != missing {
					t.Errorf("%s: %d, want the normal 404 page\n%s", path, resp.StatusCode, body)
				}
			}
		})
	}
}

// checkServedFlaws checks the flawed bundle's key, its source map and the
// served .env against PlantedSecrets.
func checkServedFlaws(t *testing.T, p *Portal, c *http.Client, js string) {
	t.Helper()
	s := flawedSecrets(t, p)
	if !stripeSecretShape.MatchString(s.bundleKey) || !strings.Contains(js, `stripeSecret: "`+s.bundleKey+`"`) {
		t.Errorf("app.js lacks the planted secret key %q:\n%s", s.bundleKey, js)
	}
	resp, body := get(t, c, p.URL+"/static/app.js.map")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("app.js.map: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSourceMap(t, body, s.serviceRole)
	resp, env := get(t, c, p.URL+"/.env")
	wantDB := "\nDATABASE_URL=postgres://portal_app:" + s.dbPassword + "@db.portal.internal:5432/portal\n"
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		!strings.HasPrefix(env, "NODE_ENV=production\n") || !strings.Contains(env, wantDB) ||
		!strings.Contains(env, fmt.Sprintf("\n%s=%s\n", "SMTP_PASSWORD", s.smtpPassword)) {
		t.Errorf("/.env: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), env)
	}
	if !alnum20Shape.MatchString(s.dbPassword) || !alnum20Shape.MatchString(s.smtpPassword) || s.dbPassword == s.smtpPassword {
		t.Errorf(".env passwords %q and %q: want two different 20-character alphanumerics", s.dbPassword, s.smtpPassword)
	}
}

// checkSourceMap decodes a served map: version 3 for app.js, both sources
// embedded, src/config.js holding the service_role key next to the
// Supabase URL and the anon key.
func checkSourceMap(t *testing.T, body, serviceRole string) {
	t.Helper()
	var m struct {
		Version        int      `json:"version"`
		File           string   `json:"file"`
		Sources        []string `json:"sources"`
		SourcesContent []string `json:"sourcesContent"`
		Names          []string `json:"names"`
		Mappings       *string  `json:"mappings"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("app.js.map is not JSON: %v\n%s", err, body)
	}
	if m.Version != 3 || m.File != "app.js" || !slices.Equal(m.Sources, []string{"src/config.js", "src/app.js"}) ||
		len(m.SourcesContent) != 2 || m.Names == nil || m.Mappings == nil {
		t.Fatalf("app.js.map: %+v", m)
	}
	config := m.SourcesContent[0]
	if !strings.Contains(config, `export const supabaseServiceKey = "`+serviceRole+`";`) ||
		!strings.Contains(config, `export const supabaseUrl = "https://`) || !strings.Contains(m.SourcesContent[1], "adminApi") {
		t.Errorf("src/config.js does not export the service_role key %q:\n%s", serviceRole, config)
	}
	roles := map[string]string{}
	for _, tok := range jwtShape.FindAllString(config, -1) {
		claims := segment(t, tok, 1)
		roles[claims["role"].(string)] = tok
		if h := segment(t, tok, 0); h["alg"] != "HS256" || h["typ"] != "JWT" {
			t.Errorf("%s key header %v", claims["role"], h)
		}
		checkSupabaseClaims(t, claims)
	}
	if roles["service_role"] != serviceRole || roles["anon"] == "" || len(roles) != 2 {
		t.Errorf("src/config.js keys by role: %v, want the planted service_role key and an anon key", roles)
	}
}

// checkSupabaseClaims checks a minted Supabase key's payload.
func checkSupabaseClaims(t *testing.T, c map[string]any) {
	t.Helper()
	ref, _ := c["ref"].(string)
	iat, _ := c["iat"].(float64)
	exp, _ := c["exp"].(float64)
	now := float64(time.Now().Unix())
	if c["iss"] != "supabase" || !regexp.MustCompile(`^[a-z]{20}$`).MatchString(ref) || iat > now || iat < now-300 ||
		exp != iat+supabaseKeyLife.Seconds() || len(c) != 5 {
		t.Errorf("Supabase key claims %v", c)
	}
}

// TestRepository: the repository has the history, a clean tree, no .env
// in the working tree, and the served bundle as ignored build output; a
// .env is in history only when flawed.
func TestRepository(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			flawed := m.name == "flawed"
			if p.RepoDir != filepath.Join(p.Dir, "repo") {
				t.Fatalf("RepoDir %q", p.RepoDir)
			}
			if got := gitOut(t, p.RepoDir, "log", "--all", "--format=%H", "--", ".env"); (got != "") != flawed {
				t.Errorf("commits touching .env: %q, want some: %v", got, flawed)
			}
			if got := gitOut(t, p.RepoDir, "status", "--porcelain", "--untracked-files=all"); got != "" {
				t.Errorf("git status: %q, want a clean tree", got)
			}
			log := gitOut(t, p.RepoDir, "log", "--format=%an <%ae> %ad|%s", "--date=iso-strict", "main")
			if n := strings.Count(log, "\n") + 1; n != 6 || !strings.Contains(log, "Dana Portal <dana@portal.test> 2025-01-06T09:12:00+01:00|") {
				t.Errorf("git log (%d commits):\n%s", n, log)
			}
			if _, err := os.Stat(filepath.Join(p.RepoDir, ".env")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf(".env in the working tree: %v", err)
			}
			ignored := gitOut(t, p.RepoDir, "check-ignore", "--no-index", ".env", "dist/static/app.js")
			if ignored != ".env\ndist/static/app.js" {
				t.Errorf("git check-ignore: %q, want .env and dist ignored", ignored)
			}
			checkBuildOutput(t, p, flawed)
		})
	}
}

// checkBuildOutput compares dist/static with what the portal serves.
func checkBuildOutput(t *testing.T, p *Portal, flawed bool) {
	t.Helper()
	c := newClient(t, p, false)
	for _, name := range []string{"app.js", "app.js.map"} {
		resp, served := get(t, c, p.URL+"/static/"+name)
		built, err := os.ReadFile(filepath.Join(p.RepoDir, "dist", "static", name))
		switch {
		case name == "app.js.map" && !flawed:
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("dist/static/%s exists without PublicSourceMap: %v", name, err)
			}
		case err != nil || resp.StatusCode != http.StatusOK || string(built) != served:
			t.Errorf("dist/static/%s (%v) differs from the served one (%d)", name, err, resp.StatusCode)
		}
	}
}

// TestPlantedSecrets: each flawed secret is where its flaw puts it and
// nowhere else it should not be; hardened plants none.
func TestPlantedSecrets(t *testing.T) {
	if got := startPortal(t, Hardened()).PlantedSecrets(); len(got) != 0 {
		t.Fatalf("hardened PlantedSecrets: %d values", len(got))
	}
	p := startPortal(t, Flawed())
	s := flawedSecrets(t, p)
	c := newClient(t, p, false)
	_, js := get(t, c, p.URL+"/static/app.js")
	_, sourceMap := get(t, c, p.URL+"/static/app.js.map")
	_, env := get(t, c, p.URL+"/.env")
	history := gitOut(t, p.RepoDir, "log", "--all", "-p")
	config, err := os.ReadFile(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	ciLog, err := os.ReadFile(filepath.Join(p.Dir, ciLogPath))
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]string{"app.js": js, "app.js.map": sourceMap, "/.env": env, "history": history, "config": string(config),
		"ci log": string(ciLog)}
	tests := []struct {
		name, value string
		in          []string
		shape       *regexp.Regexp
	}{
		{"bundle secret key", s.bundleKey, []string{"app.js", "app.js.map"}, stripeSecretShape},
		{"service_role key", s.serviceRole, []string{"app.js.map"}, jwtShape},
		{"database password", s.dbPassword, []string{"/.env"}, alnum20Shape},
		{"SMTP password", s.smtpPassword, []string{"/.env"}, alnum20Shape},
		{"committed secret key", s.committedKey, []string{"history"}, stripeSecretShape},
		{"session secret", s.sessionSecret, []string{"history"}, hex64Shape},
		{"CI token", s.ciToken, []string{"ci log"}, githubTokenShape},
	}
	for _, tt := range tests {
		if !tt.shape.MatchString(tt.value) {
			t.Errorf("%s %q does not look like one", tt.name, tt.value)
		}
		for place, text := range places {
			if got, want := strings.Contains(text, tt.value), slices.Contains(tt.in, place); got != want {
				t.Errorf("%s in %s: %v, want %v", tt.name, place, got, want)
			}
		}
	}
	hardened, err := os.ReadFile(filepath.Join(startPortal(t, Hardened()).Dir, ciLogPath))
	if err != nil || !strings.Contains(string(hardened), "GITHUB_TOKEN=***\n") || !strings.Contains(string(ciLog), "GITHUB_TOKEN="+s.ciToken+"\n") {
		t.Errorf("the CI log should print the token flawed and *** hardened (%v):\n%s", err, hardened)
	}
	if !strings.Contains(history, "+STRIPE_SECRET_KEY="+s.committedKey+"\n") || !strings.Contains(history, "+SESSION_SECRET="+s.sessionSecret+"\n") {
		t.Errorf("the committed .env lacks the planted values:\n%s", history)
	}
}

// TestStartNeedsGit: without git on PATH, Start says so.
func TestStartNeedsGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p, err := Start(context.Background(), Options{Flaws: Hardened(), Dir: t.TempDir()})
	if err == nil {
		p.Close()
		t.Fatal("Start without git succeeded")
	}
	if !strings.Contains(err.Error(), "demo: the demo's repository needs git on PATH: ") {
		t.Fatalf("error %q does not name git", err)
	}
}

// TestRepoInUse: Start refuses a Dir whose repo already exists.
func TestRepoInUse(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Start(context.Background(), Options{Flaws: Hardened(), Dir: dir})
	if err == nil {
		p.Close()
		t.Fatal("Start over an existing repo succeeded")
	}
	if !strings.Contains(err.Error(), "demo: creating the repository: ") {
		t.Fatalf("error %q", err)
	}
}

// gitOut runs git in dir, hermetically, and returns its trimmed output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, hermeticEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
