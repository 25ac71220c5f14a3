package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The demo repository's author and committer.
const (
	repoAuthorName  = "Dana Portal"
	repoAuthorEmail = "dana@portal.test"
)

// commit is one commit of the demo repository's history.
type commit struct {
	// message is the commit message.
	message string
	// date is the author and committer date, in a form git reads.
	date string
	// write maps a path (with "/") to the content it gets.
	write map[string]string
	// remove lists paths the commit deletes.
	remove []string
}

// history is the demo repository's commits, oldest first: a small Node
// portal. With EnvCommitted a commit adds .env (a Stripe secret key and
// the session secret) and a later one deletes it and adds .gitignore;
// otherwise .gitignore ignores .env from the first commit.
func history(f Flaws, s planted) []commit {
	first := map[string]string{
		"package.json":       manifest{}.packageJSON(),
		"README.md":          readme(false),
		".env.example":       envExample,
		"src/db.js":          dbJS,
		"src/server.js":      serverJS("auth"),
		"src/routes/auth.js": authRouteJS,
	}
	if !f.EnvCommitted {
		first[".gitignore"] = gitignore
	}
	billing := map[string]string{
		"package.json":          manifest{billing: true}.packageJSON(),
		"src/server.js":         serverJS("auth", "members", "billing"),
		"src/routes/billing.js": billingRouteJS,
	}
	if f.EnvCommitted {
		billing[".env"] = "NODE_ENV=development\nPORT=3000\nSTRIPE_SECRET_KEY=" + s.committedStripe +
			"\nSESSION_SECRET=" + s.committedSession + "\n"
	}
	docs := commit{message: "Document the environment variables", date: "2025-01-21T08:55:00+01:00",
		write: map[string]string{"README.md": readme(true)}}
	if f.EnvCommitted {
		docs.message = "Stop tracking .env; document the environment variables"
		docs.write[".gitignore"] = gitignore
		docs.remove = []string{".env"}
	}
	return []commit{
		{message: "Express portal skeleton with login", date: "2025-01-06T09:12:00+01:00", write: first},
		{message: "Members API", date: "2025-01-08T14:30:00+01:00", write: map[string]string{
			"src/server.js":         serverJS("auth", "members"),
			"src/routes/members.js": membersRouteJS,
		}},
		{message: "Stripe checkout for memberships", date: "2025-01-13T10:05:00+01:00", write: billing},
		{message: "Invoices and messages", date: "2025-01-20T16:40:00+01:00", write: map[string]string{
			"src/server.js":          serverJS("auth", "members", "billing", "invoices", "messages"),
			"src/routes/invoices.js": invoicesRouteJS,
			"src/routes/messages.js": messagesRouteJS,
		}},
		docs,
		{message: "Frontend bundle with esbuild", date: "2025-02-03T11:20:00+01:00", write: map[string]string{
			"package.json":         manifest{billing: true, bundle: true, sourceMap: f.PublicSourceMap}.packageJSON(),
			"src/client/config.js": clientConfigJS,
			"src/client/app.js":    dashboardJS(f),
		}},
	}
}

// newGitCmd finds git and prepares to run it in dir, with a hermetic
// environment.
func newGitCmd(dir string) (gitCmd, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return gitCmd{}, fmt.Errorf("demo: the demo's repository needs git on PATH: %w", err)
	}
	return gitCmd{bin: bin, dir: dir, env: hermeticEnv()}, nil
}

// buildRepo creates the demo repository in g's directory (which must not
// exist), commits the history, then writes the served bundle (and map) to
// dist/static, which .gitignore keeps out of git: build output only.
func buildRepo(ctx context.Context, g gitCmd, f Flaws, s planted, a assets) error {
	if err := os.Mkdir(g.dir, 0o755); err != nil {
		return fmt.Errorf("demo: creating the repository: %w", err)
	}
	if err := g.run(ctx, "", "init", "-q", "-b", "main"); err != nil {
		return fmt.Errorf("demo: creating the repository: %w", err)
	}
	for _, c := range history(f, s) {
		if err := g.commit(ctx, c); err != nil {
			return fmt.Errorf("demo: repository commit %q: %w", c.message, err)
		}
	}
	build := map[string]string{"dist/static/app.js": string(a.bundle)}
	if a.sourceMap != nil {
		build["dist/static/app.js.map"] = string(a.sourceMap)
	}
	if err := writeTree(g.dir, build, nil); err != nil {
		return fmt.Errorf("demo: writing the repository's build output: %w", err)
	}
	return nil
}

// gitCmd runs git in one repository with a hermetic environment.
type gitCmd struct {
	bin, dir string
	env      []string
}

// commit applies c to the working tree and commits everything.
func (g gitCmd) commit(ctx context.Context, c commit) error {
	if err := writeTree(g.dir, c.write, c.remove); err != nil {
		return err
	}
	if err := g.run(ctx, c.date, "add", "-A"); err != nil {
		return err
	}
	return g.run(ctx, c.date, "commit", "-q", "-m", c.message)
}

// run runs one git command dated date (none when ""), returning its
// output in the error when it fails.
func (g gitCmd) run(ctx context.Context, date string, args ...string) error {
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	if date != "" {
		cmd.Env = append(append([]string(nil), g.env...), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// hermeticEnv is the process environment without any GIT_ variable, plus
// what makes git ignore the user's and the system's configuration and
// name a fixed author.
func hermeticEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C",
		"GIT_AUTHOR_NAME="+repoAuthorName, "GIT_AUTHOR_EMAIL="+repoAuthorEmail,
		"GIT_COMMITTER_NAME="+repoAuthorName, "GIT_COMMITTER_EMAIL="+repoAuthorEmail)
}

// writeTree writes files (paths with "/", directories created) under dir
// and removes the paths in remove.
func writeTree(dir string, files map[string]string, remove []string) error {
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := writeFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	for _, name := range remove {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	return nil
}
